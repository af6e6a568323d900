import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openStore, StoreError } from '../../electron/store';
import { awsConnection, localConnection, mapping, tempStore, testCipher, trackStore } from './fixtures';

const SECRET = 'SUPERSECRET-123';

/** The database file and its WAL, as raw bytes. */
function fileBytes(path: string): Buffer {
  const parts = [path, `${path}-wal`].filter((p) => existsSync(p)).map((p) => readFileSync(p));
  return Buffer.concat(parts);
}

describe('connections', () => {
  it("keeps a connection's last test until the connection changes or goes", () => {
    const { store } = tempStore({ cipher: testCipher() });
    store.connections.upsert(localConnection('c1'));
    const result = { ok: false, checks: [{ name: 'auth' as const, ok: false, skipped: false, message: 'no such folder', durationMs: 3 }] };
    expect(store.connections.lastTest('c1')).toBeUndefined();
    store.connections.recordTest('c1', result, 1234);
    expect(store.connections.lastTest('c1')).toEqual({ result, at: 1234 });
    store.connections.upsert({ ...localConnection('c1'), name: 'renamed' });
    expect(store.connections.lastTest('c1')).toBeUndefined();
    store.connections.recordTest('c1', result, 5678);
    store.connections.remove('c1');
    expect(store.connections.lastTest('c1')).toBeUndefined();
  });

  it('never writes a secret in plaintext: not in settings_json, not in the file or its WAL', () => {
    const { store, path } = tempStore({ cipher: testCipher() });
    store.connections.upsert(awsConnection('c1', { sessionToken: `${SECRET}-token` }));
    expect(existsSync(`${path}-wal`)).toBe(true);
    expect(fileBytes(path).includes(SECRET)).toBe(false);
    expect(fileBytes(path).includes(Buffer.from(SECRET, 'utf16le'))).toBe(false);
    expect(fileBytes(path).includes('AKIAEXAMPLE')).toBe(true); // non-secret settings are stored as such
    store.close();
    expect(fileBytes(path).includes(SECRET)).toBe(false);
  });

  it('returns secrets only from getWithSecrets, and tells set/unset without values', () => {
    const { store } = tempStore({ cipher: testCipher() });
    store.connections.upsert(awsConnection('c1'));
    const plain = store.connections.get('c1');
    expect(plain).toEqual({
      id: 'c1',
      name: 'Connection c1',
      type: 'aws',
      aws: { region: 'eu-west-1', accessKeyId: 'AKIAEXAMPLE', endpoint: 'http://127.0.0.1:9000' },
    });
    expect(JSON.stringify(store.connections.list())).not.toContain(SECRET);
    expect(store.connections.getWithSecrets('c1')).toEqual(awsConnection('c1'));
    expect(store.connections.secretsSet('c1')).toEqual({ secretAccessKey: true, sessionToken: false });
    expect(store.connections.get('missing')).toBeUndefined();
    expect(store.connections.secretsSet('missing')).toBeUndefined();
  });

  it('keeps stored secrets the input leaves undefined when asked, and clears those set to ""', () => {
    const { store } = tempStore({ cipher: testCipher() });
    store.connections.upsert(awsConnection('c1', { sessionToken: 'token-1' }));
    const edited = awsConnection('c1', { secretAccessKey: undefined, sessionToken: '', region: 'us-east-1' });
    store.connections.upsert(edited, { keepExistingSecrets: true });
    expect(store.connections.getWithSecrets('c1')).toMatchObject({ aws: { region: 'us-east-1', secretAccessKey: SECRET } });
    expect(store.connections.secretsSet('c1')).toEqual({ secretAccessKey: true, sessionToken: false });

    // Without the option, the input is stored as given.
    store.connections.upsert(awsConnection('c1', { secretAccessKey: undefined }));
    expect(store.connections.secretsSet('c1')).toEqual({ secretAccessKey: false, sessionToken: false });
  });

  it('does not persist secrets without a cipher (headless), and says so on getWithSecrets', () => {
    const { store, path } = tempStore();
    store.connections.upsert(awsConnection('c1'));
    expect(fileBytes(path).includes(SECRET)).toBe(false);
    expect(store.connections.getWithSecrets('c1')).toEqual(store.connections.get('c1'));
    expect(store.connections.get('c1')).not.toHaveProperty('aws.secretAccessKey');
    expect(store.connections.secretsSet('c1')).toEqual({ secretAccessKey: false, sessionToken: false });
  });

  it('refuses to decrypt where no cipher is configured, rather than returning a connection that cannot work', () => {
    const { store, path } = tempStore({ cipher: testCipher() });
    store.connections.upsert(awsConnection('c1'));
    store.close();
    const headless = trackStore(openStore(path));
    expect(headless.connections.secretsSet('c1')).toEqual({ secretAccessKey: true, sessionToken: false });
    expect(() => headless.connections.getWithSecrets('c1')).toThrow(expect.objectContaining({ code: 'SecretsUnavailable' }));
    // A headless edit that keeps secrets leaves the desktop's encrypted blob as it was.
    headless.connections.upsert(awsConnection('c1', { secretAccessKey: undefined, region: 'us-east-2' }), { keepExistingSecrets: true });
    expect(headless.connections.secretsSet('c1')).toEqual({ secretAccessKey: true, sessionToken: false });
  });

  it('reports a blob the cipher cannot decrypt (e.g. the OS key changed)', () => {
    const { store, path } = tempStore({ cipher: testCipher() });
    store.connections.upsert(awsConnection('c1'));
    store.close();
    const other = trackStore(openStore(path, { cipher: testCipher() }));
    expect(() => other.connections.getWithSecrets('c1')).toThrow(/cannot be decrypted; enter them again/);
  });

  it('refuses to delete a connection while a mapping uses it, naming the mappings', () => {
    const { store } = tempStore();
    store.connections.upsert(localConnection('src'));
    store.connections.upsert(localConnection('dst'));
    store.mappings.upsert(mapping('m1', { name: 'Photos backup' }));
    store.mappings.upsert(mapping('m2', { name: 'Archive', sourceConnectionId: 'dst', targetConnectionId: 'dst' }));

    let error: unknown;
    try {
      store.connections.remove('dst');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe('InUse');
    expect((error as StoreError).message).toBe(
      'connection "Local dst" is used by mappings "Archive", "Photos backup"; delete those mappings or change their connections first',
    );
    expect(store.connections.get('dst')).toBeDefined();

    store.mappings.remove('m1');
    store.mappings.remove('m2');
    expect(store.connections.remove('dst')).toBe(true);
    expect(store.connections.remove('dst')).toBe(false);
  });

  it('lists in insertion order and keeps that order across updates', () => {
    const { store } = tempStore();
    for (const id of ['b', 'a', 'c']) store.connections.upsert(localConnection(id));
    store.connections.upsert({ ...localConnection('b'), name: 'renamed' });
    expect(store.connections.list().map((c) => [c.id, c.name])).toEqual([
      ['b', 'renamed'],
      ['a', 'Local a'],
      ['c', 'Local c'],
    ]);
  });
});
