// The headless server's secret cipher: AES-256-GCM with a key file of mode 0600.
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileKeyCipher, loadOrCreateKeyFile } from '../../electron/server/file-key-cipher';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'cds-key-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('loadOrCreateKeyFile', () => {
  it('creates a 32-byte key readable by its owner only, and reuses it', () => {
    const file = path.join(dir, 'secret.key');
    const first = loadOrCreateKeyFile(file);
    expect(first.created).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);

    const second = loadOrCreateKeyFile(file);
    expect(second.created).toBe(false);
    expect(second.cipher.decrypt(first.cipher.encrypt('hello'))).toBe('hello');
  });

  it('tightens a key file that others can read, and says so', () => {
    const file = path.join(dir, 'secret.key');
    loadOrCreateKeyFile(file);
    chmodSync(file, 0o644);
    const loaded = loadOrCreateKeyFile(file);
    expect(loaded.warning).toContain('readable by other users');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses a file that is not a key of this app', () => {
    const file = path.join(dir, 'secret.key');
    writeFileSync(file, 'not a key', { mode: 0o600 });
    expect(() => loadOrCreateKeyFile(file)).toThrow(/not a key file/);
  });
});

describe('FileKeyCipher', () => {
  const cipher = new FileKeyCipher(Buffer.alloc(32, 7));

  it('round-trips, with a fresh IV each time, and never contains the plaintext', () => {
    const a = cipher.encrypt('{"secretAccessKey":"s3cr3t-value"}');
    const b = cipher.encrypt('{"secretAccessKey":"s3cr3t-value"}');
    expect(a.equals(b)).toBe(false);
    expect(a.includes('s3cr3t-value')).toBe(false);
    expect(cipher.decrypt(a)).toBe('{"secretAccessKey":"s3cr3t-value"}');
  });

  it('detects a changed blob and a different key', () => {
    const blob = cipher.encrypt('secret');
    const tampered = Buffer.from(blob);
    tampered[tampered.length - 1]! ^= 1;
    expect(() => cipher.decrypt(tampered)).toThrow();
    expect(() => new FileKeyCipher(Buffer.alloc(32, 8)).decrypt(blob)).toThrow();
    expect(() => cipher.decrypt(Buffer.from('short'))).toThrow(/format/);
  });

  it('takes only a 32-byte key', () => {
    expect(() => new FileKeyCipher(Buffer.alloc(16))).toThrow(/32 bytes/);
  });
});
