// The test server's object, listing, bucket and rewrite routes, request by request.
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createBucket, o, put, request, useServer } from './raw-http';

const MiB = 1024 * 1024;
const server = useServer({ rewriteBytesPerCall: 2 * MiB });

function md5b64(data: Buffer): string {
  return createHash('md5').update(data).digest('base64');
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

describe('GCS test server: objects and buckets', () => {
  it('answers errors as {"error":{code,message,errors:[{message,domain,reason}]}}', async () => {
    await createBucket(server(), 'obj-errors');
    const missingObject = await request(server(), 'GET', o('obj-errors', 'nope'));
    expect(missingObject.status).toBe(404);
    expect(missingObject.json()).toEqual({
      error: { code: 404, message: 'No such object: obj-errors/nope', errors: [{ message: 'No such object: obj-errors/nope', domain: 'global', reason: 'notFound' }] },
    });
    const missingBucket = await request(server(), 'GET', '/storage/v1/b/obj-no-bucket/o');
    expect(missingBucket.status).toBe(404);
    expect((missingBucket.json().error as { message: string }).message).toBe('The specified bucket does not exist.');
    const invalid = await request(server(), 'GET', '/storage/v1/b/Bad_Name/o');
    expect(invalid.status).toBe(400);
    expect(invalid.json().error).toMatchObject({ code: 400, message: "Invalid bucket name: 'Bad_Name'", errors: [{ reason: 'invalid' }] });
  });

  it('downloads with x-goog-hash (crc32c and md5), x-goog-stored-content-encoding, and Range → 206 + Content-Range', async () => {
    await createBucket(server(), 'obj-media');
    const data = randomBytes(1000);
    const created = (await put(server(), 'obj-media', 'a b/c', data)).json();
    const full = await request(server(), 'GET', `${o('obj-media', 'a b/c')}?alt=media`);
    expect(full.status).toBe(200);
    expect(full.body.equals(data)).toBe(true);
    expect(full.headers['x-goog-hash']).toBe(`crc32c=${created.crc32c as string},md5=${md5b64(data)}`);
    expect(full.headers['x-goog-stored-content-encoding']).toBe('identity');
    expect(full.headers['x-goog-generation']).toBe(created.generation);
    expect(full.headers['content-length']).toBe('1000');

    const part = await request(server(), 'GET', `${o('obj-media', 'a b/c')}?alt=media`, { headers: { Range: 'bytes=10-19' } });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe('bytes 10-19/1000');
    expect(part.body.equals(data.subarray(10, 20))).toBe(true);
    const tail = await request(server(), 'GET', `${o('obj-media', 'a b/c')}?alt=media`, { headers: { Range: 'bytes=-5' } });
    expect(tail.body.equals(data.subarray(995))).toBe(true);
    const beyond = await request(server(), 'GET', `${o('obj-media', 'a b/c')}?alt=media`, { headers: { Range: 'bytes=1000-' } });
    expect(beyond.status).toBe(416);
    // The download host path serves the same bytes.
    const viaDownload = await request(server(), 'GET', `/download/storage/v1/b/obj-media/o/${encodeURIComponent('a b/c')}?alt=media`);
    expect(viaDownload.body.equals(data)).toBe(true);
    // Another generation than the live one does not exist (no versioning).
    expect((await request(server(), 'GET', `${o('obj-media', 'a b/c')}?alt=media&generation=1`)).status).toBe(404);
  });

  it('flips one byte of a download when told to, keeping x-goog-hash of the stored bytes', async () => {
    await createBucket(server(), 'obj-corrupt');
    const data = randomBytes(5000);
    await put(server(), 'obj-corrupt', 'k', data);
    server().faults.corruptDownloads = 1;
    const bad = await request(server(), 'GET', `${o('obj-corrupt', 'k')}?alt=media`);
    expect(bad.body.length).toBe(data.length);
    expect(bad.body.equals(data)).toBe(false);
    expect(bad.headers['x-goog-hash']).toContain(`md5=${md5b64(data)}`);
    expect((await request(server(), 'GET', `${o('obj-corrupt', 'k')}?alt=media`)).body.equals(data)).toBe(true);
  });

  it('lists in UTF-8 byte order with prefix, delimiter (prefixes) and opaque page tokens', async () => {
    await createBucket(server(), 'obj-list');
    const names = ['a/\uFF5E', 'a/😀', 'a-b', 'a/b/c', 'a/b/d', 'a/c', 'a b', 'b', 'a/x/1', 'a/x/2', 'a/y'];
    for (const name of names) await put(server(), 'obj-list', name, name);
    const listed: string[] = [];
    let token: string | undefined;
    const pages: number[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await request(server(), 'GET', `/storage/v1/b/obj-list/o?maxResults=3${token ? `&pageToken=${encodeURIComponent(token)}` : ''}`);
      const body = res.json() as { items?: { name: string; size: string }[]; nextPageToken?: string };
      pages.push(body.items?.length ?? 0);
      listed.push(...(body.items ?? []).map((item) => item.name));
      token = body.nextPageToken;
      if (!token) break;
      expect(names).not.toContain(Buffer.from(token, 'base64url').toString()); // not just the name
    }
    expect(listed).toEqual([...names].sort(byteOrder));
    expect(pages).toEqual([3, 3, 3, 2]);

    const folders = (await request(server(), 'GET', '/storage/v1/b/obj-list/o?prefix=a%2F&delimiter=%2F')).json();
    expect(folders.prefixes).toEqual(['a/b/', 'a/x/']);
    expect((folders.items as { name: string }[]).map((i) => i.name)).toEqual(['a/c', 'a/y', 'a/\uFF5E', 'a/😀']);
    // Prefixes count towards maxResults and are not repeated on the next page.
    const first = (await request(server(), 'GET', '/storage/v1/b/obj-list/o?prefix=a%2F&delimiter=%2F&maxResults=2')).json();
    expect([first.prefixes, first.items]).toEqual([['a/b/'], [expect.objectContaining({ name: 'a/c' })]]);
    const second = (await request(server(), 'GET', `/storage/v1/b/obj-list/o?prefix=a%2F&delimiter=%2F&maxResults=2&pageToken=${first.nextPageToken as string}`)).json();
    expect([second.prefixes, (second.items as { name: string }[]).map((i) => i.name)]).toEqual([['a/x/'], ['a/y']]);

    const empty = (await request(server(), 'GET', '/storage/v1/b/obj-list/o?prefix=zzz')).json();
    expect(empty).toEqual({ kind: 'storage#objects' });
    expect((await request(server(), 'GET', '/storage/v1/b/obj-list/o?pageToken=garbage')).status).toBe(400);
  });

  it('PATCH merges metadata (null deletes), bumps metageneration and the etag, keeps the generation; honours ifMetagenerationMatch', async () => {
    await createBucket(server(), 'obj-patch');
    const created = (
      await request(server(), 'POST', '/upload/storage/v1/b/obj-patch/o?uploadType=multipart&name=k', {
        headers: { 'Content-Type': 'multipart/related; boundary=B' },
        body: `--B\r\nContent-Type: application/json\r\n\r\n{"metadata":{"a":"1","b":"2"}}\r\n--B\r\nContent-Type: text/plain\r\n\r\nhello\r\n--B--`,
      })
    ).json();
    const patched = await request(server(), 'PATCH', `${o('obj-patch', 'k')}?ifMetagenerationMatch=1`, { body: { metadata: { b: null, c: '3' }, contentType: 'text/markdown' } });
    expect(patched.status).toBe(200);
    expect(patched.json()).toMatchObject({ generation: created.generation, metageneration: '2', metadata: { a: '1', c: '3' }, contentType: 'text/markdown' });
    expect(patched.json().etag).not.toBe(created.etag);
    expect((await request(server(), 'PATCH', `${o('obj-patch', 'k')}?ifMetagenerationMatch=1`, { body: {} })).status).toBe(412);
    // A conditional GET whose NotMatch fails answers 304.
    expect((await request(server(), 'GET', `${o('obj-patch', 'k')}?ifGenerationNotMatch=${created.generation as string}`)).status).toBe(304);
    expect((await request(server(), 'DELETE', `${o('obj-patch', 'k')}?ifGenerationMatch=1`)).status).toBe(412);
    expect((await request(server(), 'DELETE', o('obj-patch', 'k'))).status).toBe(204);
    expect((await request(server(), 'DELETE', o('obj-patch', 'k'))).status).toBe(404);
  });

  it('buckets: insert (409 when it exists), get, list pages, delete (409 when not empty)', async () => {
    const create = (name: string) => request(server(), 'POST', `/storage/v1/b?project=${server().projectId}`, { body: { name } });
    expect((await create('bkt-one')).json()).toMatchObject({ kind: 'storage#bucket', name: 'bkt-one' });
    expect((await create('bkt-one')).status).toBe(409);
    expect((await create('bkt-two')).status).toBe(200);
    expect((await create('Not_Valid')).status).toBe(400);
    expect((await request(server(), 'GET', '/storage/v1/b/bkt-one')).json()).toMatchObject({ name: 'bkt-one' });
    const page = (await request(server(), 'GET', `/storage/v1/b?project=${server().projectId}&prefix=bkt-&maxResults=1`)).json();
    expect((page.items as { name: string }[]).map((b) => b.name)).toEqual(['bkt-one']);
    const next = (await request(server(), 'GET', `/storage/v1/b?project=${server().projectId}&prefix=bkt-&maxResults=1&pageToken=${page.nextPageToken as string}`)).json();
    expect((next.items as { name: string }[]).map((b) => b.name)).toEqual(['bkt-two']);
    expect(next.nextPageToken).toBeUndefined();
    await put(server(), 'bkt-one', 'k', 'x');
    expect((await request(server(), 'DELETE', '/storage/v1/b/bkt-one')).status).toBe(409);
    await request(server(), 'DELETE', o('bkt-one', 'k'));
    expect((await request(server(), 'DELETE', '/storage/v1/b/bkt-one')).status).toBe(204);
    expect((await request(server(), 'GET', '/storage/v1/b/bkt-one')).status).toBe(404);
  });

  it('rewrite: small objects in one call; large ones answer done:false with a token until the last call', async () => {
    await createBucket(server(), 'rw-src');
    await createBucket(server(), 'rw-dst');
    const small = await request(server(), 'POST', '/upload/storage/v1/b/rw-src/o?uploadType=multipart&name=s', {
      headers: { 'Content-Type': 'multipart/related; boundary=B' },
      body: `--B\r\nContent-Type: application/json\r\n\r\n{"metadata":{"m":"1"},"cacheControl":"no-cache"}\r\n--B\r\nContent-Type: text/csv\r\n\r\na,b\r\n--B--`,
    });
    expect(small.status).toBe(200);
    const one = (await request(server(), 'POST', `${o('rw-src', 's')}/rewriteTo/b/rw-dst/o/${encodeURIComponent('copy/s')}`, { body: {} })).json();
    expect(one).toMatchObject({ kind: 'storage#rewriteResponse', done: true, totalBytesRewritten: '3', objectSize: '3' });
    expect(one.resource).toMatchObject({ name: 'copy/s', bucket: 'rw-dst', contentType: 'text/csv', cacheControl: 'no-cache', metadata: { m: '1' }, md5Hash: small.json().md5Hash });

    const data = randomBytes(5 * MiB + 1);
    await put(server(), 'rw-src', 'big', data);
    const path = `${o('rw-src', 'big')}/rewriteTo/b/rw-dst/o/big`;
    const answers: Record<string, unknown>[] = [];
    let token: string | undefined;
    for (let i = 0; i < 10; i++) {
      const res = await request(server(), 'POST', token ? `${path}?rewriteToken=${encodeURIComponent(token)}` : path, { body: {} });
      answers.push(res.json());
      token = res.json().rewriteToken as string | undefined;
      if (res.json().done) break;
    }
    expect(answers.map((a) => [a.done, a.totalBytesRewritten])).toEqual([
      [false, String(2 * MiB)],
      [false, String(4 * MiB)],
      [true, String(data.length)],
    ]);
    expect((await request(server(), 'GET', `${o('rw-dst', 'big')}?alt=media`)).body.equals(data)).toBe(true);
    // The client may cap the bytes per call, in whole MiB only.
    const capped = (await request(server(), 'POST', `${path}?maxBytesRewrittenPerCall=${MiB}`, { body: {} })).json();
    expect(capped).toMatchObject({ done: false, totalBytesRewritten: String(MiB) });
    expect((await request(server(), 'POST', `${path}?maxBytesRewrittenPerCall=1000`, { body: {} })).status).toBe(400);
  });

  it('rewrite: a source replaced between calls ends the rewrite; source preconditions are checked', async () => {
    await createBucket(server(), 'rw-change');
    await put(server(), 'rw-change', 'src', randomBytes(3 * MiB));
    const path = `${o('rw-change', 'src')}/rewriteTo/b/rw-change/o/dst`;
    const first = (await request(server(), 'POST', path, { body: {} })).json();
    expect(first.done).toBe(false);
    await put(server(), 'rw-change', 'src', 'new content');
    const next = await request(server(), 'POST', `${path}?rewriteToken=${encodeURIComponent(first.rewriteToken as string)}`, { body: {} });
    expect(next.status).toBe(404);
    expect((await request(server(), 'POST', `${path}?ifSourceGenerationMatch=1`, { body: {} })).status).toBe(412);
    expect((await request(server(), 'GET', o('rw-change', 'dst'))).status).toBe(404);
  });

  it('compose makes a composite object: no md5Hash, a componentCount, the bytes concatenated', async () => {
    await createBucket(server(), 'obj-compose');
    await put(server(), 'obj-compose', 'p1', 'hello ');
    await put(server(), 'obj-compose', 'p2', 'world');
    const res = await request(server(), 'POST', `${o('obj-compose', 'all')}/compose`, {
      body: { sourceObjects: [{ name: 'p1' }, { name: 'p2' }], destination: { contentType: 'text/plain' } },
    });
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ size: '11', componentCount: 2, contentType: 'text/plain' });
    expect(res.json().md5Hash).toBeUndefined();
    const media = await request(server(), 'GET', `${o('obj-compose', 'all')}?alt=media`);
    expect(media.body.toString()).toBe('hello world');
    expect(media.headers['x-goog-hash']).toMatch(/^crc32c=[^,]+$/);
  });

  it('answers injected failures and records requests with their Authorization header', async () => {
    server().faults.failures = [{ method: 'GET', path: /\/b\/obj-fault\//, status: 503, times: 1 }];
    const res = await request(server(), 'GET', '/storage/v1/b/obj-fault/o');
    expect(res.status).toBe(503);
    expect(res.json().error).toMatchObject({ code: 503 });
    expect((await request(server(), 'GET', '/storage/v1/b/obj-fault/o')).status).toBe(404);
    await request(server(), 'GET', '/storage/v1/b/obj-fault', { headers: { Authorization: 'Bearer t' } });
    expect(server().requests.at(-1)).toEqual({ method: 'GET', url: '/storage/v1/b/obj-fault', authorization: 'Bearer t' });
  });
});
