// The local connection's "symlinks" setting: read by the config file and the app's connection input
// with the same rule ('skip' | 'follow', absent = the provider's default 'skip'), and exported back.
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, toConfigJson, validateConnectionInput, type ConfigIssue } from '../../shared/config';

function configWith(local: Record<string, unknown>): string {
  return JSON.stringify({
    providers: [
      { id: 'disk', type: 'local', local: { root: '/srv/buckets', ...local } },
      { id: 'backup', type: 'local', local: { root: '/srv/backup' } },
    ],
    mappings: [{ sourceProviderId: 'disk', sourceBucket: 'photos', targetProviderId: 'backup', targetBucket: 'photos' }],
  });
}

function issuesOf(run: () => unknown): readonly ConfigIssue[] {
  try {
    run();
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('local "symlinks" setting', () => {
  it.each(['skip', 'follow'] as const)('loads "%s" and exports it again', (policy) => {
    const config = parseConfig(configWith({ symlinks: policy }));
    expect(config.warnings).toEqual([]);
    expect(config.connections[0]).toMatchObject({ type: 'local', local: { root: '/srv/buckets', symlinks: policy } });
    expect(parseConfig(toConfigJson(config.connections, config.mappings)).connections).toStrictEqual(config.connections);
  });

  it('is absent when not given (the provider then skips symlinks)', () => {
    expect(parseConfig(configWith({})).connections[0]).toStrictEqual({ id: 'disk', name: 'disk', type: 'local', local: { root: '/srv/buckets' } });
  });

  it.each([['links', '"links"'], [true, 'true'], ['Follow', '"Follow"']])('refuses %j, naming the field and the allowed values', (value, shown) => {
    expect(issuesOf(() => parseConfig(configWith({ symlinks: value })))).toEqual([
      { field: 'providers[0].local.symlinks', message: `must be one of "skip", "follow" (got ${shown})` },
    ]);
  });

  it('is read by the app\'s connection input with the same rule', () => {
    expect(validateConnectionInput({ name: 'Disk', type: 'local', local: { root: '/srv/buckets', symlinks: 'follow' } }, 'disk')).toMatchObject({ local: { symlinks: 'follow' } });
    expect(issuesOf(() => validateConnectionInput({ name: 'Disk', type: 'local', local: { root: '/srv/buckets', symlinks: 'yes' } }, 'disk'))).toEqual([
      { field: 'local.symlinks', message: 'must be one of "skip", "follow" (got "yes")' },
    ]);
  });
});
