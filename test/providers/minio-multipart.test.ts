// The minio provider's multipart uploads and the UploadJournal contract (provider.ts): the upload id
// is recorded at once and every confirmed part after it, the journal is cleared on completion; with
// a journal a failed upload stays for the next write of the same source to continue, without one it
// is aborted; abandonUpload aborts a recorded upload. On moto (which has ListParts,
// ListMultipartUploads and AbortMultipartUpload, as S3 does) and s3rver (which has none of them:
// 405 MethodNotAllowed). Open uploads are counted with the AWS SDK straight at the server, parts
// sent by a (fault-free) proxy in front of it.
import { Readable } from 'node:stream';
import { ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStorageError } from '../../electron/providers/errors';
import { createMinioProvider } from '../../electron/providers/minio';
import type { StorageProvider, UploadJournal } from '../../electron/providers/provider';
import { holdsSamePart, parseListParts, parseMultipartState } from '../../electron/providers/s3-multipart';
import { seedFromEnv, startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { startMotoServer } from '../support/moto-server';
import { minioSettingsFor, startS3Server, type S3TestServer } from '../support/s3-server';
import { bytes, readAll, uniqueBucket } from '../support/objects';

const MiB = 1024 * 1024;
const PARTS = { multipartThreshold: 5 * MiB, partSize: 5 * MiB, queueSize: 1 };
const SIZE = 16 * MiB; // four parts, the last 1 MiB

/** A journal in memory that remembers every state it was given. */
function memoryJournal(): UploadJournal & { saves: string[]; cleared: number } {
  let state: string | undefined;
  const journal = {
    saves: [] as string[],
    cleared: 0,
    load: () => state,
    save: (text: string) => void journal.saves.push((state = text)),
    clear: () => {
      state = undefined;
      journal.cleared++;
    },
  };
  return journal;
}

/**
 * `data` in 1 MiB chunks, failing after `failAfter` bytes (as a source cut off or failing
 * verification would). Read ahead by one chunk at most, so the failure surfaces where it is placed.
 */
function source(data: Buffer, failAfter = Infinity): Readable {
  return Readable.from(
    (function* () {
      for (let at = 0; at < data.length; at += MiB) {
        if (at >= failAfter) throw new Error('source failed on purpose');
        yield data.subarray(at, Math.min(data.length, at + MiB));
      }
    })(),
    { highWaterMark: 1 },
  );
}

describe.each([['moto'], ['s3rver']] as const)('minio multipart uploads and the journal on %s', (serverName) => {
  let server: S3TestServer;
  let proxy: FaultProxy;
  let minio: StorageProvider;
  let raw: S3Client;
  const canList = serverName === 'moto';

  beforeAll(async () => {
    server = serverName === 'moto' ? await startMotoServer() : await startS3Server();
    proxy = await startFaultProxy({ upstream: server.endpoint, seed: seedFromEnv(9) });
    minio = createMinioProvider({ ...minioSettingsFor(server), endpoint: new URL(proxy.url).host }, PARTS);
    raw = new S3Client({
      region: 'us-east-1',
      endpoint: server.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    });
  });
  afterAll(async () => {
    raw?.destroy();
    await minio?.close();
    await proxy?.stop();
    await server?.stop();
  });

  async function newBucket(): Promise<string> {
    const bucket = uniqueBucket('minio-mp');
    await minio.createBucket(bucket);
    return bucket;
  }

  /** Multipart uploads open in the bucket; null where the server cannot list them (s3rver). */
  async function openUploads(bucket: string): Promise<number | null> {
    if (!canList) return null;
    const out = await raw.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    return out.Uploads?.length ?? 0;
  }

  const write = (bucket: string, data: Buffer, journal?: UploadJournal, failAfter?: number) =>
    minio.write(bucket, 'big.bin', async () => source(data, failAfter), data.length, { journal });

  it('records the upload id at once and every confirmed part, and clears the journal on completion', async () => {
    const bucket = await newBucket();
    const data = bytes(31, SIZE);
    const journal = memoryJournal();
    await write(bucket, data, journal);
    const states = journal.saves.map((text) => parseMultipartState(text)!);
    expect(states.map((s) => s.parts.length)).toEqual([0, 1, 2, 3, 4]);
    expect(new Set(states.map((s) => s.uploadId)).size).toBe(1);
    expect(states[4]!.parts.map((p) => p.size)).toEqual([5 * MiB, 5 * MiB, 5 * MiB, MiB]);
    expect(journal.cleared).toBe(1);
    expect(journal.load()).toBeUndefined();
    expect((await readAll(minio, bucket, 'big.bin')).equals(data)).toBe(true);
    expect(await openUploads(bucket)).toBe(canList ? 0 : null);
  });

  it('without a journal, a failed upload is aborted and nothing is stored', async () => {
    const bucket = await newBucket();
    const err = await write(bucket, bytes(32, SIZE), undefined, 6 * MiB).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(await minio.head(bucket, 'big.bin')).toBeNull();
    expect(await openUploads(bucket)).toBe(canList ? 0 : null);
  });

  it('with a journal, a failed upload stays recorded; the next write continues it (or starts over) and sends only parts whose bytes differ', async () => {
    const bucket = await newBucket();
    const first = bytes(33, SIZE);
    const journal = memoryJournal();
    const err = await write(bucket, first, journal, 13 * MiB).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    const cut = parseMultipartState(journal.load())!;
    expect(cut.parts.map((p) => p.n)).toEqual([1, 2]);
    expect(await openUploads(bucket)).toBe(canList ? 1 : null);

    // Part 1 the same, part 2 changed: a part is taken over only when its MD5 is the part's ETag.
    const second = Buffer.from(first);
    second[6 * MiB] = second[6 * MiB]! ^ 0xff;
    const sentParts = proxy.watch({ method: 'PUT', query: (q) => q.has('partNumber') });
    await write(bucket, second, journal);
    // Parts 2 (changed), 3 and 4 on moto; all four where the server cannot list what it holds.
    expect(sentParts.requests).toBe(canList ? 3 : 4);
    expect((await readAll(minio, bucket, 'big.bin')).equals(second)).toBe(true);
    expect(journal.load()).toBeUndefined();
    const resumedId = parseMultipartState(journal.saves.at(-1))!.uploadId;
    // moto continues the same upload; s3rver cannot list its parts, so it starts a new one.
    if (canList) expect(resumedId).toBe(cut.uploadId);
    else expect(resumedId).not.toBe(cut.uploadId);
    expect(await openUploads(bucket)).toBe(canList ? 0 : null);
  });

  it('abandonUpload aborts a recorded upload; an unknown one is no error; a server that cannot abort fails for good', async () => {
    const bucket = await newBucket();
    const journal = memoryJournal();
    await write(bucket, bytes(34, SIZE), journal, 6 * MiB).catch(() => undefined);
    const state = journal.load()!;
    if (canList) {
      expect(await openUploads(bucket)).toBe(1);
      await minio.abandonUpload!(bucket, 'big.bin', state);
      expect(await openUploads(bucket)).toBe(0);
      await minio.abandonUpload!(bucket, 'big.bin', state); // gone already
      await minio.abandonUpload!(bucket, 'big.bin', JSON.stringify({ ...parseMultipartState(state)!, uploadId: 'not-an-upload' }));
    } else {
      // s3rver answers 405 MethodNotAllowed to AbortMultipartUpload: retrying cannot help.
      const failed = await minio.abandonUpload!(bucket, 'big.bin', state).then(() => null, (e: unknown) => e);
      expect(isStorageError(failed), String(failed)).toBe(true);
      expect((failed as { retryable: boolean }).retryable).toBe(false);
    }
    await minio.abandonUpload!(bucket, 'big.bin', 'not a state we wrote'); // nothing to abort
    expect(await minio.head(bucket, 'big.bin')).toBeNull();
  });
});

describe('multipart state helpers', () => {
  it('reads a ListParts answer: parts with unquoted ETags, and the next marker only when truncated', () => {
    const page = (truncated: boolean) => `<?xml version="1.0" encoding="UTF-8"?>
<ListPartsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Bucket>b</Bucket><Key>k</Key><UploadId>u</UploadId>
  <PartNumberMarker>1</PartNumberMarker><NextPartNumberMarker>3</NextPartNumberMarker>
  <MaxParts>2</MaxParts><IsTruncated>${truncated}</IsTruncated>
  <Part><PartNumber>2</PartNumber><LastModified>2010-11-10T20:48:34.000Z</LastModified><ETag>"7778aef83f66abc1fa1e8477f296d394"</ETag><Size>10485760</Size></Part>
  <Part><PartNumber>3</PartNumber><LastModified>2010-11-10T20:48:33.000Z</LastModified><ETag>&quot;aaaa18db4cc2f85cedef654fccc4a4x8&quot;</ETag><Size>10485760</Size></Part>
</ListPartsResult>`;
    expect(parseListParts(page(true))).toEqual({
      parts: [
        { n: 2, etag: '7778aef83f66abc1fa1e8477f296d394', size: 10485760 },
        { n: 3, etag: 'aaaa18db4cc2f85cedef654fccc4a4x8', size: 10485760 },
      ],
      nextMarker: '3',
    });
    expect(parseListParts(page(false)).nextMarker).toBeUndefined();
  });

  it('takes a held part for the part just read only with the same size and its MD5 as ETag', () => {
    const held = { n: 1, etag: 'D41D8CD98F00B204E9800998ECF8427E', size: 5 };
    expect(holdsSamePart(held, 5, 'd41d8cd98f00b204e9800998ecf8427e')).toBe(true);
    expect(holdsSamePart(held, 6, 'd41d8cd98f00b204e9800998ecf8427e')).toBe(false);
    expect(holdsSamePart(held, 5, '00000000000000000000000000000000')).toBe(false);
    expect(holdsSamePart(undefined, 5, 'd41d8cd98f00b204e9800998ecf8427e')).toBe(false);
  });
});
