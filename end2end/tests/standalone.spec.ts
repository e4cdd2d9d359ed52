import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from './fixtures';
import { t, waitForHydration } from './helpers';
import { createOperator, freePort, OwnServer, startServer } from './own-server';

/**
 * The release binary on its own: copied alone into an empty folder and started there, with
 * nothing but a language setting in its environment, it serves its pages, their wasm, CSS
 * and JavaScript, and the widget loader from inside itself.
 */
const RELEASE = resolve(__dirname, '../../target/release/switchboard');
const EMAIL = 'standalone@example.com';
const PASSWORD = 'standalone-operator-password';

let folder: string;
let server: OwnServer | undefined;
let origin: string;

test.beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'switchboard-alone-'));
  copyFileSync(RELEASE, join(folder, 'switchboard'));
  expect(readdirSync(folder)).toEqual(['switchboard']);
  const port = await freePort();
  // Only what any shell has, and the address: no site folder, no database URL.
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LEPTOS_SITE_ADDR: `127.0.0.1:${port}` };
  createOperator('./switchboard', folder, env, { email: EMAIL, name: 'Sam Alone', password: PASSWORD, role: 'admin' });
  server = await startServer('./switchboard', folder, env, port);
  origin = server.origin;
});

test.afterAll(async () => {
  await server?.stop();
  rmSync(folder, { recursive: true, force: true });
});

test('the release binary alone in an empty folder serves the sign-in page, its code and the widget loader', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const statuses = new Map<string, number>();
  page.on('response', (response) => {
    if (response.url().startsWith(origin)) statuses.set(new URL(response.url()).pathname, response.status());
  });
  await page.goto(`${origin}/login`);
  await waitForHydration(page);
  const wasm = [...statuses.keys()].filter((path) => /^\/pkg\/switchboard\.[\w-]+\.wasm$/.test(path));
  expect(wasm, 'the dashboard wasm came from the binary').toHaveLength(1);
  expect([...statuses.keys()].some((path) => /^\/pkg\/switchboard\.[\w-]+\.css$/.test(path))).toBe(true);
  for (const [path, status] of statuses) expect(status, path).toBe(200);

  // Signed in, the sessions page (code split from the rest) loads its chunk from the binary.
  await page.getByLabel(t('en', 'login.email')).fill(EMAIL);
  await page.getByLabel(t('en', 'login.password')).fill(PASSWORD);
  await page.getByRole('button', { name: t('en', 'login.submit') }).click();
  await expect(page).toHaveURL(/\/sessions$/);
  await expect(page.getByRole('heading', { level: 1, name: t('en', 'sessions.title') })).toBeVisible();
  for (const [path, status] of statuses) expect(status, path).toBe(200);

  // A page rendered by the server names the chunks it needs, and every name is served.
  const rendered = await (await page.request.get(`${origin}/sessions`)).text();
  const preloads = [...rendered.matchAll(/<link\b[^>]*>/g)]
    .map(([tag]) => ({ rel: tag.match(/\brel="([^"]*)"/)?.[1], href: tag.match(/\bhref="([^"]*)"/)?.[1] }))
    .filter(({ rel }) => rel === 'preload' || rel === 'modulepreload')
    .map(({ href }) => href ?? '');
  expect(preloads.some((href) => /\/pkg\/__wasm_split\.[\w-]+\.js$/.test(href)), rendered).toBe(true);
  expect(preloads.some((href) => /\/pkg\/split_\w+\.[\w-]+\.wasm$/.test(href)), rendered).toBe(true);
  for (const href of preloads) {
    const file = await page.request.get(`${origin}${href}`, { headers: { 'accept-encoding': 'br' } });
    expect(file.status(), href).toBe(200);
    expect(file.headers()['cache-control'], href).toContain('immutable');
  }

  const loader = await page.request.get(`${origin}/widget.js`);
  expect(loader.status()).toBe(200);
  expect(loader.headers()['content-type']).toContain('javascript');
  expect(await loader.text()).toContain('/embed/launcher');
  await context.close();
});
