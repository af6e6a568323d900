// Adapts Electron's safeStorage (injected, so this module stays electron-free) to the store's
// SecretCipher. Secrets are encrypted with a key the OS keeps (Keychain, DPAPI, libsecret/KWallet).
import { StoreError, type SecretCipher } from '../store';

/** The part of Electron's `safeStorage` this adapter uses. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only; other platforms may leave it out. */
  getSelectedStorageBackend?(): string;
}

/**
 * Why secrets cannot be encrypted here, or null when they can. On Linux without a keyring, Chromium
 * falls back to 'basic_text': a key hard-coded in every copy of Chromium, which is obfuscation, not
 * encryption — treated as unavailable.
 */
export function encryptionUnavailableReason(safeStorage: SafeStorageLike, platform: NodeJS.Platform = process.platform): string | null {
  if (!safeStorage.isEncryptionAvailable()) {
    return 'the operating system offers no secure storage for secrets right now (safeStorage is unavailable)';
  }
  if (platform === 'linux' && safeStorage.getSelectedStorageBackend?.() === 'basic_text') {
    return (
      'no desktop keyring (GNOME Keyring / libsecret or KWallet) was found, so secrets could only be stored with a ' +
      'publicly known key; start a keyring, or launch with --password-store=gnome-libsecret or --password-store=kwallet5'
    );
  }
  return null;
}

/**
 * A SecretCipher that refuses to encrypt when the OS cannot protect the secret (the connection is
 * then not saved, with a clear message), rather than quietly storing something readable.
 * Availability is checked on every call: on Linux the keyring may unlock after start-up.
 */
export function createSafeStorageCipher(safeStorage: SafeStorageLike, platform: NodeJS.Platform = process.platform): SecretCipher {
  const check = (): void => {
    const reason = encryptionUnavailableReason(safeStorage, platform);
    if (reason !== null) throw new StoreError('SecretsUnavailable', `Cannot store secrets: ${reason}.`);
  };
  return {
    encrypt(plain) {
      check();
      return safeStorage.encryptString(plain);
    },
    decrypt(blob) {
      check();
      return safeStorage.decryptString(blob);
    },
  };
}
