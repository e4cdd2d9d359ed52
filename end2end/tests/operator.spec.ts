import { allowConsoleErrors, expect, test } from './fixtures';
import { clickAndConfirm, contextIn, signInByUi, t, waitForHydration } from './helpers';

test('an operator signs in, creates a session and the guest opens its link in a second browser', async ({ page, browser, operator }) => {
  await page.goto('/sessions');
  await expect(page).toHaveURL(/\/login$/);
  await waitForHydration(page);

  await page.getByLabel(t('en', 'login.email')).fill(operator.email);
  await page.getByLabel(t('en', 'login.password')).fill(operator.password);
  await page.getByRole('button', { name: t('en', 'login.submit') }).click();

  await expect(page).toHaveURL(/\/sessions$/);
  await expect(page.getByRole('heading', { name: t('en', 'sessions.title') })).toBeVisible();
  await expect(page.getByText(operator.name)).toBeVisible();
  await waitForHydration(page);

  const title = `Printer setup ${Date.now()}`;
  await page.getByLabel(t('en', 'sessions.title_label')).fill(title);
  await page.getByRole('button', { name: t('en', 'sessions.create') }).click();
  await expect(page.getByText(t('en', 'sessions.created'))).toBeVisible();
  const link = page.getByLabel(t('en', 'sessions.link_label'));
  const guestUrl = await link.inputValue();
  expect(guestUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/support\/guest\/[A-Za-z0-9_-]{43}$/);

  // The new session is listed under "Open", waiting for its guest.
  const row = page.getByRole('row', { name: new RegExp(title) });
  await expect(row).toBeVisible();
  await expect(row.getByText(t('en', 'status.waiting'))).toBeVisible();

  const guestContext = await contextIn(browser, 'en-US');
  const guest = await guestContext.newPage();
  const response = await guest.goto(guestUrl);
  expect(response?.status()).toBe(200);
  expect(response?.headers()['referrer-policy']).toBe('no-referrer');
  await expect(guest.getByRole('heading', { level: 1, name: title })).toBeVisible();
  await expect(guest.getByText(t('en', 'kiosk.waiting'))).toBeVisible();
  await expect(guest.getByRole('contentinfo')).toContainText(t('en', 'kiosk.footer'));
  await waitForHydration(guest);
  // The guest joins when their page connects, which the chat shows.
  await guest.getByRole('button', { name: t('en', 'chat.open') }).click();
  await guest.getByRole('button', { name: t('en', 'chat.name_skip') }).click();
  await expect(guest.locator('.connection')).toContainText(t('en', 'chat.connected'));
  await guestContext.close();

  // The operator's session page now says the guest joined, and shows the time left.
  await row.getByRole('link', { name: title }).click();
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  await expect(page.getByText(t('en', 'status.active'))).toBeVisible();
  await expect(page.getByText(t('en', 'detail.expires_in'))).toBeVisible();
  await expect(page.locator('.time-left')).toHaveText(/23 h 5\d min|1 d 0 h|24 h 0 min/);
});

test('a new link replaces the old one, which then shows "link not found"', async ({ page, browser }) => {
  await signInByUi(page);

  await page.getByLabel(t('en', 'sessions.title_label')).fill('Rotation');
  await page.getByRole('button', { name: t('en', 'sessions.create') }).click();
  const oldUrl = await page.getByLabel(t('en', 'sessions.link_label')).inputValue();
  await page.getByRole('link', { name: t('en', 'sessions.view') }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Rotation' })).toBeVisible();
  await waitForHydration(page);
  await clickAndConfirm(page, t('en', 'detail.rotate'));
  await expect(page.getByText(t('en', 'detail.new_link'))).toBeVisible();
  const newUrl = await page.getByLabel(t('en', 'sessions.link_label')).inputValue();
  expect(newUrl).not.toBe(oldUrl);

  const guestContext = await contextIn(browser, 'en-US');
  const guest = await guestContext.newPage();
  // The browser reports the page's own 404 in the console; that is the point here.
  allowConsoleErrors(/status of 404 \(Not Found\) \(http:\/\/127\.0\.0\.1:\d+\/support\/guest\//);
  const old = await guest.goto(oldUrl);
  expect(old?.status()).toBe(404);
  await expect(guest.getByRole('heading', { name: t('en', 'kiosk.not_found_title') })).toBeVisible();
  const fresh = await guest.goto(newUrl);
  expect(fresh?.status()).toBe(200);
  await guestContext.close();
});
