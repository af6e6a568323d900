// Real storage endpoints for engine tests: a temp folder for `local`, one s3rver for `s3` and `minio`.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { StorageProvider } from '../../electron/providers/provider';
import { createLocalProvider } from '../../electron/providers/local';
import { awsSettingsFor, minioSettingsFor, startS3Server, type S3TestServer } from './s3-server';

export type EndpointKind = 'local' | 's3' | 'minio';
export const ENDPOINT_KINDS: readonly EndpointKind[] = ['local', 's3', 'minio'];

export interface Endpoints {
  /** A new provider instance (a separate "connection") of the given kind. */
  provider(kind: EndpointKind, options?: { multipartThreshold?: number; partSize?: number }): StorageProvider;
  stop(): Promise<void>;
}

export async function startEndpoints(kinds: readonly EndpointKind[]): Promise<Endpoints> {
  const root = await mkdtemp(path.join(tmpdir(), 'cds-local-'));
  const s3: S3TestServer | undefined = kinds.some((k) => k !== 'local') ? await startS3Server() : undefined;
  // Loaded only when needed, so a local-only run does not load the S3 SDKs.
  const s3Module = s3 ? await import('../../electron/providers/s3') : undefined;
  const minioModule = s3 ? await import('../../electron/providers/minio') : undefined;
  const opened: StorageProvider[] = [];
  return {
    provider(kind, options) {
      let provider: StorageProvider;
      if (kind === 'local') provider = createLocalProvider({ root });
      else if (kind === 's3') provider = s3Module!.createS3Provider(awsSettingsFor(s3!), options);
      else provider = minioModule!.createMinioProvider(minioSettingsFor(s3!), options);
      opened.push(provider);
      return provider;
    },
    async stop() {
      await Promise.allSettled(opened.map((p) => p.close()));
      await s3?.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}
