import { basename } from 'node:path';
import { BrowserContext, expect, test as base } from '@playwright/test';

/**
 * Every spec runs with these fixtures:
 * - `operator`: the spec file's own operator, which start-server.sh creates (one per spec file),
 *   so no spec can trip another's sign-in limits, socket caps or send windows, however many
 *   specs the suite grows to.
 * - contexts a test opens with `browser.newContext` are closed when it ends.
 * - page errors: any uncaught exception or console error in any page of the test, in the
 *   test's own context or one it opens, fails the test. A test that expects a console error
 *   (a page that is meant to answer 404, say) names it with `allowConsoleErrors`.
 */
export type Operator = { email: string; password: string; name: string };

const allowed: RegExp[] = [];

/** Lets console errors that match `pattern` pass, for the current test only. */
export function allowConsoleErrors(pattern: RegExp): void {
  allowed.push(pattern);
}

/** The operator of the spec file `file`, as start-server.sh names it. */
export function operatorOf(file: string): Operator {
  return {
    email: `e2e-${basename(file, '.spec.ts')}@example.com`,
    password: 'e2e-operator-password',
    name: 'Erin Operator',
  };
}

export const test = base.extend<{ operator: Operator; pageErrors: void }>({
  // eslint-disable-next-line no-empty-pattern
  operator: async ({}, use, testInfo) => {
    await use(operatorOf(testInfo.file));
  },
  pageErrors: [
    async ({ context, browser }, use) => {
      const errors: string[] = [];
      allowed.length = 0;
      const watch = (ctx: BrowserContext) => {
        ctx.on('weberror', (error) => errors.push(`uncaught: ${error.error().message}`));
        ctx.on('console', (message) => {
          if (message.type() === 'error') {
            errors.push(`console: ${message.text()} (${message.location().url})`);
          }
        });
      };
      watch(context);
      const opened: BrowserContext[] = [];
      const newContext = browser.newContext.bind(browser);
      browser.newContext = async (options) => {
        const ctx = await newContext(options);
        watch(ctx);
        opened.push(ctx);
        return ctx;
      };
      await use();
      browser.newContext = newContext;
      // Contexts a test opened end with it: their sockets (an operator's dashboard, say) must
      // not outlive the test.
      await Promise.all(opened.map((ctx) => ctx.close().catch(() => {})));
      const unexpected = errors.filter((e) => !allowed.some((pattern) => pattern.test(e)));
      expect(unexpected, 'errors in the pages of this test').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
