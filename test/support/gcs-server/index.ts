// A Google Cloud Storage JSON-API test server on 127.0.0.1, in-process, for provider and engine
// tests. It is faithful to what @google-cloud/storage relies on (see the route modules); metadata
// is kept in memory and object bytes in a temp directory, so large uploads stream to disk.
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { GcsSettings } from '../../../shared/model';
import type { GcsFaults, RequestRecord, ServerContext } from './http';
import { createHandler } from './server';
import { GcsState } from './state';

export type { FailureRule, GcsFaults, RequestRecord } from './http';

const HOST = '127.0.0.1';
const PROJECT_ID = 'cds-test-project';
const KiB = 1024;

export interface GcsServerOptions {
  /** Bytes copied per rewrite call before answering done:false with a token (default 8 MiB). */
  rewriteBytesPerCall?: number;
  /** Resumable uploads keep unfinished chunks in multiples of this (default 256 KiB, as GCS). */
  uploadGranularity?: number;
}

export interface GcsTestServer {
  /** http://127.0.0.1:PORT — the SDK's apiEndpoint. */
  apiEndpoint: string;
  port: number;
  projectId: string;
  /** Fault injection; tests change it while the server runs. */
  faults: GcsFaults;
  /** The most recent requests (method, url, Authorization header), oldest first. */
  requests: readonly RequestRecord[];
  /** Closes every connection (in-flight requests included) and removes the stored bytes. */
  stop(): Promise<void>;
}

export async function startGcsServer(options: GcsServerOptions = {}): Promise<GcsTestServer> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'gcs-test-server-'));
  const ctx: ServerContext = {
    state: new GcsState(dataDir),
    baseUrl: '',
    faults: { corruptDownloads: 0, corruptUploads: 0, resetDownloads: 0, failures: [] },
    rewriteBytesPerCall: options.rewriteBytesPerCall ?? 8 * KiB * KiB,
    uploadGranularity: options.uploadGranularity ?? 256 * KiB,
    requests: [],
    uploads: new Map(),
    rewrites: new Map(),
  };
  const server = http.createServer(createHandler(ctx));
  // Longer than any client keeps an idle socket, so a reused keep-alive socket is never closed
  // under a request just being sent (that race shows up as ECONNRESET in clients).
  server.keepAliveTimeout = 120_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, HOST, () => resolve());
    });
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('the GCS test server has no port');
  ctx.baseUrl = `http://${HOST}:${address.port}`;
  return {
    apiEndpoint: ctx.baseUrl,
    port: address.port,
    projectId: PROJECT_ID,
    faults: ctx.faults,
    requests: ctx.requests,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Settings for the gcs provider against this server: custom endpoint and project, no credentials. */
export function gcsSettingsFor(server: GcsTestServer): GcsSettings {
  return { apiEndpoint: server.apiEndpoint, projectId: server.projectId };
}
