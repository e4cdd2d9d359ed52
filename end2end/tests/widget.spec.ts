import { Page } from '@playwright/test';
import { allowConsoleErrors, expect, test } from './fixtures';
import { currentOperator, signedIdentity, t, waitForHydration } from './helpers';
import {
  launcher,
  openHostPage,
  openPanel,
  operatorPage,
  sendFromWidget,
  serveHostPage,
  widget,
} from './widget-host';
import { baseURL } from '../playwright.config';

/** The inbox row of the conversation whose last message is `preview`. */
function row(page: Page, preview: string) {
  return page.locator('.inbox-row', { hasText: preview });
}

test('a customer writes from the widget, the operator sees it live and replies, and the customer sees the reply', async ({ page, context, browser }) => {
  const host = await serveHostPage(context);
  const frame = await openHostPage(page, host);
  const operator = await operatorPage(browser);
  await openPanel(frame);

  // 1. The customer sends a message.
  await sendFromWidget(frame, 'Hello, is my order shipped?');
  await expect(frame.locator('ol.messages .message.own:not(.pending)')).toHaveCount(1);

  // 2. The operator sees it on the inbox list in real time, unread, then in the conversation.
  const item = row(operator, 'Hello, is my order shipped?');
  await expect(item).toBeVisible();
  await expect(item).toHaveClass(/unread/);
  // The navigation counts unread conversations (other specs add theirs to the same server).
  await expect(
    operator.getByRole('link', { name: new RegExp(t('en', 'nav.inbox')) }).locator('.unread-badge'),
  ).toHaveText(/\d+/);
  await item.getByRole('link').click();
  await waitForHydration(operator);
  await expect(operator.locator('.message.other .bubble')).toHaveText(['Hello, is my order shipped?']);
  await expect(operator.locator('.connection')).toContainText(t('en', 'chat.connected'));

  // 3. The operator replies; the customer sees it at once, and "Seen" under their own message.
  const box = operator.getByLabel(t('en', 'chat.placeholder'));
  await box.fill('Yes, it left this morning.');
  await box.press('Enter');
  await expect(frame.locator('.message.other .bubble')).toHaveText(['Yes, it left this morning.']);
  await expect(frame.locator('.message.own .seen')).toBeVisible();
  expect(await page.evaluate(() => (window as any).__violations)).toEqual([]);
});

test('the badge counts unread replies up to 9+ and clears when the panel opens', async ({ page, context }) => {
  const host = await serveHostPage(context);
  const frame = await openHostPage(page, host);
  await openPanel(frame);
  await sendFromWidget(frame, 'Please send me twelve answers');
  await expect(frame.locator('ol.messages .message.own:not(.pending)')).toHaveCount(1);
  const conversation = await conversationOf(page);
  await frame.getByRole('button', { name: t('en', 'widget.close') }).first().click();
  await expect(frame.locator('#widget-panel')).toBeHidden();

  const api = await apiAsOperator();
  for (let i = 1; i <= 12; i++) {
    const response = await api.post(`${baseURL}/api/v1/conversations/${conversation}/messages`, {
      data: { content: `Answer ${i}` },
    });
    expect(response.status()).toBe(201);
  }
  // 4. The badge shows "9+", and the host page heard the count.
  await expect(launcher(frame).locator('.unread-badge [aria-hidden="true"]')).toHaveText('9+');
  await expect.poll(() => page.evaluate(() => (window as any).__unread)).toBe(12);
  // The host owns its title: the widget never touches it.
  await expect(page).toHaveTitle('Acme shop');

  // 5. Opening the panel shows them, marks them read and clears the badge.
  await launcher(frame).click();
  await expect(frame.locator('.message.other')).toHaveCount(12);
  await expect(launcher(frame).locator('.unread-badge')).toHaveCount(0);
  await expect.poll(() => page.evaluate(() => (window as any).__unread)).toBe(0);
  await api.dispose();
});

test('the connection indicator follows the network, and messages stay in order without duplicates across an offline period', async ({ page, context }) => {
  const host = await serveHostPage(context);
  const frame = await openHostPage(page, host);
  await openPanel(frame);
  await sendFromWidget(frame, 'one');
  await expect(frame.locator('ol.messages .message.own:not(.pending)')).toHaveCount(1);
  const conversation = await conversationOf(page);

  // 6. Offline: the dot says so. The widget keeps trying to reconnect meanwhile, and Chromium
  // reports each attempt it refuses for being offline as a console error.
  allowConsoleErrors(/net::ERR_INTERNET_DISCONNECTED/);
  await context.setOffline(true);
  await expect(frame.locator('.connection')).toContainText(
    new RegExp(`${t('en', 'chat.offline')}|${t('en', 'chat.reconnecting')}`),
  );
  // Meanwhile the operator writes, and the customer queues a message.
  const api = await apiAsOperator();
  await api.post(`${baseURL}/api/v1/conversations/${conversation}/messages`, { data: { content: 'two' } });
  await sendFromWidget(frame, 'three');
  await context.setOffline(false);
  await expect(frame.locator('.connection')).toHaveAttribute('data-link', 'connected');

  // 9. Everything arrives once, in seq order.
  await expect(frame.locator('ol.messages .message:not(.pending) .bubble')).toHaveText(['one', 'two', 'three']);
  const stored = await api.get(`${baseURL}/api/v1/conversations/${conversation}/messages`);
  const body = await stored.json();
  expect(body.messages.map((m: { content: string }) => m.content)).toEqual(['one', 'two', 'three']);
  await api.dispose();
});

test('archive and restore work, and a customer message brings an archived conversation back to Active', async ({ page, context, browser }) => {
  const host = await serveHostPage(context);
  const frame = await openHostPage(page, host);
  await openPanel(frame);
  await sendFromWidget(frame, 'Thanks, that is all');
  await expect(frame.locator('ol.messages .message.own:not(.pending)')).toHaveCount(1);
  const operator = await operatorPage(browser);
  await row(operator, 'Thanks, that is all').getByRole('link').click();
  await waitForHydration(operator);

  // 7. Archive, then restore.
  await operator.getByRole('button', { name: t('en', 'inbox.archive') }).click();
  await expect(operator.getByRole('button', { name: t('en', 'inbox.restore') })).toBeVisible();
  await operator.goto(`${baseURL}/inbox?tab=archived`);
  await waitForHydration(operator);
  await expect(row(operator, 'Thanks, that is all')).toBeVisible();
  await row(operator, 'Thanks, that is all').getByRole('link').click();
  await waitForHydration(operator);
  await operator.getByRole('button', { name: t('en', 'inbox.restore') }).click();
  await expect(operator.getByRole('button', { name: t('en', 'inbox.archive') })).toBeVisible();
  await operator.getByRole('button', { name: t('en', 'inbox.archive') }).click();
  await expect(operator.getByRole('button', { name: t('en', 'inbox.restore') })).toBeVisible();

  // 8. The customer writes again: the conversation moves back to Active, live.
  await operator.goto(`${baseURL}/inbox`);
  await waitForHydration(operator);
  await expect(row(operator, 'Thanks, that is all')).toHaveCount(0);
  await sendFromWidget(frame, 'Oh, one more question');
  await expect(row(operator, 'Oh, one more question')).toBeVisible();
  await row(operator, 'Oh, one more question').getByRole('link').click();
  await waitForHydration(operator);
  await expect(operator.locator('.system-line')).toHaveText(t('en', 'chat.reopened'));
});

test('a customer message to an archived conversation shows its "reopened" line live on the open conversation', async ({ page, context, browser }) => {
  const host = await serveHostPage(context);
  const frame = await openHostPage(page, host);
  await openPanel(frame);
  await sendFromWidget(frame, 'Case closed, thanks');
  await expect(frame.locator('ol.messages .message.own:not(.pending)')).toHaveCount(1);
  const operator = await operatorPage(browser);
  await row(operator, 'Case closed, thanks').getByRole('link').click();
  await waitForHydration(operator);
  await operator.getByRole('button', { name: t('en', 'inbox.archive') }).click();
  await expect(operator.getByRole('button', { name: t('en', 'inbox.restore') })).toBeVisible();
  await expect(operator.locator('.system-line')).toHaveCount(0);

  // The operator stays on the page; the customer writes again.
  await sendFromWidget(frame, 'Actually, one more thing');
  await expect(operator.locator('.message.other .bubble').last()).toHaveText('Actually, one more thing');
  await expect(operator.locator('.system-line')).toHaveText(t('en', 'chat.reopened'));
  await expect(operator.getByRole('button', { name: t('en', 'inbox.archive') })).toBeVisible();
});

test('the host page API opens, closes and resets the widget, and reset forgets the visitor', async ({ page, context }) => {
  const host = await serveHostPage(context);
  const frame = await openHostPage(page, host);
  await page.evaluate(() => (window as any).Switchboard.open());
  await expect(frame.locator('#widget-panel')).toBeVisible();
  await expect(frame.locator('.connection')).toHaveAttribute('data-link', 'connected');
  const box = await page.locator('iframe[title="Support chat"]').boundingBox();
  expect(box!.width).toBeGreaterThan(300);
  await sendFromWidget(frame, 'private question');
  await expect(frame.locator('ol.messages .message.own:not(.pending)')).toHaveCount(1);
  await page.evaluate(() => (window as any).Switchboard.close());
  await expect(frame.locator('#widget-panel')).toBeHidden();
  await expect.poll(() => page.evaluate(() => (window as any).__events)).toEqual(['open', 'close']);
  const closed = await page.locator('iframe[title="Support chat"]').boundingBox();
  expect(closed!.width).toBeLessThan(100);

  // A reload keeps the visitor (the token is in the host page's storage)...
  await page.reload();
  const again = await openHostPage(page, host);
  await openPanel(again);
  await expect(again.locator('.message.own .bubble')).toHaveText(['private question']);
  // ...and reset (sign-out) starts a new visitor who sees none of it.
  await page.evaluate(() => (window as any).Switchboard.reset());
  // A new visitor's conversation holds only the team's greeting.
  await expect(again.locator('.greeting')).toBeVisible();
  await expect(again.locator('.message')).toHaveCount(0);
  await page.reload();
  const fresh = await openHostPage(page, host);
  await openPanel(fresh);
  await expect(fresh.locator('.greeting')).toBeVisible();
});

test('a visitor who signs in on the site mid-visit chats as that customer, and the same identity again changes nothing', async ({ page, context }) => {
  const host = await serveHostPage(context);
  const frame = await openHostPage(page, host);
  await openPanel(frame);
  await sendFromWidget(frame, 'asked before signing in');
  await expect(frame.locator('ol.messages .message.own:not(.pending)')).toHaveCount(1);
  const anonymous = await conversationOf(page);

  const userId = `identified-${Date.now()}`;
  const signed = signedIdentity(userId, `${userId}@example.com`, 'Ida');
  const identify = () =>
    page.evaluate(
      (s) =>
        (window as any).Switchboard.identify({
          userId: s.user_id,
          email: s.email,
          name: s.name,
          issuedAt: s.issued_at,
          signature: s.signature,
        }),
      signed,
    );
  await identify();
  // The signed-in customer's own conversation replaces the anonymous one on screen.
  await expect.poll(() => conversationOf(page)).not.toBe(anonymous);
  await expect(frame.locator('.connection')).toHaveAttribute('data-link', 'connected');
  await expect(frame.locator('.message')).toHaveCount(0);
  await sendFromWidget(frame, 'asked as Ida');
  await expect(frame.locator('ol.messages .message.own:not(.pending)')).toHaveCount(1);
  const theirs = await conversationOf(page);
  const api = await apiAsOperator();
  const opened = await (await api.get(`${baseURL}/api/v1/conversations/${theirs}`)).json();
  expect(opened.conversation.customer.email).toBe(`${userId}@example.com`);
  expect(opened.messages.map((m: { content: string }) => m.content)).toEqual(['asked as Ida']);

  // The same identity again (a page that calls identify on every load) keeps the chat as it is,
  // draft included. The frame takes the host's messages in order: once the close that follows
  // has hidden the panel, the identify before it was handled.
  await frame.getByLabel(t('en', 'chat.placeholder')).fill('a draft');
  await identify();
  await page.evaluate(() => (window as any).Switchboard.close());
  await expect(frame.locator('#widget-panel')).toBeHidden();
  await expect(frame.locator('#chat-input')).toHaveValue('a draft');
  expect(await conversationOf(page)).toBe(theirs);
  await api.dispose();
});

test('Escape closes the panel and gives the focus back to the launcher', async ({ page, context }) => {
  const host = await serveHostPage(context);
  const frame = await openHostPage(page, host);
  await openPanel(frame);
  await frame.getByLabel(t('en', 'chat.placeholder')).focus();
  await frame.getByLabel(t('en', 'chat.placeholder')).press('Escape');
  await expect(frame.locator('#widget-panel')).toBeHidden();
  await expect(launcher(frame)).toBeFocused();
});

test('on a phone the open panel fills the screen', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 375, height: 667 }, locale: 'en-US' });
  const page = await context.newPage();
  const host = await serveHostPage(context);
  const frame = await openHostPage(page, host);
  await openPanel(frame);
  const box = await page.locator('iframe[title="Support chat"]').boundingBox();
  expect(box).toEqual({ x: 0, y: 0, width: 375, height: 667 });
  // Full screen: square corners and no launcher under the panel.
  await expect(frame.locator('.widget-panel')).toHaveCSS('border-radius', '0px');
  await expect(launcher(frame)).toBeHidden();
  const fontSize = await frame
    .getByLabel(t('en', 'chat.placeholder'))
    .evaluate((el) => getComputedStyle(el).fontSize);
  expect(fontSize).toBe('16px');
  await context.close();
});

test('the widget speaks the host page\'s language, right to left for Arabic', async ({ page, context }) => {
  const host = await serveHostPage(context, 'data-locale="ar"');
  const frame = await openHostPage(page, host);
  await expect(page.getByRole('button', { name: t('ar', 'widget.open') })).toBeVisible();
  await launcher(frame).click();
  await expect(frame.locator('html')).toHaveAttribute('dir', 'rtl');
});

/** The widget's conversation id, as the iframe's page knows it. */
async function conversationOf(page: Page): Promise<string> {
  const frame = page.frames().find((f) => f.url().startsWith(`${baseURL}/widget`));
  expect(frame, 'the widget frame').toBeTruthy();
  const id = await frame!.locator('[data-conversation-id]').first().getAttribute('data-conversation-id');
  expect(id).toBeTruthy();
  return id!;
}

/** A request context signed in as this spec's operator. */
async function apiAsOperator() {
  const { request } = await import('@playwright/test');
  const api = await request.newContext({ baseURL });
  const operator = currentOperator();
  const response = await api.post('/api/v1/auth/login', {
    data: { email: operator.email, password: operator.password },
  });
  expect(response.status()).toBe(200);
  return api;
}

test.describe('the widget page itself', () => {
  test('may be framed by the embedding origins while every other page may not', async ({ request }) => {
    const widgetPage = await request.get(`${baseURL}/widget?host=${encodeURIComponent('http://localhost:3999')}`);
    expect(widgetPage.headers()['content-security-policy']).toContain('frame-ancestors *');
    expect(widgetPage.headers()['x-frame-options']).toBeUndefined();
    const login = await request.get(`${baseURL}/login`);
    expect(login.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(login.headers()['x-frame-options']).toBe('DENY');
  });

  test('the loader is small, cached by validator, and answers 304 when unchanged', async ({ request }) => {
    const first = await request.get(`${baseURL}/widget.js`, { headers: { 'accept-encoding': 'gzip' } });
    expect(first.status()).toBe(200);
    const etag = first.headers()['etag'];
    expect(etag).toBeTruthy();
    expect(first.headers()['cache-control']).toContain('max-age=');
    const again = await request.get(`${baseURL}/widget.js`, { headers: { 'if-none-match': etag } });
    expect(again.status()).toBe(304);
  });
});

test('a reply counts as read only once the customer had it in view, not when the widget loads', async ({ page, context }) => {
  const host = await serveHostPage(context);
  const frame = await openHostPage(page, host);
  await openPanel(frame);
  await sendFromWidget(frame, 'Tell me when you have read this');
  await expect(frame.locator('ol.messages .message.own:not(.pending)')).toHaveCount(1);
  const conversation = await conversationOf(page);
  await frame.getByRole('button', { name: t('en', 'widget.close') }).first().click();
  const api = await apiAsOperator();
  await api.post(`${baseURL}/api/v1/conversations/${conversation}/messages`, { data: { content: 'Read me' } });
  const replyReadAt = async () => {
    const response = await api.get(`${baseURL}/api/v1/conversations/${conversation}/messages?after_seq=1`);
    return (await response.json()).messages[0].read_at;
  };
  // Loaded again, closed: the reply is counted on the badge but not read.
  await page.reload();
  const again = await openHostPage(page, host);
  await expect(launcher(again).locator('.unread-badge [aria-hidden="true"]')).toHaveText('1');
  // The badge proves the widget has the reply; it is still unread on the server.
  expect(await replyReadAt()).toBeNull();
  await launcher(again).click();
  await expect(again.locator('.message.other .bubble')).toHaveText(['Read me']);
  await expect.poll(replyReadAt).not.toBeNull();
  await expect(launcher(again).locator('.unread-badge')).toHaveCount(0);
  await api.dispose();
});

test('the host page hears of a reply once, when it arrives, and not of the history the widget loads', async ({ page, context }) => {
  const host = await serveHostPage(context);
  const frame = await openHostPage(page, host);
  await openPanel(frame);
  await sendFromWidget(frame, 'Will my page hear of your answer?');
  await expect(frame.locator('ol.messages .message.own:not(.pending)')).toHaveCount(1);
  const conversation = await conversationOf(page);
  const api = await apiAsOperator();
  const reply = async (content: string) => {
    const response = await api.post(`${baseURL}/api/v1/conversations/${conversation}/messages`, { data: { content } });
    expect(response.status()).toBe(201);
  };
  const heard = () => page.evaluate(() => (window as any).__heard);
  const listen = () =>
    page.evaluate(() => {
      (window as any).__heard = [];
      (window as any).Switchboard.on('message', (m: { content: string }) => (window as any).__heard.push(m.content));
    });
  await listen();
  await reply('First answer');
  await expect.poll(heard).toEqual(['First answer']);

  // Loaded again, the widget shows the history; the page hears only of what comes next.
  await page.reload();
  const again = await openHostPage(page, host);
  await listen();
  await openPanel(again);
  await expect(again.locator('.message.other .bubble')).toHaveText(['First answer']);
  await reply('Second answer');
  await expect(again.locator('.message.other .bubble')).toHaveText(['First answer', 'Second answer']);
  await expect.poll(heard).toEqual(['Second answer']);
  await api.dispose();
});

test('the demo shop on its own port embeds the widget, and its buttons drive it', async ({ page }) => {
  const shop = baseURL.replace(/:(\d+)$/, (_, port) => `:${Number(port) + 1}`);
  await page.goto(`${shop}/`);
  const frame = widget(page);
  await expect(launcher(frame)).toBeVisible();
  await page.locator('#demo-open').click();
  await expect(frame.locator('.connection')).toHaveAttribute('data-link', 'connected');
  await sendFromWidget(frame, 'Hello from the demo shop');
  await expect(frame.locator('ol.messages .message.own:not(.pending)')).toHaveCount(1);
  await expect(page.locator('#demo-event')).toHaveText('open');
  await page.locator('#demo-close').click();
  await expect(frame.locator('#widget-panel')).toBeHidden();
});

test('a widget whose token is signed out elsewhere signs in again and goes on chatting', async ({ page, context, request }) => {
  const tokens: string[] = [];
  page.on('response', async (response) => {
    if (response.url().endsWith('/api/v1/widget/session') && response.status() === 200) {
      tokens.push((await response.json()).widget_token);
    }
  });
  const host = await serveHostPage(context);
  const frame = await openHostPage(page, host);
  await openPanel(frame);
  await sendFromWidget(frame, 'before the token went');
  await expect(frame.locator('ol.messages .message.own:not(.pending)')).toHaveCount(1);
  expect(tokens).toHaveLength(1);

  // Another tab's reset() signs this token out: the server closes its socket with 4401.
  const signout = await request.post('/api/v1/widget/signout', {
    headers: { authorization: `Bearer ${tokens[0]}` },
  });
  expect(signout.status()).toBe(204);
  await expect.poll(() => tokens.length).toBe(2);
  await expect(frame.locator('.connection')).toHaveAttribute('data-link', 'connected');
  await sendFromWidget(frame, 'after a new token');
  await expect(frame.locator('ol.messages .message.own:not(.pending)')).toHaveCount(2);
});
