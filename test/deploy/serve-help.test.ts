// `cloud-data-sync serve --help`: serve's own help, which explains TLS, /healthz and /metrics and
// where the Docker and systemd files are; what it names must exist and agree with the code.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { helpText, parseArgs, SERVE_USAGE, USAGE, type CliArgs } from '../../electron/headless/args';
import { SHUTDOWN_GRACE_MS, TOKEN_ENV } from '../../electron/server/serve';
import { RENEW_BEFORE_DAYS } from '../../electron/server/tls';
import { REPO_ROOT, spawnCli } from '../support/cli-child';

describe('serve --help', () => {
  it('is asked for by `serve --help` and `serve -h`; plain --help stays the general help, which points to it', () => {
    expect(helpText(parseArgs(['serve', '--help']) as CliArgs)).toBe(SERVE_USAGE);
    expect(helpText(parseArgs(['serve', '--port', '9000', '-h']) as CliArgs)).toBe(SERVE_USAGE);
    expect(helpText(parseArgs(['--help']) as CliArgs)).toBe(USAGE);
    expect(USAGE).toContain('cloud-data-sync serve --help');
  });

  it('explains the token, TLS and pinning, the endpoints, Docker and systemd', () => {
    for (const text of [
      `$${TOKEN_ENV}`,
      '--tls-cert PATH',
      '--tls-key PATH',
      '--tls-self-signed',
      'tls-cert.pem',
      'tls-key.pem',
      'SHA-256 fingerprint:',
      'GET /metrics',
      'GET /healthz',
      'HEAD',
      'the volume /data',
      'docker build',
      '/etc/cloud-data-sync/env',
    ]) {
      expect(SERVE_USAGE).toContain(text);
    }
    expect(SERVE_USAGE).toContain(`runs in flight get ${SHUTDOWN_GRACE_MS / 1000} s`);
    expect(SERVE_USAGE).toContain(`renewed ${RENEW_BEFORE_DAYS} days before its end`);
  });

  it('names files that exist', () => {
    for (const file of ['Dockerfile', 'deploy/cloud-data-sync.service', 'deploy/cloud-data-sync.env.example']) {
      expect(SERVE_USAGE).toContain(file === 'Dockerfile' ? 'the Dockerfile' : file);
      expect(existsSync(path.join(REPO_ROOT, file)), file).toBe(true);
    }
  });

  it('is what the command prints', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'cds-help-'));
    try {
      const cli = spawnCli(['serve', '--help'], cwd);
      expect(await cli.exit).toBe(0);
      expect(cli.stdout()).toBe(`${SERVE_USAGE}\n`);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
