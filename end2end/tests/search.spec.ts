import { expect, test } from './fixtures';
import { axeViolations, signedIdentity, t, waitForHydration } from './helpers';
import { openHostPage, openPanel, operatorPage, sendFromWidget, serveHostPage } from './widget-host';

test('an operator searches from the header, sees the match marked, and lands on the message', async ({ browser, context, page }) => {
  test.setTimeout(60_000);
  const run = Date.now();
  const word = `zq${run}`;
  const userId = `nadia-${run}`;
  const s = signedIdentity(userId, `${userId}@example.com`, `Nadia ${run}`);
  const host = await serveHostPage(
    context,
    `data-user-id="${s.user_id}" data-email="${s.email}" data-name="${s.name}" data-issued-at="${s.issued_at}" data-signature="${s.signature}"`,
  );
  const frame = await openHostPage(page, host);
  await openPanel(frame);
  await sendFromWidget(frame, `The printer <b>${word}</b> jams on tray two`);
  await sendFromWidget(frame, 'Any news?');
  await expect(frame.locator('ol.messages .message.own:not(.pending)')).toHaveCount(2);

  const operator = await operatorPage(browser);
  await operator.getByRole('searchbox', { name: t('en', 'search.field') }).fill(`${word.toUpperCase()} "tray two"`);
  await operator.getByRole('searchbox', { name: t('en', 'search.field') }).press('Enter');
  await expect(operator).toHaveURL(/\/search\?q=/);
  await waitForHydration(operator);
  const results = operator.locator('.search-result');
  await expect(results).toHaveCount(1);
  await expect(results).toContainText(`Nadia ${run}`);
  // The customer's markup is text; only the matches are marked.
  const hit = results.locator('.hits li');
  await expect(hit).toHaveCount(1);
  await expect(hit.locator('.snippet')).toHaveText(`The printer <b>${word}</b> jams on tray two`);
  await expect(hit.locator('mark')).toHaveText([word, 'tray', 'two']);
  await expect(hit.locator('b')).toHaveCount(0);
  expect(await axeViolations(operator)).toEqual([]);

  // A customer's name finds the conversation too, and says so.
  await operator.getByLabel(t('en', 'search.query')).fill(`nadia ${run}`);
  await operator.getByRole('button', { name: t('en', 'search.submit') }).click();
  await expect(results.locator('.badge', { hasText: t('en', 'search.matched_customer') })).toBeVisible();
  await expect(operator.getByText(t('en', 'search.empty'))).toHaveCount(0);

  // Nothing archived matches.
  await operator.getByLabel(t('en', 'search.query')).fill(word);
  await operator.getByLabel(t('en', 'search.status')).selectOption('archived');
  await operator.getByRole('button', { name: t('en', 'search.submit') }).click();
  await expect(operator.getByText(t('en', 'search.empty'))).toBeVisible();
  await operator.getByLabel(t('en', 'search.status')).selectOption('');
  await operator.getByRole('button', { name: t('en', 'search.submit') }).click();

  // The hit opens the conversation at that message, marked and focused.
  await results.locator('.hits a').click();
  await expect(operator).toHaveURL(/\/inbox\/[0-9a-f-]{36}\?seq=1$/);
  const found = operator.locator('li.message.found');
  await expect(found).toHaveCount(1);
  await expect(found).toContainText(word);
  await expect(found).toBeFocused();
});
