import { expect, test } from './fixtures';
import { createSessionByApi, signInByApi, t } from './helpers';

test.describe('with JavaScript off', () => {
  test.use({ javaScriptEnabled: false });

  test('the sign-in page renders and signing in works', async ({ page, operator }) => {
    await page.goto('/login');
    await expect(page.getByRole('heading', { name: t('en', 'login.heading') })).toBeVisible();
    await page.getByLabel(t('en', 'login.email')).fill(operator.email);
    await page.getByLabel(t('en', 'login.password')).fill('not the password');
    await page.getByRole('button', { name: t('en', 'login.submit') }).click();
    await expect(page.getByRole('alert')).toHaveText(t('en', 'errors.unauthorized'));

    await page.getByLabel(t('en', 'login.email')).fill(operator.email);
    await page.getByLabel(t('en', 'login.password')).fill(operator.password);
    await page.getByRole('button', { name: t('en', 'login.submit') }).click();
    await expect(page).toHaveURL(/\/sessions$/);
    await expect(page.getByRole('heading', { name: t('en', 'sessions.title') })).toBeVisible();
  });

  test('the kiosk renders its title, status and footer', async ({ page }) => {
    await signInByApi(page.request);
    const created = await createSessionByApi(page.request, 'No script here');
    const response = await page.goto(created.guest_url);
    expect(response?.status()).toBe(200);
    await expect(page.getByRole('heading', { level: 1, name: 'No script here' })).toBeVisible();
    // Looking at the link joins nobody: the session still waits for its guest.
    await expect(page.getByText(t('en', 'kiosk.waiting'))).toBeVisible();
    await expect(page.getByRole('contentinfo')).toContainText(t('en', 'kiosk.footer'));
  });
});
