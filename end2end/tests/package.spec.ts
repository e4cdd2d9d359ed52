import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from './fixtures';

/**
 * The release tarball (`scripts/dev.sh dist` packs it with scripts/package.sh): what it holds,
 * that its binary runs, and that systemd accepts its unit as written.
 */
const ROOT = resolve(__dirname, '../..');
const RELEASE = join(ROOT, 'target/release/switchboard');

function run(command: string, args: string[], cwd = ROOT) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
  expect(result.status, `${command} ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result;
}

let folder: string;
test.beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'switchboard-dist-'));
});
test.afterAll(() => rmSync(folder, { recursive: true, force: true }));

test('the release tarball holds the binary, the unit, an example environment and the production notes', () => {
  const version = run(RELEASE, ['--version']).stdout.split(' ')[1];
  const tarball = run('bash', ['scripts/package.sh', RELEASE, join(folder, 'out')]).stdout.trim();
  expect(tarball).toBe(join(folder, 'out', `switchboard-${version}-linux-x86_64.tar.gz`));
  const name = `switchboard-${version}-linux-x86_64`;
  expect(run('tar', ['-tzf', tarball]).stdout.trim().split('\n').sort()).toEqual(
    [`${name}/`, ...['PRODUCTION.md', 'switchboard', 'switchboard.env', 'switchboard.service'].map((f) => `${name}/${f}`)].sort(),
  );
  run('tar', ['-xzf', tarball, '-C', folder]);
  const unpacked = join(folder, name);
  expect(statSync(join(unpacked, 'switchboard')).mode & 0o777).toBe(0o755);
  expect(statSync(join(unpacked, 'switchboard.env')).mode & 0o777).toBe(0o600);
  // The stripped copy still names itself (and carries its site: standalone.spec.ts serves one).
  expect(run(join(unpacked, 'switchboard'), ['--version']).stdout).toBe(run(RELEASE, ['--version']).stdout);
  const production = readFileSync(join(unpacked, 'PRODUCTION.md'), 'utf8');
  expect(production.startsWith('## Production\n')).toBe(true);
  expect(production).toContain('LimitNOFILE');
  expect(production).not.toMatch(/\n## (?!Production)/);
  const env = readFileSync(join(unpacked, 'switchboard.env'), 'utf8');
  for (const line of env.split('\n').filter((l) => l && !l.startsWith('#'))) {
    expect(line, 'every setting is VARIABLE=value').toMatch(/^[A-Z][A-Z0-9_]*=\S/);
  }
});

test('systemd accepts the unit without a warning, with its hardening and file limit', () => {
  const unit = readFileSync(join(ROOT, 'packaging/switchboard.service'), 'utf8');
  expect(unit).toMatch(/^LimitNOFILE=\d+$/m);
  for (const option of ['NoNewPrivileges=yes', 'ProtectSystem=strict', 'DynamicUser=yes', 'PrivateTmp=yes']) {
    expect(unit).toContain(`\n${option}\n`);
  }
  // systemd-analyze checks that ExecStart's program exists: the built binary stands in for
  // /usr/local/bin/switchboard.
  const copy = join(folder, 'switchboard.service');
  writeFileSync(copy, unit.replaceAll('/usr/local/bin/switchboard', RELEASE));
  const verified = spawnSync('systemd-analyze', ['verify', copy], { encoding: 'utf8' });
  expect(verified.status, verified.stderr).toBe(0);
  expect(verified.stderr.trim(), 'systemd-analyze warns of nothing').toBe('');
});
