import { request as httpRequest } from 'node:http';
import { expect, test } from './fixtures';
import { createSessionByApi, signInByApi } from './helpers';

/**
 * Starts a GET of `url` and hangs up after `afterMs` milliseconds, as a closed tab or a proxy
 * that gave up does. Resolves `true` when the connection was cut before any answer came.
 */
function abandon(url: string, cookie: string, afterMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { headers: { cookie }, agent: false });
    let answered = false;
    req.on('response', (response) => {
      answered = true;
      response.resume();
    });
    req.on('error', () => undefined);
    setTimeout(() => {
      req.destroy();
      resolve(!answered);
    }, afterMs);
    req.end();
  });
}

// Many pages at once, as a busy server sees them, and many that the client abandons halfway
// through the render. A render that panics shows up as a failed request here and as "panicked"
// in the server log, which the teardown checks.
test('pages stay whole under many concurrent requests, some abandoned mid-render', async ({ page, baseURL }) => {
  await signInByApi(page.request);
  const created = await createSessionByApi(page.request, 'Busy');
  const kiosk = new URL(created.guest_url).pathname;
  const paths = [kiosk, '/login', `/sessions/${created.session.id}`, '/sessions'];
  const cookie = (await page.request.storageState()).cookies.map((c) => `${c.name}=${c.value}`).join('; ');

  // Hang-ups at every stage of the render: a few requests in flight at a time, each cut off
  // after 1 to 9 ms. (Thousands at once would mostly be cut before their render starts.)
  const total = 6000;
  let next = 0;
  let cut = 0;
  const worker = async () => {
    while (next < total) {
      const i = next++;
      if (await abandon(`${baseURL}${paths[i % paths.length]}`, cookie, 1 + ((i * 7) % 9))) cut++;
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  // Many really were cut off before their answer, and many were not: both kinds happened.
  expect(cut).toBeGreaterThan(total / 20);
  expect(cut).toBeLessThan(total);

  const results = await Promise.all(
    Array.from({ length: 300 }, async (_, i) => {
      const response = await page.request.get(paths[i % paths.length], {
        headers: { 'accept-language': i % 3 === 0 ? 'ar' : 'en' },
        failOnStatusCode: false,
      });
      return { status: response.status(), csp: response.headers()['content-security-policy'] ?? '' };
    }),
  );
  expect(results.filter((r) => r.status !== 200)).toEqual([]);
  expect(results.filter((r) => !r.csp.includes("'nonce-"))).toEqual([]);
});
