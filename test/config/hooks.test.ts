// The config reader's `hooks`: each field's error names it, a valid object reads back as given,
// export writes it unchanged.
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, toConfigJson, type ConfigIssue } from '../../shared/config';

type Json = { [key: string]: unknown };

function configWith(fields: Json): string {
  return JSON.stringify({
    providers: [
      { id: 'disk', type: 'local', local: { root: '/srv/a' } },
      { id: 'other', type: 'local', local: { root: '/srv/b' } },
    ],
    mappings: [{ sourceProviderId: 'disk', sourceBucket: 'src', targetProviderId: 'other', targetBucket: 'dst', ...fields }],
  });
}

function issuesOf(hooks: unknown): ConfigIssue[] {
  try {
    parseConfig(configWith({ hooks }));
  } catch (err) {
    if (err instanceof ConfigError) return [...err.issues];
    throw err;
  }
  throw new Error('expected parseConfig to throw ConfigError');
}

describe('config: hooks', () => {
  it('reads before, after and timeoutSeconds as given', () => {
    const hooks = { before: ['/usr/bin/env', 'true'], after: ['notify', '--run', 'done'], timeoutSeconds: 86_400 };
    expect(parseConfig(configWith({ hooks })).mappings[0]?.hooks).toEqual(hooks);
  });

  it('leaves a mapping without hooks (or with null) without the field', () => {
    expect(parseConfig(configWith({})).mappings[0]).not.toHaveProperty('hooks');
    expect(parseConfig(configWith({ hooks: null })).mappings[0]).not.toHaveProperty('hooks');
  });

  it.each([
    ['a string', 'backup.sh', 'mappings[0].hooks', /must be a JSON object/],
    ['a command line as one string', { before: 'backup.sh --now' }, 'mappings[0].hooks.before', /must be a non-empty array of strings/],
    ['an empty argv', { after: [] }, 'mappings[0].hooks.after', /must be a non-empty array of strings/],
    ['a number among the arguments', { before: ['backup.sh', 3] }, 'mappings[0].hooks.before[1]', /must be a string \(got 3\)/],
    ['an empty command', { before: ['', 'x'] }, 'mappings[0].hooks.before[0]', /must be a non-empty string \(the command\)/],
    ['timeoutSeconds 0', { before: ['x'], timeoutSeconds: 0 }, 'mappings[0].hooks.timeoutSeconds', /from 1 to 86400/],
    ['timeoutSeconds above a day', { before: ['x'], timeoutSeconds: 86_401 }, 'mappings[0].hooks.timeoutSeconds', /from 1 to 86400/],
    ['timeoutSeconds as text', { before: ['x'], timeoutSeconds: '10' }, 'mappings[0].hooks.timeoutSeconds', /whole number/],
    ['a misspelt key', { befor: ['x'] }, 'mappings[0].hooks.befor', /unknown key/],
  ])('refuses %s at its field', (_what, hooks, field, message) => {
    const issues = issuesOf(hooks);
    expect(issues).toContainEqual({ field, message: expect.stringMatching(message) });
  });

  it('exports hooks unchanged', () => {
    const hooks = { before: ['check', 'a b'], timeoutSeconds: 5 };
    const config = parseConfig(configWith({ hooks }));
    const json = toConfigJson(config.connections, config.mappings, config.databasePath);
    expect((JSON.parse(json) as { mappings: Json[] }).mappings[0]?.hooks).toEqual(hooks);
  });
});
