import { expect, test } from './fixtures';
import { contextIn, createSessionByApi, signInByApi, t, waitForHydration } from './helpers';

test('the kiosk renders in Russian for Accept-Language ru', async ({ page, browser }) => {
  await signInByApi(page.request);
  const created = await createSessionByApi(page.request);
  const context = await contextIn(browser, 'ru-RU');
  const guest = await context.newPage();
  await guest.goto(created.guest_url);
  await expect(guest.locator('html')).toHaveAttribute('lang', 'ru');
  await expect(guest.locator('html')).toHaveAttribute('dir', 'ltr');
  await expect(guest.getByRole('heading', { level: 1, name: t('ru', 'kiosk.default_title') })).toBeVisible();
  await expect(guest.getByText(t('ru', 'kiosk.waiting'))).toBeVisible();
  await waitForHydration(guest);
  // Still Russian after hydration: the client agreed with the server.
  await expect(guest.getByText(t('ru', 'kiosk.footer'))).toBeVisible();
  await context.close();
});

test('in Arabic the kiosk renders right to left', async ({ page, browser }) => {
  await signInByApi(page.request);
  const created = await createSessionByApi(page.request);
  const context = await contextIn(browser, 'ar');
  const guest = await context.newPage();
  await guest.goto(created.guest_url);
  await expect(guest.locator('html')).toHaveAttribute('lang', 'ar');
  await expect(guest.locator('html')).toHaveAttribute('dir', 'rtl');
  await expect(guest.getByText(t('ar', 'kiosk.footer'))).toBeVisible();
  await context.close();
});

test('the language switcher changes the page and the choice survives a reload', async ({ browser }) => {
  const context = await contextIn(browser, 'en-US');
  const page = await context.newPage();
  await page.goto('/login');
  await waitForHydration(page);
  await expect(page.getByRole('heading', { name: t('en', 'login.heading') })).toBeVisible();
  await page.getByLabel(t('en', 'nav.language')).selectOption('de');
  await expect(page.getByRole('heading', { name: t('de', 'login.heading') })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'de');
  await page.reload();
  await expect(page.getByRole('heading', { name: t('de', 'login.heading') })).toBeVisible();
  await context.close();
});
