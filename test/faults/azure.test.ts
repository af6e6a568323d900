// The fault suite on Azure Blob (Azurite). Azurite checks Shared Key signatures, which cover the
// query, so the proxy cannot shorten listing pages there: the listing fault cuts the first page.
// Difference from Azure: Azurite keeps no real CRC64 and accepts any API version (--skipApiVersionCheck).
import { describe } from 'vitest';
import { createAzureProvider } from '../../electron/providers/azure';
import { azureSettingsFor, startAzurite, AZURITE_ACCOUNT } from '../support/azurite';
import { describeFaultSuite } from './fault-scenarios';

const MiB = 1024 * 1024;

describe('fault suite: Azure Blob (Azurite)', () => {
  describeFaultSuite(async () => {
    const server = await startAzurite();
    const upstream = new URL(server.endpointUrl).origin;
    return {
      label: 'Azurite',
      kind: 'azure',
      upstream,
      provider: (origin) =>
        createAzureProvider({ ...azureSettingsFor(server), endpointUrl: `${origin}/${AZURITE_ACCOUNT}` }, { multipartThreshold: 5 * MiB, blockSize: 5 * MiB }),
      largeBytes: 20 * MiB,
      // Uncommitted blocks are not listable through the provider contract; Azure drops them after 7 days.
      openUploads: undefined,
      unsignedQueries: false,
      stop: () => server.stop(),
    };
  }, 5_303);
});
