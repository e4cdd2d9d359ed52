import { expect, test } from '@playwright/test';
import { createSessionByApi, signInByApi } from './helpers';

// Many pages at once, as a busy server sees them. A render that panics shows up as a failed
// request here and as "panicked" in the server log, which the teardown checks.
test('pages stay whole under many concurrent requests', async ({ page }) => {
  await signInByApi(page.request);
  const created = await createSessionByApi(page.request, 'Busy');
  const kiosk = new URL(created.guest_url).pathname;
  const paths = Array.from({ length: 300 }, (_, i) => (i % 2 === 0 ? kiosk : '/login'));
  const results = await Promise.all(
    paths.map(async (path, i) => {
      const response = await page.request.get(path, {
        headers: { 'accept-language': i % 3 === 0 ? 'ar' : 'en' },
        failOnStatusCode: false,
      });
      return { status: response.status(), csp: response.headers()['content-security-policy'] ?? '' };
    }),
  );
  expect(results.filter((r) => r.status !== 200)).toEqual([]);
  expect(results.filter((r) => !r.csp.includes("'nonce-"))).toEqual([]);
});
