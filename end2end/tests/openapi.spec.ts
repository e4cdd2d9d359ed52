import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { createOperator, freePort, OwnServer, startServer } from './own-server';

/**
 * Schemathesis, a third-party client, fuzzes the REST API from the server's own OpenAPI document
 * (`GET /api/v1/openapi.json`): signed in as an operator, as a session's guest with their link's
 * token, as a widget customer with their token, and with no credentials. No answer may be a 5xx,
 * and every answer must match the document: its status, content type, headers and body.
 *
 * It runs against a server of its own (a fresh SQLite file), so its requests cannot disturb the
 * other specs, and with a fixed seed, so a run repeats the same cases.
 */
// The release build, or another (SWITCHBOARD_BIN, from the repository's root) while iterating.
const RELEASE = resolve(__dirname, '../..', process.env.SWITCHBOARD_BIN ?? 'target/release/switchboard');
const SCHEMATHESIS = process.env.SCHEMATHESIS ?? join(homedir(), '.cache/switchboard/schemathesis/bin/schemathesis');
const EMAIL = 'fuzz@example.com';
const PASSWORD = 'fuzz-operator-password';
/** Cases per operation in the fuzzing phase; the examples and coverage phases add their own. */
const MAX_EXAMPLES = '20';
const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_headers_conformance',
  'response_schema_conformance',
].join(',');

test.describe.configure({ mode: 'serial' });
test.setTimeout(300_000);

let folder: string;
let server: OwnServer;

test.beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'switchboard-fuzz-'));
  const port = await freePort();
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
    SWITCHBOARD_PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: `sqlite:${join(folder, 'fuzz.db')}`,
    SWITCHBOARD_MAIL_DIR: join(folder, 'mail'),
    // The fuzzer is one address and one customer sending thousands of requests: the customer
    // doors' windows and the upload rate are raised so it reaches past them (their own tests
    // are integration tests).
    SWITCHBOARD_WIDGET_RATE_PER_ADDRESS: '100000',
    SWITCHBOARD_WIDGET_NEW_VISITORS_PER_ADDRESS: '100000',
    SWITCHBOARD_WIDGET_RATE_PER_CUSTOMER: '100000',
    SWITCHBOARD_UPLOADS_PER_MINUTE: '100000',
    RUST_LOG: 'warn',
  };
  createOperator(RELEASE, folder, env, { email: EMAIL, name: 'Fay Fuzz', password: PASSWORD, role: 'admin' });
  server = await startServer(RELEASE, folder, env, port);
});

test.afterAll(async () => {
  await server?.stop();
  rmSync(folder, { recursive: true, force: true });
});

/** The operator's `Cookie` header. */
async function operatorCookie(): Promise<string> {
  const response = await fetch(`${server.origin}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
  });
  expect(response.status).toBe(200);
  const session = response.headers.getSetCookie().find((cookie) => cookie.startsWith('switchboard_session='));
  expect(session).toBeDefined();
  return (session ?? '').split(';')[0];
}

/** A new anonymous visitor's widget token. */
async function widgetToken(): Promise<string> {
  const started = await fetch(`${server.origin}/api/v1/widget/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  expect(started.status).toBe(200);
  return (await started.json()).widget_token;
}

/** What one Schemathesis run printed, and whether it passed. */
async function schemathesis(args: string[], config?: string): Promise<{ code: number | null; output: string }> {
  const global = ['--no-color'];
  if (config) {
    const file = join(folder, `schemathesis-${Date.now()}.toml`);
    writeFileSync(file, config);
    global.push('--config-file', file);
  }
  const command = [
    ...global,
    'run',
    `${server.origin}/api/v1/openapi.json`,
    '--url',
    server.origin,
    '--checks',
    CHECKS,
    '--max-examples',
    MAX_EXAMPLES,
    '--seed',
    '20261206',
    // One worker: Hypothesis parses lambdas' source with `ast.parse`, which CPython before
    // 3.11.8 cannot run on two threads at once ("AST constructor recursion depth mismatch",
    // CPython gh-106905); it failed a CI run here.
    '--workers',
    '1',
    '--generation-database',
    'none',
    ...args,
  ];
  return new Promise((done, fail) => {
    let output = '';
    const run = spawn(SCHEMATHESIS, command, { cwd: folder, stdio: ['ignore', 'pipe', 'pipe'] });
    run.stdout.on('data', (chunk) => (output += chunk));
    run.stderr.on('data', (chunk) => (output += chunk));
    run.once('error', fail);
    run.once('exit', (code) => done({ code, output }));
  });
}

/** Runs Schemathesis and expects it to pass; prints its summary. */
async function fuzz(party: string, args: string[], config?: string) {
  const { code, output } = await schemathesis(args, config);
  const summary = output.split('\n').filter((line) => /test cases|operations|passed|failed|error/i.test(line));
  console.log(`schemathesis, ${party}:\n  ${summary.slice(-6).join('\n  ')}`);
  expect(code, `Schemathesis as ${party} (server log: ${server.log()}):\n${output}`).toBe(0);
  expect(output).toMatch(/\d+ (generated|passed)/);
}

// The runs go in this order because each may change what the next finds: the operator's run
// learns ids from answers and uses them (ending sessions, rotating links, erasing customers), and
// the run without credentials tries sign-ins until the limiter answers 429.

test('Schemathesis finds no server error and no answer outside the document when an operator or a customer signs out', async () => {
  await fuzz('an operator and a customer signing out', [
    '--header',
    `Cookie: ${await operatorCookie()}`,
    '--header',
    `Authorization: Bearer ${await widgetToken()}`,
    '--include-path',
    '/api/v1/auth/logout',
    '--include-path',
    '/api/v1/me/signins/{id}',
    '--include-path',
    '/api/v1/widget/signout',
  ]);
});

test('Schemathesis finds no server error and no answer outside the document, as a guest with their link', async () => {
  const cookie = await operatorCookie();
  const created = await fetch(`${server.origin}/api/v1/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ title: 'Fuzzed session' }),
  });
  expect(created.status).toBe(201);
  const { guest_token: token } = await created.json();
  await fuzz('a guest', ['--include-path-regex', '^/support/guest/'], `[parameters]\n"path.token" = "${token}"\n`);
});

test('Schemathesis finds no server error and no answer outside the document, as a widget customer', async () => {
  // Signing out would end the token: the first run covers it.
  await fuzz('a customer', [
    '--header',
    `Authorization: Bearer ${await widgetToken()}`,
    '--include-path-regex',
    '^/api/v1/widget/',
    '--exclude-path',
    '/api/v1/widget/signout',
  ]);
});

test('Schemathesis finds no server error and no answer outside the document, signed in as an operator', async () => {
  const cookie = await operatorCookie();
  // Ending its own sign-in would leave the rest of the run signed out: the first run covers both.
  await fuzz('an operator', [
    '--header',
    `Cookie: ${cookie}`,
    '--exclude-path',
    '/api/v1/auth/logout',
    '--exclude-path',
    '/api/v1/me/signins/{id}',
  ]);
});

test('Schemathesis finds no server error and no answer outside the document, without credentials', async () => {
  await fuzz('nobody', []);
});
