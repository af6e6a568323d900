// Real storage endpoints for engine tests: a temp folder for `local`, one s3rver for `s3` and `minio`,
// moto's S3 server for `moto` (the second S3 implementation, through the s3 provider), a fresh
// Azurite for `azure`, the in-repo GCS test server for `gcs`. Servers start only for the
// kinds asked for, and SDKs load lazily.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { StorageProvider } from '../../electron/providers/provider';
import { createLocalProvider } from '../../electron/providers/local';

export type EndpointKind = 'local' | 's3' | 'minio' | 'azure' | 'gcs' | 'moto';
/** One endpoint per provider type (moto is the s3 provider again, on another server). */
export const ENDPOINT_KINDS: readonly EndpointKind[] = ['local', 's3', 'minio', 'azure', 'gcs'];

/** Tuning that makes a test-sized object take the parts path (multipart, blocks, resumable). */
export interface PartTuning {
  multipartThreshold?: number;
  partSize?: number;
}

export interface Endpoints {
  /** The folder holding the `local` kind's buckets. */
  localRoot: string;
  /** A new provider instance (a separate "connection") of the given kind. */
  provider(kind: EndpointKind, tuning?: PartTuning): StorageProvider;
  stop(): Promise<void>;
}

type Factory = (tuning: PartTuning | undefined) => StorageProvider;

export async function startEndpoints(kinds: readonly EndpointKind[]): Promise<Endpoints> {
  const factories = new Map<EndpointKind, Factory>();
  const stops: Array<() => Promise<void>> = [];
  const root = await mkdtemp(path.join(tmpdir(), 'cds-local-'));
  stops.push(() => rm(root, { recursive: true, force: true }));
  factories.set('local', () => createLocalProvider({ root }));

  if (kinds.includes('s3') || kinds.includes('minio')) {
    const { startS3Server, awsSettingsFor, minioSettingsFor } = await import('./s3-server');
    const { createS3Provider } = await import('../../electron/providers/s3');
    const { createMinioProvider } = await import('../../electron/providers/minio');
    const server = await startS3Server();
    stops.push(() => server.stop());
    factories.set('s3', (t) => createS3Provider(awsSettingsFor(server), t));
    factories.set('minio', (t) => createMinioProvider(minioSettingsFor(server), t));
  }
  if (kinds.includes('moto')) {
    const { startMotoServer } = await import('./moto-server');
    const { awsSettingsFor } = await import('./s3-server');
    const { createS3Provider } = await import('../../electron/providers/s3');
    const server = await startMotoServer();
    stops.push(() => server.stop());
    factories.set('moto', (t) => createS3Provider(awsSettingsFor(server), t));
  }
  if (kinds.includes('azure')) {
    const { startAzurite, azureSettingsFor } = await import('./azurite');
    const { createAzureProvider } = await import('../../electron/providers/azure');
    const server = await startAzurite();
    stops.push(() => server.stop());
    factories.set('azure', (t) => createAzureProvider(azureSettingsFor(server), { multipartThreshold: t?.multipartThreshold, blockSize: t?.partSize }));
  }
  if (kinds.includes('gcs')) {
    const { startGcsServer, gcsSettingsFor } = await import('./gcs-server');
    const { createGcsProvider } = await import('../../electron/providers/gcs');
    const server = await startGcsServer();
    stops.push(() => server.stop());
    factories.set('gcs', (t) => createGcsProvider(gcsSettingsFor(server), { multipartThreshold: t?.multipartThreshold, chunkSize: t?.partSize }));
  }

  const opened: StorageProvider[] = [];
  return {
    localRoot: root,
    provider(kind, tuning) {
      const factory = factories.get(kind);
      if (!factory) throw new Error(`endpoint "${kind}" was not started`);
      const provider = factory(tuning);
      opened.push(provider);
      return provider;
    },
    async stop() {
      await Promise.allSettled(opened.map((p) => p.close()));
      for (const stop of stops.reverse()) await stop();
    },
  };
}
