import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Page } from '@playwright/test';
import { allowConsoleErrors, expect, test } from './fixtures';
import { clickAndConfirm, decodedParts, MAIL_DIR, signedIdentity, signInByApi, t, waitForHydration } from './helpers';

/** The one-time link of `kind` (`invite`, `reset`) in the newest email to `to`. */
async function emailedLink(to: string, kind: string): Promise<string> {
  let link: string | undefined;
  await expect
    .poll(
      () => {
        const files = readdirSync(MAIL_DIR).filter((f) => f.endsWith('.eml')).sort().reverse();
        for (const file of files) {
          const raw = readFileSync(join(MAIL_DIR, file), 'utf8');
          if (!new RegExp(`^To: ${to.replace(/[.+]/g, '\\$&')}\\r?$`, 'm').test(raw)) continue;
          const [text] = decodedParts(raw);
          link = new RegExp(`https?://\\S+/${kind}/[A-Za-z0-9_-]+`).exec(text)?.[0];
          if (link) return link;
        }
        return undefined;
      },
      { timeout: 15_000 },
    )
    .toBeTruthy();
  return link!;
}

/** A customer's conversation with one message, through the widget's API. */
async function customerConversation(page: Page, text: string): Promise<string> {
  const userId = `team-${Date.now()}`;
  const started = await page.request.post('/api/v1/widget/session', {
    data: { ...signedIdentity(userId, `${userId}@example.com`, 'Nora'), locale: 'en' },
  });
  expect(started.status()).toBe(200);
  const { conversation_id: conversation, widget_token: token } = await started.json();
  const sent = await page.request.post('/api/v1/widget/messages', {
    headers: { Authorization: `Bearer ${token}` },
    data: { content: text },
  });
  expect(sent.status()).toBe(201);
  return conversation;
}

test('an admin invites a colleague who joins from the emailed link, works a conversation, and is signed out when deactivated', async ({ browser, page }) => {
  test.setTimeout(60_000);
  const email = `cleo-${Date.now()}@example.com`;
  await signInByApi(page.request);
  await page.goto('/team');
  await waitForHydration(page);
  await page.getByLabel(t('en', 'team.invite_email')).fill(email);
  await page.getByLabel(t('en', 'team.role'), { exact: true }).selectOption('admin');
  await page.getByRole('button', { name: t('en', 'team.invite') }).click();
  const shown = page.locator('.created code.link');
  await expect(shown).toContainText('/invite/');
  const pending = page.locator('table.invitations tr', { hasText: email });
  await expect(pending).toContainText(t('en', 'team.role_admin'));

  // The colleague opens the emailed link in a browser of their own: the same link as shown.
  const link = await emailedLink(email, 'invite');
  expect(link).toBe(await shown.textContent());
  const theirs = await browser.newContext();
  const colleague = await theirs.newPage();
  await colleague.goto(link);
  await waitForHydration(colleague);
  await expect(colleague.getByRole('heading', { name: t('en', 'join.title') })).toBeVisible();
  await expect(colleague.getByLabel(t('en', 'join.email'))).toHaveValue(email);
  await colleague.getByLabel(t('en', 'join.name')).fill('Cleo');
  await colleague.getByLabel(t('en', 'join.password')).fill('cleo has a long password');
  await colleague.getByRole('button', { name: t('en', 'join.submit') }).click();
  await expect(colleague).toHaveURL(/\/inbox$/);
  await waitForHydration(colleague);
  await expect(colleague.getByRole('link', { name: t('en', 'nav.audit') })).toBeVisible();

  // They work a conversation.
  const conversation = await customerConversation(page, 'My order has not arrived.');
  await colleague.goto(`/inbox/${conversation}`);
  await waitForHydration(colleague);
  await expect(colleague.locator('.message.other .bubble')).toHaveText(['My order has not arrived.']);
  await colleague.getByLabel(t('en', 'chat.placeholder')).fill('It ships today, sorry for the wait.');
  await colleague.getByRole('button', { name: t('en', 'chat.send') }).click();
  await expect(colleague.locator('.message.own:not(.pending) .bubble')).toHaveText(['It ships today, sorry for the wait.']);

  // The admin makes them an agent: the admin's doors are gone for them.
  await page.goto('/team');
  await waitForHydration(page);
  const row = page.locator('table.team tr', { hasText: 'Cleo' });
  await row.getByRole('button', { name: t('en', 'team.make_agent') }).click();
  await expect(row).toContainText(t('en', 'team.role_agent'));
  expect((await colleague.request.get('/api/v1/audit')).status()).toBe(403);
  await colleague.goto('/inbox');
  await waitForHydration(colleague);
  await expect(colleague.getByRole('link', { name: t('en', 'nav.audit') })).toHaveCount(0);

  // Deactivated, their open dashboard is signed out at once and says so. Their conversation
  // goes back to Unassigned in the same step, and that change can reach their inbox a moment
  // before the socket's close does: the unread count it asks for then is rightly refused.
  allowConsoleErrors(/status of 401 \(Unauthorized\) \(http:\/\/127\.0\.0\.1:\d+\/api\/inbox\/unread\)/);
  await row.getByRole('button', { name: t('en', 'team.deactivate') }).click();
  await row.locator('.confirm').getByRole('button', { name: t('en', 'team.deactivate') }).click();
  await expect(row).toContainText(t('en', 'team.inactive'));
  await expect(colleague).toHaveURL(/\/login\?signed_out=1$/);
  await expect(colleague.getByRole('status')).toHaveText(t('en', 'login.signed_out'));
});

test('a forgotten password is reset through the emailed link, and the old one stops working', async ({ browser, page }) => {
  // A colleague of our own, so the spec's operator keeps its password.
  const email = `reset-${Date.now()}@example.com`;
  await signInByApi(page.request);
  const invited = await page.request.post('/api/v1/invitations', { data: { email, role: 'agent' } });
  expect(invited.status()).toBe(201);
  const token = (await invited.json()).accept_url.split('/').pop();
  const joined = await page.request.post('/api/v1/invitations/accept', {
    data: { token, name: 'Remy', password: 'the first long password' },
  });
  expect(joined.status()).toBe(200);

  const context = await browser.newContext();
  const remy = await context.newPage();
  await remy.goto('/login');
  await waitForHydration(remy);
  await remy.getByRole('link', { name: t('en', 'login.forgot') }).click();
  await expect(remy).toHaveURL(/\/forgot$/);
  await waitForHydration(remy);
  await remy.getByLabel(t('en', 'login.email')).fill(email);
  await remy.getByRole('button', { name: t('en', 'reset.send') }).click();
  await expect(remy.getByRole('status')).toHaveText(t('en', 'reset.sent'));

  await remy.goto(await emailedLink(email, 'reset'));
  await waitForHydration(remy);
  // Long enough for the browser, refused by the server: a password may not be the address.
  // The browser logs the 422 it is answered with.
  allowConsoleErrors(/422/);
  await remy.getByLabel(t('en', 'reset.new_password')).fill(email);
  await remy.getByRole('button', { name: t('en', 'reset.save') }).click();
  await expect(remy.getByRole('alert')).toBeVisible();
  await remy.getByLabel(t('en', 'reset.new_password')).fill('the second long password');
  await remy.getByRole('button', { name: t('en', 'reset.save') }).click();
  await expect(remy).toHaveURL(/\/inbox$/);

  const old = await page.request.post('/api/v1/auth/login', { data: { email, password: 'the first long password' } });
  expect(old.status()).toBe(401);
  const fresh = await page.request.post('/api/v1/auth/login', { data: { email, password: 'the second long password' } });
  expect(fresh.status()).toBe(200);
});

test('the chime choice is kept with the operator, so another browser follows it', async ({ browser, page }) => {
  await signInByApi(page.request);
  await page.goto('/inbox');
  await waitForHydration(page);
  const mute = page.getByLabel(t('en', 'inbox.mute'));
  await expect(mute).not.toBeChecked();
  await mute.check();
  await expect
    .poll(async () => (await (await page.request.get('/api/v1/me')).json()).preferences.sound)
    .toBe(false);

  const elsewhere = await browser.newContext();
  await signInByApi(elsewhere.request);
  const other = await elsewhere.newPage();
  await other.goto('/inbox');
  await waitForHydration(other);
  await expect(other.getByLabel(t('en', 'inbox.mute'))).toBeChecked();
  await other.goto('/account');
  await waitForHydration(other);
  const sound = other.getByLabel(t('en', 'account.sound'));
  await expect(sound).not.toBeChecked();
  await sound.check();
  await expect
    .poll(async () => (await (await page.request.get('/api/v1/me')).json()).preferences.sound)
    .toBe(true);
});
