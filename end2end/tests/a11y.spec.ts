import { allowConsoleErrors, expect, test } from './fixtures';
import { axeViolations as violations, contextIn, createSessionByApi, signInByApi, t, waitForHydration } from './helpers';
import { launcher, openHostPage, sendFromWidget, serveHostPage } from './widget-host';
import { baseURL } from '../playwright.config';

for (const lang of ['en', 'ar']) {
  test(`every page has no WCAG 2.1 A/AA violations (${lang})`, async ({ browser }) => {
    // It visits every page and runs axe on each: three times the default time, for loaded runs.
    test.setTimeout(90_000);
    // A forged chat link's sign-in is answered 401, and an unknown reset link's page 404,
    // which the browser logs.
    allowConsoleErrors(/401|404/);
    const context = await contextIn(browser, lang === 'en' ? 'en-US' : 'ar');
    const page = await context.newPage();
    const found: Record<string, string[]> = {};
    const scan = async (name: string) => {
      await waitForHydration(page);
      found[name] = await violations(page);
    };

    await page.goto(`${baseURL}/login`);
    await scan('login');

    await signInByApi(page.request);
    const created = await createSessionByApi(page.request, 'Accessible session');
    await page.goto(`${baseURL}/sessions`);
    await scan('sessions');
    await page.goto(`${baseURL}/sessions/${created.session.id}`);
    await scan('session detail');

    const guest = await context.browser()!.newContext({ locale: lang === 'en' ? 'en-US' : 'ar' });
    const kiosk = await guest.newPage();
    await kiosk.goto(created.guest_url);
    await waitForHydration(kiosk);
    await kiosk.getByRole('button', { name: t(lang, 'chat.open') }).click();
    await kiosk.getByRole('button', { name: t(lang, 'chat.name_skip') }).click();
    found['kiosk with the chat open'] = await violations(kiosk);

    const site = await serveHostPage(guest, `data-locale="${lang}"`);
    const host = await guest.newPage();
    const frame = await openHostPage(host, site);
    found['widget closed'] = await violations(host, '[data-switchboard="launcher"]');
    await launcher(frame).click();
    await expect(frame.locator('.connection')).toHaveAttribute('data-link', 'connected');
    await sendFromWidget(frame, `accessibility check ${lang}`, lang);
    await expect(frame.locator('ol.messages .message.own:not(.pending)')).toHaveCount(1);
    found['widget open'] = await violations(host, 'iframe');
    // The frame locator waits for the iframe, which the loader mounts only on the visitor's intent.
    const conversation = await frame
      .locator('[data-conversation-id]')
      .first()
      .getAttribute('data-conversation-id');

    await page.goto(`${baseURL}/inbox`);
    await scan('inbox');
    const reply = await page.request.post(`${baseURL}/api/v1/conversations/${conversation}/messages`, {
      data: { content: `a reply to check ${lang}` },
    });
    expect(reply.status()).toBe(201);
    await page.goto(`${baseURL}/inbox/${conversation}`);
    await expect(page.locator('.email-history .email-line').first()).toBeVisible();
    await scan('conversation with its emails');
    await page.goto(`${baseURL}/chat/not-a-valid-link?lang=${lang}`);
    await waitForHydration(page);
    await expect(page.getByRole('alert')).toBeVisible();
    found['hosted chat, bad link'] = await violations(page);
    await page.goto(`${baseURL}/email/unsubscribe/not-a-valid-link?lang=${lang}`);
    await scan('unsubscribe, bad link');
    await page.goto(`${baseURL}/email/confirm/not-a-valid-link?lang=${lang}`);
    await scan('email confirmation, bad link');
    await page.goto(`${baseURL}/settings/widget`);
    await scan('widget setup');
    await page.goto(`${baseURL}/team`);
    await scan('team');
    await page.goto(`${baseURL}/account`);
    await scan('account');
    await page.goto(`${baseURL}/audit`);
    await scan('audit log');
    const invited = await page.request.post(`${baseURL}/api/v1/invitations`, {
      data: { email: `a11y-${lang}-${Date.now()}@example.com`, role: 'agent' },
    });
    expect(invited.status()).toBe(201);
    const { accept_url: acceptUrl } = await invited.json();
    const stranger = await guest.newPage();
    await stranger.goto(acceptUrl);
    await waitForHydration(stranger);
    found['invitation'] = await violations(stranger);
    await stranger.goto(`${baseURL}/forgot`);
    await waitForHydration(stranger);
    found['forgot password'] = await violations(stranger);
    await stranger.goto(`${baseURL}/reset/not-a-valid-link`);
    await waitForHydration(stranger);
    await expect(stranger.getByRole('alert')).toBeVisible();
    found['reset, bad link'] = await violations(stranger);

    const failing = Object.fromEntries(Object.entries(found).filter(([, v]) => v.length > 0));
    expect(failing).toEqual({});
    await guest.close();
    await context.close();
  });
}
