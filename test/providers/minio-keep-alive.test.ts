// Keep-alive sockets the server closed are never reused (the 64 MiB conformance write once failed
// with "read ECONNRESET" on s3rver under load). s3rver closes a connection idle for 5 s; a process
// too busy to read that FIN (here: blocked on purpose until the kernel shows the connection in
// CLOSE_WAIT) then wrote its next request on the dead socket. Covers minio.ts and s3.ts, which share
// the agent (electron/providers/keep-alive-agent.ts).
//
// s3rver only: moto answers every request with `Connection: close`, so no socket is ever reused
// there. Real S3 and MinIO keep connections alive and close idle ones after some seconds, without
// announcing when.
import http from 'node:http';
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keepAliveAgent } from '../../electron/providers/keep-alive-agent';
import { createMinioProvider } from '../../electron/providers/minio';
import { createS3Provider } from '../../electron/providers/s3';
import { awsSettingsFor, minioSettingsFor, startS3Server, type S3TestServer } from '../support/s3-server';
import { busyUntilServerClosed } from '../support/tcp-states';

let server: S3TestServer;
beforeAll(async () => {
  server = await startS3Server();
});
afterAll(async () => {
  await server?.stop();
});

function get(agent: http.Agent, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: server.port, path, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0)).on('error', reject);
    });
    req.on('error', reject);
  });
}

describe.runIf(process.platform === 'linux')('keep-alive after the server closed an idle connection', () => {
  it('sends the next request of a busy process on a new connection (minio, s3, the agent itself), where a plain keep-alive agent resets', async () => {
    const plain = new http.Agent({ keepAlive: true });
    const ours = keepAliveAgent(false);
    const minio = createMinioProvider(minioSettingsFor(server));
    const s3 = createS3Provider(awsSettingsFor(server));
    try {
      await get(plain, '/');
      await get(ours, '/');
      await minio.createBucket('keep-alive');
      await s3.head('keep-alive', 'warm-up');
      busyUntilServerClosed(server.port, 4);

      // The control: the failure this guards against is real (Node reuses the dead socket).
      await expect(get(plain, '/')).rejects.toMatchObject({ code: 'ECONNRESET' });
      expect(await get(ours, '/')).toBeGreaterThan(0);
      expect(await minio.head('keep-alive', 'missing')).toBeNull();
      // (The SDK would also retry this HEAD by itself; a streamed PutObject body it could not.)
      expect(await s3.head('keep-alive', 'missing')).toBeNull();
    } finally {
      plain.destroy();
      ours.destroy();
      await minio.close();
      await s3.close();
    }
  });
});

describe('keepAliveAgent', () => {
  it('is the https agent for TLS endpoints (its TLS options and session cache), the http one otherwise', () => {
    const tls = keepAliveAgent(true);
    const plain = keepAliveAgent(false);
    expect(tls).toBeInstanceOf(https.Agent);
    expect(plain).not.toBeInstanceOf(https.Agent);
    expect([tls, plain].map((a) => (a as http.Agent & { keepAlive: boolean }).keepAlive)).toEqual([true, true]);
    tls.destroy();
    plain.destroy();
  });
});
