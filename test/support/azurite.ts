// Starts Azurite's blob service (in memory) as a child process on 127.0.0.1 for provider tests.
// Use one instance per test file and keep the number of deletes per instance small: after a mass
// delete Azurite's extent garbage collection pins a core and stops answering for seconds to minutes
// (3,000 deleted blobs: 8 s; 8,000: 83 s), and while it does it ignores SIGTERM — so stop() ends it
// with SIGKILL after a short grace period (in-memory data has nothing to flush anyway).
import { createRequire } from 'node:module';
import type { AzureSettings } from '../../shared/model';
import { HOST, startChildServer } from './child-server';

/** Azurite's built-in development account and its published key (the same in every emulator). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const STOP_GRACE_MS = 500;
const EXIT_WAIT_MS = 5_000;

export interface AzuriteServer {
  /** http://127.0.0.1:PORT/devstoreaccount1 (path-style: the account is the first path segment). */
  endpointUrl: string;
  accountName: string;
  accountKey: string;
  port: number;
  /** Stops the server: SIGTERM, then SIGKILL after a short grace period. */
  stop(): Promise<void>;
}

const AZURITE_BLOB_BIN = createRequire(import.meta.url).resolve('azurite/dist/src/blob/main.js');

export async function startAzurite(): Promise<AzuriteServer> {
  const server = await startChildServer({
    name: 'Azurite',
    // Azurite writes nothing with in-memory persistence, but give it a scratch cwd in case it does.
    scratchPrefix: 'azurite-',
    bin: AZURITE_BLOB_BIN,
    command: (port, cwd) => ({
      args: [
        '--blobHost', HOST, '--blobPort', String(port),
        '--inMemoryPersistence', '--skipApiVersionCheck', '--loose', '--disableTelemetry', '--silent',
      ],
      cwd,
    }),
    readyPath: `/${AZURITE_ACCOUNT}?comp=list`,
    stopGraceMs: STOP_GRACE_MS,
    exitWaitMs: EXIT_WAIT_MS,
  });
  return {
    endpointUrl: `http://${HOST}:${server.port}/${AZURITE_ACCOUNT}`,
    accountName: AZURITE_ACCOUNT,
    accountKey: AZURITE_KEY,
    port: server.port,
    stop: () => server.stop(),
  };
}

/** Account name + key settings for the azure provider against this server. */
export function azureSettingsFor(server: AzuriteServer): AzureSettings {
  return { accountName: server.accountName, accountKey: server.accountKey, endpointUrl: server.endpointUrl };
}

/** The connection string Azurite documents for its development account, pointed at this server. */
export function azuriteConnectionString(server: AzuriteServer): string {
  return `DefaultEndpointsProtocol=http;AccountName=${server.accountName};AccountKey=${server.accountKey};BlobEndpoint=${server.endpointUrl};`;
}
