// The secret cipher of the headless server, which has no Electron safeStorage: AES-256-GCM with a
// random 32-byte key kept in a file readable only by its owner (0600), beside the database.
//
// What this protects: a copy of the SQLite file alone (a backup, a file sent with a bug report)
// does not reveal connection secrets. What it does not: anyone who can read the key file (the same
// user, root, a backup that holds both files) can decrypt them. Keep `secret.key` out of backups
// that leave the machine; losing it means entering the secrets again.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, linkSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import type { SecretCipher } from '../store';

export const KEY_FILE_NAME = 'secret.key';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** First byte of every blob, so a later format can be told apart. */
const FORMAT_V1 = 1;

export class FileKeyCipher implements SecretCipher {
  constructor(private readonly key: Buffer) {
    if (key.length !== KEY_BYTES) throw new Error(`the secret key must be ${KEY_BYTES} bytes, got ${key.length}`);
  }

  /** Blob: version (1) | IV (12) | tag (16) | ciphertext. A fresh IV every time. */
  encrypt(plain: string): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.of(FORMAT_V1), iv, cipher.getAuthTag(), body]);
  }

  /** Throws when the blob was not made with this key or was altered (GCM authenticates it). */
  decrypt(blob: Buffer): string {
    if (blob.length < 1 + IV_BYTES + TAG_BYTES || blob[0] !== FORMAT_V1) throw new Error('not a secret blob of this format');
    const iv = blob.subarray(1, 1 + IV_BYTES);
    const tag = blob.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(blob.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  }
}

export interface LoadedKey {
  cipher: FileKeyCipher;
  created: boolean;
  /** Set when the file was readable by others and its mode was tightened to 0600. */
  warning?: string;
}

/**
 * Reads the key at `path`, or creates it (hex text, mode 0600) when missing. The key is written to
 * a temporary file and then linked into place, which fails if the name exists: a crash never leaves
 * a half-written key, and two processes starting at once cannot each keep a different key.
 */
export function loadOrCreateKeyFile(path: string): LoadedKey {
  let created = false;
  if (!existsSync(path)) {
    const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(temp, `${randomBytes(KEY_BYTES).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    try {
      linkSync(temp, path);
      created = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      unlinkSync(temp);
    }
  }
  let warning: string | undefined;
  const mode = statSync(path).mode & 0o777;
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    chmodSync(path, 0o600);
    warning = `${path} was readable by other users (mode ${mode.toString(8)}); changed it to 600`;
  }
  const text = readFileSync(path, 'utf8').trim();
  if (!/^[0-9a-f]{64}$/i.test(text)) throw new Error(`${path} is not a key file of this app (expected ${KEY_BYTES * 2} hex digits)`);
  return { cipher: new FileKeyCipher(Buffer.from(text, 'hex')), created, ...(warning ? { warning } : {}) };
}
