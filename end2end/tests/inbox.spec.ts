import { createHmac } from 'node:crypto';
import { request, WebSocketRoute } from '@playwright/test';
import { expect, test } from './fixtures';
import { currentOperator, waitForHydration } from './helpers';
import { operatorInbox } from './widget-host';
import { baseURL } from '../playwright.config';

/** The secret start-server.sh gives the server. */
const SECRET = 'e2e-widget-secret-not-for-production';

test('the inbox loads the next page by itself when the end of the list scrolls into view', async ({ page }) => {
  // 55 signed customers write, oldest first (signed ones are not limited per address).
  const api = await request.newContext({ baseURL });
  const run = Date.now();
  for (let i = 0; i < 55; i++) {
    const userId = `scroll-${run}-${i}`;
    const signature = createHmac('sha256', SECRET).update(userId).digest('hex');
    const session = await api.post('/api/v1/widget/session', { data: { user_id: userId, signature } });
    expect(session.status()).toBe(200);
    const { widget_token } = await session.json();
    const posted = await api.post('/api/v1/widget/messages', {
      headers: { authorization: `Bearer ${widget_token}` },
      data: { content: `scroll test ${run} ${i}` },
    });
    expect(posted.status()).toBe(201);
  }
  await api.dispose();

  const operator = currentOperator();
  await operatorInbox(page, operator.email, operator.password);
  await waitForHydration(page);
  await expect(page.locator('.inbox-row', { hasText: `scroll test ${run} 54` })).toBeVisible();
  const oldest = page.locator('.inbox-row', { hasText: `scroll test ${run} 0` });
  await expect(oldest).toHaveCount(0);
  await page.locator('.load-more').scrollIntoViewIfNeeded();
  await expect(oldest).toBeVisible();
});

test('a conversation begun while the inbox was still connecting its live feed shows once the feed is live', async ({ page }) => {
  const operator = currentOperator();
  await operatorInbox(page, operator.email, operator.password);
  // The inbox is loaded again with its socket held open on the page's side: what the page
  // sends waits until the customer below has written, then goes to the server.
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.routeWebSocket(/\/ws$/, async (socket) => {
    const held: (string | Buffer)[] = [];
    let server: WebSocketRoute | undefined;
    socket.onMessage((message) => (server ? server.send(message) : held.push(message)));
    await released;
    server = socket.connectToServer();
    for (const message of held) server.send(message);
  });
  await page.goto(`${baseURL}/inbox`);
  await waitForHydration(page);

  const api = await request.newContext({ baseURL });
  const userId = `early-${Date.now()}`;
  const signature = createHmac('sha256', SECRET).update(userId).digest('hex');
  const session = await api.post('/api/v1/widget/session', { data: { user_id: userId, signature } });
  expect(session.status()).toBe(200);
  const { widget_token } = await session.json();
  const text = `written before the feed was live ${userId}`;
  const posted = await api.post('/api/v1/widget/messages', {
    headers: { authorization: `Bearer ${widget_token}` },
    data: { content: text },
  });
  expect(posted.status()).toBe(201);
  await api.dispose();
  const row = page.locator('.inbox-row', { hasText: text });
  await expect(row).toHaveCount(0);

  release();
  await expect(row).toBeVisible();
});
