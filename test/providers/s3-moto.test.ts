// The provider conformance suite for s3 against moto, the second S3 implementation (see moto-server.ts).
import { Readable } from 'node:stream';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, HeadObjectCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Provider } from '../../electron/providers/s3';
import { awsSettingsFor, type S3TestServer } from '../support/s3-server';
import { startMotoServer } from '../support/moto-server';
import { conformanceTarget, describeProviderConformance } from './conformance';
import { describeS3Integrity } from './s3-integrity';

let server: S3TestServer;
beforeAll(async () => {
  server = await startMotoServer();
});
afterAll(async () => {
  await server?.stop();
});

describeProviderConformance('s3 on moto', async () => conformanceTarget(createS3Provider(awsSettingsFor(server)), 's3-moto-'));
describeS3Integrity('s3 on moto', {
  server: () => server,
  create: (s, options) => createS3Provider(awsSettingsFor(s), options),
  traits: { multipartEtags: true, partNumberHead: true, uploadPartCopy: true, checksContentMd5: false },
});

describe('s3 on moto: checksums', () => {
  const raw = (): S3Client =>
    new S3Client({
      region: 'us-east-1',
      endpoint: server.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    });
  const crc32 = (data: Buffer): string => {
    const digest = Buffer.alloc(4);
    digest.writeUInt32BE(zlibCrc32(data));
    return digest.toString('base64');
  };

  it('write() reports the checksum the service computed and head() (ChecksumMode) declares it', async () => {
    // WHEN_SUPPORTED: the SDK sends a CRC32 with the body and the service stores it.
    const provider = createS3Provider({ ...awsSettingsFor(server), checksumMode: 'WHEN_SUPPORTED' });
    try {
      await provider.createBucket('moto-checksums');
      const data = Buffer.from('checksummed content\n'.repeat(50));
      const written = await provider.write('moto-checksums', 'c.txt', async () => Readable.from([data]), data.length);
      expect(written.checksums).toEqual({ crc32: crc32(data) });
      expect((await provider.head('moto-checksums', 'c.txt'))?.checksums).toEqual({ crc32: crc32(data) });
    } finally {
      await provider.close();
    }
  });

  it('head() declares a multipart object’s FULL_OBJECT checksum, never a COMPOSITE one', async () => {
    const client = raw();
    const provider = createS3Provider(awsSettingsFor(server));
    try {
      await provider.createBucket('moto-composite');
      const part1 = Buffer.alloc(5 * 1024 * 1024, 1);
      const part2 = Buffer.alloc(1000, 2);
      const answers: Record<string, string | undefined> = {};
      for (const type of ['FULL_OBJECT', 'COMPOSITE'] as const) {
        const key = type.toLowerCase();
        const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: 'moto-composite', Key: key, ChecksumAlgorithm: 'CRC32C', ChecksumType: type }));
        const parts = [];
        for (const [i, body] of [part1, part2].entries()) {
          const out = await client.send(new UploadPartCommand({ Bucket: 'moto-composite', Key: key, UploadId, PartNumber: i + 1, Body: body, ChecksumAlgorithm: 'CRC32C' }));
          parts.push({ PartNumber: i + 1, ETag: out.ETag, ChecksumCRC32C: out.ChecksumCRC32C });
        }
        await client.send(new CompleteMultipartUploadCommand({ Bucket: 'moto-composite', Key: key, UploadId, MultipartUpload: { Parts: parts } }));
        answers[type] = (await client.send(new HeadObjectCommand({ Bucket: 'moto-composite', Key: key, ChecksumMode: 'ENABLED' }))).ChecksumCRC32C;
      }
      expect(answers.FULL_OBJECT).toBeDefined();
      expect((await provider.head('moto-composite', 'full_object'))?.checksums?.crc32c).toBe(answers.FULL_OBJECT);
      // moto answers the composite value without `-2` and without a checksum type (AWS: `…-2`, COMPOSITE).
      expect(answers.COMPOSITE).not.toBe(answers.FULL_OBJECT);
      expect((await provider.head('moto-composite', 'composite'))?.checksums?.crc32c).toBeUndefined();
    } finally {
      client.destroy();
      await provider.close();
    }
  });
});
