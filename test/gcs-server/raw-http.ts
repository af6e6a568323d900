// Plain HTTP requests for the test server's protocol tests: nothing between the test and the wire.
import http from 'node:http';
import { afterAll, beforeAll } from 'vitest';
import { startGcsServer, type GcsServerOptions, type GcsTestServer } from '../support/gcs-server';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  json(): Record<string, unknown>;
}

export interface RawRequest {
  headers?: Record<string, string | number>;
  body?: Buffer | string | Record<string, unknown>;
}

/** One request to the server; a JSON object body is sent as application/json. */
export function request(server: GcsTestServer, method: string, path: string, options: RawRequest = {}): Promise<RawResponse> {
  const headers: Record<string, string | number> = { ...options.headers };
  let body: Buffer | undefined;
  if (Buffer.isBuffer(options.body) || typeof options.body === 'string') body = Buffer.from(options.body);
  else if (options.body !== undefined) {
    body = Buffer.from(JSON.stringify(options.body));
    headers['Content-Type'] ??= 'application/json';
  }
  if (body) headers['Content-Length'] = body.length;
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const data = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data, json: () => JSON.parse(data.toString('utf8')) as Record<string, unknown> });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Starts a server for the calling test file and returns a getter for it. */
export function useServer(options?: GcsServerOptions): () => GcsTestServer {
  let server: GcsTestServer | undefined;
  beforeAll(async () => {
    server = await startGcsServer(options);
  });
  afterAll(async () => {
    await server?.stop();
  });
  return () => server!;
}

export function o(bucket: string, name: string): string {
  return `/storage/v1/b/${bucket}/o/${encodeURIComponent(name)}`;
}

export async function createBucket(server: GcsTestServer, name: string): Promise<void> {
  const res = await request(server, 'POST', `/storage/v1/b?project=${server.projectId}`, { body: { name } });
  if (res.status !== 200) throw new Error(`create bucket ${name}: ${res.status} ${res.body.toString()}`);
}

/** A one-shot media upload. */
export async function put(server: GcsTestServer, bucket: string, name: string, data: Buffer | string, query = ''): Promise<RawResponse> {
  return request(server, 'POST', `/upload/storage/v1/b/${bucket}/o?uploadType=media&name=${encodeURIComponent(name)}${query}`, {
    headers: { 'Content-Type': 'application/octet-stream' },
    body: Buffer.from(data),
  });
}
