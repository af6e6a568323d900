import { describe, expect, it } from 'vitest';
import { createSafeStorageCipher, encryptionUnavailableReason, type SafeStorageLike } from '../../electron/shell/safe-storage-cipher';
import { openStore, StoreError } from '../../electron/store';

/** A stand-in for Electron's safeStorage: reversible, but the plaintext never appears in the blob. */
function fakeSafeStorage(options: { available?: boolean; backend?: string } = {}): SafeStorageLike & { available: boolean } {
  const state = {
    available: options.available ?? true,
    isEncryptionAvailable: () => state.available,
    encryptString: (plain: string) => Buffer.from(Buffer.from(plain, 'utf8').map((b) => b ^ 0x5a)),
    decryptString: (blob: Buffer) => Buffer.from(blob.map((b) => b ^ 0x5a)).toString('utf8'),
    ...(options.backend === undefined ? {} : { getSelectedStorageBackend: () => options.backend! }),
  };
  return state;
}

describe('createSafeStorageCipher', () => {
  it('round-trips through safeStorage', () => {
    const cipher = createSafeStorageCipher(fakeSafeStorage(), 'darwin');
    const blob = cipher.encrypt('s3cr3t-key');
    expect(blob.toString('utf8')).not.toContain('s3cr3t-key');
    expect(cipher.decrypt(blob)).toBe('s3cr3t-key');
  });

  it('refuses to encrypt or decrypt when safeStorage is unavailable, with a clear StoreError', () => {
    const cipher = createSafeStorageCipher(fakeSafeStorage({ available: false }), 'win32');
    expect(() => cipher.encrypt('x')).toThrow(StoreError);
    expect(() => cipher.encrypt('x')).toThrow(/Cannot store secrets: the operating system offers no secure storage/);
    expect(() => cipher.decrypt(Buffer.from('x'))).toThrow(expect.objectContaining({ code: 'SecretsUnavailable' }));
  });

  it("treats Linux's basic_text backend (a key known to everyone) as unavailable", () => {
    const safeStorage = fakeSafeStorage({ backend: 'basic_text' });
    expect(encryptionUnavailableReason(safeStorage, 'linux')).toMatch(/no desktop keyring/);
    expect(() => createSafeStorageCipher(safeStorage, 'linux').encrypt('x')).toThrow(/--password-store=gnome-libsecret/);
    expect(encryptionUnavailableReason(fakeSafeStorage({ backend: 'gnome_libsecret' }), 'linux')).toBeNull();
  });

  it('checks on every call, so a keyring unlocked after start-up is used', () => {
    const safeStorage = fakeSafeStorage({ available: false });
    const cipher = createSafeStorageCipher(safeStorage, 'linux');
    expect(() => cipher.encrypt('x')).toThrow();
    safeStorage.available = true;
    expect(cipher.decrypt(cipher.encrypt('x'))).toBe('x');
  });

  it('with the store: a connection with secrets is refused, not saved in the clear, when encryption is unavailable', () => {
    const safeStorage = fakeSafeStorage({ available: false });
    const store = openStore(':memory:', { cipher: createSafeStorageCipher(safeStorage, 'darwin') });
    const conn = { id: 'c1', name: 'AWS', type: 'aws' as const, aws: { accessKeyId: 'AKIA', secretAccessKey: 'very-secret' } };
    expect(() => store.connections.upsert(conn)).toThrow(/Cannot store secrets/);
    expect(store.connections.get('c1')).toBeUndefined();
    safeStorage.available = true;
    store.connections.upsert(conn);
    expect(store.connections.getWithSecrets('c1')).toMatchObject({ aws: { secretAccessKey: 'very-secret' } });
    expect(store.connections.secretsSet('c1')).toEqual({ secretAccessKey: true, sessionToken: false });
    store.close();
  });
});
