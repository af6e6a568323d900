// V4 signed GETs of GCS objects, for a target that fetches them itself (Azure's Put Blob From URL,
// issue 15). Signed locally with the service account's private key: no request is made. Credentials
// without one (a user's gcloud login, the metadata server of a VM) would need the IAM signBlob API
// and the iam.serviceAccounts.signBlob permission: those connections get null and stream instead.
//
// The URL names the generation (the ObjectInfo etag), so it can only ever serve the version that was
// listed: another generation answers 404, which the target reports as CannotVerifyCopySource. It is a
// credential until it expires: callers never log it.
import type { Storage } from '@google-cloud/storage';
import type { PresignedRead } from './provider';
import type { ResolvedGcsSettings } from './gcs-settings';

/** V4 signed URLs live at most 7 days. */
const MAX_SIGNED_SECONDS = 7 * 24 * 3600;

export async function signedReadUrl(storage: Storage, settings: ResolvedGcsSettings, bucket: string, key: string, generation: string, ttlSeconds: number): Promise<PresignedRead | null> {
  // Without a key of its own the SDK's chain may ask the metadata server: not for a maybe.
  if (!settings.keyFilename && !settings.credentials && !process.env.GOOGLE_APPLICATION_CREDENTIALS) return null;
  const credentials = await storage.authClient.getCredentials();
  if (!credentials.private_key || !credentials.client_email) return null;
  const seconds = Math.max(1, Math.min(Math.floor(ttlSeconds), MAX_SIGNED_SECONDS));
  const expiresAt = Date.now() + seconds * 1000;
  const file = storage.bucket(bucket).file(key, /^\d+$/.test(generation) ? { generation: Number(generation) } : {});
  const [url] = await file.getSignedUrl({ version: 'v4', action: 'read', expires: expiresAt });
  return { url, expiresAt };
}
