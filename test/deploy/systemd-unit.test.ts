// deploy/cloud-data-sync.service: hardened as the issue asks, its ExecStart a serve command line our
// own parser takes, its stop timeout longer than serve's grace; and `systemd-analyze verify` accepts
// it where systemd-analyze is installed (this test says when it was not run).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVE_PORT, parseArgs } from '../../electron/headless/args';
import { EXIT } from '../../electron/headless/exit-codes';
import { isLoopbackHost } from '../../electron/server/security';
import { SHUTDOWN_GRACE_MS, TOKEN_ENV } from '../../electron/server/serve';
import { REPO_ROOT } from '../support/cli-child';

const UNIT = path.join(REPO_ROOT, 'deploy/cloud-data-sync.service');
const ENV_EXAMPLE = path.join(REPO_ROOT, 'deploy/cloud-data-sync.env.example');

/** Section → key → every value given (systemd allows repeats), comments and blank lines left out. */
function readUnit(file: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      current = new Map();
      sections.set(section[1]!, current);
      continue;
    }
    const eq = line.indexOf('=');
    if (!current || eq < 0) throw new Error(`cannot read "${line}" in ${file}`);
    const key = line.slice(0, eq);
    current.set(key, [...(current.get(key) ?? []), line.slice(eq + 1)]);
  }
  return sections;
}

const unit = readUnit(UNIT);
const service = unit.get('Service')!;
const one = (key: string): string => {
  const values = service.get(key);
  if (values?.length !== 1) throw new Error(`expected one ${key}= in [Service], found ${values?.length ?? 0}`);
  return values[0]!;
};

/** systemd's seconds: "30", "30s", "1min 30s". */
function seconds(value: string): number {
  let total = 0;
  for (const [, n, unitName] of value.matchAll(/(\d+)\s*(min|s|ms)?/g)) total += Number(n) * (unitName === 'min' ? 60 : unitName === 'ms' ? 0.001 : 1);
  return total;
}

function which(command: string): string | null {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : null;
}

describe('the systemd unit', () => {
  it('is hardened: its own dynamic user, a state directory, a read-only system, no capabilities, IP and Unix sockets only', () => {
    expect(one('DynamicUser')).toBe('yes');
    expect(one('StateDirectory')).toBe('cloud-data-sync');
    expect(one('StateDirectoryMode')).toBe('0700');
    expect(one('ProtectSystem')).toBe('strict');
    expect(one('ProtectHome')).toBe('yes');
    expect(one('PrivateTmp')).toBe('yes');
    expect(one('NoNewPrivileges')).toBe('yes');
    expect(one('CapabilityBoundingSet')).toBe('');
    expect(one('RestrictAddressFamilies')).toBe('AF_INET AF_INET6 AF_UNIX');
    expect(one('Restart')).toBe('on-failure');
    // A usage or configuration error is not retried; the other failures are.
    expect(one('RestartPreventExitStatus')).toBe(String(EXIT.usage));
    expect(unit.get('Install')!.get('WantedBy')).toEqual(['multi-user.target']);
  });

  it('reads the token from an environment file, as the example gives it', () => {
    expect(one('EnvironmentFile')).toBe('/etc/cloud-data-sync/env');
    const example = readFileSync(ENV_EXAMPLE, 'utf8');
    expect(example).toMatch(new RegExp(`^${TOKEN_ENV}=\\S+$`, 'm'));
  });

  it('starts serve with a command line our parser takes: loopback, the default port, the database in the state directory', () => {
    const words = one('ExecStart').split(/\s+/);
    expect(words.slice(0, 2)).toEqual(['/usr/bin/env', 'cloud-data-sync']);
    // %S is the root of state directories: /var/lib for a system service.
    const argv = words.slice(2).map((word) => word.replaceAll('%S', '/var/lib'));
    const args = parseArgs(argv);
    expect(args).toMatchObject({ command: 'serve', port: DEFAULT_SERVE_PORT, dbPath: `/var/lib/${one('StateDirectory')}/data.db` });
    expect(isLoopbackHost((args as { host: string }).host)).toBe(true);
  });

  it("gives serve more time to stop than serve's own grace for runs in flight", () => {
    expect(seconds(one('TimeoutStopSec'))).toBeGreaterThan(SHUTDOWN_GRACE_MS / 1000 + 5);
  });

  const analyze = which('systemd-analyze');
  it.skipIf(analyze === null)('is accepted by systemd-analyze verify (skipped where systemd-analyze is not installed)', () => {
    const verify = spawnSync(analyze!, ['verify', UNIT], { encoding: 'utf8', timeout: 60_000 });
    // verify exits 0 even for unknown keys, which it only prints: nothing may be said about this unit.
    const said = `${verify.stdout}${verify.stderr}`.split('\n').filter((line) => line.includes('cloud-data-sync'));
    expect(said).toEqual([]);
    expect(verify.status).toBe(0);
  });

  it.skipIf(analyze === null)('has a low exposure in systemd-analyze security (skipped where systemd-analyze is not installed)', () => {
    const security = spawnSync(analyze!, ['security', '--offline=yes', UNIT], { encoding: 'utf8', timeout: 60_000 });
    const level = /Overall exposure level for cloud-data-sync\.service: ([\d.]+)/.exec(security.stdout);
    // systemd before 250 has no --offline: nothing to judge then.
    if (!level && /offline/.test(security.stderr)) return;
    expect(level, security.stdout + security.stderr).not.toBeNull();
    // 0 is the most locked down, 10 the least; "OK" is below 5. Node needs W^X memory and @system-service.
    expect(Number(level![1])).toBeLessThanOrEqual(2.5);
  });
});
