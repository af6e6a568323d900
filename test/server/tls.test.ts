// `serve` over TLS: a self-signed certificate made once and kept beside the database, whose printed
// fingerprint is the one presented on the wire; the operator's own PEM files; HTTPS, WSS, the Secure
// cookie and the wss: CSP; refusals that name the flag; and the renderer choosing wss: on an https page.
import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { generate } from 'selfsigned';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { parseArgs, type ServeArgs } from '../../electron/headless/args';
import { loadOrCreateSelfSigned, RENEW_BEFORE_DAYS, SELF_SIGNED_DAYS, subjectNames, TLS_CERT_FILE, TLS_KEY_FILE } from '../../electron/server/tls';
import { api } from '../../renderer/api';
import { SERVE_TOKEN, serveHarness, startServe, testServeArgs, type ServeHarness } from './serve-harness';
import { rawRequest, type RawResponse } from './helpers';

const dirs: string[] = [];
const stops: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
  vi.unstubAllGlobals();
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cds-tls-'));
  dirs.push(dir);
  return dir;
}

/** A UI build of one page, so `/` answers 200 with the security headers. */
function uiBuild(home: string): string {
  const build = path.join(home, 'build');
  mkdirSync(build, { recursive: true });
  writeFileSync(path.join(build, 'index.html'), '<title>ui</title>');
  return build;
}

/** Starts serve; the afterEach stops it (the shutdown request, then its exit) unless the test did. */
async function serveTls(h: ServeHarness, args: ServeArgs, home: string) {
  const running = await startServe(h, args, uiBuild(home));
  let stopped = false;
  const stop = async () => {
    if (!stopped) h.interrupt();
    stopped = true;
    return running.exit;
  };
  stops.push(stop);
  return { ...running, stop };
}

/** An HTTPS request to serve, trusting `ca` when given (else only the system's CAs). */
function httpsGet(port: number, target: string, options: { ca?: string; headers?: Record<string, string>; method?: string } = {}): Promise<RawResponse> {
  return rawRequest(port, target, options.headers, options.method, { ca: options.ca });
}

function fingerprintOnTheWire(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const fingerprint = socket.getPeerCertificate().fingerprint256;
      socket.end();
      resolve(fingerprint);
    });
    socket.on('error', reject);
  });
}

function printedFingerprint(out: string): string {
  const match = /^SHA-256 fingerprint: ([0-9A-F]{2}(?::[0-9A-F]{2}){31})$/m.exec(out);
  if (!match) throw new Error(`no fingerprint line in:\n${out}`);
  return match[1]!;
}

function wssCall(port: number, ca: string, name: string, extra: { origin?: string; cookie?: boolean } = {}): Promise<unknown> {
  const headers: Record<string, string> = extra.cookie ? { Cookie: `cds_token_${port}=${SERVE_TOKEN}` } : { Authorization: `Bearer ${SERVE_TOKEN}` };
  const ws = new WebSocket(`wss://127.0.0.1:${port}/ws`, { ca, headers, ...(extra.origin ? { origin: extra.origin } : {}) });
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused: ${res.statusCode}`)));
    ws.once('open', () => ws.send(JSON.stringify({ id: 1, name })));
    // Events may come first; the reply carries the call's id.
    ws.on('message', (data) => {
      const message = JSON.parse(String(data));
      if (message.id !== 1) return;
      resolve(message);
      ws.close();
    });
  });
}

/** A certificate and key for 127.0.0.1 made by the test, as an operator would bring them. */
async function operatorCertificate(dir: string, name = 'own'): Promise<{ certPath: string; keyPath: string; cert: string }> {
  const made = await generate([{ name: 'commonName', value: 'operator' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
  });
  const certPath = path.join(dir, `${name}-cert.pem`);
  const keyPath = path.join(dir, `${name}-key.pem`);
  writeFileSync(certPath, made.cert);
  writeFileSync(keyPath, made.private);
  return { certPath, keyPath, cert: made.cert };
}

describe('serve --tls-self-signed', () => {
  it('makes a certificate beside the database, prints the fingerprint presented on the wire, and serves HTTPS and WSS with it', async () => {
    const home = tempDir();
    const dbDir = path.join(home, 'state');
    const h = serveHarness();
    const running = await serveTls(h, testServeArgs({ dbPath: path.join(dbDir, 'data.db'), tlsSelfSigned: true }), home);

    expect(running.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
    expect(h.out()).toContain(`Cloud Data Sync is running at ${running.url}?token=${SERVE_TOKEN}`);
    const printed = printedFingerprint(h.out());
    expect(running.fingerprint).toBe(printed);
    expect(await fingerprintOnTheWire(running.port)).toBe(printed);
    expect(h.err()).toContain(`Made a self-signed certificate, ${path.join(dbDir, TLS_CERT_FILE)}`);

    // Kept beside the database, readable by the owner only; the stored certificate is the one served.
    const certPath = path.join(dbDir, TLS_CERT_FILE);
    const keyPath = path.join(dbDir, TLS_KEY_FILE);
    expect(statSync(certPath).mode & 0o777).toBe(0o600);
    expect(statSync(keyPath).mode & 0o777).toBe(0o600);
    const ca = readFileSync(certPath, 'utf8');
    const stored = new X509Certificate(ca);
    expect(stored.fingerprint256).toBe(printed);
    expect(stored.subjectAltName).toContain('DNS:localhost');
    expect(stored.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(stored.checkIP('::1')).toBe('::1');

    // Without the pinned certificate a client refuses the server: the TLS is real.
    await expect(httpsGet(running.port, '/healthz')).rejects.toThrow(/self-signed|self signed/i);

    // With it: the token in the URL becomes a Secure cookie; the page's CSP allows only wss: to itself.
    const first = await httpsGet(running.port, `/?token=${SERVE_TOKEN}`, { ca });
    expect(first.status).toBe(303);
    expect(String(first.headers['set-cookie'])).toMatch(/; Secure$/);
    const page = await httpsGet(running.port, '/', { ca, headers: { Cookie: `cds_token_${running.port}=${SERVE_TOKEN}` } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>ui</title>');
    expect(page.headers['content-security-policy']).toContain(`connect-src 'self' wss://127.0.0.1:${running.port};`);
    expect(page.headers['content-security-policy']).not.toContain('ws://');
    const metrics = await httpsGet(running.port, '/metrics', { ca, headers: { Authorization: `Bearer ${SERVE_TOKEN}` } });
    expect(metrics.status).toBe(200);
    expect((await httpsGet(running.port, '/metrics', { ca })).status).toBe(401);
    expect(await httpsGet(running.port, '/healthz', { ca })).toMatchObject({ status: 200 });

    // The contract over WSS: a non-browser client with the Bearer token, and the page itself (its
    // https:// origin and cookie); a page of plain http:// is another origin and is refused.
    expect(await wssCall(running.port, ca, 'app.status')).toMatchObject({ id: 1, envelope: { ok: true, value: { mode: 'server', version: '9.9.9' } } });
    expect(await wssCall(running.port, ca, 'app.status', { origin: `https://127.0.0.1:${running.port}`, cookie: true })).toMatchObject({ envelope: { ok: true } });
    await expect(wssCall(running.port, ca, 'app.status', { origin: `http://127.0.0.1:${running.port}`, cookie: true })).rejects.toThrow('refused: 403');

    // Plain HTTP to the TLS port gets no answer.
    const plain = new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: running.port, path: '/healthz' }, (res) => resolve(res.statusCode ?? 0));
      req.on('error', reject);
      req.end();
    });
    await expect(plain).rejects.toThrow();

    expect(await running.stop()).toBe(0);
    // TLS is on, so no warning about unencrypted traffic (that one is for non-loopback hosts without TLS).
    expect(h.err()).not.toContain('not encrypted');
  });

  it('reuses the kept certificate on the next start: the same fingerprint', async () => {
    const home = tempDir();
    const args = testServeArgs({ dbPath: path.join(home, 'data.db'), tlsSelfSigned: true });
    const h1 = serveHarness();
    const first = await serveTls(h1, args, home);
    expect(await first.stop()).toBe(0);
    const certBefore = readFileSync(path.join(home, TLS_CERT_FILE), 'utf8');

    const h2 = serveHarness();
    const second = await serveTls(h2, args, home);
    expect(printedFingerprint(h2.out())).toBe(printedFingerprint(h1.out()));
    expect(await fingerprintOnTheWire(second.port)).toBe(first.fingerprint);
    expect(readFileSync(path.join(home, TLS_CERT_FILE), 'utf8')).toBe(certBefore);
    expect(h2.err()).not.toContain('self-signed certificate');
    expect(await second.stop()).toBe(0);
  });
});

describe('the kept self-signed certificate', () => {
  it('is replaced, and the change said, when it is about to end', async () => {
    const dir = tempDir();
    const made = await loadOrCreateSelfSigned(dir, '127.0.0.1');
    expect(made.notices).toEqual([expect.stringContaining('Made a self-signed certificate')]);
    const end = Date.parse(new X509Certificate(made.cert).validTo);
    // It lasts SELF_SIGNED_DAYS (from a day back, for clients whose clock lags).
    expect(Math.round((end - Date.now()) / 86_400_000)).toBe(SELF_SIGNED_DAYS - 1);

    const stillFine = await loadOrCreateSelfSigned(dir, '127.0.0.1', new Date(end - (RENEW_BEFORE_DAYS + 1) * 86_400_000));
    expect(stillFine.fingerprint).toBe(made.fingerprint);
    expect(stillFine.notices).toEqual([]);

    const late = await loadOrCreateSelfSigned(dir, '127.0.0.1', new Date(end - (RENEW_BEFORE_DAYS - 1) * 86_400_000));
    expect(late.fingerprint).not.toBe(made.fingerprint);
    expect(late.notices).toEqual([expect.stringMatching(/expires on .*its fingerprint changed/)]);
    expect(new X509Certificate(readFileSync(path.join(dir, TLS_CERT_FILE))).fingerprint256).toBe(late.fingerprint);
  });

  it('is made again when half of it is missing or its key does not fit, and kept (with a warning) when it does not name --host', async () => {
    const dir = tempDir();
    const made = await loadOrCreateSelfSigned(dir, '127.0.0.1');
    rmSync(path.join(dir, TLS_KEY_FILE));
    const remade = await loadOrCreateSelfSigned(dir, '127.0.0.1');
    expect(remade.fingerprint).not.toBe(made.fingerprint);

    const other = await operatorCertificate(tempDir());
    writeFileSync(path.join(dir, TLS_KEY_FILE), readFileSync(other.keyPath));
    const fixed = await loadOrCreateSelfSigned(dir, '127.0.0.1');
    expect(fixed.notices).toEqual([expect.stringContaining('tls-key.pem does not belong to it')]);
    expect(fixed.fingerprint).not.toBe(remade.fingerprint);

    const elsewhere = await loadOrCreateSelfSigned(dir, 'sync.example.internal');
    expect(elsewhere.fingerprint).toBe(fixed.fingerprint);
    expect(elsewhere.warnings).toEqual([expect.stringContaining('does not name sync.example.internal')]);

    chmodSync(path.join(dir, TLS_KEY_FILE), 0o644);
    const tightened = await loadOrCreateSelfSigned(dir, '127.0.0.1');
    expect(tightened.warnings).toEqual([expect.stringContaining('changed it to 600')]);
    expect(statSync(path.join(dir, TLS_KEY_FILE)).mode & 0o777).toBe(0o600);
  });

  it('names loopback, the machine, and the --host served when it is one address', () => {
    expect(subjectNames('127.0.0.1').slice(0, 3)).toEqual(['localhost', '127.0.0.1', '::1']);
    expect(subjectNames('0.0.0.0')).not.toContain('0.0.0.0');
    expect(subjectNames('[::]')).not.toContain('::');
    expect(subjectNames('192.0.2.10')).toContain('192.0.2.10');
    expect(subjectNames('[2001:db8::1]')).toContain('2001:db8::1');
    expect(subjectNames('Sync.Example.Internal')).toContain('sync.example.internal');
  });
});

describe('serve --tls-cert/--tls-key', () => {
  it('serves HTTPS and WSS with the operator certificate and prints its fingerprint', async () => {
    const home = tempDir();
    const own = await operatorCertificate(home);
    const h = serveHarness();
    const running = await serveTls(h, testServeArgs({ dbPath: path.join(home, 'data.db'), tlsCert: own.certPath, tlsKey: own.keyPath }), home);
    const fingerprint = new X509Certificate(own.cert).fingerprint256;
    expect(printedFingerprint(h.out())).toBe(fingerprint);
    expect(await fingerprintOnTheWire(running.port)).toBe(fingerprint);
    expect((await httpsGet(running.port, '/healthz', { ca: own.cert })).status).toBe(200);
    expect(await wssCall(running.port, own.cert, 'app.status')).toMatchObject({ envelope: { ok: true } });
    // Nothing of its own is made beside the database.
    expect(existsSync(path.join(home, TLS_CERT_FILE))).toBe(false);
    expect(await running.stop()).toBe(0);
  });

  it('exits 2 naming the flag and the path when a file is missing, unreadable as PEM, or the key does not fit; nothing starts', async () => {
    const home = tempDir();
    const own = await operatorCertificate(home);
    const other = await operatorCertificate(home, 'other');
    const notPem = path.join(home, 'not.pem');
    writeFileSync(notPem, 'hello');
    const missing = path.join(home, 'missing.pem');
    const cases: Array<[Partial<ServeArgs>, string]> = [
      [{ tlsCert: missing, tlsKey: own.keyPath }, `--tls-cert ${missing}: cannot read it (no such file)`],
      [{ tlsCert: own.certPath, tlsKey: missing }, `--tls-key ${missing}: cannot read it (no such file)`],
      [{ tlsCert: notPem, tlsKey: own.keyPath }, `--tls-cert ${notPem}: not a PEM certificate`],
      [{ tlsCert: own.certPath, tlsKey: notPem }, `--tls-key ${notPem}: not a PEM private key`],
      [{ tlsCert: own.certPath, tlsKey: other.keyPath }, `--tls-key ${other.keyPath} does not belong to the certificate in --tls-cert ${own.certPath}`],
    ];
    for (const [tlsArgs, message] of cases) {
      const h = serveHarness();
      const dbPath = path.join(home, 'db', 'data.db');
      const { runServe } = await import('../../electron/server/serve');
      const { ConsoleLog } = await import('../../electron/headless/console-log');
      const code = await runServe(testServeArgs({ dbPath, ...tlsArgs }), new ConsoleLog(h.cli, 'info'), h.cli, { env: { CDS_SERVER_TOKEN: SERVE_TOKEN } });
      expect(code, message).toBe(2);
      expect(h.err()).toContain(message);
      expect(h.out()).not.toContain('running at');
      expect(existsSync(dbPath), 'no database was opened').toBe(false);
    }
  });

  it('are parsed as a pair, exclusive of --tls-self-signed', () => {
    expect(parseArgs(['serve', '--tls-cert', 'c.pem', '--tls-key', 'k.pem'])).toMatchObject({ tlsCert: 'c.pem', tlsKey: 'k.pem', tlsSelfSigned: false });
    expect(() => parseArgs(['serve', '--tls-key', 'k.pem'])).toThrow('--tls-cert and --tls-key go together');
  });
});

describe('the web UI on an https page', () => {
  // Last in the file: the renderer's client is a module singleton that keeps reconnecting after its server stops.
  it('talks to its server over wss:', async () => {
    const home = tempDir();
    const h = serveHarness();
    const running = await serveTls(h, testServeArgs({ dbPath: path.join(home, 'data.db'), tlsSelfSigned: true }), home);
    const ca = readFileSync(path.join(home, TLS_CERT_FILE), 'utf8');
    const urls: string[] = [];
    // What a browser has on the page: its location, and a WebSocket that sends the page's origin and cookie.
    vi.stubGlobal('location', { protocol: 'https:', host: `127.0.0.1:${running.port}` });
    vi.stubGlobal(
      'WebSocket',
      class PageSocket extends WebSocket {
        constructor(url: string) {
          urls.push(url);
          super(url, { ca, origin: `https://127.0.0.1:${running.port}`, headers: { Cookie: `cds_token_${running.port}=${SERVE_TOKEN}` } });
        }
      },
    );
    await expect(api.invoke('app.status')).resolves.toMatchObject({ mode: 'server' });
    expect(urls).toEqual([`wss://127.0.0.1:${running.port}/ws`]);
    expect(await running.stop()).toBe(0);
  });
});
