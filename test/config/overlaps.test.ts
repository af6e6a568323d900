// The rules between mappings by where their sides resolve to (shared/config/overlaps.ts and
// locations.ts), given locations: a mapping into itself through a second connection, shared
// targets, and loops; and the endpoint normalisation that makes two connections one service.
import { describe, expect, it } from 'vitest';
import {
  endpointIdentity,
  findMappingConflicts,
  locateByConfig,
  parseConfig,
  validateMappingInput,
  type MappingConflict,
} from '../../shared/config';
import type { Connection, DeleteMode, Mapping } from '../../shared/model';

function local(id: string, root: string): Connection {
  return { id, name: id, type: 'local', local: { root } };
}

function mapping(id: string, source: string, target: string, deleteMode: DeleteMode = 'synced'): Mapping {
  // "conn:bucket/prefix"
  const side = (text: string) => {
    const [connectionId, rest] = text.split(':') as [string, string];
    const slash = rest.indexOf('/');
    return slash < 0 ? { connectionId, bucket: rest, prefix: '' } : { connectionId, bucket: rest.slice(0, slash), prefix: rest.slice(slash + 1) };
  };
  const s = side(source);
  const t = side(target);
  return {
    id, name: id, sourceConnectionId: s.connectionId, sourceBucket: s.bucket, sourcePrefix: s.prefix, targetConnectionId: t.connectionId,
    targetBucket: t.bucket, targetPrefix: t.prefix, transfers: 1, deleteMode, maxDelete: null, dryRun: false, enabled: true, intervalSeconds: null,
  };
}

function conflicts(connections: Connection[], mappings: Mapping[]): MappingConflict[] {
  return findMappingConflicts(mappings.map((m) => ({ mapping: m, label: m.id })), locateByConfig(connections));
}

describe('endpointIdentity: one service, however its endpoint is written', () => {
  it.each([
    ['localhost:9000', 'http', 'http://127.0.0.1:9000/'],
    ['http://LOCALHOST:9000', 'https', 'http://[::1]:9000'],
    ['s3.example.com', 'https', 'HTTPS://S3.Example.COM.:443/'],
    ['http://minio.lan', 'https', 'minio.lan:80'],
    ['https://s3.eu-west-1.amazonaws.com', 'https', 's3.amazonaws.com'],
    ['https://s3-us-west-2.amazonaws.com/', 'https', 'https://s3.amazonaws.com:443'],
    ['http://127.0.0.1:10000/devstoreaccount1/', 'https', 'http://localhost:10000/devstoreaccount1'],
  ] as const)('%s (default %s) is %s', (a, scheme, b) => {
    expect(endpointIdentity(a, scheme)).toBe(endpointIdentity(b, 'https'));
  });

  it.each([
    ['http://127.0.0.1:9000', 'http://127.0.0.1:9001'],
    ['https://s3.example.com', 'http://s3.example.com'], // 443 and 80
    ['http://127.0.0.1:10000/devstoreaccount1', 'http://127.0.0.1:10000/otheraccount'],
  ])('%s is not %s', (a, b) => {
    expect(endpointIdentity(a, 'https')).not.toBe(endpointIdentity(b, 'https'));
  });
});

describe('findMappingConflicts', () => {
  it('a target inside its own source through a second connection to the same folder is an error naming both sides', () => {
    const found = conflicts([local('a', '/srv/data'), local('b', '/srv/./data/')], [mapping('m', 'a:photos', 'b:photos/copy/')]);
    expect(found).toEqual([expect.objectContaining({ level: 'error', kind: 'self', at: 0, involves: [0] })]);
    expect(found[0]!.message).toContain('source a:photos/ (file:///srv/data/photos/) and target b:photos/copy/ (file:///srv/data/photos/copy/)');
    expect(found[0]!.message).toContain('would sync into itself');
  });

  it('a local root inside another connection\'s bucket is the same place', () => {
    const found = conflicts([local('a', '/srv/data'), local('b', '/srv/data/photos')], [mapping('m', 'a:photos', 'b:nested')]);
    expect(found.map((c) => c.kind)).toEqual(['self']);
  });

  it('two S3 connections to one endpoint, written differently, are one service', () => {
    const minio: Connection = { id: 'minio', name: 'minio', type: 'minio', minio: { endpoint: 'localhost:9000', accessKey: 'k', secretKey: 's' } };
    const aws: Connection = { id: 'aws', name: 'aws', type: 'aws', aws: { endpoint: 'http://127.0.0.1:9000/' } };
    expect(conflicts([minio, aws], [mapping('m', 'minio:bkt/a/', 'aws:bkt/a/b/')]).map((c) => c.kind)).toEqual(['self']);
    expect(conflicts([minio, aws], [mapping('m', 'minio:bkt/a/', 'aws:bkt/b/')])).toEqual([]);
    expect(conflicts([minio, aws], [mapping('m', 'minio:bkt', 'aws:other')])).toEqual([]);
  });

  it('Azure by endpoint and account, GCS by endpoint', () => {
    const azurite: Connection = { id: 'az1', name: 'az1', type: 'azure', azure: { connectionString: 'UseDevelopmentStorage=true' } };
    const azurite2: Connection = { id: 'az2', name: 'az2', type: 'azure', azure: { accountName: 'devstoreaccount1', accountKey: 'k', endpointUrl: 'http://localhost:10000/devstoreaccount1' } };
    const publicAccount: Connection = { id: 'az3', name: 'az3', type: 'azure', azure: { connectionString: 'DefaultEndpointsProtocol=https;AccountName=Acct;AccountKey=k' } };
    const publicByName: Connection = { id: 'az4', name: 'az4', type: 'azure', azure: { accountName: 'acct', accountKey: 'k' } };
    expect(conflicts([azurite, azurite2], [mapping('m', 'az1:c', 'az2:c/x/')]).map((c) => c.kind)).toEqual(['self']);
    expect(conflicts([publicAccount, publicByName], [mapping('m', 'az3:c', 'az4:c/x/')]).map((c) => c.kind)).toEqual(['self']);
    expect(conflicts([azurite, publicByName], [mapping('m', 'az1:c', 'az4:c/x/')])).toEqual([]);
    const gcs1: Connection = { id: 'g1', name: 'g1', type: 'gcs', gcs: { projectId: 'p1' } };
    const gcs2: Connection = { id: 'g2', name: 'g2', type: 'gcs', gcs: { projectId: 'p2' } };
    // GCS bucket names are global: the project does not make another place.
    expect(conflicts([gcs1, gcs2], [mapping('m', 'g1:b', 'g2:b/x/')]).map((c) => c.kind)).toEqual(['self']);
  });

  it('folds case for a Windows folder, not for keys on a service', () => {
    expect(conflicts([local('a', 'C:\\Data'), local('b', 'c:/data/')], [mapping('m', 'a:Photos', 'b:photos/copy/')]).map((c) => c.kind)).toEqual(['self']);
    const s3: Connection = { id: 's3', name: 's3', type: 'aws', aws: {} };
    expect(conflicts([s3], [mapping('m', 's3:b/Photos/', 's3:b/photos/')])).toEqual([]);
  });

  it('overlapping targets through two connections: an error with mirror, a warning without', () => {
    const connections = [local('a', '/srv/data'), local('b', '/srv/data'), local('src', '/srv/src')];
    const mirror = conflicts(connections, [mapping('m1', 'src:x', 'a:out'), mapping('m2', 'src:y', 'b:out/y/', 'mirror')]);
    expect(mirror).toEqual([expect.objectContaining({ level: 'error', kind: 'targets', at: 1, involves: [0, 1] })]);
    expect(mirror[0]!.message).toContain('writes into the same area as m1');
    expect(mirror[0]!.message).toContain('"mirror" mode would delete the other mapping\'s objects');
    const shared = conflicts(connections, [mapping('m1', 'src:x', 'a:out'), mapping('m2', 'src:y', 'b:out/y/')]);
    expect(shared).toEqual([expect.objectContaining({ level: 'warn', kind: 'targets' })]);
  });

  it('A → B with B → A is an error when either deletes, naming both mappings and where each writes and reads', () => {
    const connections = [local('a', '/srv/data'), local('b', '/srv/data/')];
    const found = conflicts(connections, [mapping('there', 'a:left', 'a:right', 'mirror'), mapping('back', 'b:right', 'b:left', 'never')]);
    expect(found).toEqual([expect.objectContaining({ level: 'error', kind: 'cycle', at: 1, involves: [0, 1] })]);
    expect(found[0]!.message).toContain('forms a loop there → back → there');
    expect(found[0]!.message).toContain('there writes to a:right/ (file:///srv/data/right/), which back reads as b:right/ (file:///srv/data/right/)');
    expect(found[0]!.message).toContain('deleteMode "mirror" (there)');
    // "synced" deletes too.
    expect(conflicts(connections, [mapping('there', 'a:left', 'a:right', 'never'), mapping('back', 'b:right', 'b:left')])[0]).toMatchObject({ level: 'error', kind: 'cycle' });
    // Neither deletes: a warning (objects go round, nothing is lost).
    expect(conflicts(connections, [mapping('there', 'a:left', 'a:right', 'never'), mapping('back', 'b:right', 'b:left', 'never')])).toEqual([
      expect.objectContaining({ level: 'warn', kind: 'cycle' }),
    ]);
  });

  it('finds a longer cycle once, and a prefix of a source is enough to feed it', () => {
    const connections = [local('d', '/srv')];
    const found = conflicts(connections, [
      mapping('m1', 'd:a', 'd:b/in/'),
      mapping('m2', 'd:b', 'd:c'),
      mapping('m3', 'd:c/sub/', 'd:a/back/', 'mirror'),
      mapping('unrelated', 'd:x', 'd:y'),
    ]);
    expect(found).toEqual([expect.objectContaining({ level: 'error', kind: 'cycle', at: 2, involves: [0, 1, 2] })]);
    expect(found[0]!.message).toContain('forms a loop m1 → m2 → m3 → m1');
  });

  it('a chain that does not come back is fine', () => {
    expect(conflicts([local('d', '/srv')], [mapping('m1', 'd:a', 'd:b', 'mirror'), mapping('m2', 'd:b', 'd:c', 'mirror')])).toEqual([]);
  });
});

describe('the rules where mappings are read', () => {
  const file = (mappings: object[]) =>
    JSON.stringify({
      providers: [
        { id: 'one', type: 'local', local: { root: '/srv/data' } },
        { id: 'two', type: 'local', local: { root: '/srv/data/' } },
      ],
      mappings,
    });

  it('parseConfig refuses a mapping into itself through two connections, on the mapping', () => {
    expect(() => parseConfig(file([{ sourceProviderId: 'one', sourceBucket: 'b', targetProviderId: 'two', targetBucket: 'b', targetPrefix: 'copy/' }]))).toThrow(
      /^mappings\[0\]: source one:b\/ \(file:\/\/\/srv\/data\/b\/\) and target two:b\/copy\/ .*would sync into itself/,
    );
  });

  it('parseConfig refuses A → B with B → A in mirror mode, naming both', () => {
    const text = file([
      { sourceProviderId: 'one', sourceBucket: 'a', targetProviderId: 'one', targetBucket: 'b', deleteMode: 'mirror' },
      { sourceProviderId: 'two', sourceBucket: 'b', targetProviderId: 'two', targetBucket: 'a', deleteMode: 'mirror' },
    ]);
    expect(() => parseConfig(text)).toThrow(/^mappings\[1\]: forms a loop mappings\[0\] → mappings\[1\] → mappings\[0\]/);
  });

  it('the app\'s validation refuses a new mapping that closes a loop, but not for conflicts among the saved ones alone', () => {
    const connections = [local('one', '/srv/data'), local('two', '/srv/data')];
    const saved = [mapping('there', 'one:a', 'one:b', 'mirror')];
    const back = { name: 'Back', sourceConnectionId: 'two', sourceBucket: 'b', sourcePrefix: '', targetConnectionId: 'two', targetBucket: 'a', targetPrefix: '', transfers: 1, deleteMode: 'synced', maxDelete: null, dryRun: false, enabled: true, intervalSeconds: null };
    expect(() => validateMappingInput(back, connections, saved)).toThrow(/^\(root\): forms a loop mapping "there" → mapping "Back" → mapping "there"/);
    // Two saved mappings that already conflict (saved before this rule) do not block an unrelated one.
    const legacy = [...saved, mapping('legacy-back', 'two:b', 'two:a')];
    const unrelated = { ...back, sourceBucket: 'x', targetBucket: 'y' };
    expect(validateMappingInput(unrelated, connections, legacy).targetBucket).toBe('y');
  });
});
