import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { expect } from '@playwright/test';

/**
 * A Switchboard server of a spec's own, beside the suite's: the specs that need a server in a
 * state nobody else touches (an empty folder, a fuzzer's requests) start one with this.
 */
export interface OwnServer {
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  /** What the server printed so far. */
  log(): string;
  /** Stops the server and waits for it to exit. */
  stop(): Promise<void>;
}

/** A port nobody listens on now. */
export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Creates an operator with `binary create-operator`, run in `cwd` with `env`. */
export function createOperator(
  binary: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
  operator: { email: string; name: string; password: string; role: string },
) {
  const created = spawnSync(
    binary,
    ['create-operator', '--email', operator.email, '--name', operator.name, '--role', operator.role],
    { cwd, env, input: `${operator.password}\n`, encoding: 'utf8' },
  );
  expect(created.status, created.stderr).toBe(0);
}

/** Starts `binary serve` in `cwd` with `env` (which must set `LEPTOS_SITE_ADDR` to `port`) and waits until `/healthz` answers. */
export async function startServer(binary: string, cwd: string, env: NodeJS.ProcessEnv, port: number): Promise<OwnServer> {
  const origin = `http://127.0.0.1:${port}`;
  let log = '';
  const server: ChildProcess = spawn(binary, ['serve'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout?.on('data', (chunk) => (log += chunk));
  server.stderr?.on('data', (chunk) => (log += chunk));
  await expect
    .poll(
      async () => {
        try {
          return (await fetch(`${origin}/healthz`)).status;
        } catch {
          return 0;
        }
      },
      { timeout: 30_000, message: `the server answers /healthz (its output: ${log})` },
    )
    .toBe(200);
  return {
    origin,
    log: () => log,
    stop: async () => {
      if (server.exitCode === null) {
        const exited = new Promise((done) => server.once('exit', done));
        server.kill('SIGTERM');
        await exited;
      }
    },
  };
}
