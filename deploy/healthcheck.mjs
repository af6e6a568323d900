#!/usr/bin/env node
// The Docker image's HEALTHCHECK: exits 0 when `cloud-data-sync serve` answers GET /healthz with 200,
// and 1 otherwise (503 while it starts or stops or when its database fails, no answer, a timeout).
// Plain Node, as node:20-slim has no curl or wget.
//
// The address is $CDS_HEALTHCHECK_URL, by default http://127.0.0.1:8384/healthz (the image's CMD).
// A server started with --tls-self-signed or --tls-cert answers only TLS: when the plain request is
// cut off the way a TLS port cuts it, the probe asks again over https://. It does not verify the
// certificate: it runs beside the server, on loopback, and only asks whether it is alive.
import http from 'node:http';
import https from 'node:https';

const TIMEOUT_MS = 4000;
const url = new URL(process.env.CDS_HEALTHCHECK_URL || 'http://127.0.0.1:8384/healthz');

function probe(target) {
  return new Promise((resolve, reject) => {
    const client = target.protocol === 'https:' ? https : http;
    const req = client.get(target, { rejectUnauthorized: false, timeout: TIMEOUT_MS }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${TIMEOUT_MS} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
  });
}

try {
  let status;
  try {
    status = await probe(url);
  } catch (err) {
    // What a TLS listener does to a plain HTTP request: it closes the connection without an answer.
    if (url.protocol !== 'http:' || !(err.code === 'ECONNRESET' || err.message === 'socket hang up')) throw err;
    status = await probe(new URL(url.href.replace(/^http:/, 'https:')));
  }
  if (status !== 200) console.error(`healthcheck: ${url.pathname} answered ${status}`);
  process.exit(status === 200 ? 0 : 1);
} catch (err) {
  console.error(`healthcheck: ${err.message}`);
  process.exit(1);
}
