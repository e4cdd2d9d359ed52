import { Browser, BrowserContext, Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { allowConsoleErrors, expect, test } from './fixtures';
import { axeViolations, contextIn, createSessionByApi, signInByApi, t, waitForHydration } from './helpers';
import { openHostPage, openPanel, operatorPage, sendFromWidget, serveHostPage } from './widget-host';

/** A small PDF, as a customer's invoice would start. */
const PDF = '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n';

/**
 * Puts `bytes` on the clipboard as a file named `name` and pastes it into the composer's box, the
 * way a browser delivers a screenshot pasted with Ctrl+V: a `paste` event whose clipboard data
 * holds the file.
 */
async function pasteFile(page: Page, name: string, type: string, bytes: Buffer): Promise<void> {
  await page.evaluate(
    ({ name, type, data }) => {
      const file = new File([Uint8Array.from(data)], name, { type });
      const clipboard = new DataTransfer();
      clipboard.items.add(file);
      const paste = new ClipboardEvent('paste', { clipboardData: clipboard, bubbles: true, cancelable: true });
      document.getElementById('chat-input')!.dispatchEvent(paste);
    },
    { name, type, data: [...bytes] },
  );
}

/** Drags a file named `name` over the composer and drops it there. */
async function dropFile(page: Page, name: string, type: string, text: string): Promise<void> {
  const dataTransfer = await page.evaluateHandle(
    ({ name, type, text }) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([text], name, { type }));
      return transfer;
    },
    { name, type, text },
  );
  const composer = page.locator('form.composer');
  await composer.dispatchEvent('dragover', { dataTransfer });
  await expect(page.locator('.drop-hint')).toHaveText(t('en', 'files.drop_here'));
  await composer.dispatchEvent('drop', { dataTransfer });
}

/** The guest's kiosk for a session just created, in a context of its own, with the chat open. */
async function kiosk(browser: Browser, guestUrl: string): Promise<{ guest: Page; guestContext: BrowserContext }> {
  const guestContext = await contextIn(browser, 'en-US');
  const guest = await guestContext.newPage();
  await guest.goto(guestUrl);
  await waitForHydration(guest);
  await guest.getByRole('button', { name: t('en', 'chat.open') }).click();
  await guest.getByRole('button', { name: t('en', 'chat.name_skip') }).click();
  await expect(guest.locator('.connection')).toHaveAttribute('data-link', 'connected');
  return { guest, guestContext };
}

test('a guest pastes a screenshot in the kiosk and the operator sees its thumbnail live, then full size', async ({ page, browser }) => {
  await signInByApi(page.request);
  const created = await createSessionByApi(page.request, 'Error on screen');
  await page.goto(`/sessions/${created.session.id}`);
  await waitForHydration(page);
  await expect(page.locator('.connection')).toHaveAttribute('data-link', 'connected');
  const { guest, guestContext } = await kiosk(browser, created.guest_url);

  // A real screenshot: what the operator's own page looks like now.
  const screenshot = await page.screenshot({ clip: { x: 0, y: 0, width: 480, height: 300 } });
  await pasteFile(guest, 'image.png', 'image/png', screenshot);
  await expect(guest.locator('.upload.done')).toHaveCount(1);
  await guest.getByLabel(t('en', 'chat.placeholder')).fill('This is what I see');
  await guest.getByRole('button', { name: t('en', 'chat.send') }).click();
  await expect(guest.locator('.uploads')).toHaveCount(0);

  const thumbnail = page.locator('.message.other .file-thumb img');
  await expect(thumbnail).toBeVisible();
  await expect(page.locator('.message.other .bubble')).toHaveText(['This is what I see']);
  await expect
    .poll(() => thumbnail.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
    .toBe(320);
  await page.getByRole('button', { name: `${t('en', 'files.open')}: image.png` }).click();
  const full = page.locator('.image-viewer img');
  await expect
    .poll(() => full.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
    .toBe(480);
  await page.keyboard.press('Escape');
  await expect(page.locator('.image-viewer')).toHaveCount(0);
  // The guest sees their own picture too, and the kiosk stays accessible with it.
  await expect(guest.locator('.message.own .file-thumb img')).toBeVisible();
  expect(await axeViolations(guest)).toEqual([]);
  await guestContext.close();
});

test('an operator drops a PDF into the panel and the customer downloads it from the widget', async ({ page, context, browser }) => {
  const host = await serveHostPage(context);
  const frame = await openHostPage(page, host);
  await openPanel(frame);
  const question = `Can you send invoice ${Date.now()}?`;
  await sendFromWidget(frame, question);
  const operator = await operatorPage(browser);
  await operator.locator('.inbox-row', { hasText: question }).getByRole('link').click();
  await expect(operator.locator('.connection')).toHaveAttribute('data-link', 'connected');

  await dropFile(operator, 'invoice-7.pdf', 'application/pdf', PDF);
  await expect(operator.locator('.upload.done .file-name')).toHaveText('invoice-7.pdf');
  await operator.getByRole('button', { name: t('en', 'chat.send') }).click();
  await expect(operator.locator('.message.own .file-card')).toContainText('invoice-7.pdf');
  expect(await axeViolations(operator, 'section.chat')).toEqual([]);

  // The widget's file card downloads with the customer's token.
  const card = frame.getByRole('link', { name: `${t('en', 'files.download')}: invoice-7.pdf` });
  await expect(card).toContainText('PDF');
  const [download] = await Promise.all([page.waitForEvent('download'), card.click()]);
  expect(download.suggestedFilename()).toBe('invoice-7.pdf');
  expect(await readFile(await download.path(), 'utf8')).toBe(PDF);

  // A picture comes with the customer's token too: its thumbnail and its full size draw, and
  // Escape in the viewer closes the viewer, not the widget.
  const screenshot = await operator.screenshot({ clip: { x: 0, y: 0, width: 400, height: 250 } });
  await pasteFile(operator, 'label.png', 'image/png', screenshot);
  await expect(operator.locator('.upload.done')).toHaveCount(1);
  await operator.getByRole('button', { name: t('en', 'chat.send') }).click();
  const thumbnail = frame.locator('.message.other .file-thumb img');
  await expect
    .poll(() => thumbnail.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
    .toBe(320);
  await frame.getByRole('button', { name: `${t('en', 'files.open')}: label.png` }).click();
  const full = frame.locator('.image-viewer img');
  await expect
    .poll(() => full.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
    .toBe(400);
  await page.keyboard.press('Escape');
  await expect(frame.locator('.image-viewer')).toHaveCount(0);
  await expect(frame.locator('#widget-panel')).toBeVisible();
  expect(await page.evaluate(() => (window as any).__violations)).toEqual([]);
  await operator.context().close();
});

test('a file of a kind the server refuses says so in the composer and is never sent', async ({ page, browser }) => {
  await signInByApi(page.request);
  const created = await createSessionByApi(page.request, 'Refused file');
  const { guest, guestContext } = await kiosk(browser, created.guest_url);
  // The browser logs the refusal's status; that is the point of this test.
  allowConsoleErrors(/status of 415 \(Unsupported Media Type\).*\/files\)$/);
  await pasteFile(guest, 'page.png', 'image/png', Buffer.from('<!DOCTYPE html><script>alert(1)</script>'));
  await expect(guest.locator('.upload.failed [role="alert"]')).toHaveText(t('en', 'files.unsupported'));
  await expect(guest.getByRole('button', { name: t('en', 'chat.send') })).toBeDisabled();
  await guest.getByRole('button', { name: `${t('en', 'files.remove')} page.png` }).click();
  await expect(guest.locator('.uploads')).toHaveCount(0);
  await guestContext.close();
});
