// targetStorageClass, targetEncryption and tags through the CLI and a config file, checked by asking
// each target server (HEAD, GetObjectTagging, Get Blob Tags): moto → moto (a server-side copy),
// moto → Azurite, moto → the GCS test server (which has no tags: one warning with a count), and a
// local target, which takes neither option (exit 2, the field named).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../electron/headless/exit-codes';
import { createAzureProvider } from '../../electron/providers/azure';
import { createGcsProvider } from '../../electron/providers/gcs';
import { createS3Provider } from '../../electron/providers/s3';
import type { StorageProvider } from '../../electron/providers/provider';
import { startAzurite, azureSettingsFor, type AzuriteServer } from '../support/azurite';
import { startGcsServer, gcsSettingsFor, type GcsTestServer } from '../support/gcs-server';
import { startMotoServer } from '../support/moto-server';
import { awsSettingsFor, type S3TestServer } from '../support/s3-server';
import { putText } from '../support/objects';
import { cli } from './in-process';

const TAGS = { project: 'apollo', 'cost-center': 'R+D/7' };
const KMS_KEY = 'projects/p/locations/europe-west1/keyRings/r/cryptoKeys/k';

describe('cli: targetStorageClass, targetEncryption and tags', () => {
  let dir: string;
  let moto: S3TestServer;
  let azurite: AzuriteServer;
  let gcs: GcsTestServer;
  let s3: StorageProvider;
  let azure: StorageProvider;
  let google: StorageProvider;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cds-cli-target-options-'));
    [moto, azurite, gcs] = await Promise.all([startMotoServer(), startAzurite(), startGcsServer()]);
    s3 = createS3Provider(awsSettingsFor(moto));
    azure = createAzureProvider(azureSettingsFor(azurite));
    google = createGcsProvider(gcsSettingsFor(gcs));
    await s3.createBucket('src');
    await putText(s3, 'src', 'tagged.txt', 'tagged', { contentType: 'text/plain', tags: TAGS });
    await putText(s3, 'src', 'plain.txt', 'plain', { contentType: 'text/plain' });
    for (const [provider, bucket] of [[s3, 'to-s3'], [azure, 'to-azure'], [google, 'to-gcs']] as const) await provider.createBucket(bucket);
  }, 120_000);
  afterAll(async () => {
    await Promise.allSettled([s3?.close(), azure?.close(), google?.close()]);
    await Promise.allSettled([moto?.stop(), azurite?.stop(), gcs?.stop()]);
    await rm(dir, { recursive: true, force: true });
  });

  const configFile = async (name: string, mappings: Record<string, unknown>[]) => {
    const file = path.join(dir, `${name}.json`);
    const config = {
      databasePath: path.join(dir, `${name}.db`),
      providers: [
        { id: 's3', type: 'aws', aws: { region: 'us-east-1', endpoint: moto.endpoint, accessKeyId: moto.accessKeyId, secretAccessKey: moto.secretAccessKey } },
        { id: 'azure', type: 'azure', azure: azureSettingsFor(azurite) },
        { id: 'gcs', type: 'gcs', gcs: gcsSettingsFor(gcs) },
        { id: 'disk', type: 'local', local: { root: dir } },
      ],
      mappings: mappings.map((m) => ({ sourceProviderId: 's3', sourceBucket: 'src', ...m })),
    };
    await writeFile(file, JSON.stringify(config, null, 2));
    return file;
  };

  it('a dry run says which class and encryption the objects would get, and writes nothing', async () => {
    const file = await configFile('dry', [{ targetProviderId: 'gcs', targetBucket: 'to-gcs', targetStorageClass: 'nearline', targetEncryption: { kmsKeyName: KMS_KEY } }]);
    const r = await cli(['--config', file, '--once', '--dry-run']);
    expect(r.code, r.output).toBe(EXIT.ok);
    expect(r.output).toContain(`Objects written to the target get storage class NEARLINE and Cloud KMS encryption with key ${KMS_KEY}`);
    expect((await google.listPage('to-gcs', '', null)).items).toEqual([]);
  });

  it('copies to S3 (server-side), Azure and GCS with the class, encryption and tags each target can store', async () => {
    const file = await configFile('run', [
      { targetProviderId: 's3', targetBucket: 'to-s3', targetStorageClass: 'STANDARD_IA', targetEncryption: { sse: 'aws:kms', kmsKeyId: 'cli-key' } },
      { targetProviderId: 'azure', targetBucket: 'to-azure', targetStorageClass: 'Cool' },
      { targetProviderId: 'gcs', targetBucket: 'to-gcs', targetStorageClass: 'NEARLINE', targetEncryption: { kmsKeyName: KMS_KEY } },
    ]);
    const r = await cli(['--config', file, '--once']);
    expect(r.code, r.output).toBe(EXIT.ok);

    const onS3 = await s3.head('to-s3', 'tagged.txt');
    expect(onS3).toMatchObject({ storageClass: 'STANDARD_IA', encryption: { sse: 'aws:kms', kmsKeyId: 'cli-key' }, tagCount: 2, contentType: 'text/plain' });
    expect(await s3.getTags!('to-s3', 'tagged.txt')).toEqual(TAGS);
    expect(await s3.getTags!('to-s3', 'plain.txt')).toEqual({});

    expect(await azure.head('to-azure', 'tagged.txt')).toMatchObject({ storageClass: 'Cool', tagCount: 2, contentType: 'text/plain' });
    expect(await azure.getTags!('to-azure', 'tagged.txt')).toEqual(TAGS);

    expect(await google.head('to-gcs', 'tagged.txt')).toMatchObject({ storageClass: 'NEARLINE', encryption: { kmsKeyName: KMS_KEY }, contentType: 'text/plain' });
    expect(r.output).toContain('1 object(s) had tags that Google Cloud Storage cannot store (Google Cloud Storage objects have no tags); they were copied without them');
    expect(r.output.match(/had tags that/g)).toHaveLength(1);
  });

  it('a local target takes no storage class or encryption: exit 2 naming the field, nothing runs', async () => {
    const file = await configFile('local', [{ targetProviderId: 'disk', targetBucket: 'out', targetStorageClass: 'STANDARD' }]);
    const r = await cli(['--config', file, '--once']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.output).toMatch(/targetStorageClass/);
    const enc = await configFile('local-enc', [{ targetProviderId: 'disk', targetBucket: 'out', targetEncryption: { sse: 'AES256' } }]);
    const e = await cli(['--config', enc, '--once']);
    expect(e.code).toBe(EXIT.usage);
    expect(e.output).toMatch(/targetEncryption/);
  });

  it('a class another service spells (Azure "Cool" for an S3 target) is refused naming the field and the classes S3 has', async () => {
    const file = await configFile('wrong-class', [{ targetProviderId: 's3', targetBucket: 'to-s3', targetStorageClass: 'Cool' }]);
    const r = await cli(['--config', file, '--once']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.output).toMatch(/targetStorageClass.*STANDARD_IA/);
  });
});
