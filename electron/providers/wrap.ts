// A provider around a provider (restic's backend wrappers): every call of the inner provider goes
// through one `around` function, which may wait, retry, count, log or refuse it. The wrappers
// (retrying.ts, paced.ts, counted.ts, dry-run.ts, logged.ts) are each one such function, and
// stack.ts composes them in one place. list() is derived from the wrapper's own listPage, so a
// listing goes through `around` page by page.
import { pagedList } from './listing';
import type { BucketVersioning, CreateBucketOptions, ListLevel, ListPage, ObjectInfo, ObjectTags, OpenSource, PresignedRead, StorageProvider, UrlSource, WriteOptions, WriteResult } from './provider';
import type { Readable } from 'node:stream';

/**
 * The provider calls a wrapper sees: one request each, except read/write/copy/writeFromUrl (one
 * transfer each) and partSizes (one HEAD per part). presignRead and canFetch make no request and
 * pass through every wrapper as they are.
 */
export type Operation =
  | 'listBuckets'
  | 'createBucket'
  | 'deleteBucket'
  | 'listPage'
  | 'listLevel'
  | 'head'
  | 'getTags'
  | 'read'
  | 'write'
  | 'remove'
  | 'copy'
  | 'abandonUpload'
  | 'versioning'
  | 'rename'
  | 'partSizes'
  | 'writeFromUrl';

export const OPERATIONS: readonly Operation[] = [
  'listBuckets', 'createBucket', 'deleteBucket', 'listPage', 'listLevel', 'head', 'getTags', 'read', 'write', 'remove', 'copy', 'abandonUpload', 'versioning', 'rename',
  'partSizes', 'writeFromUrl',
];

/** Calls that change the service: refused under a dry run. */
export const WRITE_OPERATIONS: ReadonlySet<Operation> = new Set(['createBucket', 'deleteBucket', 'write', 'remove', 'copy', 'abandonUpload', 'rename', 'writeFromUrl']);

export interface Call {
  op: Operation;
  /** The call in words, for messages and logs: "head photos/a.jpg". */
  what: string;
  /** The caller's signal: only it means "cancelled". */
  signal: AbortSignal | undefined;
}

/** Runs `run` (the inner provider's call) on behalf of `call`, adding the wrapper's behaviour. */
export type Around = <T>(call: Call, run: () => Promise<T>) => Promise<T>;

export function wrap(inner: StorageProvider, around: Around): StorageProvider {
  return new WrappedProvider(inner, around);
}

class WrappedProvider implements StorageProvider {
  readonly type: StorageProvider['type'];
  readonly capabilities: StorageProvider['capabilities'];
  readonly listLevel?: StorageProvider['listLevel'];
  readonly copy?: StorageProvider['copy'];
  readonly getTags?: StorageProvider['getTags'];
  readonly abandonUpload?: StorageProvider['abandonUpload'];
  readonly versioning?: StorageProvider['versioning'];
  readonly rename?: StorageProvider['rename'];
  readonly presignRead?: StorageProvider['presignRead'];
  readonly partSizes?: StorageProvider['partSizes'];
  readonly canFetch?: StorageProvider['canFetch'];
  readonly writeFromUrl?: StorageProvider['writeFromUrl'];
  readonly list = pagedList(this);

  constructor(
    private readonly inner: StorageProvider,
    private readonly around: Around,
  ) {
    this.type = inner.type;
    this.capabilities = inner.capabilities;
    // Optional abilities stay optional: a wrapper has one exactly when the provider inside has it.
    if (inner.listLevel) {
      const listLevel = inner.listLevel.bind(inner);
      this.listLevel = (bucket, prefix, signal): Promise<ListLevel | null> =>
        around({ op: 'listLevel', what: `list bucket "${bucket}" level "${prefix}"`, signal }, () => listLevel(bucket, prefix, signal));
    }
    if (inner.copy) {
      const copy = inner.copy.bind(inner);
      this.copy = (srcBucket, srcKey, dstBucket, dstKey, signal, options): Promise<WriteResult> =>
        around({ op: 'copy', what: `copy ${srcBucket}/${srcKey} to ${dstBucket}/${dstKey}`, signal }, () => copy(srcBucket, srcKey, dstBucket, dstKey, signal, options));
    }
    if (inner.getTags) {
      const getTags = inner.getTags.bind(inner);
      this.getTags = (bucket, key, signal): Promise<ObjectTags> => around({ op: 'getTags', what: `get tags of ${bucket}/${key}`, signal }, () => getTags(bucket, key, signal));
    }
    if (inner.abandonUpload) {
      const abandon = inner.abandonUpload.bind(inner);
      this.abandonUpload = (bucket, key, state, signal): Promise<void> =>
        around({ op: 'abandonUpload', what: `abort upload ${bucket}/${key}`, signal }, () => abandon(bucket, key, state, signal));
    }
    if (inner.versioning) {
      const versioning = inner.versioning.bind(inner);
      this.versioning = (bucket, signal): Promise<BucketVersioning> =>
        around({ op: 'versioning', what: `read the versioning of bucket ${bucket}`, signal }, () => versioning(bucket, signal));
    }
    if (inner.rename) {
      const rename = inner.rename.bind(inner);
      this.rename = (bucket, fromKey, toKey, signal): Promise<void> =>
        around({ op: 'rename', what: `move ${bucket}/${fromKey} to ${toKey}`, signal }, () => rename(bucket, fromKey, toKey, signal));
    }
    // No request: signing is local, and so is the judgement of a URL's reach.
    if (inner.presignRead) {
      const presignRead = inner.presignRead.bind(inner);
      this.presignRead = (bucket, key, etag, ttlSeconds): Promise<PresignedRead | null> => presignRead(bucket, key, etag, ttlSeconds);
    }
    if (inner.canFetch) {
      const canFetch = inner.canFetch.bind(inner);
      this.canFetch = (url): boolean => canFetch(url);
    }
    if (inner.partSizes) {
      const partSizes = inner.partSizes.bind(inner);
      this.partSizes = (bucket, key, etag, signal): Promise<number[] | null> =>
        around({ op: 'partSizes', what: `read the part sizes of ${bucket}/${key}`, signal }, () => partSizes(bucket, key, etag, signal));
    }
    if (inner.writeFromUrl) {
      const writeFromUrl = inner.writeFromUrl.bind(inner);
      // The URL is a credential: `what` never names it.
      this.writeFromUrl = (bucket, key, source: UrlSource, options: WriteOptions = {}): Promise<WriteResult> =>
        around({ op: 'writeFromUrl', what: `write ${bucket}/${key} from a URL`, signal: options.signal }, () => writeFromUrl(bucket, key, source, options));
    }
  }

  listBuckets(signal?: AbortSignal): Promise<string[]> {
    return this.around({ op: 'listBuckets', what: 'list buckets', signal }, () => this.inner.listBuckets(signal));
  }

  createBucket(bucket: string, signal?: AbortSignal, options?: CreateBucketOptions): Promise<void> {
    return this.around({ op: 'createBucket', what: `create bucket ${bucket}`, signal }, () => this.inner.createBucket(bucket, signal, options));
  }

  deleteBucket(bucket: string, signal?: AbortSignal): Promise<void> {
    return this.around({ op: 'deleteBucket', what: `delete bucket ${bucket}`, signal }, () => this.inner.deleteBucket(bucket, signal));
  }

  listPage(bucket: string, prefix: string, token: string | null, signal?: AbortSignal, limit?: number): Promise<ListPage> {
    const what = `list bucket "${bucket}"${token === null ? '' : ' (a later page)'}`;
    return this.around({ op: 'listPage', what, signal }, () => this.inner.listPage(bucket, prefix, token, signal, limit));
  }

  head(bucket: string, key: string, signal?: AbortSignal): Promise<ObjectInfo | null> {
    return this.around({ op: 'head', what: `head ${bucket}/${key}`, signal }, () => this.inner.head(bucket, key, signal));
  }

  read(bucket: string, key: string, signal?: AbortSignal, ifMatch?: string): Promise<Readable> {
    return this.around({ op: 'read', what: `read ${bucket}/${key}`, signal }, () => this.inner.read(bucket, key, signal, ifMatch));
  }

  write(bucket: string, key: string, open: OpenSource, size: number, options: WriteOptions = {}): Promise<WriteResult> {
    return this.around({ op: 'write', what: `write ${bucket}/${key}`, signal: options.signal }, () => this.inner.write(bucket, key, open, size, options));
  }

  remove(bucket: string, keys: readonly string[], signal?: AbortSignal): Promise<void> {
    return this.around({ op: 'remove', what: `remove ${keys.length} keys from ${bucket}`, signal }, () => this.inner.remove(bucket, keys, signal));
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
