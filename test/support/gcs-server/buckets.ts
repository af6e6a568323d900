// Bucket routes: insert, get, delete and a paged list per project.
import { readJson, required, sendEmpty, sendJson, type Call } from './http';
import { bucketResource, errors } from './resource';
import { MAX_PAGE } from './state';

export async function createBucket(call: Call): Promise<void> {
  required(call.query.get('project'), 'project');
  const body = await readJson(call.req);
  if (typeof body.name !== 'string' || body.name === '') throw errors.required('name');
  const versioning = (body.versioning as { enabled?: unknown } | undefined)?.enabled === true;
  const bucket = call.ctx.state.createBucket(body.name, { versioning });
  sendJson(call.res, 200, bucketResource(bucket, call.ctx.baseUrl));
}

export function getBucket(call: Call, name: string): void {
  sendJson(call.res, 200, bucketResource(call.ctx.state.bucket(name).info, call.ctx.baseUrl));
}

export function deleteBucket(call: Call, name: string): void {
  call.ctx.state.deleteBucket(name);
  sendEmpty(call.res, 204);
}

/** Pages by name; the page token is the last name of the previous page (opaque to clients). */
export function listBuckets(call: Call): void {
  const { query, ctx } = call;
  required(query.get('project'), 'project');
  const max = Math.min(Number(query.get('maxResults') ?? MAX_PAGE) || MAX_PAGE, MAX_PAGE);
  const prefix = query.get('prefix') ?? '';
  const token = query.get('pageToken');
  const after = token ? Buffer.from(token, 'base64url').toString('utf8') : undefined;
  const names = ctx.state.bucketNames().filter((n) => n.startsWith(prefix) && (after === undefined || n > after));
  const page = names.slice(0, max);
  const body: Record<string, unknown> = { kind: 'storage#buckets' };
  if (page.length > 0) body.items = page.map((n) => bucketResource(ctx.state.bucket(n).info, ctx.baseUrl));
  if (names.length > max) body.nextPageToken = Buffer.from(page[page.length - 1]!, 'utf8').toString('base64url');
  sendJson(call.res, 200, body);
}
