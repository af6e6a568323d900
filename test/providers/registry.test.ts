// The registry loads a provider's module (and with it its SDK) only when a connection of that type
// is first used, and has a factory for every descriptor's type.
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

  test('refuses an unknown type as InvalidConfig naming the field', async () => {
    const { createProvider } = await import('../../electron/providers/registry');
    await expect(createProvider(connectionOf('dropbox', {}))).rejects.toMatchObject({ code: 'InvalidConfig', field: 'type' });
    await expect(createProvider(connectionOf('toString', {}))).rejects.toMatchObject({ code: 'InvalidConfig', field: 'type' });
  });
});
