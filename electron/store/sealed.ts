// Values kept encrypted with the store's SecretCipher (connections.ts): a mapping's and the global
// alerts, whose URLs and signing secrets are credentials. JSON in, JSON out.
import type { SecretCipher } from './connections';
import { StoreError } from './db';

export function seal(cipher: SecretCipher, value: unknown): Buffer {
  return cipher.encrypt(JSON.stringify(value));
}

/** The value sealed in `blob`; StoreError 'SecretsUnavailable' without a cipher or when it cannot decrypt (`what` names the owner). */
export function unseal<T>(cipher: SecretCipher | null, blob: Buffer, what: string): T {
  if (!cipher) throw new StoreError('SecretsUnavailable', `${what} are stored encrypted, and this process has no way to decrypt them`);
  try {
    return JSON.parse(cipher.decrypt(blob)) as T;
  } catch (err) {
    throw new StoreError('SecretsUnavailable', `${what} cannot be decrypted (the key that encrypted them is gone); enter them again`, { cause: err });
  }
}
