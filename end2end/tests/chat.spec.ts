import { Browser, Page } from '@playwright/test';
import { allowConsoleErrors, expect, test } from './fixtures';
import {
  clickAndConfirm,
  contextIn,
  createSessionByApi,
  signInByApi,
  signInByUi,
  t,
  waitForHydration,
} from './helpers';

/** The guest opens the chat from the footer; answers the name prompt with `name` (or skips). */
async function openGuestChat(guest: Page, name?: string) {
  await guest.getByRole('button', { name: t('en', 'chat.open') }).click();
  if (name === undefined) {
    await guest.getByRole('button', { name: t('en', 'chat.name_skip') }).click();
  } else {
    await guest.getByLabel(t('en', 'chat.name_label')).fill(name);
    await guest.getByRole('button', { name: t('en', 'chat.name_save') }).click();
  }
  await expect(guest.getByRole('region', { name: t('en', 'chat.title') })).toBeVisible();
}

async function send(page: Page, text: string) {
  const box = page.getByLabel(t('en', 'chat.placeholder'));
  await box.fill(text);
  await box.press('Enter');
}

function bubbles(page: Page) {
  return page.locator('ol.messages .message:not(.pending) .bubble');
}

async function connected(page: Page) {
  await expect(page.locator('.connection')).toContainText(t('en', 'chat.connected'));
}

/**
 * Signs the operator in, creates a session titled `title`, opens its link in a second context
 * with the chat open (name skipped), then opens the session page for the operator. Both sides
 * are hydrated and connected.
 */
async function chatPair(page: Page, browser: Browser, title: string) {
  await signInByApi(page.request);
  const created = await createSessionByApi(page.request, title);
  const guestContext = await contextIn(browser, 'en-US');
  const guest = await guestContext.newPage();
  await guest.goto(created.guest_url);
  await waitForHydration(guest);
  await openGuestChat(guest);
  await connected(guest);
  await page.goto(`/sessions/${created.session.id}`);
  await waitForHydration(page);
  await connected(page);
  return { guest, guestContext };
}

test('the acceptance walk-through: operator and guest chat in real time and the name survives a reload', async ({ page, browser }) => {
  // 1. The operator creates a session.
  await signInByUi(page);
  await page.getByLabel(t('en', 'sessions.title_label')).fill('Walk-through');
  await page.getByRole('button', { name: t('en', 'sessions.create') }).click();
  const guestUrl = await page.getByLabel(t('en', 'sessions.link_label')).inputValue();
  await page.getByRole('link', { name: t('en', 'sessions.view') }).click();
  await waitForHydration(page);

  // 2. The guest link opens in a second context.
  const guestContext = await contextIn(browser, 'en-US');
  const guest = await guestContext.newPage();
  await guest.goto(guestUrl);
  await waitForHydration(guest);

  // 3. Both see the chat panel.
  await openGuestChat(guest, 'Ann');
  await expect(page.getByRole('region', { name: t('en', 'chat.title') })).toBeVisible();
  await connected(page);
  await connected(guest);

  // 4. The operator sends; the guest sees it in real time.
  await send(page, 'Hello from support');
  await expect(bubbles(guest)).toHaveText(['Hello from support']);

  // 5. The guest sends; the operator sees it in real time, with the guest's name.
  await send(guest, 'My printer is offline');
  await expect(bubbles(page)).toHaveText(['Hello from support', 'My printer is offline']);
  await expect(page.locator('.message.other .sender')).toHaveText('Ann');
  // The operator's page is open, so the guest's message is read; the guest sees "Seen" on it.
  await expect(guest.locator('.message.own .seen')).toBeVisible();

  // 6. The name is kept in localStorage across a reload.
  await guest.reload();
  await waitForHydration(guest);
  const stored = await guest.evaluate(() => localStorage.getItem('switchboard.guest_name'));
  expect(JSON.parse(stored ?? 'null')).toBe('Ann');
  await expect(guest.getByText('You are Ann')).toBeAttached();
  // The chat stayed open, and the history came back.
  await expect(bubbles(guest)).toHaveText(['Hello from support', 'My printer is offline']);
  await guestContext.close();
});

test('markup in a message shows as text and never runs', async ({ page, browser }) => {
  const { guest, guestContext } = await chatPair(page, browser, 'Markup');
  const evil = '<img src=x onerror="window.__pwned = 1">';
  await send(page, evil);
  await expect(bubbles(guest)).toHaveText([evil]);
  expect(await guest.locator('ol.messages img').count()).toBe(0);
  expect(await guest.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  await guestContext.close();
});

test('messages sent while the guest is offline arrive once, in order, when it is back', async ({ page, browser }) => {
  const { guest, guestContext } = await chatPair(page, browser, 'Offline');
  await send(page, 'before');
  await expect(bubbles(guest)).toHaveText(['before']);

  // The guest's page keeps trying to reconnect meanwhile, and Chromium reports each attempt it
  // refuses for being offline as a console error.
  allowConsoleErrors(/net::ERR_INTERNET_DISCONNECTED/);
  await guestContext.setOffline(true);
  await expect(guest.locator('.connection')).toContainText(t('en', 'chat.offline'));
  for (const text of ['one', 'two', 'three']) {
    await send(page, text);
  }
  await expect(bubbles(page)).toHaveText(['before', 'one', 'two', 'three']);
  // While offline the guest's page shows only what it had (the operator's page already shows
  // all four, so the server has them).
  await expect(bubbles(guest)).toHaveText(['before']);

  await guestContext.setOffline(false);
  await expect(bubbles(guest)).toHaveText(['before', 'one', 'two', 'three']);
  await connected(guest);
  // Barrier instead of a pause: a message sent after the reconnect arrives right after the
  // replayed ones, so a duplicate from the replay would show before it.
  await send(page, 'four');
  await expect(bubbles(guest)).toHaveText(['before', 'one', 'two', 'three', 'four']);
  await guestContext.close();
});

test('the kiosk shows the ended banner and no composer when the operator ends the session', async ({ page, browser }) => {
  const { guest, guestContext } = await chatPair(page, browser, 'To be ended');
  await clickAndConfirm(page, t('en', 'detail.end'));

  await expect(guest.getByText(t('en', 'chat.ended_banner'))).toBeVisible();
  await expect(guest.locator('.kiosk-status')).toContainText(t('en', 'kiosk.ended_title'));
  await expect(guest.locator('.connection')).toContainText(t('en', 'chat.ended_short'));
  await expect(guest.getByLabel(t('en', 'chat.placeholder'))).toHaveCount(0);
  await expect(guest.getByRole('button', { name: t('en', 'chat.name_change') })).toHaveCount(0);
  await guestContext.close();
});

test('a guest on a replaced link is told so within two seconds, not left reconnecting', async ({ page, browser }) => {
  const { guest, guestContext } = await chatPair(page, browser, 'To be replaced');
  await clickAndConfirm(page, t('en', 'detail.rotate'));
  await expect(page.getByText(t('en', 'detail.new_link'))).toBeVisible();

  await expect(guest.getByText(t('en', 'chat.replaced_banner'))).toBeVisible({ timeout: 2_000 });
  await expect(guest.locator('.connection')).toContainText(t('en', 'chat.replaced_short'));
  await expect(guest.locator('.kiosk-status')).toContainText(t('en', 'kiosk.replaced'));
  await expect(guest.getByLabel(t('en', 'chat.placeholder'))).toHaveCount(0);
  await guestContext.close();
});

test('the typing line ends with the message it announced, not seconds later', async ({ page, browser }) => {
  const { guest, guestContext } = await chatPair(page, browser, 'Typing');
  const typing = page.locator('p.typing');
  await guest.getByLabel(t('en', 'chat.placeholder')).pressSequentially('Hello there');
  await expect(typing).toHaveText(t('en', 'chat.someone_typing'));
  await guest.getByLabel(t('en', 'chat.placeholder')).press('Enter');
  await expect(bubbles(page)).toHaveText(['Hello there']);
  // The message and the end of its typing line are one update: once the one shows, the other
  // is already gone (the notice alone would stay for four seconds).
  expect(await typing.textContent()).toBe('');
  await guestContext.close();
});

test('a web address in a message is a link to a new tab, and javascript: never is', async ({ page, browser }) => {
  const { guest, guestContext } = await chatPair(page, browser, 'Links');
  await send(page, 'Docs: https://example.com/help?x=1. Not this: javascript:alert(1)');
  await expect(bubbles(guest)).toHaveText(['Docs: https://example.com/help?x=1. Not this: javascript:alert(1)']);
  const links = guest.locator('ol.messages .bubble a');
  await expect(links).toHaveCount(1);
  await expect(links).toHaveAttribute('href', 'https://example.com/help?x=1');
  await expect(links).toHaveAttribute('target', '_blank');
  await expect(links).toHaveAttribute('rel', 'noopener noreferrer nofollow');
  await guestContext.close();
});

test('a guest’s message puts the unread pill on the sessions list without a reload', async ({ page, browser }) => {
  await signInByApi(page.request);
  const title = `Live pill ${Date.now()}`;
  const created = await createSessionByApi(page.request, title);
  await page.goto('/sessions');
  await waitForHydration(page);
  const row = page.locator('tr', { hasText: title });
  await expect(row).toBeVisible();
  await expect(row.locator('.unread-badge')).toHaveCount(0);

  // The guest writes from their own browser.
  const guestContext = await contextIn(browser, 'en-US');
  const posted = await guestContext.request.post(`${created.guest_url}/messages`, {
    data: { content: 'Are you there?' },
  });
  expect(posted.status()).toBe(201);
  await expect(row.locator('.unread-badge')).toHaveText(t('en', 'sessions.unread_one').replace('{{ count }}', '1'));
  await guestContext.close();
});
