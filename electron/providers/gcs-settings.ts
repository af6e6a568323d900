// From a connection's GcsSettings to @google-cloud/storage options. Secrets never appear in messages.
import { readFileSync } from 'node:fs';
import type { GcsSettings } from '../../shared/model';
import { StorageError } from './errors';

/** What the Storage client is built from. */
export interface ResolvedGcsSettings {
  projectId?: string;
  /** A key file (service account or any type google-auth-library reads); read by the SDK when it needs a token. */
  keyFilename?: string;
  /** Parsed service-account JSON given inline. */
  credentials?: Record<string, unknown>;
  /** Absolute URL without a trailing slash, or undefined for Google itself. */
  apiEndpoint?: string;
  /**
   * Whether requests to a custom endpoint carry credentials. The SDK's JSON calls never do unless
   * told; its resumable uploads do only for Google hosts. We follow the resumable rule for both, so
   * a Google private/regional endpoint (`*.googleapis.com`) is authenticated and an emulator or test
   * server is not: it never sees a token and nothing is fetched from Google's token service.
   */
  useAuthWithCustomEndpoint: boolean;
}

/**
 * Credentials: keyFile, else credentialsJson, else Application Default Credentials (the SDK's own
 * chain: GOOGLE_APPLICATION_CREDENTIALS, gcloud, metadata server). The project id defaults to the
 * key's `project_id`, so listing and creating buckets need no lookup.
 */
export function resolveGcsSettings(settings: GcsSettings): ResolvedGcsSettings {
  const keyFile = settings.keyFile?.trim() || undefined;
  const json = settings.credentialsJson?.trim() || undefined;
  if (keyFile && json) {
    throw new StorageError('InvalidConfig', 'GCS: give either a key file or credentials JSON, not both', { field: 'gcs.credentialsJson' });
  }
  let keyProject: unknown;
  let credentials: Record<string, unknown> | undefined;
  if (keyFile) {
    keyProject = readKeyObject(keyFile).project_id;
  } else if (json) {
    credentials = parseKeyObject(json, 'credentials JSON', 'gcs.credentialsJson');
    keyProject = credentials.project_id;
  }
  const apiEndpoint = normalizeEndpoint(settings.apiEndpoint);
  const projectId = settings.projectId?.trim() || (typeof keyProject === 'string' && keyProject ? keyProject : undefined);
  return {
    projectId,
    keyFilename: keyFile,
    credentials,
    apiEndpoint,
    useAuthWithCustomEndpoint: apiEndpoint !== undefined && isGoogleHost(new URL(apiEndpoint).hostname),
  };
}

function readKeyObject(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new StorageError('InvalidConfig', `GCS key file "${file}" cannot be read (${code ?? String(err)})`, { field: 'gcs.keyFile' });
  }
  return parseKeyObject(text, `key file "${file}"`, 'gcs.keyFile');
}

function parseKeyObject(text: string, what: string, field: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // The text is a secret: the message says what is wrong, never what it holds.
    throw new StorageError('InvalidConfig', `GCS ${what} is not valid JSON`, { field });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new StorageError('InvalidConfig', `GCS ${what} must be a JSON object (a service-account key)`, { field });
  }
  return parsed as Record<string, unknown>;
}

/** https:// is added to a bare host; a trailing slash is dropped. */
function normalizeEndpoint(raw: string | undefined): string | undefined {
  const value = raw?.trim();
  if (!value) return undefined;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new StorageError('InvalidConfig', `GCS API endpoint "${value}" is not a valid URL`, { field: 'gcs.apiEndpoint' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new StorageError('InvalidConfig', `GCS API endpoint "${value}" must use http or https`, { field: 'gcs.apiEndpoint' });
  }
  if (url.search || url.hash) {
    throw new StorageError('InvalidConfig', `GCS API endpoint "${value}" must not have a query or fragment`, { field: 'gcs.apiEndpoint' });
  }
  return url.origin + url.pathname.replace(/\/+$/, '');
}

function isGoogleHost(hostname: string): boolean {
  return hostname === 'googleapis.com' || hostname.endsWith('.googleapis.com');
}
