// Shared fixtures for the store tests: a temp directory per test, a real cipher, sample rows.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { Connection, Mapping } from '../../shared/model';
import { openStore, type SecretCipher, type Store, type StoreOptions } from '../../electron/store';

const dirs: string[] = [];
const stores: Store[] = [];

afterEach(() => {
  for (const store of stores.splice(0)) store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cds-store-'));
  dirs.push(dir);
  return dir;
}

/** A store on a fresh file, closed after the test. */
export function tempStore(options: StoreOptions = {}): { store: Store; path: string } {
  const path = join(tempDir(), 'data.sqlite');
  const store = trackStore(openStore(path, options));
  return { store, path };
}

export function trackStore(store: Store): Store {
  stores.push(store);
  return store;
}

/** AES-256-GCM with a random key: like safeStorage, the output never contains the plaintext. */
export function testCipher(): SecretCipher {
  const key = randomBytes(32);
  return {
    encrypt(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    decrypt(blob) {
      const decipher = createDecipheriv('aes-256-gcm', key, blob.subarray(0, 12));
      decipher.setAuthTag(blob.subarray(12, 28));
      return Buffer.concat([decipher.update(blob.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}

export function awsConnection(id: string, overrides: Partial<Extract<Connection, { type: 'aws' }>['aws']> = {}): Connection {
  return {
    id,
    name: `Connection ${id}`,
    type: 'aws',
    aws: { region: 'eu-west-1', accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'SUPERSECRET-123', endpoint: 'http://127.0.0.1:9000', ...overrides },
  };
}

export function localConnection(id: string): Connection {
  return { id, name: `Local ${id}`, type: 'local', local: { root: `/data/${id}` } };
}

export function mapping(id: string, overrides: Partial<Mapping> = {}): Mapping {
  return {
    id,
    name: `Mapping ${id}`,
    sourceConnectionId: 'src',
    sourceBucket: 'photos',
    sourcePrefix: '2024/',
    targetConnectionId: 'dst',
    targetBucket: 'backup',
    targetPrefix: '',
    transfers: 8,
    deleteMode: 'synced',
    maxDelete: { kind: 'percent', value: 10 },
    dryRun: false,
    enabled: true,
    intervalSeconds: 3600,
    ...overrides,
  };
}

/** A store holding connections 'src' and 'dst' and the given mappings. */
export function storeWithMappings(...ids: string[]): { store: Store; path: string } {
  const result = tempStore();
  result.store.connections.upsert(localConnection('src'));
  result.store.connections.upsert(localConnection('dst'));
  for (const id of ids) result.store.mappings.upsert(mapping(id));
  return result;
}
