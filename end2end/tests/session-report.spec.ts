import { expect, test } from './fixtures';
import { axeViolations, clickAndConfirm, createSessionByApi, signInByApi, t, waitForHydration } from './helpers';

test('ending a session asks how it went; the report shows on the session and the ended list filters by outcome', async ({ page }) => {
  await signInByApi(page.request);
  const run = Date.now();
  const fixed = await createSessionByApi(page.request, `Scanner ${run}`);
  const other = await createSessionByApi(page.request, `Router ${run}`);
  // The guest joins by writing.
  const joined = await page.request.post(`/support/guest/${fixed.guest_token}/messages`, { data: { content: 'Hello?' } });
  expect(joined.status()).toBe(201);

  await page.goto(`/sessions/${fixed.session.id}`);
  await waitForHydration(page);
  const outcomes = page.getByRole('group', { name: t('en', 'detail.outcome_question') });
  await expect(outcomes.getByLabel(t('en', 'sessions.outcome_unknown'), { exact: true })).toBeChecked();
  await outcomes.getByLabel(t('en', 'sessions.outcome_resolved'), { exact: true }).check();
  await page.getByLabel(t('en', 'detail.report')).fill('Reinstalled the driver.\nScans again.');
  expect(await axeViolations(page)).toEqual([]);
  await clickAndConfirm(page, t('en', 'detail.end'));
  await expect(page.locator('.badge.ended')).toHaveText(t('en', 'status.ended'));
  await expect(page.locator('dd.outcome')).toHaveText(t('en', 'sessions.outcome_resolved'));
  await expect(page.locator('dd.report')).toHaveText('Reinstalled the driver.\nScans again.');
  const stored = await (await page.request.get(`/api/v1/sessions/${fixed.session.id}`)).json();
  expect(stored.session.outcome).toBe('resolved');
  expect(stored.session.joined_at).not.toBeNull();

  // The other one ends with the default: unknown.
  await page.goto(`/sessions/${other.session.id}`);
  await waitForHydration(page);
  await clickAndConfirm(page, t('en', 'detail.end'));
  await expect(page.locator('dd.outcome')).toHaveText(t('en', 'sessions.outcome_unknown'));

  await page.goto('/sessions?tab=ended');
  await waitForHydration(page);
  const row = page.locator('table.sessions tr', { hasText: `Scanner ${run}` });
  await expect(row.locator('.outcome')).toHaveText(t('en', 'sessions.outcome_resolved'));
  // Joined and ended within the minute.
  await expect(row.locator('td').last()).toHaveText('0 min');
  const filter = page.getByRole('navigation', { name: t('en', 'sessions.outcome_filter') });
  await filter.getByRole('link', { name: t('en', 'sessions.outcome_resolved'), exact: true }).click();
  await expect(page).toHaveURL(/outcome=resolved/);
  await expect(page.getByRole('link', { name: `Scanner ${run}` })).toBeVisible();
  await expect(page.getByRole('link', { name: `Router ${run}` })).toHaveCount(0);
  await filter.getByRole('link', { name: t('en', 'sessions.outcome_unknown'), exact: true }).click();
  await expect(page.getByRole('link', { name: `Router ${run}` })).toBeVisible();
  await expect(page.getByRole('link', { name: `Scanner ${run}` })).toHaveCount(0);
  expect(await axeViolations(page)).toEqual([]);
});
