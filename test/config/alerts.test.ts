// The config reader's `alerts` (top level and per mapping): a valid object reads back normalised,
// each problem names its field and never quotes a URL, placeholders are warnings in a file and
// errors in the app's input, export writes them back (redacted: placeholders and ids).
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, toConfigJson, validateMappingInput, type ConfigIssue } from '../../shared/config';
import type { Connection } from '../../shared/model';

type Json = { [key: string]: unknown };

function configWith(mapping: Json, top: Json = {}): string {
  return JSON.stringify({
    ...top,
    providers: [
      { id: 'disk', type: 'local', local: { root: '/srv/a' } },
      { id: 'other', type: 'local', local: { root: '/srv/b' } },
    ],
    mappings: [{ sourceProviderId: 'disk', sourceBucket: 'src', targetProviderId: 'other', targetBucket: 'dst', ...mapping }],
  });
}

function issuesOf(text: string): ConfigIssue[] {
  try {
    parseConfig(text);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.issues];
    throw err;
  }
  throw new Error('expected parseConfig to throw ConfigError');
}

const mappingIssues = (alerts: unknown) => issuesOf(configWith({ alerts }));

describe('config: alerts', () => {
  it('reads webhooks (on defaulting to failure and guard, an empty secret as none) and healthchecks, at the top level and per mapping', () => {
    const config = parseConfig(
      configWith(
        { alerts: { webhooks: [{ url: ' https://hooks.example.com/a ', secret: '' }, { id: 'w2', url: 'http://127.0.0.1:8080/b', on: ['success', 'success', 'guard'], secret: 'k' }] } },
        { alerts: { healthchecks: { start: 'https://hc-ping.com/u/start', success: 'https://hc-ping.com/u', fail: 'https://hc-ping.com/u/fail' } } },
      ),
    );
    expect(config.mappings[0]!.alerts).toEqual({
      webhooks: [
        { url: 'https://hooks.example.com/a', on: ['failure', 'guard'] },
        { id: 'w2', url: 'http://127.0.0.1:8080/b', on: ['success', 'guard'], secret: 'k' },
      ],
    });
    expect(config.alerts).toEqual({ webhooks: [], healthchecks: { start: 'https://hc-ping.com/u/start', success: 'https://hc-ping.com/u', fail: 'https://hc-ping.com/u/fail' } });
    expect(config.warnings).toEqual([]);
  });

  it('leaves out alerts that are absent, null or send nothing', () => {
    for (const alerts of [undefined, null, {}, { webhooks: [] }]) {
      const config = parseConfig(configWith(alerts === undefined ? {} : { alerts }, alerts === undefined ? {} : { alerts }));
      expect(config.mappings[0]).not.toHaveProperty('alerts');
      expect(config).not.toHaveProperty('alerts');
    }
  });

  it.each([
    ['not an object', 'https://x.example', 'mappings[0].alerts', /must be a JSON object/],
    ['webhooks not an array', { webhooks: { url: 'https://x.example' } }, 'mappings[0].alerts.webhooks', /must be an array of webhook objects/],
    ['a webhook without url', { webhooks: [{ on: ['failure'] }] }, 'mappings[0].alerts.webhooks[0].url', /is required: the http\(s\) URL/],
    ['a URL of another scheme', { webhooks: [{ url: 'ftp://files.example/tok-1' }] }, 'mappings[0].alerts.webhooks[0].url', /must be an http:\/\/ or https:\/\/ URL/],
    ['a URL without scheme', { webhooks: [{ url: 'hooks.example.com/tok-1' }] }, 'mappings[0].alerts.webhooks[0].url', /must be an http:\/\/ or https:\/\/ URL/],
    ['a port out of range', { webhooks: [{ url: 'http://127.0.0.1:70000/x' }] }, 'mappings[0].alerts.webhooks[0].url', /port outside 1 to 65535/],
    ['an unknown event', { webhooks: [{ url: 'https://x.example', on: ['failure', 'failed'] }] }, 'mappings[0].alerts.webhooks[0].on[1]', /must be one of "failure", "guard", "success" \(got "failed"\)/],
    ['no events', { webhooks: [{ url: 'https://x.example', on: [] }] }, 'mappings[0].alerts.webhooks[0].on', /must be a non-empty array of "failure", "guard", "success"/],
    ['a secret that is not a string', { webhooks: [{ url: 'https://x.example', secret: 123 }] }, 'mappings[0].alerts.webhooks[0].secret', /must be a string/],
    ['a duplicate id', { webhooks: [{ id: 'a', url: 'https://x.example/1' }, { id: 'a', url: 'https://x.example/2' }] }, 'mappings[0].alerts.webhooks[1].id', /duplicate webhook id "a"/],
    ['an unknown webhook key', { webhooks: [{ url: 'https://x.example', events: ['success'] }] }, 'mappings[0].alerts.webhooks[0].events', /unknown key/],
    ['an unknown alerts key', { webhook: [] }, 'mappings[0].alerts.webhook', /unknown key/],
    ['healthchecks without success', { healthchecks: { start: 'https://hc-ping.com/u/start' } }, 'mappings[0].alerts.healthchecks.success', /is required/],
    ['a bad ping URL', { healthchecks: { success: 'https://hc-ping.com/u', fail: 'hc-ping.com/u/fail' } }, 'mappings[0].alerts.healthchecks.fail', /must be an http:\/\/ or https:\/\/ URL/],
    ['an unknown ping', { healthchecks: { success: 'https://hc-ping.com/u', failure: 'https://hc-ping.com/u/fail' } }, 'mappings[0].alerts.healthchecks.failure', /unknown key/],
  ])('refuses %s, naming the field', (_what, alerts, field, message) => {
    const issues = mappingIssues(alerts);
    expect(issues).toContainEqual({ field, message: expect.stringMatching(message) });
    // A URL is a credential: no message repeats one.
    expect(JSON.stringify(issues)).not.toMatch(/tok-1|hc-ping\.com\/u/);
  });

  it('names top-level fields without a mapping prefix', () => {
    expect(issuesOf(configWith({}, { alerts: { webhooks: [{ url: 'nope' }] } }))).toContainEqual({ field: 'alerts.webhooks[0].url', message: expect.stringMatching(/must be an http/) });
  });

  it('a placeholder is a warning in a file (kept, and not sent), an error in the app input', () => {
    const config = parseConfig(configWith({ alerts: { webhooks: [{ url: 'REPLACE_WITH_SECRET', secret: 'REPLACE_WITH_SECRET' }] } }));
    expect(config.mappings[0]!.alerts!.webhooks[0]!.url).toBe('REPLACE_WITH_SECRET');
    expect(config.warnings).toEqual([
      'mappings[0].alerts.webhooks[0].url: still holds a placeholder; fill in the real value (until then nothing is sent there)',
      'mappings[0].alerts.webhooks[0].secret: still holds a placeholder; fill in the real value (until then its deliveries carry a wrong signature)',
    ]);
    const connections: Connection[] = [
      { id: 'disk', name: 'disk', type: 'local', local: { root: '/srv/a' } },
      { id: 'other', name: 'other', type: 'local', local: { root: '/srv/b' } },
    ];
    const input = { name: '', sourceConnectionId: 'disk', sourceBucket: 'src', sourcePrefix: '', targetConnectionId: 'other', targetBucket: 'dst', targetPrefix: '', transfers: 2, deleteMode: 'synced', maxDelete: null, dryRun: false, enabled: true, intervalSeconds: null };
    expect(() => validateMappingInput({ ...input, alerts: { webhooks: [{ url: 'REPLACE_WITH_SECRET' }] } }, connections)).toThrow(/alerts\.webhooks\[0\]\.url: still holds a placeholder/);
    expect(validateMappingInput({ ...input, alerts: { webhooks: [{ url: 'https://x.example/h' }] } }, connections).alerts).toEqual({ webhooks: [{ url: 'https://x.example/h', on: ['failure', 'guard'] }] });
  });

  it('export writes alerts back as read; redacted, every URL and secret is a placeholder and the ids stay', () => {
    const text = configWith(
      { alerts: { webhooks: [{ id: 'w1', url: 'https://hooks.example.com/tok', on: ['success'], secret: 's3' }], healthchecks: { success: 'https://hc-ping.com/u', fail: 'https://hc-ping.com/u/fail' } } },
      { alerts: { webhooks: [{ url: 'https://global.example/g' }] } },
    );
    const config = parseConfig(text);
    const again = parseConfig(toConfigJson(config.connections, config.mappings, config.databasePath, { alerts: config.alerts }));
    expect(again.mappings[0]!.alerts).toEqual(config.mappings[0]!.alerts);
    expect(again.alerts).toEqual(config.alerts);

    const redacted = JSON.parse(toConfigJson(config.connections, config.mappings, config.databasePath, { alerts: config.alerts, redactSecrets: true })) as Json;
    expect(redacted.alerts).toEqual({ webhooks: [{ url: 'REPLACE_WITH_SECRET', on: ['failure', 'guard'] }] });
    expect((redacted.mappings as Json[])[0]!.alerts).toEqual({
      webhooks: [{ id: 'w1', url: 'REPLACE_WITH_SECRET', on: ['success'], secret: 'REPLACE_WITH_SECRET' }],
      healthchecks: { success: 'REPLACE_WITH_SECRET', fail: 'REPLACE_WITH_SECRET' },
    });
    // The redacted file still loads (with warnings).
    expect(parseConfig(JSON.stringify(redacted)).warnings.length).toBeGreaterThan(0);
  });
});
