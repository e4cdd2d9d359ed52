import { APIRequestContext, Page } from '@playwright/test';
import { baseURL } from '../playwright.config';
import { expect, test } from './fixtures';
import {
  chatLinkIn,
  createSessionByApi,
  decodedParts,
  sentReplyEmail,
  signedIdentity,
  signInByApi,
  signInByUi,
  t,
  waitForHydration,
} from './helpers';
import { launcher, openHostPage, serveHostPage } from './widget-host';

/**
 * What a visitor's or an operator's browser downloads, as Chromium received it: the encoded
 * (compressed) body of every response the page and its frames caused from Switchboard's origin.
 * Each row prints its figure and every response; docs/PERFORMANCE.md keeps the history.
 *
 * `goal` is issue 24's target; `limit` is what the suite enforces now: the goal itself where it
 * is met, else a little above today's figure, so that what was won is not lost again.
 */
const ROWS = {
  hostClosed: { goal: 60_000, limit: 60_000 },
  hostOpened: { goal: 150_000, limit: 150_000 },
  kiosk: { goal: 150_000, limit: 150_000 },
  hostedChat: { goal: 150_000, limit: 150_000 },
  dashboard: { goal: 400_000, limit: 400_000 },
};

type Received = { url: string; bytes: number; encoding: string | null };

/** Records every finished response from Switchboard's origin, in the page and its frames. */
function record(page: Page): Received[] {
  const received: Received[] = [];
  page.on('requestfinished', async (request) => {
    if (!request.url().startsWith(baseURL)) return;
    try {
      const response = await request.response();
      const sizes = await request.sizes();
      received.push({
        url: request.url(),
        // -1: answered from the browser's cache, nothing came over the wire.
        bytes: Math.max(0, sizes.responseBodySize),
        encoding: (await response?.allHeaders())?.['content-encoding'] ?? null,
      });
    } catch (error) {
      // A request that finishes while the test closes its browser can no longer be read; the
      // measurement is over by then, so only that case is let go.
      if (!/has been closed/.test(String(error))) throw error;
    }
  });
  return received;
}

/** Prints a row's figure and its responses, then holds it to its limit. */
function check(row: keyof typeof ROWS, received: Received[]): number {
  const total = received.reduce((sum, r) => sum + r.bytes, 0);
  const { goal, limit } = ROWS[row];
  const lines = received.map((r) => `  ${r.bytes}\t${r.encoding ?? '-'}\t${new URL(r.url).pathname}`);
  console.log(`budget ${row}: ${total} bytes (goal ${goal}, limit ${limit})\n${lines.join('\n')}`);
  // The app's files come compressed and named by content, so they are cached for good.
  for (const file of received.filter((r) => /\.(wasm|js|css)$/.test(new URL(r.url).pathname))) {
    if (new URL(file.url).pathname.startsWith('/pkg/')) {
      expect(file.encoding, `${file.url} is compressed`).toMatch(/^(br|gzip)$/);
      // The bundles (switchboard, visitor_lite), the dashboard's chunk loader and its chunks.
      expect(new URL(file.url).pathname).toMatch(/^\/pkg\/[A-Za-z0-9_]+\.[A-Za-z0-9_-]+\.(wasm|js|css)$/);
    }
  }
  expect(total).toBeGreaterThan(0);
  expect(total, `${row} downloads ${total} bytes`).toBeLessThanOrEqual(limit);
  return total;
}

/** The dashboard's split files among `received`: the chunk loader, chunks and page groups. */
function splitFiles(received: Received[]): string[] {
  return received
    .map((r) => new URL(r.url).pathname)
    .filter((path) => /^\/pkg\/(__wasm_split|chunk_|split_)/.test(path));
}

/** The dashboard's page groups among `received` (`split_<group>_<id>.<hash>.wasm`). */
function groups(received: Received[]): string[] {
  return received
    .map((r) => new URL(r.url).pathname.match(/^\/pkg\/split_([a-z_]+?)_\d+\./)?.[1])
    .filter((group): group is string => group !== undefined)
    .sort();
}

/** Lets every request the page started finish. */
async function settle(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle');
}

test('a host page with the widget downloads only the loader and the launcher until the visitor opens it', async ({ browser }) => {
  const visitor = await browser.newContext();
  const page = await visitor.newPage();
  const received = record(page);
  const frame = await openHostPage(page, await serveHostPage(visitor));
  await settle(page);
  expect(received.map((r) => new URL(r.url).pathname).sort()).toEqual([
    '/api/v1/widget/launcher',
    '/embed/launcher',
    '/widget.js',
  ]);
  await expect(launcher(frame)).toBeVisible();
  check('hostClosed', received);
  await visitor.close();
});

test('a returning customer opens the widget on a history of 20 messages within the budget', async ({ browser, request }) => {
  // A visitor who wrote once and got 19 answers, coming back in a browser with nothing cached:
  // the host page keeps their visitor token, as the loader left it there.
  const started = await request.post('/api/v1/widget/session', { data: {} });
  expect(started.status()).toBe(200);
  const session = await started.json();
  const asked = await request.post('/api/v1/widget/messages', {
    headers: { authorization: `Bearer ${session.widget_token}` },
    data: { content: 'A question for the budget' },
  });
  expect(asked.status()).toBe(201);
  await signInByApi(request);
  for (let i = 1; i <= 19; i++) {
    const reply = await request.post(`/api/v1/conversations/${session.conversation_id}/messages`, {
      data: { content: `Answer ${i}` },
    });
    expect(reply.status()).toBe(201);
  }
  const visitor = await browser.newContext();
  const site = await serveHostPage(visitor);
  await visitor.addInitScript(
    ([site, key, token]) => location.origin === site && localStorage.setItem(key, token),
    [site, `switchboard:visitor:${baseURL}`, session.visitor_token as string],
  );
  const page = await visitor.newPage();
  const received = record(page);
  const frame = await openHostPage(page, site);
  await expect(launcher(frame).locator('.unread-badge [aria-hidden="true"]')).toHaveText('9+');
  await launcher(frame).click();
  await expect(frame.locator('ol.messages .message')).toHaveCount(20);
  await settle(page);
  check('hostOpened', received);
  expect(splitFiles(received), 'the widget loads nothing of the dashboard').toEqual([]);
  await visitor.close();
});

test('a guest opens the chat of a guest link within the budget', async ({ browser, page }) => {
  await signInByApi(page.request);
  const created = await createSessionByApi(page.request, 'Budget');
  const guest = await (await browser.newContext()).newPage();
  const received = record(guest);
  await guest.goto(created.guest_url);
  await waitForHydration(guest);
  await guest.getByRole('button', { name: t('en', 'chat.open') }).click();
  await expect(guest.getByLabel(t('en', 'chat.placeholder'))).toBeVisible();
  await settle(guest);
  check('kiosk', received);
  expect(splitFiles(received), 'the kiosk loads nothing of the dashboard').toEqual([]);
});

test('a customer opens the hosted chat page of a reply email within the budget', async ({ browser, request }) => {
  const link = await emailedChatLink(request);
  const customer = await (await browser.newContext()).newPage();
  const received = record(customer);
  await customer.goto(link);
  await waitForHydration(customer);
  await expect(customer.locator('.message.other .bubble')).toHaveText(['Your parcel is on its way.']);
  await settle(customer);
  check('hostedChat', received);
  expect(splitFiles(received), 'the hosted chat loads nothing of the dashboard').toEqual([]);
});

test('an operator signs in and gets the first page of the dashboard within the budget', async ({ browser }) => {
  const operator = await (await browser.newContext()).newPage();
  const received = record(operator);
  await signInByUi(operator);
  await waitForHydration(operator);
  await settle(operator);
  check('dashboard', received);
  // The sessions list's group and no other: the sign-in page is in the main bundle.
  expect(groups(received)).toEqual(['session_list']);
});

test('the app files are cached for a year and the page is not', async ({ page }) => {
  const wasmUrl = new Promise<string>((resolve) =>
    page.on('response', (r) => r.url().endsWith('.wasm') && resolve(r.url())),
  );
  const pageResponse = await page.goto('/login');
  expect(pageResponse?.headers()['cache-control'] ?? '').not.toContain('immutable');
  const wasm = await page.request.get(await wasmUrl, { headers: { 'accept-encoding': 'br' } });
  expect(wasm.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
  expect(wasm.headers()['content-encoding']).toBe('br');
});

/** A reply email's chat link: a signed customer, an operator's reply left unread, the email. */
async function emailedChatLink(request: APIRequestContext): Promise<string> {
  const userId = `budget-${Date.now()}`;
  const started = await request.post('/api/v1/widget/session', {
    data: { ...signedIdentity(userId, `${userId}@example.com`, 'Bea'), locale: 'en' },
  });
  expect(started.status()).toBe(200);
  const { conversation_id: conversation } = await started.json();
  await signInByApi(request);
  const reply = await request.post(`/api/v1/conversations/${conversation}/messages`, {
    data: { content: 'Your parcel is on its way.' },
  });
  expect(reply.status()).toBe(201);
  const [text] = decodedParts((await sentReplyEmail(request, conversation)).raw);
  return chatLinkIn(text);
}

test('a dashboard page downloads its own code when first visited, and only then', async ({ browser }) => {
  const context = await browser.newContext();
  const operator = await context.newPage();
  await signInByUi(operator);
  await settle(operator);
  const received = record(operator);
  await operator.getByRole('link', { name: t('en', 'nav.inbox') }).first().click();
  await expect(operator).toHaveURL(/\/inbox$/);
  await waitForHydration(operator);
  await expect(operator.getByRole('heading', { level: 1 })).toBeVisible();
  await settle(operator);
  expect(groups(received)).toEqual(['inbox_pages']);
  // Back to a page whose code is loaded: nothing more to download.
  const again = record(operator);
  await operator.goBack();
  await expect(operator).toHaveURL(/\/sessions$/);
  await settle(operator);
  expect(splitFiles(again)).toEqual([]);
  await context.close();
});
