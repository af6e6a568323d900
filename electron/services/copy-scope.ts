// When two connections may copy server-side between each other (issue 15 point 4): the target's
// provider then copies from the source bucket itself (S3 CopyObject, GCS rewrite, Azure Copy Blob),
// which works only when its own credentials can read the source. A connection's copy scope says who
// it is at which service; two connections with equal scopes are one identity there, so whatever the
// source connection can read, the target's credentials can too. A scope that cannot be proven
// equal (different keys, a different region, another kind of credential) is never treated as equal:
// the object is streamed or pulled instead.
//
// Secrets enter a scope only as a SHA-256 digest, and a scope is compared in memory, never logged
// or stored.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { DEFAULT_AWS_REGION } from '../../shared/config/defaults';
import { AWS_S3_SERVICE, endpointIdentity } from '../../shared/config/endpoints';
import type { Connection } from '../../shared/model';
import { connectionSettings, descriptorOf } from '../../shared/providers';
import { connectionStringParts } from '../../shared/providers/azure';

/**
 * The connection's copy scope, or null when it has none (a local folder: its provider has no
 * server-side copy). Two connections copy server-side between each other exactly when both scopes
 * are non-null and equal.
 */
export function copyScope(connection: Connection): string | null {
  switch (connection.type) {
    case 'aws': {
      const s = connection.aws;
      const endpoint = s.endpoint?.trim();
      const service = endpoint ? endpointIdentity(endpoint, s.disableSSL ? 'http' : 'https') : AWS_S3_SERVICE;
      // Our copy() HEADs the source through the target's regional client, which AWS answers with a
      // redirect for a bucket of another region: a cross-region pair streams.
      const region = s.region?.trim() || DEFAULT_AWS_REGION;
      const id = s.accessKeyId?.trim();
      const secret = s.secretAccessKey?.trim();
      // As the provider does: without both keys it uses this machine's default credential chain,
      // which is one identity for every connection of this process.
      const credentials = id && secret ? `key:${id}:${digest(secret)}:${digest(s.sessionToken?.trim() ?? '')}` : 'default-chain';
      return `aws|${service}|${region}|${credentials}`;
    }
    case 'minio': {
      const s = connection.minio;
      const service = endpointIdentity(s.endpoint, s.useSSL ? 'https' : 'http');
      return `minio|${service}|${s.region?.trim() ?? ''}|key:${s.accessKey}:${digest(s.secretKey)}`;
    }
    case 'gcs':
      return `gcs|${serviceOf(connection)}|${gcsIdentity(connection.gcs)}`;
    case 'azure': {
      const identity = azureIdentity(connection.azure);
      return identity === null ? null : `azure|${serviceOf(connection)}|${identity}`;
    }
    case 'local':
      return null;
  }
}

/** Two connections the target's provider can copy between server-side (see copyScope). */
export function sameCopyScope(a: Connection | undefined, b: Connection | undefined): boolean {
  if (!a || !b) return false;
  if (a.id === b.id) return true;
  const scope = copyScope(a);
  return scope !== null && scope === copyScope(b);
}

/** The service a connection's buckets live at, as the rules between mappings compare them (shared/config/locations.ts). */
function serviceOf(connection: Connection): string {
  const whereabouts = descriptorOf(connection.type).whereabouts;
  return whereabouts.kind === 'service' ? whereabouts.service(connectionSettings(connection)) : '';
}

/**
 * Who a GCS connection acts as: a service account by its e-mail (every key of one account is that
 * account), another kind of inline credential by its digest, a key file by its path, or this
 * machine's Application Default Credentials.
 */
function gcsIdentity(s: Extract<Connection, { type: 'gcs' }>['gcs']): string {
  const keyFile = s.keyFile?.trim();
  if (keyFile) return `file:${path.resolve(keyFile)}`;
  const json = s.credentialsJson?.trim();
  if (!json) return 'adc';
  let parsed: Record<string, unknown> | undefined;
  try {
    parsed = JSON.parse(json) as Record<string, unknown>;
  } catch {
    parsed = undefined;
  }
  if (parsed?.type === 'service_account' && typeof parsed.client_email === 'string') return `sa:${parsed.client_email.toLowerCase()}`;
  return `json:${digest(json)}`;
}

/**
 * Who an Azure connection acts as. An account key (either of the account's two, or one in a
 * connection string) can read every container of its account: the account is the identity. A SAS
 * is put on the copy's source URL as it is, and may cover only some containers or permissions: two
 * connections share a scope only with the very same SAS. Null: a connection string that names
 * neither (the provider would refuse it).
 */
function azureIdentity(s: Extract<Connection, { type: 'azure' }>['azure']): string | null {
  if (s.accountKey?.trim()) return `key:${(s.accountName ?? '').toLowerCase()}`;
  if (s.sasToken?.trim()) return `sas:${digest(s.sasToken.trim().replace(/^\?/, ''))}`;
  const parts = connectionStringParts(s.connectionString);
  if (parts.get('usedevelopmentstorage') === 'true') return 'key:devstoreaccount1';
  const account = parts.get('accountname')?.toLowerCase();
  if (parts.get('accountkey') && account) return `key:${account}`;
  const sas = parts.get('sharedaccesssignature');
  if (sas) return `sas:${digest(sas.replace(/^\?/, ''))}`;
  return null;
}

function digest(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
