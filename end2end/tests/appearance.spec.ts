import { expect, test } from './fixtures';
import { signInByApi, t, waitForHydration } from './helpers';
import { launcher, openHostPage, sendFromWidget, serveHostPage } from './widget-host';

// The appearance is one setting for the whole server, so this spec runs in a project of its
// own, after every other spec (see playwright.config.ts), and puts the defaults back.

test.afterEach(async ({ request }) => {
  await signInByApi(request);
  const reset = await request.put('/api/v1/widget/appearance', { data: { color: '#2452d4' } });
  expect(reset.status()).toBe(200);
});

test('operators dress the widget on the Widget page, previewed live, and visitors see it', async ({ page, browser }) => {
  await signInByApi(page.request);
  await page.goto('/settings/widget');
  await waitForHydration(page);

  // Every edit shows in the preview at once.
  await page.getByLabel(t('en', 'setup.look_team')).fill('Acme Help');
  await expect(page.locator('.preview-header strong')).toHaveText('Acme Help');
  await page.getByLabel(t('en', 'setup.look_greeting')).fill('Hi from Acme, ask away.');
  await expect(page.locator('.preview-greeting')).toHaveText('Hi from Acme, ask away.');

  // A colour text cannot be read on (neither white nor ink reaches 4.5:1) is flagged.
  const hex = page.getByLabel(t('en', 'setup.look_color_hex'));
  await hex.fill('#787878');
  await expect(page.locator('.hint.warning')).toBeVisible();
  await hex.fill('#ffd400');
  await expect(page.locator('.hint.warning')).toHaveCount(0);
  await expect(page.locator('.preview-send')).toHaveCSS('background-color', 'rgb(255, 212, 0)');
  // Ink, not white, on yellow.
  await expect(page.locator('.preview-send')).toHaveCSS('color', 'rgb(11, 16, 32)');

  await page.getByLabel(t('en', 'setup.look_reply')).selectOption('hours');
  await page.getByLabel(t('en', 'setup.look_left')).check();
  await page.getByRole('button', { name: t('en', 'setup.look_save') }).click();
  await expect(page.getByText(t('en', 'setup.look_saved'))).toBeVisible();
  const saved = await (await page.request.get('/api/v1/widget/appearance')).json();
  expect(saved).toMatchObject({ team_name: 'Acme Help', color: '#ffd400', position: 'left', reply_time: 'hours' });

  // A visitor's widget wears it: bottom left, the team's name, the promise and the greeting.
  const visitor = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const host = await visitor.newPage();
  const frame = await openHostPage(host, await serveHostPage(visitor));
  const box = await launcher(frame).boundingBox();
  expect(box!.x, 'the closed launcher sits at the left').toBeLessThan(100);

  // Opened from the keyboard, the chat takes the typing at once.
  await launcher(frame).focus();
  await host.keyboard.press('Enter');
  const composer = frame.getByLabel(t('en', 'chat.placeholder'));
  await expect(composer).toBeFocused();
  await expect(frame.locator('.chat-title h2')).toHaveText('Acme Help');
  await expect(frame.locator('.chat-subtitle')).toHaveText(t('en', 'widget.reply_hours'));
  await expect(frame.locator('.greeting')).toHaveText('Hi from Acme, ask away.');
  await expect(frame.locator('.widget-panel .chat-header')).toHaveCSS('background-color', 'rgb(255, 212, 0)');
  const opened = await host.locator('iframe[title="Support chat"]').boundingBox();
  expect(opened!.x, 'the open panel stays on the left').toBeLessThan(100);

  // The visitor's own message is theirs: "You", not "Customer".
  await sendFromWidget(frame, 'Is the yellow one in stock?');
  const own = frame.locator('ol.messages .message.own:not(.pending)');
  await expect(own.locator('.bubble')).toHaveText('Is the yellow one in stock?');
  await expect(own.locator('.sender')).toHaveText(t('en', 'chat.you'));
  await visitor.close();
});

test('a widget with the defaults opens from the keyboard with the focus in the composer', async ({ browser }) => {
  const visitor = await browser.newContext();
  const host = await visitor.newPage();
  const frame = await openHostPage(host, await serveHostPage(visitor));
  await launcher(frame).focus();
  await host.keyboard.press('Enter');
  await expect(frame.getByLabel(t('en', 'chat.placeholder'))).toBeFocused();
  await expect(frame.locator('.chat-title h2')).toHaveText(t('en', 'widget.team_default'));
  await expect(frame.locator('.greeting')).toHaveText(t('en', 'widget.greeting_default'));
  const box = await host.locator('iframe[title="Support chat"]').boundingBox();
  expect(box!.x + box!.width, 'at the right').toBeGreaterThan(1280 - 100);
  // On a desktop the panel floats: round corners, and the launcher stays under it to close it.
  await expect(frame.locator('.widget-panel')).toHaveCSS('border-radius', '14px');
  await expect(launcher(frame)).toBeVisible();
  await visitor.close();
});
