import AxeBuilder from '@axe-core/playwright';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APIRequestContext, BrowserContext, expect, Page, test } from '@playwright/test';
import { Operator, operatorOf } from './fixtures';

/** The current spec file's own operator (see fixtures.ts). */
export function currentOperator(): Operator {
  return operatorOf(test.info().file);
}

type Messages = { [key: string]: string | Messages };

/** A UI string from app/locales/<lang>.json, by dotted key, so tests follow the translations. */
export function t(lang: string, key: string): string {
  const file = join(__dirname, '..', '..', 'app', 'locales', `${lang}.json`);
  const messages = JSON.parse(readFileSync(file, 'utf8')) as Messages;
  let node: string | Messages = messages;
  for (const part of key.split('.')) {
    if (typeof node === 'string' || !(part in node)) throw new Error(`no key ${key} in ${lang}.json`);
    node = node[part];
  }
  if (typeof node !== 'string') throw new Error(`${key} in ${lang}.json is not a string`);
  return node;
}

/** Signs in through the sign-in form, as a person would, and lands on the sessions page. */
export async function signInByUi(page: Page): Promise<void> {
  await page.goto('/login');
  await waitForHydration(page);
  const operator = currentOperator();
  await page.getByLabel(t('en', 'login.email')).fill(operator.email);
  await page.getByLabel(t('en', 'login.password')).fill(operator.password);
  await page.getByRole('button', { name: t('en', 'login.submit') }).click();
  await sessionsShown(page);
}

/**
 * Waits until the sessions list is shown after signing in. The router changes the address
 * first and shows the page once its code is loaded (the dashboard is split by page); leaving
 * before that cuts the load, which the loader reports as an error in the page being left.
 */
export async function sessionsShown(page: Page): Promise<void> {
  await expect(page).toHaveURL(/\/sessions$/);
  await expect(page.getByRole('heading', { level: 1, name: t('en', 'sessions.title') })).toBeVisible();
  await waitForHydration(page);
}

/** Signs in through the JSON API; the context's cookie jar keeps the session. */
export async function signInByApi(request: APIRequestContext): Promise<void> {
  const response = await request.post('/api/v1/auth/login', {
    data: { email: currentOperator().email, password: currentOperator().password },
  });
  expect(response.status()).toBe(200);
}

/** Creates a session through the JSON API and returns the answer. */
export async function createSessionByApi(
  request: APIRequestContext,
  title?: string,
): Promise<{ session: { id: string; title: string | null }; guest_token: string; guest_url: string }> {
  const response = await request.post('/api/v1/sessions', { data: title ? { title } : {} });
  expect(response.status()).toBe(201);
  return response.json();
}

/** Waits until the page is hydrated, so clicks reach the wasm handlers. */
export async function waitForHydration(page: Page): Promise<void> {
  await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
}

/** A new browser context in the given language. */
export async function contextIn(
  browser: { newContext: (o: object) => Promise<BrowserContext> },
  locale: string,
): Promise<BrowserContext> {
  return browser.newContext({ locale, extraHTTPHeaders: { 'Accept-Language': locale } });
}

/** The widget secret start-server.sh gives the server. */
export const WIDGET_SECRET = 'e2e-widget-secret-not-for-production';

/**
 * A v1.1 signed identity, as a host site's back end computes it: the HMAC covers the user id,
 * email, name and the time of signing, so the server trusts the email and name too.
 */
export function signedIdentity(userId: string, email: string, name: string) {
  const issuedAt = Math.floor(Date.now() / 1000);
  const signature = createHmac('sha256', WIDGET_SECRET)
    .update(`v2\n${userId}\n${email}\n${name}\n${issuedAt}`)
    .digest('hex');
  return { user_id: userId, email, name, issued_at: issuedAt, signature };
}

/**
 * Clicks a button that asks first (End session, New link): the first click shows the question,
 * and the button of the same name inside it confirms.
 */
export async function clickAndConfirm(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name }).click();
  const question = page.locator('.confirm');
  await expect(question).toBeVisible();
  await question.getByRole('button', { name }).click();
}

/** The folder start-server.sh gives the server for `.eml` files (no SMTP server is set). */
export const MAIL_DIR = join(__dirname, '..', '.tmp', 'mail');

/**
 * The reply email about `conversation`, once the server has sent it (polled from the
 * conversation's email history, as the dashboard shows it): its record and its raw text.
 */
export async function sentReplyEmail(
  request: APIRequestContext,
  conversation: string,
): Promise<{ id: string; recipient: string; raw: string }> {
  let sent: { id: string; status: string; recipient: string } | undefined;
  await expect
    .poll(
      async () => {
        const history = await (await request.get(`/api/v1/conversations/${conversation}/emails`)).json();
        sent = history.emails[0];
        return sent?.status;
      },
      { timeout: 20_000 },
    )
    .toBe('sent');
  return { id: sent!.id, recipient: sent!.recipient, raw: readFileSync(join(MAIL_DIR, `${sent!.id}.eml`), 'utf8') };
}

/** The chat link in an email's text. */
export function chatLinkIn(text: string): string {
  const link = /https?:\/\/\S+\/chat\/[A-Za-z0-9_-]+\S*/.exec(text)?.[0];
  expect(link, 'the chat link').toBeTruthy();
  return link!;
}

/** The decoded text of every part of a raw email (7bit, quoted-printable or base64). */
export function decodedParts(raw: string): string[] {
  const boundary = /boundary="?([^";\r\n]+)"?/.exec(raw)?.[1];
  expect(boundary, 'a multipart email').toBeTruthy();
  return raw
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((part) => {
      const [head, ...rest] = part.split(/\r?\n\r?\n/);
      const body = rest.join('\n\n');
      if (/content-transfer-encoding:\s*base64/i.test(head)) {
        return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
      }
      if (/content-transfer-encoding:\s*quoted-printable/i.test(head)) {
        const bytes = body
          .replace(/=\r?\n/g, '')
          .replace(/=([0-9A-F]{2})/gi, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
        return Buffer.from(bytes, 'latin1').toString('utf8');
      }
      return body;
    });
}

/** WCAG 2.1 A and AA violations on the page (or the part `include` selects), as axe-core checks
 * them: one line per rule, with the elements that break it. */
export async function axeViolations(page: Page, include?: string): Promise<string[]> {
  let builder = new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']);
  if (include) builder = builder.include(include);
  const result = await builder.analyze();
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
