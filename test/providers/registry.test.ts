// The registry loads a provider's module (and with it its SDK) only when a connection of that type
// is first used, has a factory for every descriptor's type, and refuses settings its descriptor
// refuses before any factory sees them (the factories here are fakes that would take anything).
import { tmpdir } from 'node:os';
import { describe, expect, test, vi } from 'vitest';
import { DESCRIPTORS } from '../../shared/providers';
import type { Connection } from '../../shared/model';

const loaded = vi.hoisted(() => new Set<string>());
const fake = (name: string) => ({ type: name, close: async () => undefined });
vi.mock('../../electron/providers/s3', () => (loaded.add('s3'), { createS3Provider: () => fake('aws') }));
vi.mock('../../electron/providers/minio', () => (loaded.add('minio'), { createMinioProvider: () => fake('minio') }));
vi.mock('../../electron/providers/gcs', () => (loaded.add('gcs'), { createGcsProvider: () => fake('gcs') }));
vi.mock('../../electron/providers/azure', () => (loaded.add('azure'), { createAzureProvider: () => fake('azure') }));

const connectionOf = (type: string, settings: object) => ({ id: 'c', name: 'c', type, [type]: settings }) as Connection;

describe('createProvider', () => {
  // First in the file: a module mock, once loaded, stays loaded for the file.
  test('loads no cloud provider module for a local folder, and only its own for a cloud connection', async () => {
    const { createProvider } = await import('../../electron/providers/registry');
    const local = await createProvider(connectionOf('local', { root: tmpdir() }));
    expect(local.type).toBe('local');
    await local.close();
    expect([...loaded]).toEqual([]);

    await createProvider(connectionOf('aws', { region: 'us-east-1' }));
    expect([...loaded]).toEqual(['s3']);
  });

  test('has a factory for every provider type', async () => {
    const { createProvider } = await import('../../electron/providers/registry');
    for (const d of DESCRIPTORS.filter((descriptor) => descriptor.type !== 'local')) {
      await expect(createProvider(connectionOf(d.type, d.sample.settings))).resolves.toMatchObject({ type: d.type });
    }
  });

  test('refuses settings the descriptor refuses, as InvalidConfig naming the setting, before loading the module', async () => {
    const { createProvider } = await import('../../electron/providers/registry');
    const keys = { accessKey: 'a', secretKey: 's' };
    const cases: [type: string, settings: object, field: string][] = [
      ['aws', { endpoint: 'http://' }, 'aws.endpoint'],
      ['aws', { endpoint: 'ftp://host' }, 'aws.endpoint'],
      ['aws', { accessKeyId: 'AKIA' }, 'aws.secretAccessKey'],
      ['aws', { secretAccessKey: 's', accessKeyId: '  ' }, 'aws.accessKeyId'],
      ['aws', { sessionToken: 't' }, 'aws.sessionToken'],
      ['minio', { endpoint: '', ...keys }, 'minio.endpoint'],
      ['minio', { endpoint: 'host:9000/bucket', ...keys }, 'minio.endpoint'],
      ['minio', { endpoint: 'https://minio.local:9000', ...keys }, 'minio.endpoint'],
      ['minio', { endpoint: 'host:9000', accessKey: 'a', secretKey: '' }, 'minio.secretKey'],
      ['azure', { accountName: 'acct' }, 'azure'],
      ['azure', { accountName: 'acct', accountKey: 'a2V5', sasToken: 'sv=1' }, 'azure.sasToken'],
      ['azure', { accountKey: 'a2V5' }, 'azure.accountName'],
      ['azure', { accountKey: 'a2V5', endpointUrl: 'http://127.0.0.1:10000/devstoreaccount1' }, 'azure.accountName'],
      ['azure', { sasToken: 'sv=1' }, 'azure.accountName'],
      ['azure', { connectionString: 'nonsense' }, 'azure.connectionString'],
      ['azure', { connectionString: 'UseDevelopmentStorage=true', endpointUrl: 'http://127.0.0.1:1/x' }, 'azure.endpointUrl'],
      ['azure', { accountName: 'acct', accountKey: 'a2V5', endpointUrl: 'ftp://host' }, 'azure.endpointUrl'],
      ['azure', { accountName: 'acct', accountKey: 'a2V5', endpointUrl: 'https://host/?sv=1' }, 'azure.endpointUrl'],
      ['gcs', { credentialsJson: '{"private_key": "-----BEGIN SECRET' }, 'gcs.credentialsJson'],
      ['gcs', { credentialsJson: '[1,2]' }, 'gcs.credentialsJson'],
      ['gcs', { credentialsJson: '{}', keyFile: '/k.json' }, 'gcs.credentialsJson'],
      ['gcs', { apiEndpoint: 'ftp://host' }, 'gcs.apiEndpoint'],
      ['gcs', { apiEndpoint: 'http://' }, 'gcs.apiEndpoint'],
      ['gcs', { apiEndpoint: 'https://storage.example.com/?key=x' }, 'gcs.apiEndpoint'],
      ['local', { root: 'relative/folder' }, 'local.root'],
      ['local', { root: '' }, 'local.root'],
    ];
    loaded.clear();
    for (const [type, settings, field] of cases) {
      const refused = await createProvider(connectionOf(type, settings)).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(refused, `${type} ${JSON.stringify(settings)}`).toMatchObject({ code: 'InvalidConfig', field });
      // Messages name settings and rules; a secret's value is never in them.
      expect(String(refused)).not.toContain('SECRET');
    }
    expect([...loaded]).toEqual([]);
  });

  test('takes a SAS token with an endpoint URL and no account name: the URL names the account', async () => {
    const { createProvider } = await import('../../electron/providers/registry');
    const sas = { sasToken: 'sv=2024&sig=x', endpointUrl: 'https://acct.blob.core.windows.net' };
    await expect(createProvider(connectionOf('azure', sas))).resolves.toMatchObject({ type: 'azure' });
  });

  test('refuses an unknown type as InvalidConfig naming the field', async () => {
    const { createProvider } = await import('../../electron/providers/registry');
    await expect(createProvider(connectionOf('dropbox', {}))).rejects.toMatchObject({ code: 'InvalidConfig', field: 'type' });
    await expect(createProvider(connectionOf('toString', {}))).rejects.toMatchObject({ code: 'InvalidConfig', field: 'type' });
  });
});
