// bwLimit (mapping and top level), targetStorageClass, targetEncryption and keepVersions as config.json
// and the app's input give them: read, checked against the target's service, written back.
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, toConfigJson, validateMappingInput, type ConfigIssue } from '../../shared/config';
import { parseBwLimit, rateAt, rateText, type BwLimit } from '../../shared/bandwidth';
import type { Connection } from '../../shared/model';

type Json = { [key: string]: unknown };

const PROVIDERS = [
  { id: 'disk', type: 'local', local: { root: '/srv/a' } },
  { id: 's3', type: 'aws', aws: { region: 'eu-west-1', endpoint: 'http://127.0.0.1:9', accessKeyId: 'a', secretAccessKey: 'b' } },
  { id: 'gcs', type: 'gcs', gcs: { projectId: 'p', endpoint: 'http://127.0.0.1:9' } },
  { id: 'blob', type: 'azure', azure: { connectionString: 'UseDevelopmentStorage=true' } },
];

function configWith(target: string, fields: Json, top: Json = {}): string {
  return JSON.stringify({
    ...top,
    providers: PROVIDERS,
    mappings: [{ sourceProviderId: 'disk', sourceBucket: 'src', targetProviderId: target, targetBucket: 'dst-bucket', ...fields }],
  });
}

function issuesOf(target: string, fields: Json, top: Json = {}): ConfigIssue[] {
  try {
    parseConfig(configWith(target, fields, top));
  } catch (err) {
    if (err instanceof ConfigError) return [...err.issues];
    throw err;
  }
  throw new Error('expected parseConfig to throw ConfigError');
}

describe('bandwidth limits (shared/bandwidth.ts)', () => {
  it('reads rates in bytes per second, base 1024, and "off"', () => {
    expect(parseBwLimit('2M')).toStrictEqual({ kind: 'fixed', rate: 2 * 1024 * 1024 });
    expect(parseBwLimit('512k')).toStrictEqual({ kind: 'fixed', rate: 512 * 1024 });
    expect(parseBwLimit('1.5G')).toStrictEqual({ kind: 'fixed', rate: 1.5 * 1024 ** 3 });
    expect(parseBwLimit('4096')).toStrictEqual({ kind: 'fixed', rate: 4096 });
    expect(parseBwLimit('off')).toStrictEqual({ kind: 'fixed', rate: null });
  });

  it('refuses what is not a rate or a timetable, saying what is wrong', () => {
    const problem = (text: string) => ('problem' in parseBwLimit(text) ? (parseBwLimit(text) as { problem: string }).problem : null);
    expect(problem('fast')).toMatch(/must be a rate such as "512K"/);
    expect(problem('100')).toMatch(/at least 1K/);
    expect(problem('')).toMatch(/must be a rate/);
    expect(problem('Mon-8,2M')).toMatch(/entry "Mon-8,2M" that is not "HH:MM,rate"/);
    expect(problem('Mxn-08:00,2M')).toMatch(/unknown day "Mxn"/);
    expect(problem('24:00,2M')).toMatch(/not 00:00 … 23:59/);
    expect(problem('08:00,2X')).toMatch(/entry "08:00,2X" whose rate must be/);
    expect(problem('08:00,2M 08:00,off')).toMatch(/two entries for 08:00/);
  });

  // 2026-11-30 is a Monday; Dates are local time, as the timetable.
  const at = (day: number, hours: number, minutes = 0) => new Date(2026, 10, 29 + day, hours, minutes);
  const MONDAY = 1;
  const timetable = parseBwLimit('Mon-08:00,2M 19:00,off') as BwLimit;

  it('a timetable holds from each entry to the next, a weekday entry on its day only', () => {
    expect(rateAt(timetable, at(MONDAY, 9))).toStrictEqual({ rate: 2 * 1024 * 1024, until: at(MONDAY, 19) });
    expect(rateAt(timetable, at(MONDAY, 19))).toStrictEqual({ rate: null, until: at(MONDAY + 7, 8) });
    // Before Monday 08:00 the week's last entry (a daily 19:00, off) still holds.
    expect(rateAt(timetable, at(MONDAY, 7, 59)).rate).toBeNull();
    expect(rateAt(timetable, at(MONDAY + 2, 10)).rate).toBeNull();
  });

  it('daily entries repeat every day; a fixed rate never changes', () => {
    const daily = parseBwLimit('08:00,1M 18:30,4M') as BwLimit;
    expect(rateAt(daily, at(3, 12))).toStrictEqual({ rate: 1024 * 1024, until: at(3, 18, 30) });
    expect(rateAt(daily, at(3, 23))).toStrictEqual({ rate: 4 * 1024 * 1024, until: at(4, 8) });
    expect(rateAt(parseBwLimit('2M') as BwLimit, at(3, 12))).toStrictEqual({ rate: 2 * 1024 * 1024, until: null });
    expect(rateText(2 * 1024 * 1024)).toBe('2 MiB/s');
    expect(rateText(null)).toBe('unlimited');
  });
});

describe('config.json: bwLimit, targetStorageClass, targetEncryption, keepVersions', () => {
  it('reads each, in the target service spelling, and writes them back unchanged', () => {
    const config = parseConfig(
      configWith('s3', { bwLimit: 'Mon-08:00,2M 19:00,off', targetStorageClass: 'standard_ia', targetEncryption: { sse: 'aws:kms', kmsKeyId: 'alias/backup' }, keepVersions: true }, { bwLimit: '10M' }),
    );
    expect(config.bwLimit).toBe('10M');
    const [m] = config.mappings;
    expect(m).toMatchObject({ bwLimit: 'Mon-08:00,2M 19:00,off', targetStorageClass: 'STANDARD_IA', targetEncryption: { sse: 'aws:kms', kmsKeyId: 'alias/backup' }, keepVersions: true });
    const again = parseConfig(toConfigJson(config.connections as Connection[], config.mappings, config.databasePath));
    expect(again.mappings).toStrictEqual(config.mappings);
  });

  it('a mapping without them has none of the fields (the original format)', () => {
    const [m] = parseConfig(configWith('s3', {})).mappings;
    for (const key of ['bwLimit', 'targetStorageClass', 'targetEncryption', 'keepVersions']) expect(m).not.toHaveProperty(key);
  });

  it('each service takes its own encryption form', () => {
    expect(parseConfig(configWith('s3', { targetEncryption: { sse: 'AES256' } })).mappings[0]!.targetEncryption).toStrictEqual({ sse: 'AES256' });
    const key = 'projects/p/locations/eu/keyRings/r/cryptoKeys/k';
    expect(parseConfig(configWith('gcs', { targetEncryption: { kmsKeyName: key }, targetStorageClass: 'NEARLINE' })).mappings[0]).toMatchObject({ targetEncryption: { kmsKeyName: key }, targetStorageClass: 'NEARLINE' });
    expect(parseConfig(configWith('blob', { targetEncryption: { encryptionScope: 'scope1' }, targetStorageClass: 'cool' })).mappings[0]).toMatchObject({ targetEncryption: { encryptionScope: 'scope1' }, targetStorageClass: 'Cool' });
  });

  it('refuses what the target cannot do, naming the field and the choices', () => {
    expect(issuesOf('s3', { targetStorageClass: 'NEARLINE' })).toStrictEqual([
      { field: 'mappings[0].targetStorageClass', message: expect.stringMatching(/must be one of "STANDARD", "STANDARD_IA".* for an Amazon S3 target \(got "NEARLINE"\)/) },
    ]);
    expect(issuesOf('disk', { targetStorageClass: 'STANDARD' })[0]).toMatchObject({ field: 'mappings[0].targetStorageClass', message: expect.stringMatching(/no storage classes/) });
    expect(issuesOf('disk', { targetEncryption: { sse: 'AES256' } })[0]).toMatchObject({ field: 'mappings[0].targetEncryption', message: expect.stringMatching(/no server-side encryption/) });
    expect(issuesOf('s3', { targetEncryption: { kmsKeyName: 'x' } }).map((i) => i.field).sort()).toStrictEqual(['mappings[0].targetEncryption.kmsKeyName', 'mappings[0].targetEncryption.sse']);
    expect(issuesOf('s3', { targetEncryption: { sse: 'AES256', kmsKeyId: 'k' } })[0]).toMatchObject({ field: 'mappings[0].targetEncryption.kmsKeyId' });
    expect(issuesOf('s3', { targetEncryption: { sse: 'aws:kms', kmsKey: 'k' } })[0]).toMatchObject({ field: 'mappings[0].targetEncryption.kmsKey', message: 'unknown key' });
    expect(issuesOf('gcs', { targetEncryption: { kmsKeyName: 'my-key' } })[0]).toMatchObject({ field: 'mappings[0].targetEncryption.kmsKeyName', message: expect.stringMatching(/Cloud KMS key name/) });
    expect(issuesOf('blob', { targetEncryption: {} })[0]).toMatchObject({ field: 'mappings[0].targetEncryption.encryptionScope', message: expect.stringMatching(/is required/) });
    expect(issuesOf('s3', { keepVersions: 'yes' })[0]).toMatchObject({ field: 'mappings[0].keepVersions' });
  });

  it('refuses a malformed bwLimit in a mapping and at the top level', () => {
    expect(issuesOf('s3', { bwLimit: '2 megabytes' })[0]).toMatchObject({ field: 'mappings[0].bwLimit', message: expect.stringMatching(/must be a rate/) });
    expect(issuesOf('s3', {}, { bwLimit: 'Mon-25:00,1M' })[0]).toMatchObject({ field: 'bwLimit', message: expect.stringMatching(/not 00:00 … 23:59/) });
  });

  it("the app's input follows the same rules", () => {
    const connections = PROVIDERS as unknown as Connection[];
    const input = {
      name: '',
      sourceConnectionId: 'disk',
      sourceBucket: 'src',
      sourcePrefix: '',
      targetConnectionId: 'gcs',
      targetBucket: 'dst-bucket',
      targetPrefix: '',
      transfers: 4,
      deleteMode: 'synced',
      maxDelete: null,
      dryRun: false,
      enabled: true,
      intervalSeconds: null,
    };
    expect(validateMappingInput({ ...input, targetStorageClass: 'coldline', bwLimit: '1M' }, connections)).toMatchObject({ targetStorageClass: 'COLDLINE', bwLimit: '1M' });
    expect(() => validateMappingInput({ ...input, targetStorageClass: 'GLACIER' }, connections)).toThrow(/targetStorageClass: must be one of "STANDARD", "NEARLINE", "COLDLINE", "ARCHIVE"/);
  });
});
