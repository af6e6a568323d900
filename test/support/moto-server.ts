// Starts moto's S3 server (`moto_server`, Python) on 127.0.0.1: the second, independent S3
// implementation beside s3rver. An S3 behaviour counts as tested when it passes on both.
//
// Where moto 5.2.1 differs from AWS S3 (found while writing these tests; each is worked around in
// the tests, never in the providers):
// 1. SSE-KMS and SSE-C objects get the content MD5 as ETag; AWS gives an ETag that is not an MD5.
//    The SSE tests put a rewriting proxy in front (test/providers/s3-sse-proxy.ts).
// 2. CopyObject and UploadPartCopy ignore x-amz-copy-source-if-match (AWS answers 412), so the
//    "source changed during a server-side copy" case cannot be shown on moto.
// 3. HEAD ?partNumber=N answers the part's own MD5 as ETag (AWS: the whole object's ETag), and
//    If-Match on such a HEAD compares against the part's ETag (AWS: the object's). Part sizes
//    and x-amz-mp-parts-count are right, which is all the providers use.
// 4. A multipart upload with a COMPOSITE checksum answers the composite value without its `-N`
//    suffix and without x-amz-checksum-type (AWS: `…-N`, COMPOSITE). The providers take a checksum
//    of a multipart object only when the answer says FULL_OBJECT, which covers both.
// 5. HEAD of a single-request object answers its checksums without x-amz-checksum-type (AWS sends
//    FULL_OBJECT); a single-request object's checksum is always full-object, so nothing depends on it.
// moto keeps objects in memory and does not verify SigV4 signatures (any key pair works).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { HOST, startChildServer } from './child-server';
import type { S3TestServer } from './s3-server';

const MOTO_CHILD = fileURLToPath(new URL('./moto-child.cjs', import.meta.url));
const ACCESS_KEY = 'moto-test-key';
const SECRET_KEY = 'moto-test-secret';
/** moto holds its data in memory: nothing to flush, so a short grace. */
const STOP_GRACE_MS = 1_000;

export async function startMotoServer(): Promise<S3TestServer> {
  // A clear message instead of a server that never gets ready.
  if (spawnSync('/bin/sh', ['-c', 'command -v moto_server']).status !== 0) {
    throw new Error('moto\'s S3 server is not installed (no moto_server on PATH): pip install "moto[server]"');
  }
  const server = await startChildServer({
    name: 'moto_server',
    scratchPrefix: 'moto-',
    bin: MOTO_CHILD,
    command: (port, cwd) => ({ args: [HOST, String(port)], cwd }),
    // ListBuckets: answers as soon as the server is up.
    readyPath: '/',
    stopGraceMs: STOP_GRACE_MS,
  });
  return {
    endpoint: `http://${HOST}:${server.port}`,
    port: server.port,
    accessKeyId: ACCESS_KEY,
    secretAccessKey: SECRET_KEY,
    stop: () => server.stop(),
  };
}
