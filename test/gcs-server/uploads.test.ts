// The test server's upload protocol, request by request: multipart/related and resumable sessions.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { CRC32C } from '@google-cloud/storage';
import { describe, expect, it } from 'vitest';
import { createBucket, o, request, useServer } from './raw-http';

const KiB = 1024;
const server = useServer();

function md5b64(data: Buffer): string {
  return createHash('md5').update(data).digest('base64');
}

function crc32cb64(data: Buffer): string {
  const crc = new CRC32C();
  crc.update(data);
  return crc.toString();
}

function multipartBody(boundary: string, resource: Record<string, unknown>, data: Buffer, mediaType = 'application/octet-stream'): Buffer {
  return Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(resource)}\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Type: ${mediaType}\r\n\r\n`),
    data,
    Buffer.from(`\r\n--${boundary}--`),
  ]);
}

async function startSession(bucket: string, name: string, headers: Record<string, string> = {}, resource: Record<string, unknown> = {}): Promise<string> {
  const res = await request(server(), 'POST', `/upload/storage/v1/b/${bucket}/o?uploadType=resumable&name=${encodeURIComponent(name)}`, { headers, body: resource });
  expect(res.status).toBe(200);
  const location = res.headers.location!;
  // Absolute, as GCS answers: the SDK uses it as is.
  expect(location).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server().port}/upload/storage/v1/b/${bucket}/o\\?.*upload_id=`));
  return new URL(location).pathname + new URL(location).search;
}

describe('GCS test server: uploads', () => {
  it('pins CRC32C (Castagnoli) to its published check value', () => {
    expect(Buffer.from(crc32cb64(Buffer.from('123456789')), 'base64').toString('hex')).toBe('e3069283');
    expect(crc32cb64(Buffer.from('data'))).toBe('rth90Q==');
  });

  it('multipart: stores the media part with the JSON resource, answers the object with int64 fields as strings', async () => {
    await createBucket(server(), 'up-multipart');
    const data = randomBytes(200 * KiB);
    // The boundary text inside the data must not end the part early.
    data.write('\r\n--not-the-boundary', 1000);
    const boundary = 'b0undary-123';
    const res = await request(server(), 'POST', '/upload/storage/v1/b/up-multipart/o?uploadType=multipart&name=dir%2Ffile.bin', {
      headers: { 'Content-Type': `multipart/related; boundary=${boundary}` },
      body: multipartBody(boundary, { contentType: 'application/x-thing', cacheControl: 'no-cache', metadata: { Who: 'me' } }, data),
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=UTF-8');
    const object = res.json();
    expect(object).toMatchObject({
      kind: 'storage#object',
      name: 'dir/file.bin',
      bucket: 'up-multipart',
      size: String(data.length),
      metageneration: '1',
      md5Hash: md5b64(data),
      crc32c: crc32cb64(data),
      contentType: 'application/x-thing',
      cacheControl: 'no-cache',
      metadata: { Who: 'me' },
    });
    expect(object.generation).toMatch(/^\d{16}$/);
    expect(typeof object.etag).toBe('string');
    expect(object.mediaLink).toContain('/download/storage/v1/b/up-multipart/o/dir%2Ffile.bin?generation=');
    for (const field of ['updated', 'timeCreated']) expect(Date.parse(object[field] as string)).toBeGreaterThan(0);
    const media = await request(server(), 'GET', `${o('up-multipart', 'dir/file.bin')}?alt=media`);
    expect(media.body.equals(data)).toBe(true);
  });

  it('multipart: refuses bytes that do not match a declared md5Hash or crc32c, and a body cut before its closing delimiter', async () => {
    await createBucket(server(), 'up-refuse');
    const data = Buffer.from('the real bytes');
    for (const resource of [{ md5Hash: md5b64(Buffer.from('other')) }, { crc32c: crc32cb64(Buffer.from('other')) }]) {
      const res = await request(server(), 'POST', '/upload/storage/v1/b/up-refuse/o?uploadType=multipart&name=k', {
        headers: { 'Content-Type': 'multipart/related; boundary=xyz' },
        body: multipartBody('xyz', resource, data),
      });
      expect(res.status).toBe(400);
      expect((res.json().error as { message: string }).message).toMatch(/doesn't match calculated/);
    }
    const cut = multipartBody('xyz', {}, data).subarray(0, -8);
    const res = await request(server(), 'POST', '/upload/storage/v1/b/up-refuse/o?uploadType=multipart&name=k', {
      headers: { 'Content-Type': 'multipart/related; boundary=xyz' },
      body: cut,
    });
    expect(res.status).toBe(400);
    expect((await request(server(), 'GET', o('up-refuse', 'k'))).status).toBe(404);
  });

  it('multipart: a connection dropped mid-body commits nothing', async () => {
    await createBucket(server(), 'up-dropped');
    await new Promise<void>((resolve) => {
      const req = http.request({
        host: '127.0.0.1',
        port: server().port,
        method: 'POST',
        path: '/upload/storage/v1/b/up-dropped/o?uploadType=multipart&name=k',
        headers: { 'Content-Type': 'multipart/related; boundary=xyz', 'Content-Length': 10_000 },
        agent: false,
      });
      req.on('error', () => resolve());
      req.write(multipartBody('xyz', {}, Buffer.alloc(100)).subarray(0, 150));
      setTimeout(() => req.destroy(), 50);
    });
    await new Promise((r) => setTimeout(r, 50));
    expect((await request(server(), 'GET', o('up-dropped', 'k'))).status).toBe(404);
  });

  it('resumable: chunks answer 308 with Range, keep whole 256 KiB units of a short chunk, and the last chunk commits', async () => {
    await createBucket(server(), 'up-resumable');
    const data = randomBytes(700 * KiB);
    const session = await startSession('up-resumable', 'r.bin', { 'X-Upload-Content-Type': 'text/x-r', 'X-Upload-Content-Length': String(data.length) });
    const chunk = async (start: number, end: number, total: string) =>
      request(server(), 'PUT', session, { headers: { 'Content-Range': `bytes ${start}-${end - 1}/${total}` }, body: data.subarray(start, end) });

    let res = await chunk(0, 256 * KiB, '*');
    expect(res.status).toBe(308);
    expect(res.headers.range).toBe(`bytes=0-${256 * KiB - 1}`);
    // 300 KiB sent, but only whole units are kept: the client must resend from the Range end.
    res = await chunk(256 * KiB, 556 * KiB, '*');
    expect(res.status).toBe(308);
    expect(res.headers.range).toBe(`bytes=0-${512 * KiB - 1}`);
    // Status query.
    res = await request(server(), 'PUT', session, { headers: { 'Content-Range': 'bytes */*' } });
    expect(res.status).toBe(308);
    expect(res.headers.range).toBe(`bytes=0-${512 * KiB - 1}`);
    // A chunk may overlap what is there; the overlap is skipped. A final "a-b/N" commits.
    res = await chunk(500 * KiB, data.length, String(data.length));
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ name: 'r.bin', size: String(data.length), md5Hash: md5b64(data), contentType: 'text/x-r' });
    // A status query after completion answers the object.
    res = await request(server(), 'PUT', session, { headers: { 'Content-Range': `bytes */${data.length}` } });
    expect(res.status).toBe(200);
    expect(res.json().size).toBe(String(data.length));
    expect((await request(server(), 'GET', `${o('up-resumable', 'r.bin')}?alt=media`)).body.equals(data)).toBe(true);
  });

  it('resumable: "bytes 0-*/*" streams the whole object in one request; a gap before the start is refused', async () => {
    await createBucket(server(), 'up-stream');
    const data = randomBytes(300 * KiB);
    const session = await startSession('up-stream', 's.bin');
    const gap = await request(server(), 'PUT', session, { headers: { 'Content-Range': 'bytes 10-19/*' }, body: data.subarray(10, 20) });
    expect(gap.status).toBe(400);
    const res = await request(server(), 'PUT', session, { headers: { 'Content-Range': 'bytes 0-*/*' }, body: data });
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ size: String(data.length), crc32c: crc32cb64(data), contentType: 'application/octet-stream' });
  });

  it('resumable: checks X-Upload-Content-Length, the X-Goog-Hash of the final request and the md5Hash of the session resource', async () => {
    await createBucket(server(), 'up-checks');
    const data = randomBytes(10 * KiB);
    let session = await startSession('up-checks', 'a', { 'X-Upload-Content-Length': '999' });
    let res = await request(server(), 'PUT', session, { headers: { 'Content-Range': 'bytes 0-*/*' }, body: data });
    expect(res.status).toBe(400);
    session = await startSession('up-checks', 'b');
    res = await request(server(), 'PUT', session, {
      headers: { 'Content-Range': `bytes 0-${data.length - 1}/${data.length}`, 'X-Goog-Hash': `crc32c=${crc32cb64(data)},md5=${md5b64(Buffer.from('x'))}` },
      body: data,
    });
    expect(res.status).toBe(400);
    session = await startSession('up-checks', 'c', {}, { md5Hash: md5b64(Buffer.from('x')) });
    res = await request(server(), 'PUT', session, { headers: { 'Content-Range': 'bytes 0-*/*' }, body: data });
    expect(res.status).toBe(400);
    // A failed commit ends the session.
    expect((await request(server(), 'PUT', session, { headers: { 'Content-Range': 'bytes */*' } })).status).toBe(404);
    for (const name of ['a', 'b', 'c']) expect((await request(server(), 'GET', o('up-checks', name))).status).toBe(404);
  });

  it('resumable: DELETE cancels a session (499); a missing bucket fails at the start (404)', async () => {
    await createBucket(server(), 'up-cancel');
    const session = await startSession('up-cancel', 'k');
    expect((await request(server(), 'DELETE', session)).status).toBe(499);
    expect((await request(server(), 'PUT', session, { headers: { 'Content-Range': 'bytes */*' } })).status).toBe(404);
    const res = await request(server(), 'POST', '/upload/storage/v1/b/up-no-such-bucket/o?uploadType=resumable&name=k', { body: {} });
    expect(res.status).toBe(404);
  });

  it('applies upload preconditions when the object is committed: ifGenerationMatch=0 means "must not exist"', async () => {
    await createBucket(server(), 'up-pre');
    const upload = (query: string, data = 'x') =>
      request(server(), 'POST', `/upload/storage/v1/b/up-pre/o?uploadType=media&name=k${query}`, { headers: { 'Content-Type': 'text/plain' }, body: data });
    const first = await upload('&ifGenerationMatch=0');
    expect(first.status).toBe(200);
    expect((await upload('&ifGenerationMatch=0')).status).toBe(412);
    expect((await upload('&ifGenerationMatch=1')).status).toBe(412);
    const second = await upload(`&ifGenerationMatch=${first.json().generation}`, 'y');
    expect(second.status).toBe(200);
    expect(second.json().generation).not.toBe(first.json().generation);
    expect((await upload(`&ifGenerationNotMatch=${second.json().generation}`)).status).toBe(412);
    expect((await upload('&ifMetagenerationMatch=2')).status).toBe(412);
    // The 412 is the documented error body.
    const failed = await upload('&ifGenerationMatch=0');
    expect(failed.json()).toEqual({
      error: {
        code: 412,
        message: 'At least one of the pre-conditions you specified did not hold.',
        errors: [{ message: 'At least one of the pre-conditions you specified did not hold.', domain: 'global', reason: 'conditionNotMet' }],
      },
    });
  });
});
