// Makes the self-signed certificate of `serve --tls-self-signed` (Node can read X.509 but not write
// it). Its own module, imported by tls.ts only when a certificate must be made: the package and its
// ASN.1 libraries are loaded on no other start. A static import, so the CLI bundle gives it the
// package's named export whether it loads the package as CommonJS or as a module.
import { isIP } from 'node:net';
import { generate } from 'selfsigned';

const DAY_MS = 86_400_000;

/**
 * An ECDSA P-256 key and a certificate for `names` (DNS names and IP addresses), signed by itself
 * with SHA-256, valid from a day before `now` (a client whose clock lags still accepts it) for `days`.
 */
export async function generateSelfSigned(names: readonly string[], now: Date, days: number): Promise<{ cert: string; key: string }> {
  const notBefore = new Date(now.getTime() - DAY_MS);
  const made = await generate([{ name: 'commonName', value: 'Cloud Data Sync' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: notBefore,
    notAfterDate: new Date(notBefore.getTime() + days * DAY_MS),
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: names.map((name) => (isIP(name) ? { type: 7 as const, ip: name } : { type: 2 as const, value: name })) },
    ],
  });
  return { cert: made.cert, key: made.private };
}
