// The mapping form's check for a mapping into its own source is shared/config's rule (overlaps.ts)
// on what the sides resolve to, not a copy comparing connection ids: two connections that name one
// folder or one service are one place here too. (The server checks again with real paths on disk.)
// Its filters are read by the config reader's rules, so a pattern is refused in the same words.
import { describe, expect, test } from 'vitest';
import type { ConnectionView } from '../../shared/contract';
import { ConfigError, parseConfig } from '../../shared/config';
import {
  emptyMappingForm,
  filterSummary,
  formToMappingInput,
  mappingFormFieldOf,
  mappingToForm,
  validateMappingForm,
  type MappingFormState,
} from '../../renderer/views/mapping-form';
import { localConnection, mapping, minioConnection } from './fixtures';

function form(connections: readonly ConnectionView[], patch: Partial<MappingFormState>): MappingFormState {
  return { ...emptyMappingForm(connections), sourceBucket: 'photos', targetBucket: 'photos', ...patch };
}

describe('mapping form: a mapping into its own source', () => {
  test('is refused through a second connection whose folder is written differently', () => {
    const connections = [localConnection('disk', 'Disk', '/data/buckets'), localConnection('again', 'Again', '/data/./buckets/')];
    const errors = validateMappingForm(form(connections, { sourceConnectionId: 'disk', targetConnectionId: 'again', targetPrefix: 'copy/' }), connections);
    expect(errors.targetPrefix).toBe(
      'Source disk:photos/ (file:///data/buckets/photos/) and target again:photos/copy/ (file:///data/buckets/photos/copy/) are the same place or one inside the other: ' +
        'the mapping would sync into itself; use another bucket or non-overlapping prefixes, one level deeper on every run.',
    );
  });

  test('is refused through two connections to one S3-compatible server under different names', () => {
    const one = minioConnection('one'); // 127.0.0.1:9000
    const two: ConnectionView = { id: 'two', name: 'two', type: 'minio', minio: { endpoint: 'localhost:9000', accessKey: 'admin' }, secretsSet: { secretKey: true } };
    const errors = validateMappingForm(form([one, two], { sourceConnectionId: 'one', targetConnectionId: 'two' }), [one, two]);
    expect(errors.targetPrefix).toContain('would sync into itself');
  });

  test('is refused on one connection and bucket with overlapping prefixes; separate prefixes or folders pass', () => {
    const connections = [localConnection('disk', 'Disk', '/data/buckets'), localConnection('other', 'Other', '/data/other')];
    const same = { sourceConnectionId: 'disk', targetConnectionId: 'disk' };
    expect(validateMappingForm(form(connections, { ...same, sourcePrefix: '2024/', targetPrefix: '' }), connections).targetPrefix).toContain(
      'Source and target are the same bucket (disk:photos) with overlapping prefixes "2024/" and ""',
    );
    expect(validateMappingForm(form(connections, { ...same, sourcePrefix: '2024/', targetPrefix: 'copy/' }), connections).targetPrefix).toBeUndefined();
    expect(validateMappingForm(form(connections, { sourceConnectionId: 'disk', targetConnectionId: 'other' }), connections).targetPrefix).toBeUndefined();
  });
});

describe('mapping form: filters', () => {
  const connections = [localConnection('src', 'Source'), localConnection('dst', 'Target')];
  const base = (patch: Partial<MappingFormState> = {}) => form(connections, { sourceConnectionId: 'src', targetConnectionId: 'dst', ...patch });

  /** The config reader's message for one mapping field, as `cloud-data-sync` prints it for a file. */
  function configMessage(fields: Record<string, unknown>): string {
    const config = {
      providers: [
        { id: 'src', type: 'local', local: { root: '/data/src' } },
        { id: 'dst', type: 'local', local: { root: '/data/dst' } },
      ],
      mappings: [{ sourceProviderId: 'src', sourceBucket: 'photos', targetProviderId: 'dst', targetBucket: 'photos', ...fields }],
    };
    try {
      parseConfig(JSON.stringify(config));
    } catch (err) {
      if (err instanceof ConfigError) return err.issues[0]!.message;
      throw err;
    }
    throw new Error('expected the config reader to refuse it');
  }

  test('every filter of a saved mapping reads back unchanged through the form', () => {
    const filters = {
      include: ['**/*.jpg', '/top level/*'],
      exclude: ['*.tmp', ' leading space', '{cache,tmp}/**'],
      includeRegex: ['^2024/'],
      excludeRegex: ['\\.bak$'],
      minSize: 1,
      maxSize: 1536 * 1024 * 1024,
      minAge: 90,
      maxAge: 7 * 86_400,
      deleteExcluded: true,
    };
    const saved = mapping('m1', filters);
    const shown = mappingToForm(saved);
    expect(shown).toMatchObject({ exclude: '*.tmp\n leading space\n{cache,tmp}/**', minSize: '1', maxSize: '1536M', minAge: '90s', maxAge: '1w', deleteExcluded: true });
    const { status: _status, ...input } = saved;
    expect(formToMappingInput(shown)).toEqual(input);
  });

  test('a mapping without filters sends no filter field; typed sizes and ages arrive in bytes and seconds', () => {
    const plain = formToMappingInput(base());
    for (const key of ['include', 'exclude', 'includeRegex', 'excludeRegex', 'minSize', 'maxSize', 'minAge', 'maxAge', 'deleteExcluded']) expect(plain).not.toHaveProperty(key);
    const input = formToMappingInput(base({ exclude: '\n*.tmp\r\n\n  \nlogs/**\n', maxSize: ' 10M ', minSize: '1.5K', maxAge: '1d12h', minAge: '30m' }));
    expect(input).toMatchObject({ exclude: ['*.tmp', 'logs/**'], minSize: 1536, maxSize: 10 * 1024 * 1024, minAge: 1800, maxAge: 129_600 });
    expect(validateMappingForm(base({ exclude: '*.tmp', maxSize: '10M' }), connections)).toEqual({});
  });

  test('an invalid pattern is refused at its field, on its line, in the config reader’s words', () => {
    const errors = validateMappingForm(base({ exclude: '*.tmp\n\nlogs/[a', excludeRegex: '(unclosed' }), connections);
    expect(errors.exclude).toBe(`Exclude globs, line 3: ${configMessage({ exclude: ['*.tmp', 'logs/[a'] })}.`);
    expect(errors.exclude).toContain('invalid glob "logs/[a"');
    expect(errors.excludeRegex).toBe(`Exclude regular expressions, line 1: ${configMessage({ excludeRegex: ['(unclosed'] })}.`);
    expect(errors.include).toBeUndefined();
  });

  test('bad sizes and ages, and a minimum above the maximum, are refused at their fields', () => {
    const errors = validateMappingForm(base({ maxSize: '200 parsecs', maxAge: 'a week' }), connections);
    expect(errors.maxSize).toBe(`Max size ${configMessage({ maxSize: '200 parsecs' })}.`);
    expect(errors.maxSize).toContain('"10M"');
    expect(errors.maxAge).toBe(`Max age ${configMessage({ maxAge: 'a week' })}.`);
    const crossed = validateMappingForm(base({ minSize: '2M', maxSize: '1M', minAge: '7d', maxAge: '1d' }), connections);
    expect(crossed.minSize).toBe(`Min size ${configMessage({ minSize: '2M', maxSize: '1M' })}.`);
    expect(crossed.minAge).toContain('must not be larger than maxAge');
  });

  test('a server error on a filter entry points at its field', () => {
    expect(mappingFormFieldOf('exclude[2]')).toBe('exclude');
    expect(mappingFormFieldOf('maxSize')).toBe('maxSize');
    expect(mappingFormFieldOf('intervalSeconds')).toBe('interval');
    expect(mappingFormFieldOf('sourceBucket')).toBe('sourceBucket');
    expect(mappingFormFieldOf('somethingElse')).toBe('form');
    expect(mappingFormFieldOf(undefined)).toBe('form');
  });

  test('the card’s summary names the active filters as the config does', () => {
    expect(filterSummary({})).toBeNull();
    expect(filterSummary({ include: [], maxSize: null, deleteExcluded: true })).toBeNull();
    expect(filterSummary({ exclude: ['*.tmp', 'cache/**'], maxSize: 10 * 1024 * 1024 })).toBe('2 exclude, maxSize 10M');
    expect(filterSummary({ includeRegex: ['^a'], minAge: 3600, maxAge: 604_800, deleteExcluded: true })).toBe('1 includeRegex, minAge 1h, maxAge 1w, deleteExcluded');
  });
});

describe('mapping form: saving changes nothing the form does not show', () => {
  const connections = [localConnection('src', 'Source', '/data/a'), localConnection('dst', 'Target', '/data/b')];
  const { status: _status, ...plain } = mapping('m1');
  const variants: Partial<typeof plain>[] = [
    { intervalSeconds: 10 },
    { intervalSeconds: 90 },
    { intervalSeconds: 7200 },
    { intervalSeconds: 3 * 86_400 },
    { transfers: 1, deleteMode: 'mirror', maxDelete: { kind: 'percent', value: 7 }, dryRun: true, enabled: false },
    { exclude: ['*.tmp'], minSize: 1, maxAge: 90, deleteExcluded: true, hooks: { before: ['x'], timeoutSeconds: 5 } },
    { bwLimit: 'Mon-08:00,2M 19:00,off', keepVersions: true, createTargetBucket: true },
  ];
  test.each(variants.map((v) => [JSON.stringify(v), v] as const))('%s round-trips through the form exactly', (_name, patch) => {
    const saved = { ...plain, ...patch };
    expect(validateMappingForm(mappingToForm({ ...saved, status: _status }), connections)).toEqual({});
    expect({ id: saved.id, ...formToMappingInput(mappingToForm({ ...saved, status: _status })) }).toStrictEqual(saved);
  });

  test('an interval in seconds is shown in the largest unit that holds it exactly', () => {
    expect(mappingToForm(mapping('m', { intervalSeconds: 10 }))).toMatchObject({ schedule: 'interval', interval: '10', intervalUnit: 'seconds' });
    expect(mappingToForm(mapping('m', { intervalSeconds: 120 }))).toMatchObject({ interval: '2', intervalUnit: 'minutes' });
    expect(mappingToForm(mapping('m', { intervalSeconds: 7200 }))).toMatchObject({ interval: '2', intervalUnit: 'hours' });
    expect(validateMappingForm({ ...mappingToForm(mapping('m', { intervalSeconds: 10 })), interval: '0' }, connections).interval).toBe('Give the interval as a whole number of seconds, at least 1.');
  });
});
