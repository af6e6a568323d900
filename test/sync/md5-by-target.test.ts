// A copy to a target that checks the source's MD5 itself (capabilities.verifiesMd5: Azure) leaves
// the MD5 to it instead of hashing every byte a second time: bytes changed on the way are still
// refused before any commit, and the retry copies the right ones.
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAzureProvider } from '../../electron/providers/azure';
import type { StorageProvider } from '../../electron/providers/provider';
import { createS3Provider } from '../../electron/providers/s3';
import { transferObject } from '../../electron/sync/transfer';
import { verifiedSource } from '../../electron/sync/verified-source';
import { azureSettingsFor, startAzurite, type AzuriteServer } from '../support/azurite';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { awsSettingsFor, startS3Server, type S3TestServer } from '../support/s3-server';

const MiB = 1024 * 1024;

async function drain(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('verifiedSource with the MD5 left to the target', () => {
  it('does not hash: bytes with another MD5 pass, and the expected MD5 is reported as the one sent', async () => {
    const data = randomBytes(1000);
    const expected = { key: 'k', size: data.length, md5: 'f'.repeat(32) };
    const byTarget = verifiedSource(Readable.from([data]), expected, undefined, true);
    expect((await drain(byTarget.stream)).equals(data)).toBe(true);
    expect(byTarget.computed()).toMatchObject({ md5: expected.md5, size: data.length, verifiedWith: ['md5'] });
    // The same bytes checked here fail, as before.
    const here = verifiedSource(Readable.from([data]), expected);
    await expect(drain(here.stream)).rejects.toThrow(/MD5 of the bytes read/);
  });

  it('still counts the bytes, and still hashes when the source declares no MD5', async () => {
    const data = randomBytes(1000);
    const short = verifiedSource(Readable.from([data]), { key: 'k', size: data.length + 1, md5: 'f'.repeat(32) }, undefined, true);
    await expect(drain(short.stream)).rejects.toThrow(/gave 1000 bytes/);
    const unknown = verifiedSource(Readable.from([data]), { key: 'k', size: data.length }, undefined, true);
    await drain(unknown.stream);
    expect(unknown.computed()?.md5).toBe(createHash('md5').update(data).digest('hex'));
  });
});

describe('S3 → Azure with the MD5 checked by Azure', () => {
  let s3: S3TestServer;
  let azurite: AzuriteServer;
  let proxy: FaultProxy;
  let source: StorageProvider;
  let target: StorageProvider;
  beforeAll(async () => {
    [s3, azurite] = await Promise.all([startS3Server(), startAzurite()]);
    proxy = await startFaultProxy({ upstream: s3.endpoint, seed: 13 });
    source = createS3Provider({ ...awsSettingsFor(s3), endpoint: proxy.url });
    target = createAzureProvider(azureSettingsFor(azurite));
    await source.createBucket('src');
    await target.createBucket('dst');
  });
  afterAll(async () => {
    await source?.close();
    await target?.close();
    await proxy?.stop();
    await Promise.all([s3?.stop(), azurite?.stop()]);
  });

  it('a download corrupted on the way is refused by the check at Azure and the retry copies the right bytes', async () => {
    const data = randomBytes(2 * MiB);
    const md5 = createHash('md5').update(data).digest('hex');
    await source.write('src', 'obj.bin', async () => Readable.from([data]), data.length);
    const listed = (await source.head('src', 'obj.bin'))!;
    expect(listed.md5).toBe(md5); // the case this is about: the source declares its MD5
    expect(target.capabilities.verifiesMd5).toBe(true);

    proxy.setRules([{ match: { method: 'GET', path: /obj\.bin$/ }, max: 1, fault: { kind: 'corrupt' } }]);
    const failures: unknown[] = [];
    const result = await transferObject({
      source,
      target,
      sameConnection: false,
      sourceBucket: 'src',
      sourceKey: 'obj.bin',
      targetBucket: 'dst',
      targetKey: 'obj.bin',
      listed,
      retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
      onRetry: (err) => failures.push(err),
    });
    expect(proxy.injected.corrupt, proxy.describe()).toBe(1);
    // The first attempt failed at Azure's check, retryably; our side did not hash.
    expect(failures).toHaveLength(1);
    expect(String(failures[0])).toMatch(/contentMD5 doesn't match|Md5Mismatch/i);
    expect(result).toMatchObject({ md5, verifiedWith: ['md5'], target: { md5, size: data.length } });
    expect((await drain(await target.read('dst', 'obj.bin'))).equals(data)).toBe(true);
  });
});
