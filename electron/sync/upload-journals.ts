// Resumable uploads for one run of one mapping: a journal per copied key, kept in the upload-journal
// port (ports.ts; the uploads table of the store), so a
// multipart upload interrupted by a crash or kill continues from its last confirmed part on the next
// run — but only for the same source version. An upload of ours that will never be finished (the
// source changed, or the key is no longer copied) is aborted, never left to accrue storage.
import { StorageError } from '../providers/errors';
import { isRetryable } from '../providers/retry';
import type { ObjectInfo, StorageProvider, UploadJournal } from '../providers/provider';
import type { UploadJournalPort, UploadRecord } from './ports';

export interface UploadJournalsOptions {
  uploads: UploadJournalPort;
  mappingId: string;
  target: StorageProvider;
  targetBucket: string;
  /** Told about uploads that were aborted, or could not be. */
  onAbandon?: (row: UploadRecord, error?: unknown) => void;
  signal?: AbortSignal;
}

export class UploadJournals {
  /**
   * The keys with a recorded upload: those of the run's start, read once, and those a journal of
   * this run saved. Only they are looked up: most objects go in one request and never have a row,
   * and a lookup per copied object was a measurable share of a small object's CPU.
   */
  private recorded: Promise<Set<string>> | undefined;

  constructor(private readonly options: UploadJournalsOptions) {}

  /**
   * The journal for copying `source` to `targetKey` (`key` relative to the mapping's prefixes). An
   * upload recorded for another version of the source is aborted first.
   */
  async journalFor(key: string, targetKey: string, source: ObjectInfo): Promise<UploadJournal | undefined> {
    const { uploads, mappingId, targetBucket } = this.options;
    if (!this.options.target.abandonUpload) return undefined; // the target has nothing to resume
    const recorded = await (this.recorded ??= uploads.all(mappingId).then((rows) => new Set(rows.map((row) => row.key))));
    const existing = recorded.has(key) ? await uploads.get(mappingId, key) : undefined;
    const sameVersion = existing?.sourceEtag === source.etag && existing.sourceSize === source.size && existing.targetKey === targetKey && existing.targetBucket === targetBucket;
    if (existing && !sameVersion && !(await this.abandon(existing))) {
      // Its row is the only record of that upload: keep it, and try again next run.
      throw new StorageError('Transient', `${targetKey}: an earlier upload of another version could not be aborted yet`);
    }
    let startedAt = sameVersion ? existing!.startedAt : Date.now();
    // What the journal holds for this key: only this journal writes it while the copy runs.
    let saved = sameVersion ? existing!.state : undefined;
    return {
      load: () => (sameVersion ? saved : undefined),
      save: (state) => {
        const now = Date.now();
        uploads.put(mappingId, { key, targetBucket, targetKey, sourceEtag: source.etag, sourceSize: source.size, state, startedAt, updatedAt: now });
        recorded.add(key);
        saved = state;
      },
      clear: () => {
        uploads.remove(mappingId, key);
        saved = undefined;
        startedAt = Date.now();
      },
    };
  }

  /**
   * After a clean run: every recorded upload still here belongs to no copy that will finish it (all
   * planned copies succeeded and cleared theirs), so each is aborted at the target and forgotten.
   */
  async abandonLeftovers(): Promise<number> {
    let aborted = 0;
    for (const row of await this.options.uploads.all(this.options.mappingId)) {
      if (this.options.signal?.aborted) break;
      if (await this.abandon(row)) aborted++;
    }
    return aborted;
  }

  /** Aborts one recorded upload; the row is forgotten when the target confirmed, or can never. */
  private async abandon(row: UploadRecord): Promise<boolean> {
    try {
      await this.options.target.abandonUpload!(row.targetBucket, row.targetKey, row.state, this.options.signal);
    } catch (err) {
      this.options.onAbandon?.(row, err);
      // Retried next run, unless it can never succeed (a server that cannot abort uploads at all):
      // then keeping the row would only repeat the warning.
      if (isRetryable(err)) return false;
      this.options.uploads.remove(this.options.mappingId, row.key);
      return true;
    }
    this.options.uploads.remove(this.options.mappingId, row.key);
    this.options.onAbandon?.(row);
    return true;
  }
}
