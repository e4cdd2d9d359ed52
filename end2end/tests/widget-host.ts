import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { Browser, BrowserContext, expect, FrameLocator, Page } from '@playwright/test';
import { baseURL } from '../playwright.config';
import { currentOperator, sessionsShown, t, waitForHydration } from './helpers';

/** The host page's strictest reasonable policy: only script-src and frame-src name Switchboard. */
export const HOST_POLICY = `default-src 'self'; script-src 'self' ${baseURL}; frame-src ${baseURL}`;

/** The host page's own script: records the widget's events and any CSP violation. */
const HOST_SCRIPT = `
window.__events = [];
window.__violations = [];
window.__unread = null;
document.addEventListener('securitypolicyviolation', function (e) {
  window.__violations.push(e.violatedDirective + ' ' + e.blockedURI);
});
window.Switchboard = window.Switchboard || (function () {
  var q = [], s = { _q: q };
  ['open', 'close', 'toggle', 'identify', 'reset', 'on'].forEach(function (m) {
    s[m] = function () { q.push([m, [].slice.call(arguments)]); };
  });
  return s;
})();
Switchboard.on('unread', function (n) { window.__unread = n; });
['open', 'close', 'message'].forEach(function (name) {
  Switchboard.on(name, function () { window.__events.push(name); });
});
`;

/**
 * Serves a stand-in for a customer's website from a real HTTP server of its own on loopback
 * (`http://localhost:<port>`, another origin than the Switchboard server at 127.0.0.1), with the
 * loader's `attributes`, until `context` closes. Returns the site's origin.
 */
export async function serveHostPage(context: BrowserContext, attributes = ''): Promise<string> {
  const page = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Acme shop</title>
<script src="/host.js"></script>
<script src="${baseURL}/widget.js" defer ${attributes}></script>
</head><body><h1>Acme shop</h1><p>Welcome.</p></body></html>`;
  const server = createServer((request, response) => {
    if (request.url === '/host.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' });
      response.end(HOST_SCRIPT);
    } else if (request.url === '/') {
      response.writeHead(200, { 'content-type': 'text/html', 'content-security-policy': HOST_POLICY });
      response.end(page);
    } else if (request.url === '/favicon.ico') {
      response.writeHead(204);
      response.end();
    } else {
      response.writeHead(404);
      response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  context.on('close', () => server.close());
  return `http://localhost:${(server.address() as AddressInfo).port}`;
}

/** The widget's iframe. */
export function widget(page: Page): FrameLocator {
  return page.frameLocator('iframe[title="Support chat"]');
}

/**
 * Opens the host page at `origin` and waits for the loader's launcher, drawn in the widget's
 * look. The chat's iframe is mounted later, on intent (see `server/src/widget_assets/loader/`).
 */
export async function openHostPage(page: Page, origin: string): Promise<FrameLocator> {
  await page.goto(`${origin}/`);
  await expect(page.locator('button.launcher')).toBeVisible();
  return widget(page);
}

/** The launcher on the host page (the loader draws it), whichever state it is in. */
export function launcher(frame: FrameLocator) {
  return frame.owner().page().locator('button.launcher');
}

/** Opens the panel with the launcher and waits until the chat is connected. */
export async function openPanel(frame: FrameLocator): Promise<void> {
  await frame.owner().page().getByRole('button', { name: t('en', 'widget.open') }).click();
  await expect(frame.locator('.connection')).toHaveAttribute('data-link', 'connected');
}

/** Sends `text` from the widget's composer (labelled in `lang`). */
export async function sendFromWidget(frame: FrameLocator, text: string, lang = 'en'): Promise<void> {
  const box = frame.getByLabel(t(lang, 'chat.placeholder'));
  await box.fill(text);
  await box.press('Enter');
}

/** The operator's page, signed in by the form, on `/inbox`. */
export async function operatorInbox(page: Page, email: string, password: string): Promise<void> {
  await page.goto(`${baseURL}/login`);
  await waitForHydration(page);
  await page.getByLabel(t('en', 'login.email')).fill(email);
  await page.getByLabel(t('en', 'login.password')).fill(password);
  await page.getByRole('button', { name: t('en', 'login.submit') }).click();
  await sessionsShown(page);
  await page.goto(`${baseURL}/inbox`);
  await waitForHydration(page);
}

/** This spec's operator in a context of their own, signed in and on the inbox. */
export async function operatorPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ locale: 'en-US' });
  const page = await context.newPage();
  const operator = currentOperator();
  await operatorInbox(page, operator.email, operator.password);
  return page;
}
