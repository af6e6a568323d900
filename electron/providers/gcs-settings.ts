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
 * The client's options from settings as checked by createProvider (registry.ts). Credentials: the
 * key file, else credentialsJson (a JSON object), else Application Default Credentials (the SDK's own
 * chain: GOOGLE_APPLICATION_CREDENTIALS, gcloud, metadata server). The project id defaults to the
 * key's `project_id`, so listing and creating buckets need no lookup.
 */
export function resolveGcsSettings(settings: GcsSettings): ResolvedGcsSettings {
  const keyFile = settings.keyFile?.trim() || undefined;
  const json = settings.credentialsJson?.trim() || undefined;
  let keyProject: unknown;
  let credentials: Record<string, unknown> | undefined;
  if (keyFile) {
    keyProject = readKeyFile(keyFile).project_id;
  } else if (json) {
    credentials = JSON.parse(json) as Record<string, unknown>;
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

/** The key file's object: the file is read here, so what it holds is checked here (never quoted: it is a secret). */
function readKeyFile(file: string): Record<string, unknown> {
  const field = 'gcs.keyFile';
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new StorageError('InvalidConfig', `GCS key file "${file}" cannot be read (${code ?? String(err)})`, { field });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new StorageError('InvalidConfig', `GCS key file "${file}" is not valid JSON`, { field });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new StorageError('InvalidConfig', `GCS key file "${file}" must hold a JSON object (a service-account key)`, { field });
  }
  return parsed as Record<string, unknown>;
}

/** https:// is added to a bare host; a trailing slash is dropped. */
function normalizeEndpoint(raw: string | undefined): string | undefined {
  const value = raw?.trim();
  if (!value) return undefined;
  const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`);
  return url.origin + url.pathname.replace(/\/+$/, '');
}

function isGoogleHost(hostname: string): boolean {
  return hostname === 'googleapis.com' || hostname.endsWith('.googleapis.com');
}
