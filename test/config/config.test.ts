import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  deriveMappingId,
  formatMaxDelete,
  generateSampleConfig,
  parseConfig,
  parseMaxDelete,
  toConfigJson,
  validateBucketName,
  type ConfigIssue,
  type ValidatedConfig,
} from '../../shared/config';
import { PROVIDER_TYPES, type ProviderType } from '../../shared/model';

type Json = { [key: string]: unknown };

/** The example config.json from the original Go tool's README, verbatim. */
const ORIGINAL_README_CONFIG = `{
  "databasePath": "data.db",
  "providers": [
    {
      "id": "gcs-bucket",
      "type": "gcs",
      "gcs": {
        "projectId": "your-gcp-project"
      }
    },
    {
      "id": "s3-storage",
      "type": "aws",
      "aws": {
        "region": "us-east-1",
        "accessKeyId": "your-access-key",
        "secretAccessKey": "your-secret-key"
      }
    },
    {
      "id": "azure-blob",
      "type": "azure",
      "azure": {
        "accountName": "your-azure-account",
        "accountKey": "your-azure-key"
      }
    },
    {
      "id": "local-minio",
      "type": "minio",
      "minio": {
        "endpoint": "localhost:9000",
        "accessKey": "minioadmin",
        "secretKey": "minioadmin",
        "useSSL": false
      }
    }
  ],
  "mappings": [
    {
      "sourceProviderId": "gcs-bucket",
      "sourceBucket": "source-bucket",
      "targetProviderId": "local-minio",
      "targetBucket": "destination-bucket"
    },
    {
      "sourceProviderId": "s3-storage",
      "sourceBucket": "source-bucket-s3",
      "targetProviderId": "azure-blob",
      "targetBucket": "destination-container-azure"
    }
  ]
}`;

/** A valid config with one provider of each type; tests break one thing at a time. */
function baseConfig(): Json {
  return {
    providers: [
      { id: 'gcp', type: 'gcs', gcs: { projectId: 'my-project' } },
      { id: 'aws', type: 'aws', aws: { region: 'us-east-1', accessKeyId: 'AKIA', secretAccessKey: 'secret', endpoint: '', disableSSL: false } },
      { id: 'azure', type: 'azure', azure: { accountName: 'myaccount', accountKey: 'key', endpointUrl: '' } },
      { id: 'minio', type: 'minio', minio: { endpoint: 'localhost:9000', accessKey: 'ak', secretKey: 'sk', useSSL: false, region: '' } },
      { id: 'disk', type: 'local', local: { root: '/srv/buckets' } },
    ],
    mappings: [{ sourceProviderId: 'gcp', sourceBucket: 'src', targetProviderId: 'minio', targetBucket: 'dst' }],
  };
}

/** baseConfig with `change` applied to it, as JSON text. */
function variant(change: (c: { providers: Json[]; mappings: Json[]; root: Json }) => void): string {
  const root = baseConfig();
  change({ providers: root.providers as Json[], mappings: root.mappings as Json[], root });
  return JSON.stringify(root);
}

function provider(c: { providers: Json[] }, index: number): Json {
  const p = c.providers[index];
  if (!p) throw new Error(`no provider ${index}`);
  return p;
}
function settings(c: { providers: Json[] }, index: number): Json {
  const p = provider(c, index);
  return p[p.type as string] as Json;
}
function mapping(c: { mappings: Json[] }, index = 0): Json {
  const m = c.mappings[index];
  if (!m) throw new Error(`no mapping ${index}`);
  return m;
}

function issuesOf(text: string): ConfigIssue[] {
  try {
    parseConfig(text);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.issues];
    throw err;
  }
  throw new Error('expected parseConfig to throw ConfigError');
}

function warningsOf(text: string): string[] {
  return parseConfig(text).warnings;
}

describe('parseConfig: configs that load', () => {
  it('reads the original README example unchanged, with defaults for the new fields', () => {
    const config = parseConfig(ORIGINAL_README_CONFIG);
    // The README's placeholder account name has a dash, which Azure never allows: worth a warning only.
    expect(config.warnings).toEqual([expect.stringMatching(/^providers\[2\]\.azure\.accountName: "your-azure-account" is not a storage account name/)]);
    expect(config.databasePath).toBe('data.db');
    expect(config.connections.map((c) => [c.id, c.type, c.name])).toEqual([
      ['gcs-bucket', 'gcs', 'gcs-bucket'],
      ['s3-storage', 'aws', 's3-storage'],
      ['azure-blob', 'azure', 'azure-blob'],
      ['local-minio', 'minio', 'local-minio'],
    ]);
    expect(config.connections[3]).toEqual({
      id: 'local-minio',
      name: 'local-minio',
      type: 'minio',
      minio: { endpoint: 'localhost:9000', accessKey: 'minioadmin', secretKey: 'minioadmin', useSSL: false },
    });
    expect(config.mappings[0]).toEqual({
      id: 'gcs-bucket:source-bucket/->local-minio:destination-bucket/',
      name: 'gcs-bucket:source-bucket → local-minio:destination-bucket',
      sourceConnectionId: 'gcs-bucket',
      sourceBucket: 'source-bucket',
      sourcePrefix: '',
      targetConnectionId: 'local-minio',
      targetBucket: 'destination-bucket',
      targetPrefix: '',
      transfers: 8,
      deleteMode: 'synced',
      maxDelete: null,
      dryRun: false,
      enabled: true,
      intervalSeconds: null,
    });
    expect(config.mappings[1]?.targetBucket).toBe('destination-container-azure');
  });

  it('treats the Go zero values ("" and null) of optional fields as absent', () => {
    const config = parseConfig(JSON.stringify({ ...baseConfig(), databasePath: '' }));
    expect(config.databasePath).toBe('data.db');
    const aws = config.connections.find((c) => c.type === 'aws');
    expect(aws).toEqual({
      id: 'aws',
      name: 'aws',
      type: 'aws',
      aws: { region: 'us-east-1', accessKeyId: 'AKIA', secretAccessKey: 'secret', disableSSL: false },
    });
    const minio = parseConfig(variant((c) => Object.assign(settings(c, 3), { region: null })));
    expect(minio.connections[3]).toMatchObject({ minio: { endpoint: 'localhost:9000' } });
    expect('region' in (minio.connections[3] as { minio: object }).minio).toBe(false);
  });

  it('defaults the AWS region to us-east-1 and the provider name to its id', () => {
    const config = parseConfig(variant((c) => delete settings(c, 1).region));
    expect(config.connections[1]).toMatchObject({ name: 'aws', aws: { region: 'us-east-1' } });
  });

  it('reads every new optional field', () => {
    const config = parseConfig(
      variant((c) => {
        c.root.databasePath = '/var/lib/cds/state.db';
        Object.assign(provider(c, 0), { name: 'Google' });
        Object.assign(settings(c, 0), { apiEndpoint: 'http://127.0.0.1:4443', credentialsJson: '{"type":"service_account"}' });
        Object.assign(settings(c, 1), { endpoint: 'http://127.0.0.1:9000', forcePathStyle: true, sessionToken: 'tok', checksumMode: 'WHEN_REQUIRED' });
        Object.assign(settings(c, 2), { accountKey: undefined, sasToken: '?sv=2024&sig=x', endpointUrl: 'http://127.0.0.1:10000/myaccount' });
        Object.assign(mapping(c), {
          id: 'nightly',
          name: 'Nightly',
          sourcePrefix: 'in/',
          targetPrefix: 'out/',
          transfers: 32,
          deleteMode: 'mirror',
          maxDelete: '12.5%',
          dryRun: true,
          enabled: false,
          intervalSeconds: 900,
        });
      }),
    );
    expect(config.warnings).toEqual([]);
    expect(config.databasePath).toBe('/var/lib/cds/state.db');
    expect(config.connections[0]).toEqual({
      id: 'gcp',
      name: 'Google',
      type: 'gcs',
      gcs: { projectId: 'my-project', apiEndpoint: 'http://127.0.0.1:4443', credentialsJson: '{"type":"service_account"}' },
    });
    expect(config.connections[1]).toMatchObject({ aws: { forcePathStyle: true, sessionToken: 'tok', checksumMode: 'WHEN_REQUIRED' } });
    expect(config.connections[2]).toMatchObject({ azure: { sasToken: '?sv=2024&sig=x', endpointUrl: 'http://127.0.0.1:10000/myaccount' } });
    expect(config.mappings[0]).toEqual({
      id: 'nightly',
      name: 'Nightly',
      sourceConnectionId: 'gcp',
      sourceBucket: 'src',
      sourcePrefix: 'in/',
      targetConnectionId: 'minio',
      targetBucket: 'dst',
      targetPrefix: 'out/',
      transfers: 32,
      deleteMode: 'mirror',
      maxDelete: { kind: 'percent', value: 12.5 },
      dryRun: true,
      enabled: false,
      intervalSeconds: 900,
    });
  });

  it('accepts the variants that real setups use', () => {
    const ok = [
      variant((c) => Object.assign(settings(c, 1), { endpoint: 'https://s3.eu-central-003.backblazeb2.com', region: 'eu-central-003' })),
      variant((c) => Object.assign(settings(c, 1), { endpoint: 'minio_server:9000', region: 'auto' })),
      variant((c) => Object.assign(settings(c, 1), { endpoint: 'http://[::1]:9000/' })),
      variant((c) => Object.assign(settings(c, 1), { accessKeyId: '', secretAccessKey: '' })), // default credential chain
      variant((c) => Object.assign(settings(c, 2), { accountName: undefined, accountKey: undefined, connectionString: 'UseDevelopmentStorage=true' })),
      variant((c) => Object.assign(settings(c, 4), { root: 'C:\\data\\buckets' })),
      variant((c) => Object.assign(settings(c, 4), { root: '\\\\nas\\share\\buckets' })),
      variant((c) => Object.assign(mapping(c), { targetProviderId: 'azure', targetBucket: '$web' })),
      variant((c) => Object.assign(mapping(c), { maxDelete: 0 })),
      // Same bucket, disjoint prefixes: a copy inside one bucket is fine.
      variant((c) => Object.assign(mapping(c), { targetProviderId: 'gcp', targetBucket: 'src', sourcePrefix: 'a/', targetPrefix: 'b/' })),
    ];
    for (const text of ok) expect(() => parseConfig(text), text).not.toThrow();
  });

  it('derives a stable mapping id from what the mapping syncs', () => {
    const text = variant((c) => Object.assign(mapping(c), { sourcePrefix: 'photos/', targetPrefix: 'backup/photos/' }));
    const first = parseConfig(text).mappings[0];
    expect(first?.id).toBe('gcp:src/photos/->minio:dst/backup/photos/');
    expect(parseConfig(text).mappings[0]?.id).toBe(first?.id);
    if (first) expect(deriveMappingId(first)).toBe(first.id);
    const renamed = parseConfig(variant((c) => Object.assign(mapping(c), { sourcePrefix: 'photos/', targetPrefix: 'backup/photos/', name: 'Photos', transfers: 4 })));
    expect(renamed.mappings[0]?.id).toBe(first?.id);
  });
});

describe('parseConfig: each rule reports its field and what is expected', () => {
  const cases: { name: string; text: string; field: string; message: string }[] = [
    // root
    { name: 'root is an array', text: '[]', field: '(root)', message: 'must be a JSON object' },
    { name: 'root is a string', text: '"config"', field: '(root)', message: 'must be a JSON object' },
    { name: 'providers missing', text: variant((c) => delete c.root.providers), field: 'providers', message: 'must be a non-empty array of provider objects' },
    { name: 'providers empty', text: variant((c) => (c.root.providers = [])), field: 'providers', message: 'got an empty array' },
    { name: 'providers not an array', text: variant((c) => (c.root.providers = {})), field: 'providers', message: 'non-empty array' },
    { name: 'mappings missing', text: variant((c) => delete c.root.mappings), field: 'mappings', message: 'must be a non-empty array of mapping objects' },
    { name: 'mappings empty', text: variant((c) => (c.root.mappings = [])), field: 'mappings', message: 'got an empty array' },
    { name: 'databasePath not a string', text: variant((c) => (c.root.databasePath = 5)), field: 'databasePath', message: 'must be a string (got 5)' },
    // provider basics
    { name: 'provider not an object', text: variant((c) => ((c.providers as unknown[])[1] = 'aws')), field: 'providers[1]', message: 'must be a JSON object (got "aws")' },
    { name: 'id missing', text: variant((c) => delete provider(c, 1).id), field: 'providers[1].id', message: 'is required' },
    { name: 'id empty', text: variant((c) => (provider(c, 1).id = '  ')), field: 'providers[1].id', message: 'is required' },
    { name: 'id not a string', text: variant((c) => (provider(c, 1).id = 7)), field: 'providers[1].id', message: 'must be a string (got 7)' },
    { name: 'duplicate id names the first index', text: variant((c) => (provider(c, 3).id = 'gcp')), field: 'providers[3].id', message: 'duplicate id "gcp": already used by providers[0]' },
    { name: 'name not a string', text: variant((c) => (provider(c, 0).name = true)), field: 'providers[0].name', message: 'must be a string' },
    { name: 'type missing', text: variant((c) => delete provider(c, 0).type), field: 'providers[0].type', message: 'is required: one of "local", "aws", "minio", "gcs", "azure"' },
    { name: 'type unknown lists allowed values', text: variant((c) => (provider(c, 0).type = 'dropbox')), field: 'providers[0].type', message: 'must be one of "local", "aws", "minio", "gcs", "azure" (got "dropbox")' },
    { name: 'type s3 suggests aws', text: variant((c) => (provider(c, 1).type = 's3')), field: 'providers[1].type', message: 'did you mean "aws"' },
    { name: 'settings object missing', text: variant((c) => delete provider(c, 3).minio), field: 'providers[3]', message: 'type is "minio" but the "minio" settings object is missing' },
    { name: 'settings not an object', text: variant((c) => (provider(c, 3).minio = 'localhost:9000')), field: 'providers[3].minio', message: 'must be a JSON object' },
    // minio
    { name: 'minio endpoint missing', text: variant((c) => delete settings(c, 3).endpoint), field: 'providers[3].minio.endpoint', message: 'is required: the MinIO server as host:port' },
    { name: 'minio endpoint with http scheme', text: variant((c) => (settings(c, 3).endpoint = 'http://localhost:9000')), field: 'providers[3].minio.endpoint', message: 'without a scheme: write "localhost:9000" and set "useSSL": false' },
    { name: 'minio endpoint with https scheme', text: variant((c) => (settings(c, 3).endpoint = 'https://minio.example.com')), field: 'providers[3].minio.endpoint', message: 'set "useSSL": true' },
    { name: 'minio endpoint with a path', text: variant((c) => (settings(c, 3).endpoint = 'localhost:9000/bucket')), field: 'providers[3].minio.endpoint', message: 'without a path' },
    { name: 'minio endpoint bad port', text: variant((c) => (settings(c, 3).endpoint = 'localhost:99999')), field: 'providers[3].minio.endpoint', message: 'port must be from 1 to 65535' },
    { name: 'minio endpoint with spaces', text: variant((c) => (settings(c, 3).endpoint = 'local host')), field: 'providers[3].minio.endpoint', message: 'must be host[:port]' },
    { name: 'minio accessKey missing', text: variant((c) => delete settings(c, 3).accessKey), field: 'providers[3].minio.accessKey', message: 'is required' },
    { name: 'minio secretKey empty', text: variant((c) => (settings(c, 3).secretKey = '')), field: 'providers[3].minio.secretKey', message: 'is required' },
    { name: 'minio useSSL not a bool', text: variant((c) => (settings(c, 3).useSSL = 'yes')), field: 'providers[3].minio.useSSL', message: 'must be true or false (got "yes")' },
    // aws
    { name: 'aws region not a string', text: variant((c) => (settings(c, 1).region = 1)), field: 'providers[1].aws.region', message: 'must be a string' },
    { name: 'aws region not region-like', text: variant((c) => (settings(c, 1).region = 'US East')), field: 'providers[1].aws.region', message: 'must be a region name such as "us-east-1"' },
    { name: 'aws endpoint bad scheme', text: variant((c) => (settings(c, 1).endpoint = 'ftp://host')), field: 'providers[1].aws.endpoint', message: 'must use http:// or https://' },
    { name: 'aws endpoint not a host', text: variant((c) => (settings(c, 1).endpoint = 'not a url')), field: 'providers[1].aws.endpoint', message: 'must be host[:port]' },
    { name: 'aws endpoint host with path and no scheme', text: variant((c) => (settings(c, 1).endpoint = 'host:9000/x')), field: 'providers[1].aws.endpoint', message: 'must be a URL (with http:// or https://) or host[:port]' },
    { name: 'aws key id without secret', text: variant((c) => delete settings(c, 1).secretAccessKey), field: 'providers[1].aws.secretAccessKey', message: 'is required because accessKeyId is set' },
    { name: 'aws secret without key id', text: variant((c) => delete settings(c, 1).accessKeyId), field: 'providers[1].aws.accessKeyId', message: 'is required because secretAccessKey is set' },
    { name: 'aws session token without keys', text: variant((c) => Object.assign(settings(c, 1), { accessKeyId: '', secretAccessKey: '', sessionToken: 't' })), field: 'providers[1].aws.sessionToken', message: 'needs accessKeyId and secretAccessKey' },
    { name: 'aws checksumMode unknown', text: variant((c) => (settings(c, 1).checksumMode = 'ALWAYS')), field: 'providers[1].aws.checksumMode', message: 'must be one of "WHEN_SUPPORTED", "WHEN_REQUIRED"' },
    { name: 'aws forcePathStyle not a bool', text: variant((c) => (settings(c, 1).forcePathStyle = 1)), field: 'providers[1].aws.forcePathStyle', message: 'must be true or false' },
    // gcs
    { name: 'gcs credentialsJson not JSON', text: variant((c) => (settings(c, 0).credentialsJson = '{oops')), field: 'providers[0].gcs.credentialsJson', message: 'service-account key' },
    { name: 'gcs keyFile and credentialsJson', text: variant((c) => Object.assign(settings(c, 0), { keyFile: '/k.json', credentialsJson: '{}' })), field: 'providers[0].gcs.credentialsJson', message: 'either keyFile or credentialsJson, not both' },
    { name: 'gcs apiEndpoint bad', text: variant((c) => (settings(c, 0).apiEndpoint = 'gopher://x')), field: 'providers[0].gcs.apiEndpoint', message: 'http:// or https://' },
    // azure
    { name: 'azure accountName missing', text: variant((c) => delete settings(c, 2).accountName), field: 'providers[2].azure.accountName', message: 'is required unless a connectionString is given' },
    { name: 'azure no credential', text: variant((c) => delete settings(c, 2).accountKey), field: 'providers[2].azure', message: 'needs one of "accountKey", "connectionString", "sasToken"' },
    { name: 'azure two credentials', text: variant((c) => (settings(c, 2).sasToken = 'sv=1')), field: 'providers[2].azure.sasToken', message: 'give only one of' },
    { name: 'azure connection string malformed', text: variant((c) => Object.assign(settings(c, 2), { accountKey: undefined, connectionString: 'hello' })), field: 'providers[2].azure.connectionString', message: 'must look like "DefaultEndpointsProtocol=https' },
    { name: 'azure endpointUrl without scheme', text: variant((c) => (settings(c, 2).endpointUrl = '127.0.0.1:10000')), field: 'providers[2].azure.endpointUrl', message: 'must be a URL such as "https://host:port"' },
    // local
    { name: 'local root missing', text: variant((c) => delete settings(c, 4).root), field: 'providers[4].local.root', message: 'is required: the absolute path' },
    { name: 'local root relative', text: variant((c) => (settings(c, 4).root = 'data/buckets')), field: 'providers[4].local.root', message: 'must be an absolute path' },
    { name: 'local root with tilde', text: variant((c) => (settings(c, 4).root = '~/buckets')), field: 'providers[4].local.root', message: '"~" is not expanded' },
    { name: 'local root drive-relative', text: variant((c) => (settings(c, 4).root = 'C:data')), field: 'providers[4].local.root', message: 'must be an absolute path' },
    // mappings
    { name: 'mapping not an object', text: variant((c) => ((c.mappings as unknown[])[0] = [])), field: 'mappings[0]', message: 'must be a JSON object' },
    { name: 'source provider id missing', text: variant((c) => delete mapping(c).sourceProviderId), field: 'mappings[0].sourceProviderId', message: 'is required' },
    { name: 'unknown target provider lists known ids', text: variant((c) => (mapping(c).targetProviderId = 'minio-local')), field: 'mappings[0].targetProviderId', message: 'no provider has id "minio-local"; known ids: "gcp", "aws", "azure", "minio", "disk"' },
    { name: 'bucket missing', text: variant((c) => delete mapping(c).targetBucket), field: 'mappings[0].targetBucket', message: 'is required' },
    { name: 'bucket checked against the source type (gcs)', text: variant((c) => (mapping(c).sourceBucket = 'Src')), field: 'mappings[0].sourceBucket', message: 'invalid GCS bucket name "Src"' },
    { name: 'bucket checked against the target type (minio)', text: variant((c) => (mapping(c).targetBucket = 'dst_bucket')), field: 'mappings[0].targetBucket', message: 'invalid MinIO bucket name' },
    { name: 'bucket checked against azure rules', text: variant((c) => Object.assign(mapping(c), { targetProviderId: 'azure', targetBucket: 'a--b' })), field: 'mappings[0].targetBucket', message: 'two hyphens in a row' },
    { name: 'bucket checked against local rules', text: variant((c) => Object.assign(mapping(c), { targetProviderId: 'disk', targetBucket: '..' })), field: 'mappings[0].targetBucket', message: 'must not be "." or ".."' },
    { name: 'prefix not a string', text: variant((c) => (mapping(c).sourcePrefix = 3)), field: 'mappings[0].sourcePrefix', message: 'must be a string' },
    { name: 'prefix with leading slash', text: variant((c) => (mapping(c).targetPrefix = '/backup/')), field: 'mappings[0].targetPrefix', message: 'must not start with "/"' },
    { name: 'local prefix escaping the bucket', text: variant((c) => Object.assign(mapping(c), { targetProviderId: 'disk', targetBucket: 'dst', targetPrefix: 'a/../../etc/' })), field: 'mappings[0].targetPrefix', message: '".." path segments' },
    { name: 'same bucket, same prefix', text: variant((c) => Object.assign(mapping(c), { targetProviderId: 'gcp', targetBucket: 'src' })), field: 'mappings[0]', message: 'would sync into itself' },
    { name: 'same bucket, nested prefixes', text: variant((c) => Object.assign(mapping(c), { targetProviderId: 'gcp', targetBucket: 'src', sourcePrefix: 'a/', targetPrefix: 'a/copy/' })), field: 'mappings[0]', message: 'overlapping prefixes "a/" and "a/copy/"' },
    { name: 'duplicate mapping names the first', text: variant((c) => c.mappings.push({ ...mapping(c), name: 'again', transfers: 2 })), field: 'mappings[1]', message: 'duplicate of mappings[0]' },
    { name: 'duplicate explicit id', text: variant((c) => c.mappings.push({ ...mapping(c), targetBucket: 'other', id: 'gcp:src/->minio:dst/' })), field: 'mappings[1].id', message: 'already used by mappings[0]' },
    { name: 'mirror over another mapping\'s target', text: variant((c) => c.mappings.push({ sourceProviderId: 'aws', sourceBucket: 'logs', targetProviderId: 'minio', targetBucket: 'dst', targetPrefix: 'logs/', deleteMode: 'mirror' })), field: 'mappings[1]', message: '"mirror" mode would delete the other mapping\'s objects' },
    { name: 'transfers zero', text: variant((c) => (mapping(c).transfers = 0)), field: 'mappings[0].transfers', message: 'must be a whole number from 1 to 256 (got 0)' },
    { name: 'transfers too many', text: variant((c) => (mapping(c).transfers = 257)), field: 'mappings[0].transfers', message: 'from 1 to 256' },
    { name: 'transfers fractional', text: variant((c) => (mapping(c).transfers = 2.5)), field: 'mappings[0].transfers', message: 'whole number' },
    { name: 'transfers as a string', text: variant((c) => (mapping(c).transfers = '8')), field: 'mappings[0].transfers', message: '(got "8")' },
    { name: 'deleteMode unknown', text: variant((c) => (mapping(c).deleteMode = 'all')), field: 'mappings[0].deleteMode', message: 'must be one of "synced", "mirror", "never" (got "all")' },
    { name: 'maxDelete negative', text: variant((c) => (mapping(c).maxDelete = -1)), field: 'mappings[0].maxDelete', message: 'a whole number of objects such as 100, or a percentage' },
    { name: 'maxDelete over 100%', text: variant((c) => (mapping(c).maxDelete = '150%')), field: 'mappings[0].maxDelete', message: 'at most 100%' },
    { name: 'dryRun not a bool', text: variant((c) => (mapping(c).dryRun = 'false')), field: 'mappings[0].dryRun', message: 'must be true or false' },
    { name: 'enabled not a bool', text: variant((c) => (mapping(c).enabled = 0)), field: 'mappings[0].enabled', message: 'must be true or false' },
    { name: 'intervalSeconds zero', text: variant((c) => (mapping(c).intervalSeconds = 0)), field: 'mappings[0].intervalSeconds', message: 'a whole number of at least 1' },
    { name: 'id not a string', text: variant((c) => (mapping(c).id = 12)), field: 'mappings[0].id', message: 'must be a string' },
  ];

  it.each(cases)('$name → $field', ({ text, field, message }) => {
    const issues = issuesOf(text);
    const hit = issues.find((i) => i.field === field && i.message.includes(message));
    expect(hit, `issues were:\n${issues.map((i) => `${i.field}: ${i.message}`).join('\n')}`).toBeDefined();
  });

  it('collects every problem in one pass, in file order, and lists them one per line', () => {
    let error: unknown;
    try {
      parseConfig(
        variant((c) => {
          delete settings(c, 3).endpoint;
          settings(c, 1).region = 7;
          provider(c, 4).type = 'nas';
          mapping(c).targetProviderId = 'nope';
          mapping(c).transfers = 0;
        }),
      );
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const configError = error as ConfigError;
    expect(configError.issues.map((i) => i.field)).toEqual([
      'providers[1].aws.region',
      'providers[3].minio.endpoint',
      'providers[4].type',
      'mappings[0].targetProviderId',
      'mappings[0].transfers',
    ]);
    expect(configError.field).toBe('providers[1].aws.region');
    expect(configError.message.split('\n')).toHaveLength(5);
    expect(configError.message.split('\n')[0]).toBe('providers[1].aws.region: must be a string (got 7)');
  });

  it('does not reject a mapping because its provider had other problems', () => {
    const issues = issuesOf(variant((c) => (settings(c, 3).secretKey = '')));
    expect(issues.map((i) => i.field)).toEqual(['providers[3].minio.secretKey']);
  });
});

describe('parseConfig: warnings for files that load', () => {
  it('tolerates unknown keys at every level and reports them', () => {
    const warnings = warningsOf(
      variant((c) => {
        c.root.logLevel = 'debug';
        provider(c, 0).region = 'x';
        settings(c, 1).retries = 3;
      }),
    );
    expect(warnings).toEqual([
      'providers[0].region: unknown key, ignored',
      'providers[1].aws.retries: unknown key, ignored',
      'logLevel: unknown key, ignored',
    ]);
  });

  it('reads keys in another case, as the original tool did, and says how to spell them', () => {
    const config = parseConfig(variant((c) => {
      c.root.DatabasePath = 'x.db';
      settings(c, 0).ProjectID = settings(c, 0).projectId;
      delete settings(c, 0).projectId;
    }));
    expect(config.databasePath).toBe('x.db');
    expect(config.connections[0]).toMatchObject({ gcs: { projectId: 'my-project' } });
    expect(config.warnings).toContain('providers[0].gcs.ProjectID: read as "projectId"; keys are case-sensitive here, so spell it "projectId"');
  });

  it('reports settings objects of other types as ignored', () => {
    expect(warningsOf(variant((c) => (provider(c, 0).aws = { region: 'us-east-1' })))).toEqual(['providers[0].aws: ignored: type is "gcs"']);
  });

  it('reports placeholders that still need filling in', () => {
    const warnings = warningsOf(variant((c) => (settings(c, 3).secretKey = 'REPLACE_WITH_SECRET')));
    expect(warnings).toEqual(['providers[3].minio.secretKey: still holds the placeholder "REPLACE_WITH_SECRET"; fill in the real value']);
  });

  it('warns about settings that have no effect or surprise', () => {
    expect(warningsOf(variant((c) => Object.assign(mapping(c), { deleteMode: 'never', maxDelete: 5 })))).toEqual([
      'mappings[0].maxDelete: has no effect because deleteMode is "never"',
    ]);
    expect(warningsOf(variant((c) => (settings(c, 1).region = 'garage')))[0]).toContain('does not look like an AWS region');
    expect(warningsOf(variant((c) => (settings(c, 2).accountName = 'https://x.blob.core.windows.net')))[0]).toMatch(
      /^providers\[2\]\.azure\.accountName: .* is not a storage account name \(3 to 24 lowercase letters and digits\)/,
    );
    const shared = warningsOf(variant((c) => c.mappings.push({ sourceProviderId: 'aws', sourceBucket: 'logs', targetProviderId: 'minio', targetBucket: 'dst' })));
    expect(shared[0]).toContain('mappings[1]: writes into the same area as mappings[0]');
  });
});

describe('parseConfig: files that are not JSON', () => {
  const cases: { name: string; text: string; at: string; reason: RegExp }[] = [
    { name: 'trailing comma', text: '{\n  "providers": [],\n}', at: 'line 3, column 1', reason: /property name/ },
    { name: 'missing comma', text: '{\n  "databasePath": "a.db"\n  "providers": []\n}', at: 'line 3, column 3', reason: /','/ },
    { name: 'unquoted value', text: '{\n  "aws": { "region": us-east-1 }\n}', at: 'line 2, column 22', reason: /Unexpected token 'u'/ },
    { name: 'comment', text: '{\n  // providers\n}', at: 'line 2, column 3', reason: /property name|Unexpected token '\/'/ },
    { name: 'misspelt literal', text: '{ "useSSL": tru }', at: 'line 1, column 16', reason: /Unexpected token/ },
    { name: 'truncated', text: '{\n  "providers": [\n', at: 'line 3, column 1', reason: /end of JSON input/ },
    { name: 'garbage after the object', text: '{}\n}', at: 'line 2, column 1', reason: /non-whitespace/ },
  ];
  it.each(cases)('$name → (file) at $at', ({ text, at, reason }) => {
    const issues = issuesOf(text);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.field).toBe('(file)');
    expect(issues[0]?.message).toContain(`invalid JSON at ${at}: `);
    expect(issues[0]?.message).toMatch(reason);
    expect(issues[0]?.message).not.toMatch(/position/);
  });

  it('explains an empty file', () => {
    expect(issuesOf(' \n')[0]).toEqual({ field: '(file)', message: expect.stringContaining('is empty') });
  });

  it('ignores a UTF-8 byte-order mark', () => {
    expect(parseConfig(`\uFEFF${ORIGINAL_README_CONFIG}`).connections).toHaveLength(4);
  });
});

describe('maxDelete', () => {
  const valid: [unknown, ReturnType<typeof parseMaxDelete>, number | string | null][] = [
    [undefined, null, null],
    [null, null, null],
    ['', null, null],
    [0, { kind: 'count', value: 0 }, 0],
    [100, { kind: 'count', value: 100 }, 100],
    ['100', { kind: 'count', value: 100 }, 100],
    [' 25 ', { kind: 'count', value: 25 }, 25],
    ['10%', { kind: 'percent', value: 10 }, '10%'],
    ['0.5%', { kind: 'percent', value: 0.5 }, '0.5%'],
    ['100%', { kind: 'percent', value: 100 }, '100%'],
    ['12.5 %', { kind: 'percent', value: 12.5 }, '12.5%'],
  ];
  it.each(valid)('parses %j', (input, parsed, formatted) => {
    expect(parseMaxDelete(input, 'maxDelete')).toEqual(parsed);
    if (parsed) expect(formatMaxDelete(parsed)).toBe(formatted);
  });

  const invalid: [unknown, string][] = [
    [-1, 'a whole number of objects'],
    [1.5, 'a whole number of objects'],
    [true, 'got true'],
    ['ten', 'such as "10%"'],
    ['10 percent', 'such as "10%"'],
    ['0%', 'more than 0%'],
    ['100.1%', 'at most 100%'],
    ['-5%', 'such as "10%"'],
    [{ kind: 'count', value: 1 }, 'got an object'],
  ];
  it.each(invalid)('rejects %j', (input, message) => {
    let error: unknown;
    try {
      parseMaxDelete(input, 'mappings[2].maxDelete');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).field).toBe('mappings[2].maxDelete');
    expect((error as ConfigError).message).toContain(message);
  });
});

describe('validateBucketName', () => {
  const valid: [ProviderType, string][] = [
    ['aws', 'abc'],
    ['aws', 'my-bucket.example.com'],
    ['aws', 'a'.repeat(63)],
    ['aws', '1bucket1'],
    ['minio', 'destination-bucket'],
    ['gcs', 'my_bucket-1'],
    ['gcs', `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(28)}`], // 221 with dots
    ['azure', 'destination-container-azure'],
    ['azure', '$web'],
    ['azure', '$root'],
    ['local', 'Photos 2024'],
    ['local', '.hidden'],
    ['local', 'a'],
  ];
  it.each(valid)('%s accepts %j', (type, name) => {
    expect(validateBucketName(type, name)).toBeNull();
  });

  const invalid: [ProviderType, string, string][] = [
    ['aws', 'ab', '3 to 63 characters'],
    ['aws', 'a'.repeat(64), '3 to 63 characters'],
    ['aws', 'My-Bucket', 'only lowercase letters, digits, dots and hyphens'],
    ['aws', 'my_bucket', 'only lowercase letters'],
    ['aws', '-bucket', 'start and end with a lowercase letter or digit'],
    ['aws', 'bucket.', 'start and end'],
    ['aws', 'my..bucket', 'two dots in a row'],
    ['aws', '192.168.1.1', 'IP address'],
    ['minio', 'Bad', 'invalid MinIO bucket name "Bad"'],
    ['minio', 'x', '3 to 63'],
    ['gcs', 'a'.repeat(64), 'up to 222 if it contains dots'],
    ['gcs', `${'a'.repeat(64)}.b`, 'each dot-separated part'],
    ['gcs', 'a'.repeat(223).replace(/a{10}/g, 'aaaaaaaaa.'), '3 to 63 characters long (up to 222'],
    ['gcs', 'UPPER', 'only lowercase letters, digits, dots, hyphens and underscores'],
    ['gcs', '_bucket', 'start and end'],
    ['gcs', '10.0.0.1', 'IP address'],
    ['gcs', 'goog-bucket', '"goog"'],
    ['gcs', 'my-google-bucket', '"google"'],
    ['azure', 'ab', '3 to 63'],
    ['azure', 'my_container', 'only lowercase letters, digits and hyphens'],
    ['azure', 'my.container', 'only lowercase letters, digits and hyphens'],
    ['azure', 'a--b', 'two hyphens in a row'],
    ['azure', '-abc', 'start and end'],
    ['azure', '$other', 'only lowercase'],
    ['local', '', 'must not be empty'],
    ['local', '.', 'must not be "." or ".."'],
    ['local', '..', 'must not be "." or ".."'],
    ['local', 'a/b', 'single folder name'],
    ['local', 'a\\b', 'single folder name'],
    ['local', 'a\u0000b', 'single folder name'],
  ];
  it.each(invalid)('%s rejects %j', (type, name, message) => {
    expect(validateBucketName(type, name)).toContain(message);
  });
});

describe('generateSampleConfig', () => {
  const text = generateSampleConfig();
  const config = parseConfig(text);

  it('passes parseConfig, with mappings that refer to existing providers', () => {
    const ids = config.connections.map((c) => c.id);
    for (const m of config.mappings) {
      expect(ids).toContain(m.sourceConnectionId);
      expect(ids).toContain(m.targetConnectionId);
    }
  });

  it('shows one provider of each type and the mapping options', () => {
    expect(config.connections.map((c) => c.type).sort()).toEqual([...PROVIDER_TYPES].sort());
    const json = JSON.parse(text) as { mappings: Json[] };
    expect(Object.keys(json.mappings[0] ?? {})).toEqual(expect.arrayContaining(['deleteMode', 'transfers', 'maxDelete', 'dryRun']));
    expect(text).toMatch(/^\{\n {2}"databasePath"/);
  });

  it('marks every placeholder credential, and each one is reported as a warning', () => {
    expect(config.warnings.length).toBeGreaterThan(0);
    for (const w of config.warnings) expect(w).toMatch(/still holds the placeholder "REPLACE_WITH_/);
    expect(config.warnings.some((w) => w.startsWith('providers[2].minio.secretKey'))).toBe(true);
    expect(config.warnings.some((w) => w.startsWith('providers[1].aws.secretAccessKey'))).toBe(true);
  });

  it('leaves the mapping between placeholder clouds disabled', () => {
    const cloud = config.mappings.find((m) => m.sourceConnectionId === 'gcs');
    expect(cloud?.enabled).toBe(false);
  });
});

describe('toConfigJson', () => {
  function roundTrip(config: ValidatedConfig): ValidatedConfig {
    return parseConfig(toConfigJson(config.connections, config.mappings, config.databasePath));
  }
  function stateOf(config: ValidatedConfig): Omit<ValidatedConfig, 'warnings'> {
    return { databasePath: config.databasePath, connections: config.connections, mappings: config.mappings };
  }

  it('round-trips the README example, the sample and a config using every field', () => {
    const rich = parseConfig(
      variant((c) => {
        c.root.databasePath = 'state/sync.db';
        provider(c, 3).name = 'Lab MinIO';
        Object.assign(settings(c, 1), { endpoint: 'https://s3.example.com', forcePathStyle: true, checksumMode: 'WHEN_REQUIRED', sessionToken: 't' });
        c.mappings.push(
          { id: 'custom-id', name: 'Custom', sourceProviderId: 'disk', sourceBucket: 'Photos', sourcePrefix: '2024/', targetProviderId: 'azure', targetBucket: 'photos', targetPrefix: 'p/', transfers: 3, deleteMode: 'mirror', maxDelete: 50, dryRun: true, enabled: false, intervalSeconds: 60 },
          { sourceProviderId: 'aws', sourceBucket: 'logs', targetProviderId: 'gcp', targetBucket: 'logs_archive', deleteMode: 'never', maxDelete: '5%' },
        );
      }),
    );
    for (const config of [parseConfig(ORIGINAL_README_CONFIG), parseConfig(generateSampleConfig()), rich]) {
      expect(stateOf(roundTrip(config))).toStrictEqual(stateOf(config));
    }
  });

  it('writes derived ids and names only implicitly, so they stay derived', () => {
    const config = parseConfig(ORIGINAL_README_CONFIG);
    const json = JSON.parse(toConfigJson(config.connections, config.mappings)) as { mappings: Json[]; providers: Json[]; databasePath: string };
    expect(json.databasePath).toBe('data.db');
    expect(json.mappings[0]).not.toHaveProperty('id');
    expect(json.mappings[0]).not.toHaveProperty('name');
    expect(json.providers[0]).not.toHaveProperty('name');
    expect(json.mappings[0]).toMatchObject({ sourceProviderId: 'gcs-bucket', targetProviderId: 'local-minio' });
  });

  it('keeps an explicit mapping id, so sync state stays attached after edits', () => {
    const config = parseConfig(variant((c) => (mapping(c).id = 'm-1')));
    const json = JSON.parse(toConfigJson(config.connections, config.mappings)) as { mappings: Json[] };
    expect(json.mappings[0]?.id).toBe('m-1');
  });

  it('redacts every secret field on request and still loads', () => {
    const config = parseConfig(variant((c) => Object.assign(settings(c, 1), { sessionToken: 'tok' })));
    const text = toConfigJson(config.connections, config.mappings, config.databasePath, { redactSecrets: true });
    for (const secret of ['secret', 'tok', 'sk', 'key']) expect(text).not.toContain(`": "${secret}"`);
    expect(text).toContain('"accessKeyId": "AKIA"');
    const reloaded = parseConfig(text);
    expect(reloaded.connections[3]).toMatchObject({ minio: { accessKey: 'ak', secretKey: 'REPLACE_WITH_SECRET' } });
    expect(reloaded.warnings.filter((w) => w.includes('placeholder')).map((w) => w.split(':')[0])).toEqual([
      'providers[1].aws.secretAccessKey',
      'providers[1].aws.sessionToken',
      'providers[2].azure.accountKey',
      'providers[3].minio.secretKey',
    ]);
  });
});
