import { Page } from '@playwright/test';
import { allowConsoleErrors, expect, test } from './fixtures';
import { contextIn, createSessionByApi, signInByApi, t, waitForHydration } from './helpers';

/** The session as the operator API reports it. */
async function statusOf(page: Page, id: string): Promise<string> {
  const response = await page.request.get(`/api/v1/sessions/${id}`);
  expect(response.status()).toBe(200);
  return (await response.json()).session.status;
}

test('End session asks first; once the operator confirms, the guest link shows the ended page with 410', async ({ page, browser }) => {
  await signInByApi(page.request);
  const created = await createSessionByApi(page.request, 'Ending soon');

  const guestContext = await contextIn(browser, 'en-US');
  const guest = await guestContext.newPage();
  expect((await guest.goto(created.guest_url))?.status()).toBe(200);

  await page.goto(`/sessions/${created.session.id}`);
  await waitForHydration(page);
  // The first click only asks; Cancel (or Escape) goes back with nothing done.
  const end = page.getByRole('button', { name: t('en', 'detail.end') });
  await end.click();
  const question = page.locator('.confirm');
  await expect(question).toContainText(t('en', 'detail.end_confirm'));
  await expect(question.getByRole('button', { name: t('en', 'detail.end') })).toBeFocused();
  expect(await statusOf(page, created.session.id)).not.toBe('ended');
  await question.getByRole('button', { name: t('en', 'common.cancel') }).click();
  await expect(question).toHaveCount(0);
  await expect(end).toBeFocused();
  await end.click();
  await page.keyboard.press('Escape');
  await expect(question).toHaveCount(0);
  expect(await statusOf(page, created.session.id)).not.toBe('ended');

  await end.click();
  await question.getByRole('button', { name: t('en', 'detail.end') }).click();
  await expect(page.locator('.badge.ended')).toHaveText(t('en', 'status.ended'));
  await expect(page.getByRole('button', { name: t('en', 'detail.end') })).toHaveCount(0);

  // The browser reports the page's own 410 in the console, and a guest socket that tried to
  // (re)connect after the end is refused with 410 too: that is the point here.
  allowConsoleErrors(/status of 410 \(Gone\) \(http:\/\/127\.0\.0\.1:\d+\/support\/guest\//);
  allowConsoleErrors(/WebSocket connection to .*\/ws\?guest_token=.* Unexpected response code: 410/);
  const response = await guest.reload();
  expect(response?.status()).toBe(410);
  await expect(guest.getByRole('heading', { name: t('en', 'kiosk.ended_title') })).toBeVisible();
  await expect(guest.getByText(t('en', 'kiosk.ended_body'))).toBeVisible();

  // The session moved from the "Open" tab to the "Ended" tab.
  await page.goto('/sessions?tab=ended');
  await expect(page.getByRole('link', { name: 'Ending soon' }).first()).toBeVisible();
  await guestContext.close();
});
