import { readFileSync } from 'node:fs';
import { expect, test } from './fixtures';
import { axeViolations, t, waitForHydration } from './helpers';
import { openHostPage, openPanel, operatorPage, sendFromWidget, serveHostPage } from './widget-host';

test('a customer downloads their conversation from the widget without the team’s notes, and the operator downloads and prints it with them', async ({ browser, context, page }) => {
  test.setTimeout(60_000);
  const run = Date.now();
  const host = await serveHostPage(context);
  const frame = await openHostPage(page, host);
  await openPanel(frame);
  const question = `Parcel ${run} has not arrived`;
  await sendFromWidget(frame, question);
  await expect(frame.locator('ol.messages .message.own:not(.pending)')).toHaveCount(1);

  const operator = await operatorPage(browser);
  const listed = await (await operator.request.get('/api/v1/conversations?status=active')).json();
  const conversation = listed.conversations.find((c: { last_message_preview: string }) => c.last_message_preview === question);
  expect(conversation).toBeTruthy();
  const post = (data: object) => operator.request.post(`/api/v1/conversations/${conversation.id}/messages`, { data });
  expect((await post({ content: 'It left the depot today.' })).status()).toBe(201);
  expect((await post({ content: `Courier ${run} lost it once`, internal: true })).status()).toBe(201);
  await expect(frame.locator('ol.messages .message.other')).toContainText(['It left the depot today.']);

  // The customer's download: their words and the reply, not the note.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    frame.getByRole('button', { name: t('en', 'chat.transcript') }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('transcript.txt');
  const own = readFileSync(await download.path(), 'utf8').trimEnd().split('\n');
  expect(own).toHaveLength(2);
  expect(own[0]).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ .*\\(customer\\): ${question}$`));
  expect(own[1]).toContain('(operator): It left the depot today.');

  // The operator's, from the conversation page, with the notes ticked.
  await operator.goto(`/inbox/${conversation.id}`);
  await waitForHydration(operator);
  await operator.getByLabel(t('en', 'transcript.with_notes')).check();
  const [full] = await Promise.all([
    operator.waitForEvent('download'),
    operator.getByRole('button', { name: t('en', 'transcript.download') }).click(),
  ]);
  expect(full.suggestedFilename()).toBe(`transcript-${conversation.id}.txt`);
  const lines = readFileSync(await full.path(), 'utf8').trimEnd().split('\n');
  expect(lines).toHaveLength(3);
  expect(lines[2]).toContain(`(operator, private note): Courier ${run} lost it once`);

  // The printable page, notes only when asked.
  await operator.goto(`/conversations/${conversation.id}/print`);
  await waitForHydration(operator);
  await expect(operator.locator('ol.transcript > li')).toHaveCount(2);
  await expect(operator.locator('ol.transcript')).toContainText(question);
  expect(await axeViolations(operator)).toEqual([]);
  await operator.goto(`/conversations/${conversation.id}/print?notes=true`);
  await expect(operator.locator('ol.transcript > li.note')).toContainText(`Courier ${run} lost it once`);
});
