import { request } from '@playwright/test';
import { baseURL } from '../playwright.config';
import { allowConsoleErrors, expect, test } from './fixtures';
import { contextIn, createSessionByApi, signedIdentity, signInByApi, t, waitForHydration } from './helpers';

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

test('a language chosen on a guest link is kept for the whole site and for a year', async ({ page, browser }) => {
  await signInByApi(page.request);
  const created = await createSessionByApi(page.request);
  const context = await contextIn(browser, 'en-US');
  const guest = await context.newPage();
  await guest.goto(created.guest_url);
  await waitForHydration(guest);
  await guest.getByLabel(t('en', 'nav.language')).selectOption('fr');
  await expect(guest.getByText(t('fr', 'kiosk.footer'))).toBeVisible();
  const [cookie] = (await context.cookies()).filter((c) => c.name === 'i18n_pref_locale');
  expect(cookie?.value).toBe('fr');
  expect(cookie?.path).toBe('/');
  expect(cookie!.expires * 1000 - Date.now()).toBeGreaterThan(364 * 24 * 3600 * 1000);
  // Another page of the site, rendered by the server, follows the choice.
  await guest.goto('/login');
  await expect(guest.getByRole('heading', { name: t('fr', 'login.heading') })).toBeVisible();
  await context.close();
});

test('message counts take each language’s plural form: one and two in all six languages', async ({ browser }) => {
  // Six sign-ins and inbox loads: twice the default time, for loaded runs.
  test.setTimeout(60_000);
  // Two customers: one wrote once, the other twice.
  const run = Date.now();
  const api = await request.newContext({ baseURL });
  const names = { 1: `Plural One ${run}`, 2: `Plural Two ${run}` };
  const conversations: string[] = [];
  for (const count of [1, 2] as const) {
    const identity = signedIdentity(`plural-${run}-${count}`, `plural-${run}-${count}@example.com`, names[count]);
    const session = await api.post('/api/v1/widget/session', { data: identity });
    expect(session.status()).toBe(200);
    const { widget_token, conversation_id } = await session.json();
    conversations.push(conversation_id);
    for (let i = 0; i < count; i++) {
      const posted = await api.post('/api/v1/widget/messages', {
        headers: { authorization: `Bearer ${widget_token}` },
        data: { content: `plural ${i}` },
      });
      expect(posted.status()).toBe(201);
    }
  }
  // Archived, they are listed on a short page of their own, whatever other specs add to Active.
  await signInByApi(api);
  for (const id of conversations) {
    expect((await api.post(`/api/v1/conversations/${id}/archive`)).status()).toBe(200);
  }
  await api.dispose();

  // The form each language uses for 2: English's "other", Russian's "few", Arabic's dual.
  const formOfTwo: Record<string, string> = { en: 'other', de: 'other', fr: 'other', es: 'other', ru: 'few', ar: 'two' };
  const count = (lang: string, form: string, n: number) => t(lang, `inbox.messages_${form}`).replace('{{ count }}', String(n));
  for (const lang of ['en', 'ru', 'de', 'fr', 'es', 'ar']) {
    const context = await contextIn(browser, lang);
    const page = await context.newPage();
    await signInByApi(page.request);
    await page.goto('/inbox?tab=archived');
    await expect(page.locator('html')).toHaveAttribute('lang', lang);
    const one = page.locator('.inbox-row', { hasText: names[1] });
    const two = page.locator('.inbox-row', { hasText: names[2] });
    await expect(one).toContainText(count(lang, 'one', 1));
    await expect(two).toContainText(count(lang, formOfTwo[lang], 2));
    await context.close();
  }
  // The forms differ where the languages differ.
  expect(count('ru', 'one', 1)).toBe('1 сообщение');
  expect(count('ru', 'few', 2)).toBe('2 сообщения');
  expect(count('ar', 'two', 2)).toBe('رسالتان');
});

test('the dashboard brings one language, draws later pages in it and fetches another when the reader switches', async ({ browser }) => {
  const context = await contextIn(browser, 'ru');
  const page = await context.newPage();
  await signInByApi(page.request);
  await page.goto('/sessions');
  await waitForHydration(page);
  // The page carries its own language's strings, and no other language's.
  const table = JSON.parse((await page.locator('script#ui-strings').textContent()) ?? '');
  expect(table.locale).toBe('ru');
  expect(table.strings).toContain(t('ru', 'inbox.title'));
  expect(table.strings).not.toContain(t('en', 'inbox.title'));
  // A page drawn in the browser, not by the server, reads the same strings.
  await page.getByRole('link', { name: t('ru', 'nav.inbox') }).first().click();
  await expect(page).toHaveURL(/\/inbox$/);
  await expect(page.getByRole('heading', { level: 1, name: t('ru', 'inbox.title') })).toBeVisible();

  // Switching asks the server for Arabic once, then redraws the page in it.
  const fetched = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/ui-strings');
  await page.getByLabel(t('ru', 'nav.language')).selectOption('ar');
  expect((await fetched).status()).toBe(200);
  await expect(page.getByRole('heading', { level: 1, name: t('ar', 'inbox.title') })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
  await page.getByRole('link', { name: t('ar', 'nav.sessions') }).first().click();
  await expect(page.getByRole('heading', { level: 1, name: t('ar', 'sessions.title') })).toBeVisible();

  // When the next language cannot be had, the page and the switcher stay as they are.
  allowConsoleErrors(/ERR_INTERNET_DISCONNECTED.*\/api\/ui-strings\?locale=de/);
  await page.route('**/api/ui-strings**', (route) => route.abort('internetdisconnected'));
  const refused = page.waitForEvent('requestfailed', (r) => new URL(r.url()).pathname === '/api/ui-strings');
  await page.getByLabel(t('ar', 'nav.language')).selectOption('de');
  await refused;
  await expect(page.getByLabel(t('ar', 'nav.language'))).toHaveValue('ar');
  await expect(page.getByRole('heading', { level: 1, name: t('ar', 'sessions.title') })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'ar');
  await context.close();
});

test('asking for the strings of a language the app does not have is refused', async ({ request }) => {
  const answer = await request.get('/api/ui-strings?locale=xx');
  expect(answer.status()).toBe(422);
  expect((await answer.json()).code).toBe('invalid');
  const arabic = await request.get('/api/ui-strings?locale=ar');
  expect(arabic.status()).toBe(200);
  const table = await arabic.json();
  expect(table.locale).toBe('ar');
  expect(table.strings).toContain(t('ar', 'sessions.title'));
});
