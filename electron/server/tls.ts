// The certificate `serve` speaks TLS with: the operator's PEM files (--tls-cert/--tls-key), or a
// self-signed one made once and kept beside the database (--tls-self-signed), as Kopia does. A
// self-signed certificate is trusted by pinning: the SHA-256 fingerprint printed with the URL is the
// one a browser shows for the certificate, and the one a client compares before it sends the token.
//
// The kept certificate changes only when it is missing, broken, or within RENEW_BEFORE_DAYS of its
// end: every change is announced (a client that pinned the old fingerprint will refuse the new one,
// which is the pin doing its job). A certificate that does not name the address served is kept and
// warned about, so a change of --host never silently breaks a pin.
import { createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import { chmodSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import path from 'node:path';
import { createSecureContext } from 'node:tls';
import { isWildcardHost } from './security';

export const TLS_CERT_FILE = 'tls-cert.pem';
export const TLS_KEY_FILE = 'tls-key.pem';
/** 825 days: the longest validity Apple's platforms accept for any TLS server certificate. */
export const SELF_SIGNED_DAYS = 825;
/** A kept certificate this close to its end is replaced at start, rather than failing one day while running. */
export const RENEW_BEFORE_DAYS = 30;
const DAY_MS = 86_400_000;

export interface TlsMaterial {
  /** PEM: the certificate, then any intermediates. */
  cert: string;
  key: string;
  /** SHA-256 of the (first) certificate's DER, `AB:CD:…`: what browsers show, what clients pin. */
  fingerprint: string;
  /** Said once at start: a certificate made or replaced (and why). */
  notices: string[];
  /** Said once at start: an expired or soon-ending certificate, an address it does not name. */
  warnings: string[];
}

/** A certificate or key that cannot be used; the message names the flag or file. serve exits 2. */
export class TlsSetupError extends Error {
  override readonly name = 'TlsSetupError';
}

/** --tls-cert/--tls-key: reads and checks both files; nothing is written. */
export function readTlsFiles(certPath: string, keyPath: string, host: string, now = new Date()): TlsMaterial {
  const cert = readPem(certPath, '--tls-cert');
  const key = readPem(keyPath, '--tls-key');
  const pair = checkPair(cert, key);
  if (!pair.ok) {
    if (pair.problem === 'cert') throw new TlsSetupError(`--tls-cert ${certPath}: not a PEM certificate`);
    if (pair.problem === 'key') throw new TlsSetupError(`--tls-key ${keyPath}: not a PEM private key (an encrypted key is not supported: decrypt it first)`);
    if (pair.problem === 'mismatch') throw new TlsSetupError(`--tls-key ${keyPath} does not belong to the certificate in --tls-cert ${certPath}`);
    throw new TlsSetupError(`--tls-cert ${certPath} with --tls-key ${keyPath}: ${pair.detail}`);
  }
  const { x509 } = pair;
  const warnings: string[] = [];
  const end = Date.parse(x509.validTo);
  if (end <= now.getTime()) warnings.push(`the certificate in --tls-cert ${certPath} expired on ${x509.validTo}: clients will refuse it`);
  else if (end - now.getTime() < RENEW_BEFORE_DAYS * DAY_MS) warnings.push(`the certificate in --tls-cert ${certPath} expires on ${x509.validTo}`);
  const unnamed = unnamedHost(x509, host);
  if (unnamed) warnings.push(`the certificate in --tls-cert ${certPath} does not name ${unnamed}: clients that check the name will refuse it`);
  return { cert, key, fingerprint: x509.fingerprint256, notices: [], warnings };
}

/**
 * --tls-self-signed: the certificate kept in `dir` (tls-cert.pem, tls-key.pem, mode 0600), made
 * when missing, broken or ending soon. The caller holds the database lock, so no other server
 * writes these files at the same time.
 */
export async function loadOrCreateSelfSigned(dir: string, host: string, now = new Date()): Promise<TlsMaterial> {
  const certPath = path.join(dir, TLS_CERT_FILE);
  const keyPath = path.join(dir, TLS_KEY_FILE);
  const warnings: string[] = [];
  const kept = readKept(certPath, keyPath);
  let replaced: string;
  if (kept.state === 'ok') {
    const end = Date.parse(kept.x509.validTo);
    if (end - now.getTime() >= RENEW_BEFORE_DAYS * DAY_MS) {
      const tightened = tightenMode(keyPath);
      if (tightened) warnings.push(tightened);
      const unnamed = unnamedHost(kept.x509, host);
      if (unnamed) {
        warnings.push(`the kept certificate ${certPath} does not name ${unnamed}: browsers will warn for that address (pin the fingerprint), or delete ${TLS_CERT_FILE} and ${TLS_KEY_FILE} to make one that names it`);
      }
      return { cert: kept.cert, key: kept.key, fingerprint: kept.x509.fingerprint256, notices: [], warnings };
    }
    replaced = `the kept certificate ${certPath} ${end <= now.getTime() ? 'expired' : 'expires'} on ${kept.x509.validTo}`;
  } else if (kept.state === 'broken') {
    replaced = `the kept certificate ${certPath} could not be used (${kept.reason})`;
  } else {
    replaced = '';
  }

  // Loaded only here: see self-signed.ts.
  const { generateSelfSigned } = await import('./self-signed');
  const made = await generateSelfSigned(subjectNames(host), now, SELF_SIGNED_DAYS);
  writeKept(dir, certPath, made.cert, keyPath, made.key);
  const fingerprint = new X509Certificate(made.cert).fingerprint256;
  const notice = replaced
    ? `${replaced}: made a new self-signed certificate, ${certPath}; its fingerprint changed, so clients that pinned the old one must pin the new one`
    : `Made a self-signed certificate, ${certPath} (key: ${keyPath}); it is kept for the next starts`;
  return { cert: made.cert, key: made.key, fingerprint, notices: [notice], warnings };
}

/**
 * The names a self-signed certificate is made for: loopback, the machine's name, and the --host
 * served when it names one address (0.0.0.0 and :: name none; clients then pin the fingerprint).
 */
export function subjectNames(host: string): string[] {
  const names = ['localhost', '127.0.0.1', '::1', hostname().toLowerCase()];
  const bare = stripBrackets(host).toLowerCase();
  if (bare !== '' && !isWildcardHost(bare)) names.push(bare);
  return [...new Set(names.filter((name) => name !== ''))];
}

type Kept = { state: 'missing' } | { state: 'broken'; reason: string } | { state: 'ok'; cert: string; key: string; x509: X509Certificate };

function readKept(certPath: string, keyPath: string): Kept {
  let cert: string;
  let key: string;
  try {
    cert = readFileSync(certPath, 'utf8');
    key = readFileSync(keyPath, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // Half a pair (a crash between the two renames, one file deleted) is made again whole.
    if (code === 'ENOENT') return { state: 'missing' };
    // Not ours to overwrite: someone changed its owner or mode.
    throw new TlsSetupError(`cannot read ${(err as NodeJS.ErrnoException).path ?? certPath} (${code ?? (err as Error).message}); fix its permissions or delete it`);
  }
  const pair = checkPair(cert, key);
  if (pair.ok) return { state: 'ok', cert, key, x509: pair.x509 };
  const reasons = { cert: 'not a PEM certificate', key: `${TLS_KEY_FILE} is not a PEM private key`, mismatch: `${TLS_KEY_FILE} does not belong to it`, tls: pair.detail };
  return { state: 'broken', reason: reasons[pair.problem] };
}

/** Key first, certificate last: a certificate on disk always has its key beside it. */
function writeKept(dir: string, certPath: string, cert: string, keyPath: string, key: string): void {
  const suffix = `.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const temps: string[] = [];
  try {
    for (const [target, text] of [
      [keyPath, key],
      [certPath, cert],
    ] as const) {
      const temp = path.join(dir, `${path.basename(target)}${suffix}`);
      temps.push(temp);
      writeFileSync(temp, text, { mode: 0o600, flag: 'wx' });
    }
    renameSync(temps[0]!, keyPath);
    renameSync(temps[1]!, certPath);
  } finally {
    for (const temp of temps) rmSync(temp, { force: true });
  }
}

type Pair = { ok: true; x509: X509Certificate } | { ok: false; problem: 'cert' | 'key' | 'mismatch' | 'tls'; detail: string };

/** Parses both, and checks that they belong together and that Node's TLS takes them. */
function checkPair(cert: string, key: string): Pair {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (err) {
    return { ok: false, problem: 'cert', detail: (err as Error).message };
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch (err) {
    return { ok: false, problem: 'key', detail: (err as Error).message };
  }
  if (!x509.checkPrivateKey(privateKey)) return { ok: false, problem: 'mismatch', detail: '' };
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    return { ok: false, problem: 'tls', detail: (err as Error).message };
  }
  return { ok: true, x509 };
}

function readPem(file: string, flag: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : (err as Error).message;
    throw new TlsSetupError(`${flag} ${file}: cannot read it (${why})`);
  }
}

/** The --host clients will type when the certificate does not name it; null when it does (or names no single address). */
function unnamedHost(x509: X509Certificate, host: string): string | null {
  const bare = stripBrackets(host);
  if (isWildcardHost(bare)) return null;
  const named = isIP(bare) ? x509.checkIP(bare) !== undefined : x509.checkHost(bare) !== undefined;
  return named ? null : bare;
}

/** As for secret.key: a private key readable by others is narrowed to its owner, and said so. */
function tightenMode(file: string): string | null {
  if (process.platform === 'win32') return null;
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) === 0) return null;
  chmodSync(file, 0o600);
  return `${file} was readable by other users (mode ${mode.toString(8)}); changed it to 600`;
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
