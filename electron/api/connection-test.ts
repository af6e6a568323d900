// "Test connection": what works with these settings, check by check. A failing check is reported,
// never thrown, so the form can show every result at once.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ConnectionCheck, ConnectionCheckName, ConnectionTestResult } from '../../shared/contract';
import type { Connection } from '../../shared/model';
import { isStorageError } from '../providers/errors';
import type { StorageProvider } from '../providers/provider';

/** Each check gives up after this long: an unreachable endpoint must not hang the form. */
const CHECK_TIMEOUT_MS = 20_000;
const PROBE_BODY = Buffer.from('Cloud Data Sync connection test; safe to delete\n');

export interface ConnectionTestOptions {
  /** Makes a fresh provider for the test (never the cached one of the sync service); it is closed afterwards. */
  createProvider: (connection: Connection) => StorageProvider | Promise<StorageProvider>;
  /** With a bucket, read and write are checked too. */
  bucket?: string;
  timeoutMs?: number;
}

type Outcome = { ok: true; message: string; durationMs: number } | { ok: false; error: unknown; durationMs: number };

/**
 * auth and listBuckets both come from one listBuckets call. Credentials limited to one bucket may
 * not list buckets (AccessDenied) yet read and write it: then auth counts as ok when a bucket check
 * succeeds. When the service cannot be reached at all, the bucket checks are skipped.
 */
export async function testConnection(connection: Connection, options: ConnectionTestOptions): Promise<ConnectionTestResult> {
  const { bucket } = options;
  const timeoutMs = options.timeoutMs ?? CHECK_TIMEOUT_MS;
  let provider: StorageProvider;
  try {
    provider = await options.createProvider(connection);
  } catch (err) {
    const reason = 'skipped: the connection settings cannot be used';
    return result([failed('auth', err, 0), skipped('listBuckets', reason), skipped('read', reason), skipped('write', reason)]);
  }
  try {
    const listing = await timed(timeoutMs, async (signal) => {
      const buckets = await provider.listBuckets(signal);
      return `${buckets.length} bucket(s) visible${buckets.length > 0 ? `: ${preview(buckets)}` : ''}`;
    });
    const reachable = listing.ok || isStorageError(listing.error, 'AccessDenied');
    const noBucket = 'skipped: give a bucket to check reading and writing';
    const unreachable = 'skipped: the service could not be reached with these settings';
    const read = bucket === undefined || !reachable ? undefined : await timed(timeoutMs, (signal) => readProbe(provider, bucket, signal));
    const write = bucket === undefined || !reachable ? undefined : await timed(timeoutMs, (signal) => writeProbe(provider, bucket, signal));
    return result([
      authCheck(listing, read?.ok === true || write?.ok === true),
      toCheck('listBuckets', listing),
      read ? toCheck('read', read) : skipped('read', reachable ? noBucket : unreachable),
      write ? toCheck('write', write) : skipped('write', reachable ? noBucket : unreachable),
    ]);
  } finally {
    await provider.close().catch(() => undefined);
  }
}

function authCheck(listing: Outcome, bucketCheckPassed: boolean): ConnectionCheck {
  if (listing.ok) return { name: 'auth', ok: true, skipped: false, message: 'credentials accepted', durationMs: listing.durationMs };
  if (bucketCheckPassed) {
    return { name: 'auth', ok: true, skipped: false, message: 'credentials accepted (they may not list buckets)', durationMs: listing.durationMs };
  }
  const prefix = isStorageError(listing.error, 'AccessDenied') ? 'credentials rejected' : 'could not check the credentials';
  return { name: 'auth', ok: false, skipped: false, message: `${prefix}: ${messageOf(listing.error)}`, durationMs: listing.durationMs };
}

/** Lists the first object and opens it for reading (the request a sync makes); an empty bucket only proves listing. */
async function readProbe(provider: StorageProvider, bucket: string, signal: AbortSignal): Promise<string> {
  let first: string | undefined;
  for await (const info of provider.list(bucket, '', signal)) {
    first = info.key;
    break;
  }
  if (first === undefined) return `bucket "${bucket}" is empty: listing works, there is nothing to read`;
  const stream = await provider.read(bucket, first, signal);
  stream.destroy();
  return `listed and opened "${first}"`;
}

/** Writes and removes a small probe object, the two things a sync target must allow. */
async function writeProbe(provider: StorageProvider, bucket: string, signal: AbortSignal): Promise<string> {
  const key = `.cloud-data-sync-probe-${randomBytes(6).toString('hex')}`;
  await provider.write(bucket, key, async () => Readable.from([PROBE_BODY]), PROBE_BODY.length, { contentType: 'text/plain', signal });
  try {
    await provider.remove(bucket, [key], signal);
  } catch (err) {
    throw new Error(`wrote probe object "${key}" but could not delete it: ${messageOf(err)}`);
  }
  return `wrote and deleted probe object "${key}"`;
}

async function timed(timeoutMs: number, run: (signal: AbortSignal) => Promise<string>): Promise<Outcome> {
  const started = performance.now();
  const durationMs = (): number => Math.round(performance.now() - started);
  try {
    const message = await run(AbortSignal.timeout(timeoutMs));
    return { ok: true, message, durationMs: durationMs() };
  } catch (err) {
    return { ok: false, error: err, durationMs: durationMs() };
  }
}

function toCheck(name: ConnectionCheckName, outcome: Outcome): ConnectionCheck {
  return outcome.ok ? { name, ok: true, skipped: false, message: outcome.message, durationMs: outcome.durationMs } : failed(name, outcome.error, outcome.durationMs);
}

function failed(name: ConnectionCheckName, err: unknown, durationMs: number): ConnectionCheck {
  return { name, ok: false, skipped: false, message: messageOf(err), durationMs };
}

function skipped(name: ConnectionCheckName, message: string): ConnectionCheck {
  return { name, ok: false, skipped: true, message, durationMs: 0 };
}

function result(checks: ConnectionCheck[]): ConnectionTestResult {
  return { ok: checks.every((c) => c.ok || c.skipped), checks };
}

function messageOf(err: unknown): string {
  if (err instanceof Error && err.name === 'TimeoutError') return 'no answer in time (timed out)';
  return err instanceof Error ? err.message : String(err);
}

function preview(names: readonly string[]): string {
  return names.length <= 5 ? names.join(', ') : `${names.slice(0, 5).join(', ')}, …`;
}
