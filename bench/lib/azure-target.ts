// An Azurite instance as a benchmark target: containers, an account SAS for rclone and the PUT loop.
import {
  AccountSASPermissions,
  AccountSASResourceTypes,
  AccountSASServices,
  BlobServiceClient,
  StorageSharedKeyCredential,
  generateAccountSASQueryParameters,
} from '@azure/storage-blob';
import { startAzurite } from '../../test/support/azurite';
import type { Side } from './tools';

export interface AzureTarget {
  endpointUrl: string;
  sasToken: string;
  side(container: string): Side;
  createContainer(name: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startAzureTarget(): Promise<AzureTarget> {
  const server = await startAzurite();
  const credential = new StorageSharedKeyCredential(server.accountName, server.accountKey);
  const service = new BlobServiceClient(server.endpointUrl, credential);
  const sasToken = generateAccountSASQueryParameters(
    {
      expiresOn: new Date(Date.now() + 24 * 3600 * 1000),
      permissions: AccountSASPermissions.parse('rwdlacup'),
      resourceTypes: AccountSASResourceTypes.parse('sco').toString(),
      services: AccountSASServices.parse('b').toString(),
    },
    credential,
  ).toString();
  return {
    endpointUrl: server.endpointUrl,
    sasToken,
    side: (container) => ({
      kind: 'azure',
      endpointUrl: server.endpointUrl,
      accountName: server.accountName,
      accountKey: server.accountKey,
      sasUrl: `${server.endpointUrl}?${sasToken}`,
      bucket: container,
    }),
    async createContainer(name) {
      await service.getContainerClient(name).create();
    },
    stop: () => server.stop(),
  };
}
