import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allowConsoleErrors, expect, test } from './fixtures';
import {
  chatLinkIn,
  decodedParts,
  MAIL_DIR,
  sentReplyEmail,
  signedIdentity,
  signInByApi,
  t,
  waitForHydration,
} from './helpers';

test('an unread reply is emailed, and the email opens the chat where the customer answers', async ({ browser, request }) => {
  // A customer signed in on the website, with an address the site vouches for.
  const userId = `mailed-${Date.now()}`;
  const started = await request.post('/api/v1/widget/session', {
    data: { ...signedIdentity(userId, `${userId}@example.com`, 'Mia'), locale: 'en' },
  });
  expect(started.status()).toBe(200);
  const { conversation_id: conversation } = await started.json();

  // The operator replies; the customer is not looking.
  await signInByApi(request);
  const reply = await request.post(`/api/v1/conversations/${conversation}/messages`, {
    data: { content: 'Your refund was approved this morning.' },
  });
  expect(reply.status()).toBe(201);

  // The email goes out once the reply has stayed unread for SWITCHBOARD_EMAIL_DELAY (2 s here).
  const { recipient, raw } = await sentReplyEmail(request, conversation);
  expect(recipient).toBe(`${userId}@example.com`);
  expect(raw).toContain('Subject: New reply from Switchboard Support');
  expect(raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
  const [text, html] = decodedParts(raw);
  expect(text).toContain('Your refund was approved this morning.');
  expect(html).toContain('Your refund was approved this morning.');
  const link = chatLinkIn(text);

  // The operator sees it beside the conversation.
  const operatorContext = await browser.newContext();
  await signInByApi(operatorContext.request);
  const operator = await operatorContext.newPage();
  await operator.goto(`/inbox/${conversation}`);
  await waitForHydration(operator);
  await expect(operator.locator('.email-history .email-sent')).toContainText(`${userId}@example.com`);

  // On another device, without the website: the link opens the chat.
  const phone = await browser.newContext({ viewport: { width: 390, height: 800 } });
  const page = await phone.newPage();
  await page.goto(link);
  await waitForHydration(page);
  await expect(page.getByRole('heading', { name: t('en', 'hosted.heading') })).toBeVisible();
  await expect(page.locator('.message.other .bubble')).toHaveText(['Your refund was approved this morning.']);
  const box = page.getByLabel(t('en', 'chat.placeholder'));
  await box.fill('Great, thank you!');
  await box.press('Enter');
  await expect(page.locator('ol.messages .message.own:not(.pending) .bubble')).toHaveText(['Great, thank you!']);

  // The operator gets the answer live, and the customer's read shows as "Seen".
  await expect(operator.locator('.message.other .bubble')).toHaveText(['Great, thank you!']);
  await expect(operator.locator('.message.own .seen')).toBeVisible();
});

test('a forged chat link says so instead of opening anything', async ({ page }) => {
  // The sign-in with the link is answered 401, which the browser logs.
  allowConsoleErrors(/401/);
  await page.goto('/chat/this-is-not-a-valid-link');
  await waitForHydration(page);
  await expect(page.getByRole('alert')).toHaveText(t('en', 'hosted.link_invalid'));
  await expect(page.locator('ol.messages')).toHaveCount(0);
});

test('a language chosen on the chat page of an email link wins over the link’s own', async ({ page }) => {
  // The page's sign-in with a made-up link is answered 401, which the browser logs.
  allowConsoleErrors(/401/);
  await page.goto('/chat/this-is-not-a-valid-link?lang=de');
  await waitForHydration(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(t('de', 'hosted.heading'));
  await page.getByLabel(t('de', 'nav.language')).selectOption('fr');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(t('fr', 'hosted.heading'));
  await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
  expect(new URL(page.url()).search).toBe('');
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(t('fr', 'hosted.heading'));
});

test('the emailed unsubscribe link works with one click, in the email’s language, and stops the next email', async ({ browser, request }) => {
  // A German-speaking customer, signed in on the website.
  const userId = `leaving-${Date.now()}`;
  const started = await request.post('/api/v1/widget/session', {
    data: { ...signedIdentity(userId, `${userId}@example.com`, 'Ute'), locale: 'de' },
  });
  expect(started.status()).toBe(200);
  const { conversation_id: conversation } = await started.json();

  await signInByApi(request);
  const history = async () =>
    (await (await request.get(`/api/v1/conversations/${conversation}/emails`)).json()).emails[0];
  const reply = async (content: string) =>
    expect((await request.post(`/api/v1/conversations/${conversation}/messages`, { data: { content } })).status()).toBe(201);

  await reply('Ihr Paket ist unterwegs.');
  await expect.poll(async () => (await history())?.status, { timeout: 20_000 }).toBe('sent');
  const raw = readFileSync(join(MAIL_DIR, `${(await history()).id}.eml`), 'utf8');
  const link = /^List-Unsubscribe: <([^>]+)>\r?$/m.exec(raw)?.[1];
  expect(link, 'the unsubscribe link').toContain('/email/unsubscribe/');

  // The customer opens it from the email, on a device with another language, and clicks.
  const context = await browser.newContext({ locale: 'en-US' });
  const page = await context.newPage();
  const opened = await page.goto(link!);
  expect(opened?.headers()['referrer-policy']).toBe('no-referrer');
  await waitForHydration(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(t('de', 'unsubscribe.title'));
  await page.getByRole('button', { name: t('de', 'unsubscribe.stop') }).click();
  await expect(page.getByRole('status')).toHaveText(t('de', 'unsubscribe.unsubscribed'));
  await expect(page.getByRole('button', { name: t('de', 'unsubscribe.resume') })).toBeVisible();
  expect(await page.content()).not.toContain('"error"');

  // The next unread reply is not emailed.
  await reply('Noch eine Frage?');
  await expect.poll(async () => (await history())?.status, { timeout: 20_000 }).toBe('skipped');
  expect((await history()).reason).toBe('unsubscribed');
});

test('a broken unsubscribe link answers a click with a page in the reader’s language, not JSON', async ({ browser }) => {
  allowConsoleErrors(/401|404/);
  const context = await browser.newContext({ locale: 'fr-FR' });
  const page = await context.newPage();
  await page.goto('/email/unsubscribe/not-a-valid-link?lang=fr');
  await expect(page.getByRole('alert')).toHaveText(t('fr', 'unsubscribe.invalid'));
  // The page offers no button for a broken link; a stale tab's form meets the same answer.
  await page.evaluate(() => {
    const form = document.createElement('form');
    form.method = 'post';
    form.action = '/email/unsubscribe/not-a-valid-link?lang=fr';
    const button = document.createElement('button');
    button.textContent = 'send';
    form.append(button);
    document.body.append(form);
  });
  await page.getByRole('button', { name: 'send' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(t('fr', 'problem.title'));
  await expect(page.getByRole('alert')).toHaveText(t('fr', 'problem.link_invalid'));
  await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
  expect(await page.content()).not.toContain('"error"');
});

test('an address a visitor typed is confirmed from its emailed link, in the email’s language, by a real browser', async ({ browser, request }) => {
  const address = `typed-${Date.now()}@example.com`;
  const started = await request.post('/api/v1/widget/session', { data: { locale: 'es' } });
  expect(started.status()).toBe(200);
  const { widget_token: token, conversation_id: conversation } = await started.json();
  const typed = await request.patch('/api/v1/widget/customer', {
    headers: { authorization: `Bearer ${token}` },
    data: { email: address },
  });
  expect((await typed.json()).customer.email_verified).toBe(false);
  // A message, so the conversation is listed; operators see that the address is unconfirmed.
  await request.post('/api/v1/widget/messages', {
    headers: { authorization: `Bearer ${token}` },
    data: { content: 'Please write to me' },
  });
  const operator = await browser.newContext({ locale: 'en-US' });
  await signInByApi(operator.request);
  const inbox = await operator.newPage();
  await inbox.goto(`/inbox/${conversation}`);
  await expect(inbox.getByText(t('en', 'inbox.email_unverified'))).toBeVisible();

  // The confirmation email is written as an .eml file; find it by its recipient.
  const confirmation = async () =>
    readdirSync(MAIL_DIR)
      .map((name) => readFileSync(join(MAIL_DIR, name), 'utf8'))
      .find((raw) => raw.includes(`To: ${address}`));
  await expect.poll(confirmation, { timeout: 20_000 }).toBeTruthy();
  const text = decodedParts((await confirmation())!).join('\n');
  const link = /https?:\/\/[^\s"<]+\/email\/confirm\/[^\s"<]+/.exec(text)![0];

  const context = await browser.newContext({ locale: 'es-ES' });
  const page = await context.newPage();
  await page.goto(new URL(link).pathname + new URL(link).search);
  await page.getByRole('button', { name: t('es', 'confirm_email.button') }).click();
  await expect(page.getByRole('status')).toHaveText(t('es', 'confirm_email.done'));
  await expect(page.locator('html')).toHaveAttribute('lang', 'es');
  const now = await request.patch('/api/v1/widget/customer', {
    headers: { authorization: `Bearer ${token}` },
    data: {},
  });
  expect((await now.json()).customer.email_verified).toBe(true);
  await inbox.reload();
  await expect(inbox.getByText(t('en', 'inbox.email_verified'))).toBeVisible();
  await operator.close();
  await context.close();
});
