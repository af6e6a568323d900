// Certificate pinning for remote engines. A self-signed certificate (serve --tls-self-signed) fails
// Node's chain check, and Node calls checkServerIdentity only after that check passed, so a pin
// cannot be checked there. Instead the WebSocket's upgrade request is held back (ws's finishRequest)
// until the TLS handshake is done, and is sent only when the certificate the server proved it holds
// (the handshake checks its signature whatever the chain) has exactly the pinned fingerprint. The
// token travels in that request, so a server with another certificate never sees it.
import type { ClientRequest } from 'node:http';
import { connect, type PeerCertificate, type TLSSocket } from 'node:tls';
import { connect as tcpConnect, isIP } from 'node:net';
import type { EngineProbe } from '../../shared/contract';

/** The server's certificate is not the pinned one: the connection is refused before anything is sent. */
export class PinMismatchError extends Error {
  override readonly name = 'PinMismatchError';
  constructor(
    readonly url: string,
    readonly actual: string | null,
    readonly pinned: string,
  ) {
    super(actual === null ? `the server at ${url} presented no certificate, not the pinned ${pinned}` : `the certificate at ${url} has fingerprint ${actual}, not the pinned ${pinned}`);
  }
}

/** Fingerprints compare without regard to case (serve prints upper case). */
export function sameFingerprint(a: string | null, b: string | null): boolean {
  return a !== null && b !== null && a.toUpperCase() === b.toUpperCase();
}

/**
 * ws client options that send the upgrade request only to the pinned certificate. Chain and name
 * are not checked (rejectUnauthorized: false): the pin is the whole trust, stricter than either.
 */
export function pinnedRequestOptions(url: string, pin: string): { rejectUnauthorized: false; finishRequest: (req: ClientRequest) => void } {
  return {
    rejectUnauthorized: false,
    finishRequest(req) {
      req.once('socket', (socket) => {
        const tlsSocket = socket as TLSSocket;
        const check = (): void => {
          const actual = fingerprintOf(tlsSocket.getPeerCertificate());
          if (sameFingerprint(actual, pin)) req.end();
          else req.destroy(new PinMismatchError(url, actual, pin));
        };
        // The handshake normally ends after this event; a socket already secure is checked at once.
        if (fingerprintOf(tlsSocket.getPeerCertificate()) !== null) check();
        else tlsSocket.once('secureConnect', check);
      });
    },
  };
}

function fingerprintOf(cert: PeerCertificate | undefined): string | null {
  return cert && typeof cert.fingerprint256 === 'string' && cert.fingerprint256 !== '' ? cert.fingerprint256 : null;
}

/**
 * What is at `url`, before any token is sent: for https the certificate's fingerprint and whether
 * a certificate authority this process trusts vouches for it (chain and name); http has neither.
 * Never throws: a failure is the probe's `error`.
 */
export async function probeEngine(url: string, timeoutMs: number): Promise<EngineProbe> {
  const parsed = new URL(url);
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const secure = parsed.protocol === 'https:';
  const port = Number(parsed.port || (secure ? 443 : 80));
  if (!secure) {
    const error = await reachable(host, port, timeoutMs);
    return { url, fingerprint: null, trusted: false, error };
  }
  return new Promise<EngineProbe>((resolve) => {
    const socket = connect({ host, port, servername: isIP(host) ? undefined : host, rejectUnauthorized: false, timeout: timeoutMs });
    const done = (probe: EngineProbe): void => {
      socket.destroy();
      resolve(probe);
    };
    socket.once('secureConnect', () => done({ url, fingerprint: fingerprintOf(socket.getPeerCertificate()), trusted: socket.authorized, error: null }));
    socket.once('timeout', () => done({ url, fingerprint: null, trusted: false, error: `no answer from ${parsed.host} within ${timeoutMs / 1000} s` }));
    socket.once('error', (err) => done({ url, fingerprint: null, trusted: false, error: networkError(parsed.host, err) }));
  });
}

/** A plain TCP connect: whether something listens there. Null when it does. */
async function reachable(host: string, port: number, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host, port, timeout: timeoutMs });
    const done = (error: string | null): void => {
      socket.destroy();
      resolve(error);
    };
    socket.once('connect', () => done(null));
    socket.once('timeout', () => done(`no answer from ${host}:${port} within ${timeoutMs / 1000} s`));
    socket.once('error', (err) => done(networkError(`${host}:${port}`, err)));
  });
}

/** A network failure in words; the error's code says what went wrong (ECONNREFUSED, ENOTFOUND, …). */
export function networkError(where: string, err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ECONNREFUSED':
      return `nothing accepts connections at ${where} (is serve running there?)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `the name in ${where} cannot be resolved`;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${where} cannot be reached (${code})`;
    default:
      return `cannot connect to ${where}: ${err.message}`;
  }
}
