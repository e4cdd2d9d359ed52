import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Fails the run if the server panicked while serving the suite, even if every page looked fine. */
export default async function teardown(): Promise<void> {
  const log = join(__dirname, '.tmp', 'server.log');
  if (!existsSync(log)) throw new Error(`no server log at ${log}`);
  const panics = readFileSync(log, 'utf8')
    .split('\n')
    .filter((line) => line.includes('panicked'));
  if (panics.length > 0) {
    throw new Error(`the server panicked ${panics.length} time(s) during the suite:\n${panics.slice(0, 5).join('\n')}`);
  }
}
