import { APIRequestContext, Page } from '@playwright/test';
import { expect, test } from './fixtures';
import {
  chatLinkIn,
  createSessionByApi,
  decodedParts,
  sentReplyEmail,
  signedIdentity,
  signInByApi,
  t,
  waitForHydration,
} from './helpers';

/** A tall message: enough of them overflow any window. */
const TALL = 'A line of a long message\n'.repeat(6).trim();

/**
 * Where the composer is and whether the page scrolls, read once the chat shows its history:
 * the composer must be inside the window, and only the message log may scroll.
 */
async function expectComposerInView(page: Page, view: string) {
  await expect(page.locator('ol.messages .message').first(), `${view}: the history`).toBeVisible();
  await expect(page.getByLabel(t('en', 'chat.placeholder'))).toBeVisible();
  // Layout settles after hydration (a phone folds the facts away): read until it holds.
  await expect(async () => {
    const fit = await page.evaluate(() => {
      const composer = document.querySelector('form.composer')!.getBoundingClientRect();
      const log = document.querySelector('.chat-scroll')!;
      return {
        top: composer.top,
        bottom: composer.bottom,
        window: window.innerHeight,
        page: document.scrollingElement!.scrollHeight,
        logOverflows: log.scrollHeight > log.clientHeight,
      };
    });
    expect(fit.top, `${view}: the composer's top`).toBeGreaterThanOrEqual(0);
    expect(fit.bottom, `${view}: the composer's bottom`).toBeLessThanOrEqual(fit.window);
    expect(fit.page, `${view}: the page's height`).toBeLessThanOrEqual(fit.window);
    expect(fit.logOverflows, `${view}: the log holds more than it shows, and scrolls`).toBe(true);
  }).toPass({ timeout: 5_000 });
}

/** Posts `count` tall messages as the guest of a session link. */
async function guestWrites(request: APIRequestContext, guestUrl: string, count: number) {
  for (let i = 0; i < count; i++) {
    const posted = await request.post(`${guestUrl}/messages`, { data: { content: `${i}: ${TALL}` } });
    expect(posted.status()).toBe(201);
  }
}

/** Starts `count` conversations, each a new visitor's one message. */
async function customersWrite(request: APIRequestContext, count: number) {
  for (let i = 0; i < count; i++) {
    const started = await request.post('/api/v1/widget/session', { data: { locale: 'en' } });
    expect(started.status()).toBe(200);
    const { widget_token: token } = await started.json();
    const posted = await request.post('/api/v1/widget/messages', {
      headers: { authorization: `Bearer ${token}` },
      data: { content: `Visitor ${i} has a question` },
    });
    expect(posted.status()).toBe(201);
  }
}

/**
 * A signed customer with a history of tall messages and an operator reply that is emailed; the
 * conversation's id and the chat link from the email.
 */
async function customerWithEmailedReply(request: APIRequestContext, tag: string) {
  const userId = `fit-${tag}-${Date.now()}`;
  const started = await request.post('/api/v1/widget/session', {
    data: { ...signedIdentity(userId, `${userId}@example.com`, 'Noor'), locale: 'en' },
  });
  expect(started.status()).toBe(200);
  const { conversation_id: conversation, widget_token: token } = await started.json();
  for (let i = 0; i < 10; i++) {
    const posted = await request.post('/api/v1/widget/messages', {
      headers: { authorization: `Bearer ${token}` },
      data: { content: `${i}: ${TALL}` },
    });
    expect(posted.status()).toBe(201);
  }
  const reply = await request.post(`/api/v1/conversations/${conversation}/messages`, {
    data: { content: 'We are on it.' },
  });
  expect(reply.status()).toBe(201);
  const [text] = decodedParts((await sentReplyEmail(request, conversation)).raw);
  return { conversation: conversation as string, link: chatLinkIn(text) };
}

for (const [width, height] of [
  [1280, 800],
  [390, 844],
]) {
  test(`at ${width}x${height} every chat view keeps its composer in the window and only the log scrolls`, async ({ browser }) => {
    const context = await browser.newContext({ viewport: { width, height }, locale: 'en-US' });
    const page = await context.newPage();
    await signInByApi(page.request);
    const created = await createSessionByApi(page.request, 'A session whose chat fills the window');
    await guestWrites(page.request, created.guest_url, 10);
    const { conversation, link } = await customerWithEmailedReply(page.request, `${width}`);
    // The inbox beside the open conversation holds more rows than any window shows.
    await customersWrite(page.request, 14);

    await page.goto(`/sessions/${created.session.id}`);
    await waitForHydration(page);
    await expectComposerInView(page, 'session page');

    await page.goto(`/inbox/${conversation}`);
    await waitForHydration(page);
    await expectComposerInView(page, 'conversation page');
    // The conversation opens ready to answer.
    await expect(page.getByLabel(t('en', 'chat.placeholder'))).toBeFocused();

    const guestContext = await browser.newContext({ viewport: { width, height }, locale: 'en-US' });
    const guest = await guestContext.newPage();
    await guest.goto(created.guest_url);
    await waitForHydration(guest);
    await guest.getByRole('button', { name: t('en', 'chat.open') }).click();
    await guest.getByRole('button', { name: t('en', 'chat.name_skip') }).click();
    await expectComposerInView(guest, 'kiosk');

    await guest.goto(link);
    await waitForHydration(guest);
    await expectComposerInView(guest, 'hosted chat');
    await guestContext.close();
    await context.close();
  });
}
