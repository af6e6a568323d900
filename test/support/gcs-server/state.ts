// Buckets and objects of the test server. Metadata lives in memory, bytes in files (files.ts). A new
// object becomes visible in one synchronous step after all its bytes are on disk and its checks
// passed, so readers see the old object or the new one, never a partial one.
import { unlink } from 'node:fs/promises';
import path from 'node:path';
import { validateBucketName } from '../../../shared/config';
import { hashFile } from './files';
import { checkPreconditions } from './preconditions';
import { GcsHttpError, WRITABLE_FIELDS, errors, kmsKeyNameOf, type StoredBucket, type StoredObject, type WritableFields } from './resource';
import { SortedNames } from './sorted-names';

export interface BucketState {
  info: StoredBucket;
  objects: Map<string, StoredObject>;
  names: SortedNames;
  /** Noncurrent generations, kept only while the bucket's versioning is enabled. */
  noncurrent: StoredObject[];
}

/** Bytes on disk waiting to become an object. */
export interface Draft {
  bucket: string;
  name: string;
  file: string;
  fields: WritableFields;
  /** Checks the client asked for: md5Hash/crc32c from the resource or X-Goog-Hash, X-Upload-Content-Length. */
  expected?: { md5?: string; crc32c?: string; size?: number };
  componentCount?: number;
}

export interface ListOptions {
  prefix: string;
  delimiter?: string;
  maxResults: number;
  pageToken?: string;
}

export interface ListPage {
  items: StoredObject[];
  prefixes: string[];
  nextPageToken?: string;
}

/** GCS answers at most this many items per page, whatever maxResults says. */
export const MAX_PAGE = 1000;

export class GcsState {
  private readonly buckets = new Map<string, BucketState>();
  private lastGeneration = 0;
  private fileSeq = 0;

  constructor(readonly dataDir: string) {}

  /** A fresh file name under the data directory. */
  tempFile(): string {
    return path.join(this.dataDir, `${++this.fileSeq}.bin`);
  }

  /** Microseconds since the epoch, like GCS generations, strictly increasing. */
  nextGeneration(): number {
    this.lastGeneration = Math.max(this.lastGeneration + 1, Date.now() * 1000);
    return this.lastGeneration;
  }

  bucketNames(): string[] {
    return [...this.buckets.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  }

  createBucket(name: string, options: { versioning?: boolean } = {}): StoredBucket {
    checkBucketName(name);
    if (this.buckets.has(name)) {
      throw new GcsHttpError(409, 'conflict', 'Your previous request to create the named bucket succeeded and you already own it.');
    }
    const info: StoredBucket = { name, timeCreated: new Date(), ...(options.versioning ? { versioning: true } : {}) };
    this.buckets.set(name, { info, objects: new Map(), names: new SortedNames(), noncurrent: [] });
    return info;
  }

  bucket(name: string): BucketState {
    checkBucketName(name);
    const bucket = this.buckets.get(name);
    if (!bucket) throw errors.noSuchBucket();
    return bucket;
  }

  deleteBucket(name: string): void {
    const bucket = this.bucket(name);
    if (bucket.objects.size > 0 || bucket.noncurrent.length > 0) throw new GcsHttpError(409, 'conflict', 'The bucket you tried to delete is not empty.');
    this.buckets.delete(name);
  }

  object(bucket: string, name: string): StoredObject {
    const found = this.bucket(bucket).objects.get(name);
    if (!found) throw errors.noSuchObject(bucket, name);
    return found;
  }

  /** One generation of an object, live or noncurrent. */
  generation(bucket: string, name: string, generation: number): StoredObject {
    const state = this.bucket(bucket);
    const live = state.objects.get(name);
    const found = live?.generation === generation ? live : state.noncurrent.find((o) => o.name === name && o.generation === generation);
    if (!found) throw errors.noSuchObject(bucket, name);
    return found;
  }

  /** The live object stops being live: kept as noncurrent when the bucket has versioning, else its bytes go. */
  private retire(bucket: BucketState, object: StoredObject, when: Date): void {
    if (bucket.info.versioning) bucket.noncurrent.push({ ...object, timeDeleted: when });
    else discard(object.file);
  }

  /**
   * Turns a draft into the live object `bucket/name` after checking hashes, size and the
   * preconditions in `query` against the object it replaces. The draft's file is removed on failure.
   */
  async commit(draft: Draft, query: URLSearchParams): Promise<StoredObject> {
    try {
      checkObjectName(draft.name);
      const kmsKeyName = kmsKeyNameOf(query);
      const hashes = await hashFile(draft.file);
      const { expected = {} } = draft;
      if (expected.md5 !== undefined && expected.md5 !== hashes.md5) {
        throw errors.invalid(`Provided MD5 hash "${expected.md5}" doesn't match calculated MD5 hash "${hashes.md5}".`);
      }
      if (expected.crc32c !== undefined && expected.crc32c !== hashes.crc32c) {
        throw errors.invalid(`Provided CRC32C "${expected.crc32c}" doesn't match calculated CRC32C "${hashes.crc32c}".`);
      }
      if (expected.size !== undefined && expected.size !== hashes.size) {
        throw errors.invalid(`Upload size ${hashes.size} does not match the declared X-Upload-Content-Length ${expected.size}.`);
      }
      // From here on synchronous: nothing can slip in between the checks and the swap.
      const bucket = this.bucket(draft.bucket);
      const previous = bucket.objects.get(draft.name);
      checkPreconditions(previous, query);
      const now = new Date();
      const object: StoredObject = {
        ...draft.fields,
        bucket: draft.bucket,
        name: draft.name,
        generation: this.nextGeneration(),
        metageneration: 1,
        size: hashes.size,
        md5Hash: draft.componentCount === undefined ? hashes.md5 : undefined,
        crc32c: hashes.crc32c,
        componentCount: draft.componentCount,
        kmsKeyName,
        timeCreated: now,
        updated: now,
        file: draft.file,
      };
      bucket.objects.set(draft.name, object);
      bucket.names.add(draft.name);
      if (previous) this.retire(bucket, previous, now);
      return object;
    } catch (err) {
      discard(draft.file);
      throw err;
    }
  }

  /** Without `generation`, the live object (kept noncurrent under versioning); with it, that generation, for good. */
  deleteObject(bucket: string, name: string, query: URLSearchParams): void {
    const state = this.bucket(bucket);
    const generation = query.get('generation');
    const current = state.objects.get(name);
    if (generation !== null && String(current?.generation) !== generation) {
      const i = state.noncurrent.findIndex((o) => o.name === name && String(o.generation) === generation);
      if (i < 0) throw errors.noSuchObject(bucket, name);
      discard(state.noncurrent.splice(i, 1)[0]!.file);
      return;
    }
    if (!current) throw errors.noSuchObject(bucket, name);
    checkPreconditions(current, query);
    state.objects.delete(name);
    state.names.delete(name);
    if (generation === null) this.retire(state, current, new Date());
    else discard(current.file);
  }

  /**
   * `versions=true`: every generation, live and noncurrent, by name in byte order and then by
   * generation, as GCS lists them. No delimiter here (GCS takes one; this server refuses it).
   */
  listVersions(bucketName: string, options: ListOptions): ListPage {
    if (options.delimiter) throw errors.invalid('This test server lists versions without a delimiter only');
    const bucket = this.bucket(bucketName);
    const all = [...bucket.objects.values(), ...bucket.noncurrent]
      .filter((o) => o.name.startsWith(options.prefix))
      .sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)) || a.generation - b.generation);
    const after = options.pageToken === undefined ? undefined : decodePageToken(options.pageToken);
    const start = after === undefined ? 0 : all.findIndex((o) => `${o.name}#${o.generation}` === after) + 1;
    const max = Math.min(Math.max(1, options.maxResults), MAX_PAGE);
    const items = all.slice(start, start + max);
    const last = items.at(-1);
    return { items, prefixes: [], ...(start + max < all.length && last ? { nextPageToken: encodePageToken(`${last.name}#${last.generation}`) } : {}) };
  }

  /** PATCH semantics: given fields replace, null clears; metadata entries merge, a null entry deletes. */
  patchObject(bucket: string, name: string, patch: Record<string, unknown>, query: URLSearchParams): StoredObject {
    const current = this.object(bucket, name);
    checkPreconditions(current, query);
    const next: StoredObject = { ...current, metageneration: current.metageneration + 1, updated: new Date() };
    for (const field of WRITABLE_FIELDS) {
      if (!(field in patch)) continue;
      const value = patch[field];
      if (value === null) delete next[field];
      else next[field] = String(value);
    }
    if ('metadata' in patch) {
      const merged: Record<string, string> = patch.metadata === null ? {} : { ...current.metadata };
      for (const [key, value] of Object.entries((patch.metadata ?? {}) as Record<string, unknown>)) {
        if (value === null) delete merged[key];
        else merged[key] = String(value);
      }
      next.metadata = merged;
    }
    this.bucket(bucket).objects.set(name, next);
    return next;
  }

  list(bucketName: string, options: ListOptions): ListPage {
    const bucket = this.bucket(bucketName);
    const { prefix, delimiter } = options;
    const max = Math.min(Math.max(1, options.maxResults), MAX_PAGE);
    const after = options.pageToken === undefined ? undefined : decodePageToken(options.pageToken);
    const page: ListPage = { items: [], prefixes: [] };
    let count = 0;
    let lastConsumed: string | undefined;
    let lastPrefix: string | undefined;
    for (const name of bucket.names.from(after ?? prefix, after !== undefined)) {
      if (!name.startsWith(prefix)) break; // names under a prefix are contiguous in byte order
      const cut = delimiter ? name.indexOf(delimiter, prefix.length) : -1;
      const folder = cut >= 0 ? name.slice(0, cut + delimiter!.length) : undefined;
      // Every name under a prefix already returned is consumed without counting.
      if (folder !== undefined && folder === lastPrefix) {
        lastConsumed = name;
        continue;
      }
      if (count === max) {
        page.nextPageToken = encodePageToken(lastConsumed!);
        break;
      }
      if (folder !== undefined) {
        page.prefixes.push(folder);
        lastPrefix = folder;
      } else {
        page.items.push(bucket.objects.get(name)!);
      }
      count++;
      lastConsumed = name;
    }
    return page;
  }
}

/**
 * GCS's object naming rules (cloud.google.com/storage/docs/objects#naming): 1 to 1,024 bytes of
 * UTF-8, no carriage return or line feed, not "." or "..", not under ".well-known/acme-challenge/".
 * The JSON API answers 400 'invalid' for each.
 */
export function checkObjectName(name: string): void {
  const bytes = Buffer.byteLength(name, 'utf8');
  const bad =
    bytes === 0 || bytes > 1024 || Buffer.from(name, 'utf8').toString('utf8') !== name || name === '.' || name === '..' || /[\r\n]/.test(name) || name.startsWith('.well-known/acme-challenge/');
  if (bad) throw errors.invalid(`The object name is not valid: ${JSON.stringify(name)}`);
}

function checkBucketName(name: string): void {
  if (validateBucketName('gcs', name) !== null) throw errors.invalidBucketName(name);
}

/** Page tokens are opaque to clients; this one carries the last name of the previous page. */
function encodePageToken(lastName: string): string {
  return Buffer.from(JSON.stringify({ after: lastName }), 'utf8').toString('base64url');
}

function decodePageToken(token: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof parsed.after === 'string') return parsed.after;
  } catch {
    // fall through
  }
  throw errors.invalid(`Invalid page token: ${token}`);
}

function discard(file: string): void {
  unlink(file).catch(() => undefined);
}
