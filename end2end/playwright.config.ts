import { defineConfig } from '@playwright/test';

// The release server is started by webServer below, on its own port and a throwaway database;
// Playwright waits until it answers before running any test.
const port = process.env.E2E_PORT ?? '3107';
export const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 2,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  globalTeardown: './teardown.ts',
  use: {
    baseURL,
    locale: 'en-US',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [
    { name: 'main', testIgnore: /(presence|appearance|openapi)\.spec\.ts/ },
    // Specs that need the server to themselves run after all the others, one after the other:
    // whether an operator is online, and the widget's appearance, are server-wide.
    { name: 'alone', testMatch: /presence\.spec\.ts/, dependencies: ['main'] },
    { name: 'look', testMatch: /appearance\.spec\.ts/, dependencies: ['alone'] },
    // The fuzzer keeps both cores busy, so it runs after the rest, on a server of its own.
    { name: 'fuzz', testMatch: /openapi\.spec\.ts/, dependencies: ['look'] },
  ],
  webServer: {
    command: 'bash ./start-server.sh',
    url: `${baseURL}/login`,
    timeout: 60_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    env: { E2E_PORT: port },
  },
});
