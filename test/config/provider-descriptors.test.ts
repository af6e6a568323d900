// The provider descriptors drive the config reader: every field of every descriptor is read, with
// its kind, under its path; nothing else is accepted; secrets are exactly the fields marked secret;
// the rules between settings reach the config's messages with the config's names.
import { describe, expect, test } from 'vitest';
import { ConfigError, validateConnectionInput, type ConfigIssue } from '../../shared/config';
import { connectionSettings, connectionSummary, DESCRIPTORS, fieldsOf, publicSettings, SECRET_FIELDS, type Field } from '../../shared/providers';

function issuesOf(input: unknown): readonly ConfigIssue[] {
  try {
    validateConnectionInput(input, 'c1');
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
}

/** A value of the wrong kind for the field, and the start of the reader's message about it. */
function wrongValue(f: Field): [value: unknown, message: string] {
  if (f.kind === 'checkbox') return ['yes', 'must be true or false'];
  if (f.kind === 'select') return ['NOT-A-CHOICE', 'must be one of'];
  return [7, 'must be a string'];
}

describe.each(DESCRIPTORS.map((d) => [d.type, d] as const))('the %s descriptor', (type, d) => {
  test('its sample settings load as they are, and are summarised in one line', () => {
    const connection = validateConnectionInput({ name: 'Sample', type, [type]: d.sample.settings }, 'c1');
    expect(connectionSettings(connection)).toMatchObject(d.sample.settings);
    expect(connectionSummary(connection)).toMatch(/\S/);
  });

  test('the config reader reads every field with its kind, and names it by its path', () => {
    for (const f of fieldsOf(type)) {
      const [value, message] = wrongValue(f);
      const issues = issuesOf({ name: 'x', type, [type]: { ...d.sample.settings, [f.key]: value } });
      expect(issues, f.key).toContainEqual({ field: `${type}.${f.key}`, message: expect.stringContaining(message) });
    }
  });

  test('a settings key that is no field of the descriptor is refused', () => {
    expect(issuesOf({ name: 'x', type, [type]: { ...d.sample.settings, colour: 'blue' } })).toContainEqual({ field: `${type}.colour`, message: 'unknown key' });
  });

  test('each required field is reported missing at its path', () => {
    for (const f of fieldsOf(type).filter((field) => field.required !== undefined)) {
      const { [f.key]: _left, ...rest } = d.sample.settings as Record<string, unknown>;
      expect(issuesOf({ name: 'x', type, [type]: rest })).toContainEqual({ field: `${type}.${f.key}`, message: `is required: ${f.required}` });
    }
  });

  test('its secret fields are the fields marked secret, and none survives publicSettings', () => {
    const secrets = fieldsOf(type).filter((f) => f.secret).map((f) => f.key);
    expect(SECRET_FIELDS[type]).toEqual(secrets);
    const everything = Object.fromEntries(fieldsOf(type).map((f) => [f.key, f.kind === 'checkbox' ? true : `value-of-${f.key}`]));
    const shown = publicSettings({ type, [type]: everything } as Parameters<typeof publicSettings>[0]);
    expect(Object.keys(shown).sort()).toEqual(fieldsOf(type).filter((f) => !f.secret).map((f) => f.key).sort());
  });
});

describe('rules between settings, from the descriptors', () => {
  test('use the config keys in a file’s messages', () => {
    expect(issuesOf({ name: 'x', type: 'aws', aws: { accessKeyId: 'AKIA' } })).toEqual([
      { field: 'aws.secretAccessKey', message: 'is required because accessKeyId is set (give both, or neither to use the default AWS credential chain)' },
    ]);
    expect(issuesOf({ name: 'x', type: 'azure', azure: { accountName: 'acct' } })).toEqual([{ field: 'azure', message: 'needs one of "accountKey", "connectionString", "sasToken"' }]);
  });

  test('azure: an account name unless a connection string, or a SAS token with an endpoint URL; no endpoint URL beside a connection string', () => {
    const sasUrl = { sasToken: 'sv=2024&sig=x', endpointUrl: 'https://acct.blob.core.windows.net' };
    expect(issuesOf({ name: 'x', type: 'azure', azure: sasUrl })).toEqual([]);
    expect(issuesOf({ name: 'x', type: 'azure', azure: { accountKey: 'a2V5', endpointUrl: 'http://127.0.0.1:10000/devstoreaccount1' } })).toEqual([
      { field: 'azure.accountName', message: 'is required unless a connectionString is given, or a sasToken with an endpointUrl' },
    ]);
    expect(issuesOf({ name: 'x', type: 'azure', azure: { connectionString: 'UseDevelopmentStorage=true', endpointUrl: 'http://127.0.0.1:1/x' } })).toEqual([
      { field: 'azure.endpointUrl', message: 'must be left out with a connectionString: put BlobEndpoint=… in the connection string' },
    ]);
  });

  test('an endpoint URL with a query or fragment is refused without repeating it (it may hold a token)', () => {
    const issues = issuesOf({ name: 'x', type: 'azure', azure: { accountName: 'acct', sasToken: 'sv=1', endpointUrl: 'https://acct.blob.core.windows.net/?sig=SECRET' } });
    expect(issues).toEqual([{ field: 'azure.endpointUrl', message: expect.stringContaining('must not have a query or fragment') }]);
    expect(JSON.stringify(issues)).not.toContain('SECRET');
    expect(issuesOf({ name: 'x', type: 'gcs', gcs: { apiEndpoint: 'storage.example.com#x' } })).toEqual([{ field: 'gcs.apiEndpoint', message: expect.stringContaining('must not have a query or fragment') }]);
  });

  test('a value of the wrong kind is reported once, not again as missing', () => {
    expect(issuesOf({ name: 'x', type: 'minio', minio: { endpoint: 9000, accessKey: 'a', secretKey: 's' } })).toEqual([{ field: 'minio.endpoint', message: 'must be a string (got 9000)' }]);
  });

  test('warnings of a rule do not refuse the settings', () => {
    // "garage" is a region name, not an AWS one: a warning in a file, no error.
    expect(issuesOf({ name: 'x', type: 'aws', aws: { region: 'garage' } })).toEqual([]);
  });
});
