import { Browser, Page } from '@playwright/test';
import { allowConsoleErrors, expect, test } from './fixtures';
import { axeViolations, contextIn, signedIdentity, signInByApi, t, waitForHydration } from './helpers';
import { openHostPage, openPanel, operatorPage, sendFromWidget, serveHostPage } from './widget-host';

/** The spec's operator, as colleagues see them. */
const ERIN = 'Erin Operator';

/** A colleague invited by `admin` as an agent, joined in a browser of their own, on the inbox. */
async function colleague(browser: Browser, admin: Page, name: string): Promise<Page> {
  const email = `${name.toLowerCase()}-${Date.now()}@example.com`;
  const invited = await admin.request.post('/api/v1/invitations', { data: { email, role: 'agent' } });
  expect(invited.status()).toBe(201);
  const token = (await invited.json()).accept_url.split('/').pop();
  const context = await browser.newContext({ locale: 'en-US' });
  const accepted = await context.request.post('/api/v1/invitations/accept', {
    data: { token, name, password: `${name} has a long password` },
  });
  expect(accepted.status()).toBe(200);
  const page = await context.newPage();
  await page.goto('/inbox');
  await waitForHydration(page);
  return page;
}

/** The loader's attributes for a customer the host site signed in (v1.1: name and email too). */
function signedAttributes(userId: string, name: string): string {
  const s = signedIdentity(userId, `${userId}@example.com`, name);
  return `data-user-id="${s.user_id}" data-email="${s.email}" data-name="${s.name}" data-issued-at="${s.issued_at}" data-signature="${s.signature}"`;
}

/** Opens, from the inbox list, the conversation whose preview is `preview`. */
async function openFromList(page: Page, preview: string): Promise<void> {
  await page.locator('.inbox-row', { hasText: preview }).getByRole('link').click();
  await expect(page).toHaveURL(/\/inbox\/[0-9a-f-]{36}/);
  await expect(page.locator('.connection')).toHaveAttribute('data-link', 'connected');
}

test('two operators see each other on a conversation, a reply on a stale view is refused with its draft kept, and a note never reaches the customer', async ({ browser, context, page }) => {
  test.setTimeout(90_000);
  const run = Date.now();
  const erin = await operatorPage(browser);
  const ben = await colleague(browser, erin, 'Ben');
  const created = await erin.request.post('/api/v1/canned_replies', {
    data: { shortcut: `hi${run}`, title: 'Greeting', content: 'Hi {{customer.name}}, {{operator.name}} here.' },
  });
  expect(created.status()).toBe(201);

  const host = await serveHostPage(context, signedAttributes(`nora-${run}`, 'Nora'));
  const frame = await openHostPage(page, host);
  await openPanel(frame);
  const question = `Where is order ${run}?`;
  await sendFromWidget(frame, question);

  // Both open it and see each other; one types, the other sees it.
  await erin.reload();
  await waitForHydration(erin);
  await openFromList(erin, question);
  await openFromList(ben, question);
  await expect(erin.locator('.viewers')).toContainText('Ben');
  await expect(ben.locator('.viewers')).toContainText(ERIN);
  await erin.getByLabel(t('en', 'chat.placeholder')).pressSequentially('Let me');
  await expect(ben.locator('.viewer.typing')).toContainText(ERIN);
  await expect(ben.locator('.viewer.typing')).toContainText(t('en', 'inbox.viewer_typing'));

  // Ben's view falls behind (his network drops) while the customer writes; his reply is
  // refused when it reaches the server, what arrived shows, and the draft is back in his box.
  // His page keeps trying to reconnect meanwhile; Chromium reports each refused attempt.
  allowConsoleErrors(/net::ERR_INTERNET_DISCONNECTED/);
  await ben.context().setOffline(true);
  await sendFromWidget(frame, 'Actually, please cancel it.');
  await expect(frame.locator('ol.messages .message.own:not(.pending)')).toHaveCount(2);
  const benBox = ben.getByLabel(t('en', 'chat.placeholder'));
  await benBox.fill('It shipped yesterday.');
  await benBox.press('Enter');
  await ben.context().setOffline(false);
  await expect(ben.locator('.composer .collision')).toContainText(t('en', 'chat.collision'));
  await expect(benBox).toHaveValue('It shipped yesterday.');
  await expect(ben.locator('.message.other .bubble')).toHaveText([question, 'Actually, please cancel it.']);
  await ben.getByRole('button', { name: t('en', 'chat.send_anyway') }).click();
  await expect(ben.locator('.composer .collision')).toHaveCount(0);
  await expect(frame.locator('.message.other .bubble')).toHaveText(['It shipped yesterday.']);

  // Erin writes a private note mentioning Ben: a yellow note for both of them, an alert for
  // Ben; then a canned reply, filled with the customer's name and hers.
  await erin.getByRole('button', { name: t('en', 'chat.note_mode') }).click();
  const erinBox = erin.getByLabel(t('en', 'chat.note_placeholder'));
  await erinBox.fill('@Ben the refund is approved');
  await erinBox.press('Enter');
  await expect(erin.locator('.message.note .bubble')).toHaveText(['@Ben the refund is approved']);
  await expect(ben.locator('.message.note .bubble')).toHaveText(['@Ben the refund is approved']);
  await expect(ben.locator('.toast')).toContainText(t('en', 'alerts.mentioned'));
  await erin.getByRole('button', { name: t('en', 'chat.reply_mode') }).click();
  const replyBox = erin.getByLabel(t('en', 'chat.placeholder'));
  await replyBox.fill(`/hi${run}`);
  await expect(erin.locator('.canned-list [role="option"]')).toHaveCount(1);
  await replyBox.press('Enter');
  await expect(replyBox).toHaveValue(`Hi Nora, ${ERIN} here.`);
  await replyBox.press('Enter');

  // The customer sees both replies and nothing of the note between them.
  await expect(frame.locator('.message.other .bubble')).toHaveText([
    'It shipped yesterday.',
    `Hi Nora, ${ERIN} here.`,
  ]);
  await expect(frame.locator('ol.messages .message:not(.pending) .bubble')).toHaveText([
    question,
    'Actually, please cancel it.',
    'It shipped yesterday.',
    `Hi Nora, ${ERIN} here.`,
  ]);
});

test('an assignment and a mention show a desktop notification while the tab is hidden', async ({ browser }) => {
  test.setTimeout(60_000);
  const erin = await operatorPage(browser);
  const ben = await colleague(browser, erin, 'Bea');
  await ben.context().grantPermissions(['notifications']);
  // The page records the notifications it shows, and can say it is hidden.
  await ben.addInitScript(() => {
    const shown: { title: string; body: string }[] = [];
    (window as any).__shown = shown;
    const Real = window.Notification;
    class Recorded extends Real {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        shown.push({ title, body: options?.body ?? '' });
      }
    }
    (window as any).Notification = Recorded;
    Object.defineProperty(document, 'visibilityState', {
      get: () => ((window as any).__hidden ? 'hidden' : 'visible'),
    });
  });
  // Her dashboard follows the inbox before the customer writes: once its feed's subscription
  // is confirmed, it asks for the unread count (the page's first request for it after a load).
  // A message stored before that would reach her list without her feed counting it, and the
  // assignment's update would then look like a new message to be notified of.
  const live = ben.waitForResponse((response) => response.url().endsWith('/api/inbox/unread'));
  await ben.reload();
  await waitForHydration(ben);
  await live;
  const me = await (await ben.request.get('/api/v1/me')).json();
  const started = await erin.request.post('/api/v1/widget/session', {
    data: { ...signedIdentity(`bea-${Date.now()}`, `bea-customer-${Date.now()}@example.com`, 'Kim'), locale: 'en' },
  });
  const { conversation_id: conversation, widget_token: token } = await started.json();
  const sent = await erin.request.post('/api/v1/widget/messages', {
    headers: { Authorization: `Bearer ${token}` },
    data: { content: 'Hello?' },
  });
  expect(sent.status()).toBe(201);
  // Bea's dashboard has the customer's message (while she looks): that is no news later.
  await expect(ben.locator('.inbox-row', { hasText: 'Hello?' })).toBeVisible();

  await ben.evaluate(() => ((window as any).__hidden = true));
  const assigned = await erin.request.post(`/api/v1/conversations/${conversation}/assign`, {
    data: { operator_id: me.operator.id },
  });
  expect(assigned.status()).toBe(200);
  await expect.poll(() => ben.evaluate(() => (window as any).__shown)).toEqual([
    { title: ERIN, body: t('en', 'alerts.assigned') },
  ]);
  const note = await erin.request.post(`/api/v1/conversations/${conversation}/messages`, {
    data: { content: 'Bea, over to you', internal: true, mentions: [me.operator.id] },
  });
  expect(note.status()).toBe(201);
  await expect.poll(() => ben.evaluate(() => (window as any).__shown.length)).toBe(2);
  expect((await ben.evaluate(() => (window as any).__shown))[1]).toEqual({
    title: ERIN,
    body: t('en', 'alerts.mentioned'),
  });
  // The conversation is in Bea's "Mine", with its assignee on the row.
  await ben.evaluate(() => ((window as any).__hidden = false));
  await ben.goto('/inbox?tab=mine');
  await waitForHydration(ben);
  await expect(ben.locator('.inbox-row', { hasText: 'Bea, over to you' })).toContainText('Bea');
  await expect(ben.locator('.inbox-row .note-prefix')).toHaveText([t('en', 'inbox.note_prefix')]);
});

for (const lang of ['en', 'ar']) {
  test(`the shared inbox's pages have no WCAG 2.1 A/AA violations (${lang})`, async ({ browser }) => {
    test.setTimeout(60_000);
    const context = await contextIn(browser, lang === 'en' ? 'en-US' : 'ar');
    const page = await context.newPage();
    await signInByApi(page.request);
    const label = await page.request.post('/api/v1/labels', {
      data: { name: `VIP ${lang} ${Date.now()}`, color: '#b42318' },
    });
    expect(label.status()).toBe(201);
    const started = await page.request.post('/api/v1/widget/session', {
      data: { ...signedIdentity(`axe-${lang}-${Date.now()}`, 'axe@example.com', 'Lina'), locale: lang },
    });
    const { conversation_id: conversation, widget_token: token } = await started.json();
    await page.request.post('/api/v1/widget/messages', {
      headers: { Authorization: `Bearer ${token}` },
      data: { content: 'Accessible question' },
    });
    const note = await page.request.post(`/api/v1/conversations/${conversation}/messages`, {
      data: { content: 'An accessible note', internal: true },
    });
    expect(note.status()).toBe(201);
    const found: Record<string, string[]> = {};
    await page.goto(`/inbox/${conversation}`);
    await waitForHydration(page);
    await expect(page.locator('.message.note')).toHaveCount(1);
    await page.locator('.label-menu > summary').click();
    await page.getByLabel(t(lang, 'chat.placeholder')).fill('/');
    found['conversation, labels and canned replies open'] = await axeViolations(page);
    await page.keyboard.press('Escape');
    await page.goto('/library');
    await waitForHydration(page);
    found['library'] = await axeViolations(page);
    for (const [name, list] of Object.entries(found)) {
      expect(list, `${name} (${lang})`).toEqual([]);
    }
  });
}
