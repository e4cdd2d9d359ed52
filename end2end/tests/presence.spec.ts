import { expect, test } from './fixtures';
import { t } from './helpers';
import { launcher, openHostPage, openPanel, operatorPage, serveHostPage } from './widget-host';

// Whether an operator is connected is one fact for the whole server, so this spec runs in a
// project of its own, after every other spec has finished and closed its dashboards (see
// playwright.config.ts).

test('with no operator connected the widget says so and offers to take an email for replies', async ({ page, context, browser }) => {
  const host = await serveHostPage(context);
  const frame = await openHostPage(page, host);
  await openPanel(frame);
  await expect(frame.getByText(t('en', 'widget.away'))).toBeVisible();
  // The header agrees: the socket is up, but it does not say "Connected" beside "nobody here".
  await expect(frame.locator('.connection')).toHaveText(t('en', 'chat.team_away'));
  await frame.getByLabel(t('en', 'widget.email_offer')).fill('not an address');
  await frame.getByRole('button', { name: t('en', 'widget.email_save') }).click();
  await expect(frame.getByText(t('en', 'widget.email_invalid'))).toBeVisible();
  await frame.getByLabel(t('en', 'widget.email_offer')).fill('zoe@example.com');
  await frame.getByRole('button', { name: t('en', 'widget.email_save') }).click();
  await expect(frame.getByText(t('en', 'widget.email_saved'))).toBeVisible();

  // An operator opens the dashboard: the next time the panel opens, the notice is gone.
  await operatorPage(browser);
  await frame.getByRole('button', { name: t('en', 'widget.close') }).first().click();
  await launcher(frame).click();
  await expect(frame.getByText(t('en', 'widget.away'))).toHaveCount(0);
  await expect(frame.locator('.connection')).toHaveText(t('en', 'chat.connected'));
});
