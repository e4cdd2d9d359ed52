import { defineConfig } from '@playwright/test';
import base from './playwright.config';

// Benchmarks that print figures (docs/PERFORMANCE.md), run by hand after a release build:
// `npx playwright test -c bench.config.ts`. They time, so the test command never runs them.
export default defineConfig({
  ...base,
  testDir: './bench',
  timeout: 300_000,
  workers: 1,
  projects: [
    {
      name: 'bench',
      use: {
        launchOptions: {
          ...base.use!.launchOptions,
          // The host page (localhost) and Switchboard (127.0.0.1) are two sites: kept in one
          // renderer process, the page's network and CPU throttling covers the widget's frame.
          args: [...base.use!.launchOptions!.args!, '--disable-site-isolation-trials', '--disable-features=IsolateOrigins,site-per-process'],
        },
      },
    },
  ],
});
