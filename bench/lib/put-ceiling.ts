// The server's own ceiling: a plain parallel PUT loop over keep-alive HTTP with no sync logic, no
// listing and no checksums, so results can be read as "percent of what the server can take".
// Run as its own process (measured like the tools): tsx bench/lib/put-ceiling.ts <base-url> <dir> [concurrency] [query]
//   S3 (s3rver): base-url = http://127.0.0.1:P/bucket, signed with AWS signature V2 (one HMAC-SHA1,
//                the cheapest scheme s3rver accepts) for the account S3RVER/S3RVER
//   Azure: base-url = http://127.0.0.1:P/account/container, query = the SAS token
import { createHmac } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';

async function* files(dir: string, rel = ''): AsyncGenerator<string> {
  for (const entry of await readdir(path.join(dir, rel), { withFileTypes: true })) {
    const key = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) yield* files(dir, key);
    else yield key;
  }
}

async function put(agent: http.Agent, base: URL, query: string, dir: string, key: string): Promise<void> {
  const file = path.join(dir, key);
  const { size } = await stat(file);
  const url = new URL(`${base.pathname.replace(/\/$/, '')}/${key.split('/').map(encodeURIComponent).join('/')}${query ? `?${query}` : ''}`, base);
  await new Promise<void>((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = { 'content-length': size, 'content-type': 'application/octet-stream' };
    if (query) Object.assign(headers, { 'x-ms-blob-type': 'BlockBlob', 'x-ms-version': '2021-08-06' });
    else {
      // s3rver 3.7 leaves the Date line of the V2 string-to-sign empty (and checks no clock skew).
      const signature = createHmac('sha1', 'S3RVER').update(`PUT\n\napplication/octet-stream\n\n${url.pathname}`).digest('base64');
      Object.assign(headers, { date: new Date().toUTCString(), authorization: `AWS S3RVER:${signature}` });
    }
    const req = http.request(url, { method: 'PUT', agent, headers }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode! < 300 ? resolve() : reject(new Error(`PUT ${key}: HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    createReadStream(file).pipe(req);
  });
}

async function main(): Promise<void> {
  const [baseUrl, dir, concurrencyText = '16', query = ''] = process.argv.slice(2);
  if (!baseUrl || !dir) throw new Error('usage: put-ceiling.ts <base-url> <dir> [concurrency] [query]');
  const base = new URL(baseUrl);
  const concurrency = Number(concurrencyText);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const keys = files(dir);
  const worker = async () => {
    for (let next = await keys.next(); !next.done; next = await keys.next()) await put(agent, base, query, dir, next.value);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
}

await main();
