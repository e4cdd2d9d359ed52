import { readFileSync } from 'node:fs';
import { expect, test } from './fixtures';
import { axeViolations, clickAndConfirm, signedIdentity, signInByApi, t, waitForHydration } from './helpers';

test('an admin finds a customer, downloads their data and erases it; the inbox then shows an erased customer', async ({ page }) => {
  const run = Date.now();
  const name = `Wilhelmina Quast ${run}`;
  const email = `quast-${run}@shop.example`;
  const started = await page.request.post('/api/v1/widget/session', {
    data: signedIdentity(`user-${run}`, email, name),
  });
  expect(started.status()).toBe(200);
  const widget = await started.json();
  const said = `Order ${run} arrived broken`;
  const posted = await page.request.post('/api/v1/widget/messages', {
    data: { content: said },
    headers: { authorization: `Bearer ${widget.widget_token}` },
  });
  expect(posted.status()).toBe(201);

  await signInByApi(page.request);
  await page.goto('/customers');
  await waitForHydration(page);
  await page.getByLabel(t('en', 'customers.field')).fill(`quast ${run}`);
  await page.getByRole('button', { name: t('en', 'customers.find') }).click();
  await expect(page).toHaveURL(/q=quast/);
  const rows = page.locator('table.customers tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(name);
  await expect(rows.first()).toContainText(email);
  await expect(rows.first()).toContainText(t('en', 'customers.signed'));
  expect(await axeViolations(page)).toEqual([]);

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    rows.first().getByRole('link', { name: t('en', 'customers.export') }).click(),
  ]);
  expect(download.suggestedFilename()).toBe(`customer-${widget.customer.id}.json`);
  const exported = JSON.parse(readFileSync(await download.path(), 'utf8'));
  expect(exported.customer.email).toBe(email);
  expect(exported.conversations[0].messages.map((m: { content: string }) => m.content)).toEqual([said]);

  await clickAndConfirm(page, t('en', 'customers.erase'));
  await expect(rows).toHaveCount(0);
  await expect(page.getByText(t('en', 'customers.empty'))).toBeVisible();

  // Listed still, without a name, as erased.
  await page.goto(`/customers?q=${widget.customer.id}`);
  await waitForHydration(page);
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(t('en', 'inbox.erased_customer'));
  await expect(rows.first().locator('.badge.ended')).toHaveText(t('en', 'customers.erased'));
  await expect(rows.first()).not.toContainText(email);

  await page.goto(`/inbox/${widget.conversation_id}`);
  await waitForHydration(page);
  await expect(page.locator('ol.messages')).not.toContainText(said);
  await expect(page.locator('.system-line')).toHaveText(t('en', 'chat.erased').replace('{{ by }}', 'Erin Operator'));
  await expect(page.locator('main')).toContainText(t('en', 'inbox.erased_customer'));
  await expect(page.locator('.erased-note')).toHaveText(t('en', 'inbox.erased_note'));
  const after = await page.request.get(`/api/v1/widget/messages`, {
    headers: { authorization: `Bearer ${widget.widget_token}` },
  });
  expect(after.status()).toBe(401);
});
