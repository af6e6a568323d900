// A test-only HTTP proxy in front of an S3 test server that answers as AWS does for a bucket with
// SSE-KMS default encryption: every object answer carries `x-amz-server-side-encryption: aws:kms`
// and an ETag that is NOT the content MD5 (neither s3rver nor moto does this: both keep MD5
// ETags under SSE-KMS). Object ETags are replaced by another hex string (same shape, `-N` kept),
// consistently, and mapped back in If-Match / x-amz-copy-source-if-match, so conditional
// requests still work. Part ETags (UploadPart answers) pass unchanged: only the client hands them
// back, in CompleteMultipartUpload.
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SseKmsProxy {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

export async function startSseKmsProxy(upstreamPort: number): Promise<SseKmsProxy> {
  const realOf = new Map<string, string>();
  /** The fake ETag for a real one (bare, no quotes): the MD5 of something else, so it looks like one. */
  const fake = (real: string): string => {
    const suffix = /-\d+$/.exec(real)?.[0] ?? '';
    const value = createHash('md5').update(`sse-kms:${real}`).digest('hex') + suffix;
    realOf.set(value, real);
    return value;
  };
  const unfake = (header: string | string[] | undefined): string | undefined => {
    if (typeof header !== 'string') return undefined;
    return header.replace(/[0-9a-f]{32}(-\d+)?/gi, (value) => realOf.get(value) ?? value);
  };

  const server = http.createServer((req, res) => {
    const headers = { ...req.headers };
    for (const name of ['if-match', 'x-amz-copy-source-if-match']) {
      const real = unfake(headers[name]);
      if (real !== undefined) headers[name] = real;
    }
    const query = new URL(req.url ?? '/', 'http://x').searchParams;
    const isPart = query.has('partNumber') && query.has('uploadId');
    const upstream = http.request({ host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers, agent: false }, (answer) => {
      const out: http.OutgoingHttpHeaders = { ...answer.headers };
      const etag = answer.headers.etag;
      const objectAnswer = !isPart && (etag !== undefined || req.method === 'POST' || req.headers['x-amz-copy-source'] !== undefined);
      if (etag !== undefined && !isPart) out.etag = `"${fake(etag.replace(/"/g, ''))}"`;
      if (objectAnswer) out['x-amz-server-side-encryption'] = 'aws:kms';
      const xml = /xml/.test(String(answer.headers['content-type'] ?? '')) && !(req.method === 'GET' && etag !== undefined);
      if (!xml || isPart) {
        res.writeHead(answer.statusCode ?? 502, out);
        answer.pipe(res);
        return;
      }
      // Listings, CopyObject and CompleteMultipartUpload answers carry ETags in the body.
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => {
        const body = Buffer.concat(chunks)
          .toString('utf8')
          .replace(/<ETag>(&quot;|&#34;|")?([0-9a-f]{32}(?:-\d+)?)(&quot;|&#34;|")?<\/ETag>/gi, (_m, open = '', value: string, close = '') => `<ETag>${open}${fake(value)}${close}</ETag>`);
        out['content-length'] = String(Buffer.byteLength(body));
        delete out['transfer-encoding'];
        res.writeHead(answer.statusCode ?? 502, out);
        res.end(body);
      });
    });
    upstream.on('error', () => res.destroy());
    req.on('error', () => upstream.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
