// The arguments' schemas (shared/contract-args.ts) as the dispatcher applies them: valid arguments
// pass unchanged, every refusal is an InvalidArgument naming the field path with a plain message,
// the bounds are the schema's, and the renderer's and preload's bundles carry no schema.
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES, type ApiError, type CommandArgs, type CommandName, type MappingInput } from '../../shared/contract';
import { MAPPING_FIELDS, PAGE_LIMITS, SETTINGS_LIMITS } from '../../shared/contract-args';
import { PROVIDER_TYPES } from '../../shared/model';
import { toApiError } from '../../electron/api/errors';
import { ARG_VALIDATORS } from '../../electron/api/validate';

const mapping: MappingInput = {
  name: 'Photos',
  sourceConnectionId: 'disk',
  sourceBucket: 'photos',
  sourcePrefix: '',
  targetConnectionId: 's3',
  targetBucket: 'backup',
  targetPrefix: 'photos/',
  transfers: 4,
  deleteMode: 'mirror',
  maxDelete: { kind: 'percent', value: 10 },
  dryRun: false,
  enabled: true,
  intervalSeconds: 3600,
};
const local = { name: 'Disk', type: 'local', local: { root: '/data' } } as const;
const TOKEN = 'a-remote-engine-token-0123456789';
const PIN = Array.from({ length: 32 }, (_, i) => (i * 7).toString(16).padStart(2, '0').toUpperCase()).join(':');

/** Valid arguments of every command (a new command does not compile until it has some). */
const VALID: { [N in CommandName]: CommandArgs<N>[] } = {
  'app.status': [undefined],
  'connections.list': [undefined],
  'connections.create': [local, { ...local, id: 'disk' }, { name: 'S3', type: 'aws', aws: { region: 'eu-west-1', accessKeyId: 'AK', secretAccessKey: '' } }],
  'connections.update': [{ ...local, id: 'disk' }],
  'connections.delete': [{ id: 'disk' }],
  'connections.test': [{ id: 'disk' }, { input: local, bucket: 'photos' }, { id: 'disk', input: local }],
  'buckets.list': [{ connectionId: 'disk' }],
  'objects.list': [{ connectionId: 'disk', bucket: 'photos', prefix: '' }, { connectionId: 'disk', bucket: 'photos', prefix: 'a/', pageToken: 't', limit: PAGE_LIMITS.objects.max }],
  'mappings.list': [undefined],
  'mappings.create': [mapping, { ...mapping, id: 'm1', name: '', maxDelete: null, intervalSeconds: null }, { ...mapping, maxDelete: { kind: 'count', value: 0 } }],
  'mappings.update': [{ ...mapping, id: 'm1' }],
  'mappings.delete': [{ id: 'm1' }],
  'mappings.setEnabled': [{ id: 'm1', enabled: false }],
  'mappings.preview': [{ id: 'm1' }, { input: mapping, limit: 1 }],
  'sync.now': [{}, { mappingId: 'm1' }],
  'sync.cancel': [{ mappingId: 'm1' }],
  'sync.pauseAll': [undefined],
  'sync.resumeAll': [undefined],
  'runs.list': [{ mappingId: 'm1' }, { mappingId: 'm1', limit: PAGE_LIMITS.runs.max, beforeId: 7 }],
  'runs.get': [{ id: 1 }],
  'logs.query': [{ mappingId: 'm1' }, { mappingId: 'm1', runId: 3, minLevel: 'warn', text: 'copied', limit: 1, beforeId: 9 }],
  'logs.export': [{ mappingId: 'm1', minLevel: 'error' }],
  'settings.get': [undefined],
  'settings.set': [{}, { globalConcurrency: SETTINGS_LIMITS.globalConcurrency.max, maxConcurrentRuns: SETTINGS_LIMITS.maxConcurrentRuns.min, notifications: false }],
  'config.import': [{ json: '', apply: false }],
  'config.export': [undefined],
  'engines.list': [undefined],
  'engines.probe': [{ url: 'https://vm.example:8080' }, { url: 'http://127.0.0.1:8080/' }],
  'engines.add': [
    { name: 'VM', url: 'https://10.0.0.5:8080/', token: TOKEN, fingerprint: PIN },
    { name: 'Here', url: 'http://[::1]:8080', token: TOKEN, fingerprint: null },
  ],
  'engines.update': [{ id: 'e1' }, { id: 'e1', name: 'VM 2', url: 'https://vm.example', token: TOKEN, fingerprint: null }],
  'engines.remove': [{ id: 'e1' }],
  'engines.call': [{ engine: 'e1', name: 'mappings.list' }, { engine: 'e1', name: 'sync.now', args: { mappingId: 'm1' } }],
};

function validate(name: CommandName, raw: unknown): unknown {
  return ARG_VALIDATORS[name](raw);
}

/** The ApiError a refused argument ends with. */
function refusal(name: CommandName, raw: unknown): ApiError {
  try {
    validate(name, raw);
  } catch (err) {
    return toApiError(err);
  }
  throw new Error(`expected ${name} to refuse ${JSON.stringify(raw)}`);
}

const oneOf = (values: readonly string[]) => `one of ${values.map((v) => `"${v}"`).join(', ')}`;

describe('argument validation', () => {
  it('passes valid arguments of every command through unchanged, absent keys staying absent', () => {
    for (const name of COMMAND_NAMES) {
      for (const args of VALID[name] as unknown[]) expect(validate(name, args), name).toStrictEqual(args);
    }
  });

  it('takes nothing, null or {} for a command without arguments, and none for sync.now as {}', () => {
    for (const raw of [undefined, null, {}]) {
      expect(validate('settings.get', raw)).toBeUndefined();
      expect(validate('sync.now', raw)).toEqual({});
    }
  });

  it('names the field path of the first problem, with a plain message', () => {
    const cases: [CommandName, unknown, string, string][] = [
      ['connections.create', { type: 'local', local: { root: '/data' } }, 'name', 'is required'],
      ['connections.create', { ...local, name: 7 }, 'name', 'must be a non-empty string (got 7)'],
      ['connections.create', { ...local, name: '  ' }, 'name', 'must be a non-empty string (got "  ")'],
      ['connections.create', { name: 'x', type: 's3', s3: {} }, 'type', `must be ${oneOf(PROVIDER_TYPES)} (got "s3")`],
      ['connections.create', { name: 'x', local: {} }, 'type', `is required: ${oneOf(PROVIDER_TYPES)}`],
      ['connections.create', { ...local, local: 'here' }, 'local', 'must be an object with the local settings (got "here")'],
      ['connections.create', { ...local, aws: {} }, 'aws', 'unknown argument; expected id, name, type, local'],
      ['connections.update', local, 'id', 'is required'],
      ['connections.test', {}, 'id', 'give the id of a saved connection, or the input of an unsaved one'],
      ['connections.test', { input: { name: 'x', type: 'local' } }, 'input.local', 'is required'],
      ['connections.test', { input: [] }, 'input', 'must be an object (got an array)'],
      ['objects.list', { connectionId: 'c', bucket: 'b' }, 'prefix', 'is required'],
      ['objects.list', { connectionId: 'c', bucket: 'b', prefix: '', limit: 5000 }, 'limit', `must be a whole number from 1 to ${PAGE_LIMITS.objects.max} (got 5000)`],
      ['runs.get', { id: '3' }, 'id', 'must be a whole number of at least 1 (got "3")'],
      ['runs.get', { id: 0 }, 'id', 'must be a whole number of at least 1 (got 0)'],
      ['runs.get', { id: 1.5 }, 'id', 'must be a whole number of at least 1 (got 1.5)'],
      ['runs.get', { id: 2 ** 53 }, 'id', `must be a whole number of at least 1 (got ${2 ** 53})`],
      ['runs.list', { mappingId: 'm', limit: 0 }, 'limit', `must be a whole number from 1 to ${PAGE_LIMITS.runs.max} (got 0)`],
      ['logs.query', { mappingId: 'm', minLevel: 'loud' }, 'minLevel', `must be ${oneOf(['debug', 'info', 'warn', 'error'])} (got "loud")`],
      ['logs.export', { mappingId: 'm', text: '' }, 'text', 'must be a non-empty string (got "")'],
      ['mappings.create', { ...mapping, color: 'red' }, 'color', `unknown argument; expected id, ${Object.keys(MAPPING_FIELDS).join(', ')}`],
      ['mappings.create', { ...mapping, transfers: '8' }, 'transfers', 'must be a number (got "8")'],
      ['mappings.create', { ...mapping, deleteMode: 'sometimes' }, 'deleteMode', `must be ${oneOf(['synced', 'mirror', 'never'])} (got "sometimes")`],
      ['mappings.create', { ...mapping, maxDelete: { kind: 'most', value: 1 } }, 'maxDelete.kind', 'must be "count" or "percent" (got "most")'],
      ['mappings.create', { ...mapping, maxDelete: { value: 5 } }, 'maxDelete.kind', 'is required: "count" or "percent"'],
      ['mappings.create', { ...mapping, maxDelete: { kind: 'count', value: '5' } }, 'maxDelete.value', 'must be a number (got "5")'],
      ['mappings.create', { ...mapping, maxDelete: { kind: 'count', value: 5, of: 'all' } }, 'maxDelete.of', 'unknown argument; expected kind, value'],
      ['mappings.create', { ...mapping, intervalSeconds: undefined }, 'intervalSeconds', 'is required'],
      ['engines.add', { name: 'VM', url: 'http://10.0.0.5:8080', token: TOKEN, fingerprint: null }, 'url', 'must be https:// for 10.0.0.5: plain http:// is allowed on this machine only (127.0.0.1, [::1], localhost), since the token would cross the network unencrypted (start serve with --tls-self-signed) (got "http://10.0.0.5:8080")'],
      ['engines.add', { name: 'VM', url: 'https://vm:8080/?token=abc', token: TOKEN, fingerprint: null }, 'url', 'must be an http:// or https:// address with a host and port only, as serve prints it (without ?token=) (got "https://vm:8080/?token=abc")'],
      ['engines.add', { name: 'VM', url: 'ftp://vm', token: TOKEN, fingerprint: null }, 'url', 'must be an http:// or https:// address with a host and port only, as serve prints it (without ?token=) (got "ftp://vm")'],
      ['engines.add', { name: 'VM', url: 'https://vm', token: 'short', fingerprint: null }, 'token', "must be the engine's token (at least 16 characters)"],
      ['engines.add', { name: 'VM', url: 'https://vm', token: TOKEN }, 'fingerprint', 'is required'],
      ['engines.add', { name: 'VM', url: 'https://vm', token: TOKEN, fingerprint: 'AB:CD' }, 'fingerprint', 'must be a SHA-256 fingerprint: 32 hex pairs separated by colons (AB:CD:…), as serve prints it (got "AB:CD")'],
      ['engines.update', { id: 'e1', token: null }, 'token', 'must be a string (got null)'],
      ['engines.call', { engine: 'e1' }, 'name', 'is required'],
      ['engines.call', { engine: 'e1', name: 'mappings.list', argz: {} }, 'argz', 'unknown argument; expected engine, name, args'],
      ['mappings.update', mapping, 'id', 'is required'],
      ['mappings.preview', {}, 'id', 'give either the id of a saved mapping or the input of an unsaved one'],
      ['mappings.preview', { id: 'm1', input: mapping }, 'id', 'give either the id of a saved mapping or the input of an unsaved one'],
      ['mappings.preview', { input: { ...mapping, sourceBucket: 5 } }, 'input.sourceBucket', 'must be a string (got 5)'],
      ['mappings.setEnabled', { id: 'm1', enabled: 'yes' }, 'enabled', 'must be true or false (got "yes")'],
      ['settings.get', { extra: 1 }, 'extra', 'unknown argument; this command takes no arguments'],
      ['settings.set', { globalConcurrency: 0 }, 'globalConcurrency', `must be a whole number from 1 to ${SETTINGS_LIMITS.globalConcurrency.max} (got 0)`],
      ['settings.set', { maxConcurrentRuns: SETTINGS_LIMITS.maxConcurrentRuns.max + 1 }, 'maxConcurrentRuns', `must be a whole number from 1 to ${SETTINGS_LIMITS.maxConcurrentRuns.max} (got ${SETTINGS_LIMITS.maxConcurrentRuns.max + 1})`],
      ['settings.set', { notifications: 'yes' }, 'notifications', 'must be true or false (got "yes")'],
      ['config.import', { json: '{}' }, 'apply', 'is required'],
    ];
    for (const [name, raw, field, message] of cases) {
      expect(refusal(name, raw), `${name} ${JSON.stringify(raw)}`).toEqual({ code: 'InvalidArgument', field, message: `${field}: ${message}`, retryable: false });
    }
  });

  it('refuses arguments that are not an object, arrays included, without naming a field', () => {
    expect(refusal('connections.delete', 'disk')).toEqual({ code: 'InvalidArgument', message: 'arguments must be an object (got "disk")', retryable: false });
    for (const name of ['settings.get', 'settings.set', 'sync.now', 'connections.create', 'mappings.create'] as const) {
      expect(refusal(name, []), name).toEqual({ code: 'InvalidArgument', message: 'arguments must be an object (got an array)', retryable: false });
    }
  });

  it('does not echo a long string, which may be a pasted secret', () => {
    const pasted = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const error = refusal('runs.get', { id: `${pasted}-and-more` });
    expect(error.message).toBe('id: must be a whole number of at least 1 (got a long string)');
  });

  it("leaves the contents of settings and mappings to shared/config's rules, which the handlers apply", () => {
    // Shape only here: the handlers refuse these with the config's messages (test/api/api.test.ts).
    const settings = { ...local, local: { root: 'relative', colour: 'red' } };
    expect(validate('connections.create', settings)).toEqual(settings);
    const bounds = { ...mapping, transfers: 0, maxDelete: { kind: 'percent', value: 150 } };
    expect(validate('mappings.create', bounds)).toEqual(bounds);
  });

  it('keeps valibot and the schemas out of the renderer and preload bundles', async () => {
    const result = await build({
      entryPoints: ['renderer/main.tsx', 'electron/shell/preload.ts'],
      bundle: true,
      write: false,
      metafile: true,
      format: 'esm',
      jsx: 'automatic',
      outdir: 'out/bundle-check',
      external: ['electron'],
      loader: { '.svg': 'file', '.png': 'file', '.woff2': 'file' },
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toContain('shared/contract.ts');
    expect(inputs.filter((path) => /valibot|contract-args/.test(path))).toEqual([]);
  });
});
