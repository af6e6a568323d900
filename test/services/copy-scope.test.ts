// Which pairs of connections copy server-side (copy-scope.ts): the rules per provider, from settings
// alone. The engine test beside the sync tests (test/sync/copy-route-scope.test.ts) runs the copies.
import { describe, expect, it } from 'vitest';
import type { Connection } from '../../shared/model';
import { copyScope, sameCopyScope } from '../../electron/services/copy-scope';

const AWS = { region: 'eu-west-1', accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret-one' };
const aws = (id: string, s: Partial<typeof AWS> & Record<string, unknown> = {}): Connection => ({ id, name: id, type: 'aws', aws: { ...AWS, ...s } });
const SA = (email: string, key: string) => JSON.stringify({ type: 'service_account', client_email: email, private_key: key, project_id: 'p' });

describe('copy scope', () => {
  it('S3: the same endpoint, region and keys share a scope; another secret, session token, region or endpoint does not', () => {
    expect(sameCopyScope(aws('a'), aws('b'))).toBe(true);
    expect(sameCopyScope(aws('a'), aws('b', { secretAccessKey: 'secret-two' }))).toBe(false);
    expect(sameCopyScope(aws('a'), aws('b', { sessionToken: 'token' } as never))).toBe(false);
    expect(sameCopyScope(aws('a'), aws('b', { region: 'us-east-1' }))).toBe(false);
    expect(sameCopyScope(aws('a'), aws('b', { endpoint: 'https://s3.example.com' } as never))).toBe(false);
    // One service however the endpoint is written; the default credential chain is one identity.
    expect(sameCopyScope(aws('a', { endpoint: 'http://localhost:9000/' } as never), aws('b', { endpoint: 'http://127.0.0.1:9000' } as never))).toBe(true);
    const chain = (id: string): Connection => ({ id, name: id, type: 'aws', aws: { region: 'eu-west-1' } });
    expect(sameCopyScope(chain('a'), chain('b'))).toBe(true);
    expect(sameCopyScope(chain('a'), aws('b'))).toBe(false);
  });

  it('never holds a secret in plain text', () => {
    const scope = copyScope(aws('a', { sessionToken: 'session-secret' } as never))!;
    expect(scope).not.toContain('secret-one');
    expect(scope).not.toContain('session-secret');
    const azure = copyScope({ id: 'z', name: 'z', type: 'azure', azure: { sasToken: 'sv=1&sig=very-secret', endpointUrl: 'https://acct.blob.core.windows.net' } })!;
    expect(azure).not.toContain('very-secret');
  });

  it('MinIO: the same server and keys; an S3 connection to the same server is another provider, never one scope', () => {
    const minio = (id: string, secretKey = 's'): Connection => ({ id, name: id, type: 'minio', minio: { endpoint: 'localhost:9000', accessKey: 'k', secretKey, useSSL: false } });
    expect(sameCopyScope(minio('a'), minio('b'))).toBe(true);
    expect(sameCopyScope(minio('a'), minio('b', 'other'))).toBe(false);
    expect(sameCopyScope(minio('a'), aws('b', { endpoint: 'http://localhost:9000', accessKeyId: 'k', secretAccessKey: 's' } as never))).toBe(false);
  });

  it('GCS: one service account (any of its keys), one key file, or this machine\'s default credentials at one endpoint', () => {
    const gcs = (id: string, s: Record<string, string> = {}): Connection => ({ id, name: id, type: 'gcs', gcs: s });
    expect(sameCopyScope(gcs('a', { credentialsJson: SA('sa@p.iam.gserviceaccount.com', 'k1') }), gcs('b', { credentialsJson: SA('SA@p.iam.gserviceaccount.com', 'k2') }))).toBe(true);
    expect(sameCopyScope(gcs('a', { credentialsJson: SA('one@p.iam.gserviceaccount.com', 'k') }), gcs('b', { credentialsJson: SA('two@p.iam.gserviceaccount.com', 'k') }))).toBe(false);
    expect(sameCopyScope(gcs('a', { keyFile: '/keys/k.json' }), gcs('b', { keyFile: '/keys/../keys/k.json' }))).toBe(true);
    expect(sameCopyScope(gcs('a'), gcs('b'))).toBe(true);
    expect(sameCopyScope(gcs('a'), gcs('b', { apiEndpoint: 'http://127.0.0.1:4443' }))).toBe(false);
    expect(sameCopyScope(gcs('a'), gcs('b', { credentialsJson: SA('sa@p.iam.gserviceaccount.com', 'k') }))).toBe(false);
  });

  it('Azure: an account key (either, or in a connection string) covers its account; a SAS only the very same SAS', () => {
    const endpointUrl = 'https://acct.blob.core.windows.net';
    const azure = (id: string, s: Record<string, string>): Connection => ({ id, name: id, type: 'azure', azure: s });
    const key1 = azure('a', { accountName: 'acct', accountKey: 'a2V5MQ==' });
    expect(sameCopyScope(key1, azure('b', { accountName: 'acct', accountKey: 'a2V5Mg==' }))).toBe(true);
    expect(sameCopyScope(key1, azure('b', { connectionString: 'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5Mg==;EndpointSuffix=core.windows.net' }))).toBe(true);
    expect(sameCopyScope(key1, azure('b', { accountName: 'other', accountKey: 'a2V5MQ==' }))).toBe(false);
    expect(sameCopyScope(azure('a', { sasToken: 'sv=1&sig=x', endpointUrl }), azure('b', { sasToken: '?sv=1&sig=x', endpointUrl }))).toBe(true);
    expect(sameCopyScope(azure('a', { sasToken: 'sv=1&sig=x', endpointUrl }), azure('b', { sasToken: 'sv=1&sig=y', endpointUrl }))).toBe(false);
    expect(sameCopyScope(key1, azure('b', { sasToken: 'sv=1&sig=x', endpointUrl }))).toBe(false);
  });

  it('local folders have none: their provider has no server-side copy', () => {
    const local = (id: string): Connection => ({ id, name: id, type: 'local', local: { root: '/data' } });
    expect(copyScope(local('a'))).toBeNull();
    expect(sameCopyScope(local('a'), local('b'))).toBe(false);
    expect(sameCopyScope(local('a'), undefined)).toBe(false);
  });
});
