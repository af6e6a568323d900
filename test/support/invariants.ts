// The integrity invariants checked after every fault and crash test, by reading the target through
// its provider (directly, never through the fault proxy) and the database through the Store:
// 1. every object recorded as synced is at the target with the recorded size and etag, and its bytes
//    equal the source's bytes (MD5 of the bytes both providers return);
// 2. no target object changed or disappeared except by a planned, verified operation: an object the
//    source has ends as its old bytes or the source's bytes, never anything else; any other object
//    keeps its bytes unless a run that listed completely and failed no transfer logged its deletion;
//    no object appears that the source does not explain;
// 3. run counts add up: copied + adopted + skipped + failed = planned objects for a finished run, at
//    most that for a cancelled or interrupted one, and `success` only with nothing failed; the CLI's
//    exit code matches the statuses;
// 4. after a clean run, no upload of ours is left open (S3 multipart uploads, local partial files).
// Violations are collected, not thrown, so a test prints every one with its figures.
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { AbortMultipartUploadCommand, ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import type { AwsSettings, Mapping, RunStatus, RunSummary } from '../../shared/model';
import { EXIT } from '../../electron/headless/exit-codes';
import { PARTIAL_MARKER } from '../../electron/providers/local-names';
import type { StorageProvider } from '../../electron/providers/provider';
import type { Store } from '../../electron/store';
import { listAll } from './objects';

export interface ObjectSnapshot {
  size: number;
  etag: string;
  /** MD5 (hex) of the bytes the provider returned. */
  md5: string;
}

/** Full key → snapshot, for every object of a bucket under a prefix. */
export type BucketSnapshot = Map<string, ObjectSnapshot>;

/** Reads every object under `prefix` and hashes its bytes (streamed, never whole in memory). */
export async function snapshotBucket(provider: StorageProvider, bucket: string, prefix = ''): Promise<BucketSnapshot> {
  const out: BucketSnapshot = new Map();
  for (const info of await listAll(provider, bucket, prefix)) {
    out.set(info.key, { size: info.size, etag: info.etag, md5: await md5Of(provider, bucket, info.key) });
  }
  return out;
}

export async function md5Of(provider: StorageProvider, bucket: string, key: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of await provider.read(bucket, key)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Uploads of ours still open, or 'unsupported' when the server cannot list them. */
export type OpenUploadsProbe = () => Promise<string[] | 'unsupported'>;

export interface InvariantInput {
  store: Store;
  mapping: Mapping;
  /** Providers that reach the servers directly, not through the fault proxy. */
  source: StorageProvider;
  target: StorageProvider;
  /** The whole target bucket before the first checked run. */
  targetBefore: BucketSnapshot;
  /** The runs to check (every run since targetBefore was taken); the source did not change meanwhile. */
  runs: readonly RunSummary[];
  /** The CLI's exit code for the last run, when it ran in a child; `signalled` when it was asked to stop. */
  exit?: { code: number | null; signalled?: boolean };
  /** The last run was a clean one: every source object must be at the target, equal, and no upload left open. */
  complete?: boolean;
  openUploads?: OpenUploadsProbe;
}

export interface InvariantReport {
  /** Target objects whose bytes were compared. */
  objectsChecked: number;
  /** Sync state rows checked. */
  syncedRows: number;
  runsChecked: number;
  /** Objects the source has that a synced row or a complete run promised but the target lacks. */
  lost: number;
  /** Rows recorded as synced whose target bytes differ from the source's. */
  falseSynced: number;
  violations: string[];
  /** What could not be checked, and why. */
  notes: string[];
}

export async function checkInvariants(input: InvariantInput): Promise<InvariantReport> {
  const { mapping, store } = input;
  const report: InvariantReport = { objectsChecked: 0, syncedRows: 0, runsChecked: input.runs.length, lost: 0, falseSynced: 0, violations: [], notes: [] };
  const violation = (text: string) => report.violations.push(text);
  const sourceAll = await snapshotBucket(input.source, mapping.sourceBucket, mapping.sourcePrefix);
  // Relative key → source snapshot (the key equal to the prefix has no name at the target).
  const source = new Map([...sourceAll].map(([k, v]) => [k.slice(mapping.sourcePrefix.length), v] as const).filter(([k]) => k !== ''));
  const after = await snapshotBucket(input.target, mapping.targetBucket);
  report.objectsChecked = after.size;
  const relative = (targetKey: string) => (targetKey.startsWith(mapping.targetPrefix) ? targetKey.slice(mapping.targetPrefix.length) : undefined);

  // 1. Rows recorded as synced.
  for (let page = store.objects.page(mapping.id, null, 500), n = 0; page.length > 0 && n < 100_000; n++) {
    for (const row of page) {
      report.syncedRows++;
      const key = mapping.targetPrefix + row.key;
      const now = after.get(key);
      const src = source.get(row.key);
      if (!now) {
        if (src) report.lost++;
        violation(`synced row "${row.key}": the target has no ${key}`);
        continue;
      }
      if (now.size !== row.targetSize || now.etag !== row.targetEtag) {
        violation(`synced row "${row.key}": the target has size ${now.size} etag ${now.etag}, the row says ${row.targetSize} ${row.targetEtag}`);
      }
      const expected = src && src.etag === row.sourceEtag ? src.md5 : row.sourceMd5;
      if (!expected) {
        report.notes.push(`synced row "${row.key}": the source changed since and its old MD5 is unknown; bytes not compared`);
      } else if (now.md5 !== expected) {
        report.falseSynced++;
        violation(`synced row "${row.key}": target bytes (MD5 ${now.md5}) differ from the source's (${expected})`);
      }
      if (src && src.etag === row.sourceEtag && src.size !== row.sourceSize) {
        violation(`synced row "${row.key}": recorded source size ${row.sourceSize}, the source has ${src.size}`);
      }
    }
    page = store.objects.page(mapping.id, page[page.length - 1]!.key, 500);
  }

  // 2. Nothing changed or deleted but by a planned, verified operation.
  const deletedBy = verifiedDeletes(store, mapping, input.runs);
  for (const [key, before] of input.targetBefore) {
    const now = after.get(key);
    const rel = relative(key);
    const src = rel === undefined ? undefined : source.get(rel);
    if (src) {
      if (!now) violation(`${key} was deleted although the source has it`);
      else if (now.md5 !== before.md5 && now.md5 !== src.md5) violation(`${key} now holds bytes (MD5 ${now.md5}) that are neither its earlier ones nor the source's: a good copy was replaced by unverified bytes`);
    } else if (!now) {
      if (rel === undefined || !deletedBy.has(rel)) violation(`${key} was deleted, but no run that listed completely and failed no transfer deleted it`);
    } else if (now.md5 !== before.md5) {
      violation(`${key} is not in the source, yet its bytes changed (MD5 ${before.md5} → ${now.md5})`);
    }
  }
  for (const [key, now] of after) {
    if (input.targetBefore.has(key)) continue;
    const rel = relative(key);
    const src = rel === undefined ? undefined : source.get(rel);
    if (!src) violation(`${key} appeared at the target, but the source has no such object (renamed or written outside the plan?)`);
    else if (now.md5 !== src.md5) violation(`${key} appeared at the target with bytes (MD5 ${now.md5}) that differ from the source's (${src.md5})`);
  }

  // 3. Honest runs.
  for (const run of input.runs) checkRunCounts(run, source.size, violation);
  if (input.exit) {
    const expected = expectedExitCode(input.runs.length > 0 ? [input.runs[input.runs.length - 1]!.status] : [], input.exit.signalled === true);
    if (input.exit.code !== expected) violation(`the CLI exited ${input.exit.code}, but its run status${input.exit.signalled ? ' (signalled)' : ''} means ${expected}`);
  }

  // After a clean run: complete, and nothing left open.
  if (input.complete) {
    for (const [rel, src] of source) {
      const now = after.get(mapping.targetPrefix + rel);
      if (!now) {
        report.lost++;
        violation(`${rel} is missing at the target after a clean run`);
      } else if (now.md5 !== src.md5) violation(`${rel} differs at the target after a clean run`);
    }
    if (input.openUploads) {
      const open = await input.openUploads();
      if (open === 'unsupported') report.notes.push('the target server cannot list open uploads; abandoned uploads not checked');
      else for (const upload of open) violation(`an upload of ours is still open after a clean run: ${upload}`);
    }
  }
  return report;
}

/** What run-cli.ts returns for these statuses: interrupted when signalled, failed when any mapping did not succeed, else ok. */
export function expectedExitCode(statuses: readonly RunStatus[], signalled: boolean): number {
  if (signalled) return EXIT.interrupted;
  return statuses.some((s) => s !== 'success') ? EXIT.failed : EXIT.ok;
}

function checkRunCounts(run: RunSummary, planned: number, violation: (text: string) => void): void {
  const outcomes = run.copied + run.adopted + run.skipped + run.failed;
  const label = `run ${run.id} (${run.status}: copied ${run.copied}, adopted ${run.adopted}, skipped ${run.skipped}, failed ${run.failed}, deleted ${run.deleted})`;
  if (outcomes > planned) violation(`${label} counts ${outcomes} outcomes for ${planned} source objects`);
  switch (run.status) {
    case 'success':
      if (run.failed > 0 || outcomes !== planned) violation(`${label} says success, but ${planned - outcomes + run.failed} of ${planned} objects were not copied, adopted or skipped`);
      break;
    case 'partial':
      if (outcomes !== planned) violation(`${label}: the outcomes do not add up to the ${planned} planned objects`);
      break;
    case 'running':
      violation(`${label} is still 'running' after it ended`);
      break;
    default: // failed (maybe before the plan was complete), cancelled, interrupted: at most the plan
  }
}

/** Relative keys whose deletion a run logged, where that run listed completely and failed no transfer. */
function verifiedDeletes(store: Store, mapping: Mapping, runs: readonly RunSummary[]): Set<string> {
  const keys = new Set<string>();
  for (const run of runs) {
    if (run.failed > 0 || (run.firstError !== null && /listing|was not found/i.test(run.firstError))) continue;
    let beforeId: number | undefined;
    for (let n = 0; n < 1_000; n++) {
      const lines = store.logs.query({ mappingId: mapping.id, runId: run.id, text: 'Deleted', limit: 500, beforeId });
      for (const line of lines) if (line.key && line.message.startsWith('Deleted')) keys.add(line.key);
      if (lines.length < 500) break;
      beforeId = lines[lines.length - 1]!.id;
    }
  }
  return keys;
}

/** Every run of the mapping after `afterRunId`, oldest first. */
export function runsSince(store: Store, mappingId: string, afterRunId: number): RunSummary[] {
  return store.runs.list(mappingId, { limit: 500 }).filter((r) => r.id > afterRunId).reverse();
}

/** The id of the newest run of the mapping (0 when none): take it before the runs to check. */
export function lastRunId(store: Store, mappingId: string): number {
  return store.runs.latest(mappingId)?.id ?? 0;
}

/**
 * Open multipart uploads in an S3 bucket (ListMultipartUploads). s3rver does not implement it
 * (NotImplemented): reported as 'unsupported'. moto and real S3 do.
 */
export function s3OpenUploads(settings: AwsSettings, bucket: string): OpenUploadsProbe {
  return async () => {
    const client = rawS3Client(settings);
    try {
      const out = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
      return (out.Uploads ?? []).map((u) => `${u.Key} (upload ${u.UploadId}, started ${u.Initiated?.toISOString()})`);
    } catch (err) {
      const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.name === 'NotImplemented' || e.$metadata?.httpStatusCode === 501) return 'unsupported';
      throw err;
    } finally {
      client.destroy();
    }
  };
}

/** A plain SDK client straight at the server, independent of the providers under test. */
function rawS3Client(settings: AwsSettings): S3Client {
  return new S3Client({
    region: settings.region,
    endpoint: settings.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: settings.accessKeyId ?? '', secretAccessKey: settings.secretAccessKey ?? '' },
  });
}

/** Aborts every open multipart upload of a bucket (test clean-up after a deliberate kill). */
export async function abortS3Uploads(settings: AwsSettings, bucket: string): Promise<number> {
  const client = rawS3Client(settings);
  try {
    const out = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    for (const u of out.Uploads ?? []) await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key, UploadId: u.UploadId }));
    return out.Uploads?.length ?? 0;
  } finally {
    client.destroy();
  }
}

/**
 * The local provider's partial files (named with PARTIAL_MARKER) left in a bucket folder: uploads of
 * ours that never finished. Any name with the marker counts, not only the exact form it gives today.
 */
export function localOpenUploads(root: string, bucket: string): OpenUploadsProbe {
  return async () => {
    const entries = await readdir(path.join(root, bucket), { recursive: true, withFileTypes: true });
    return entries.filter((e) => !e.isDirectory() && e.name.includes(PARTIAL_MARKER)).map((e) => path.join(e.parentPath, e.name));
  };
}

/** One line of figures for test output. */
export function formatReport(label: string, report: InvariantReport): string {
  const head = `${label}: ${report.objectsChecked} target objects checked, ${report.syncedRows} synced rows, ${report.runsChecked} run(s); lost ${report.lost}, false synced ${report.falseSynced}, violations ${report.violations.length}`;
  const body = [...report.violations.map((v) => `  ✗ ${v}`), ...report.notes.slice(0, 5).map((n) => `  · ${n}`)];
  return [head, ...body].join('\n');
}
