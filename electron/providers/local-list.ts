// Listing a bucket folder: a depth-first walk in global UTF-8 byte order of keys, under the
// connection's symlink policy. Every entry left out — a symlink not followed, a dangling symlink, a
// symlink loop, a FIFO, socket or device, a name no key can hold exactly — is reported to onSkipped,
// never dropped silently; only this app's own unfinished writes are left out without a word.
// Special files are never opened (opening a FIFO blocks until a writer comes).
import type { BigIntStats, Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { compareKeys } from '../lib/key-order';
import { kindOf } from './local-dirs';
import { THREADPOOL_CALLS, type FileCalls, type FileCallsByFolder } from './local-file-calls';
import { errnoCode, mapFsError } from './local-fs-errors';
import { isPartialName, isUtf8Name, segmentProblem } from './local-names';
import { objectInfoOf } from './local-read';
import type { ListPage, ObjectInfo, SkippedEntry } from './provider';

/** What a local source does with symlinks: leave them out and report them, or read through them. */
export type SymlinkPolicy = 'skip' | 'follow';

export interface WalkOptions {
  prefix: string;
  /** Resume after this key: every entry at or before it (a key, or a skipped entry's place) is passed over without being read. */
  after?: string;
  symlinks: SymlinkPolicy;
  /** Read at every folder, so a walk kept between listing pages can be given each page's signal. */
  signal?: AbortSignal;
  onSkipped?: (entry: SkippedEntry) => void;
  /** How each folder's entries are stat'ed (local-file-calls.ts); absent: through the threadpool. */
  calls?: FileCallsByFolder;
}

type Entry =
  | { kind: 'file' | 'folder'; name: string; sortName: string; info?: BigIntStats }
  | { kind: 'skip'; name: string; sortName: string; reason: string };

/** Partial files of versions before partialName(): `.<name>.cds-partial-<up to 8 chars>`. */
const OLDER_PARTIAL = /^\..+\.cds-partial-[0-9a-z]{1,8}$/;

/** Keys per page when the caller names no limit. */
const PAGE_SIZE = 1000;
/** Walks kept for their listing's next page (see WalkPages). */
const MAX_KEPT_WALKS = 16;

/** A walk kept between pages, with the item it read past the end of its last page. */
interface Cursor {
  walk: AsyncIterator<ObjectInfo>;
  options: WalkOptions;
  pending: ObjectInfo | undefined;
  /** Skipped entries the walk passed since its last page ended. */
  skipped: SkippedEntry[];
}

/**
 * Listing pages of bucket folders. A page's token is its last key, and a walk resumes after it
 * (WalkOptions.after), so any page can be asked for again. So that a listing is not walked from the
 * top again for every page, the walk that made a page is kept, under that page's token, for the
 * next one; the oldest kept walk goes beyond MAX_KEPT_WALKS (a listing left unfinished).
 */
export class WalkPages {
  private readonly kept = new Map<string, Cursor>();

  constructor(private readonly calls?: FileCallsByFolder) {}

  async page(bucketDir: string, prefix: string, symlinks: SymlinkPolicy, token: string | null, limit = PAGE_SIZE, signal?: AbortSignal): Promise<ListPage> {
    const id = (after: string): string => JSON.stringify([bucketDir, prefix, symlinks, after]);
    const kept = token === null ? undefined : this.kept.get(id(token));
    if (kept) this.kept.delete(id(token!));
    const cursor = kept ?? this.start(bucketDir, prefix, symlinks, token);
    cursor.options.signal = signal;
    try {
      const items: ObjectInfo[] = cursor.pending ? [cursor.pending] : [];
      cursor.pending = undefined;
      while (items.length < limit) {
        const next = await cursor.walk.next();
        if (next.done) return { items, skipped: cursor.skipped, next: null };
        items.push(next.value);
      }
      const skipped = cursor.skipped.splice(0);
      // One item past the page: when the walk ends there instead, this page is the last.
      const next = await cursor.walk.next();
      if (next.done) return { items, skipped: [...skipped, ...cursor.skipped], next: null };
      cursor.pending = next.value;
      const last = items.at(-1)!.key;
      this.keep(id(last), cursor);
      return { items, skipped, next: last };
    } catch (err) {
      void cursor.walk.return?.();
      throw err;
    }
  }

  /** Ends every kept walk. */
  close(): void {
    for (const cursor of this.kept.values()) void cursor.walk.return?.();
    this.kept.clear();
  }

  private start(bucketDir: string, prefix: string, symlinks: SymlinkPolicy, token: string | null): Cursor {
    const skipped: SkippedEntry[] = [];
    const options: WalkOptions = { prefix, after: token ?? undefined, symlinks, onSkipped: (entry) => skipped.push(entry), calls: this.calls };
    return { walk: walkBucket(bucketDir, options)[Symbol.asyncIterator](), options, pending: undefined, skipped };
  }

  private keep(id: string, cursor: Cursor): void {
    // Two listings of the same folder at the same place: either walk serves the next page.
    const twin = this.kept.get(id);
    if (twin) void twin.walk.return?.();
    this.kept.delete(id);
    this.kept.set(id, cursor);
    if (this.kept.size <= MAX_KEPT_WALKS) return;
    const [oldest, dropped] = this.kept.entries().next().value!;
    this.kept.delete(oldest);
    void dropped.walk.return?.();
  }
}

export async function* walkBucket(bucketDir: string, options: WalkOptions): AsyncIterable<ObjectInfo> {
  const root = await stat(bucketDir, { bigint: true }).catch((err: unknown) => {
    throw mapFsError(err, `bucket folder ${bucketDir}`);
  });
  yield* walk(bucketDir, '', new Set([folderId(root)]), options);
}

/**
 * Siblings are sorted with a folder's name compared as `name/`, which is exactly where its keys fall
 * among its siblings' keys. `ancestors` holds the folders on the way down (device:inode), so a
 * followed symlink that leads back up is reported instead of walked forever.
 */
async function* walk(dir: string, relDir: string, ancestors: Set<string>, options: WalkOptions): AsyncIterable<ObjectInfo> {
  options.signal?.throwIfAborted();
  let dirents: Dirent<Buffer>[];
  try {
    dirents = await readdir(dir, { withFileTypes: true, encoding: 'buffer' });
  } catch (err) {
    throw mapFsError(err, `folder ${dir}`);
  }
  // A file's lstat is answered by this folder's file system; following a symlink may lead anywhere.
  const fileCalls = options.calls && options.symlinks === 'skip' ? await options.calls.forFolder(dir) : THREADPOOL_CALLS;
  const entries: Entry[] = [];
  for (const dirent of dirents) {
    const name = dirent.name.toString('utf8');
    if (isPartialName(name) || OLDER_PARTIAL.test(name)) continue;
    if (!couldHoldPrefix(relDir + name, options.prefix)) continue;
    entries.push(await classify(dirent, name, path.join(dir, name), options.symlinks));
  }
  entries.sort((a, b) => compareKeys(a.sortName, b.sortName));

  for (const entry of entries) {
    const rel = relDir + entry.sortName;
    if (!isAfter(rel, entry.kind === 'folder', options.after)) continue;
    if (entry.kind === 'skip') {
      options.onSkipped?.({ key: relDir + entry.name, reason: entry.reason });
    } else if (entry.kind === 'folder') {
      if (!rel.startsWith(options.prefix) && !options.prefix.startsWith(rel)) continue;
      const folder = path.join(dir, entry.name);
      // A folder may be a mount point of another file system: its stat is that file system's to answer.
      const info = entry.info ?? (await statEntry(folder, options.symlinks, THREADPOOL_CALLS));
      if (!info) continue; // removed since the folder was read
      const id = folderId(info);
      if (!info.isDirectory()) {
        options.onSkipped?.({ key: relDir + entry.name, reason: `${kindOf(info)} now, no longer a folder: not listed` });
      } else if (ancestors.has(id)) {
        options.onSkipped?.({ key: relDir + entry.name, reason: 'symlink loop: it leads back to a folder above it, not followed again' });
      } else {
        ancestors.add(id);
        try {
          yield* walk(folder, rel, ancestors, options);
        } finally {
          ancestors.delete(id);
        }
      }
    } else if (rel.startsWith(options.prefix)) {
      const info = entry.info ?? (await statEntry(path.join(dir, entry.name), options.symlinks, fileCalls));
      if (!info) continue; // removed since the folder was read
      if (info.isFile()) yield objectInfoOf(rel, info);
      else options.onSkipped?.({ key: rel, reason: `${kindOf(info)} now, no longer a file: not listed` });
    }
  }
}

async function classify(dirent: Dirent<Buffer>, name: string, full: string, symlinks: SymlinkPolicy): Promise<Entry> {
  const skip = (reason: string): Entry => ({ kind: 'skip', name, sortName: name, reason });
  if (!isUtf8Name(dirent.name)) return skip(`${kindOf(dirent)} whose name is not valid UTF-8: no key can name it exactly`);
  const problem = segmentProblem(name);
  if (problem) return skip(`${kindOf(dirent)} whose name has ${problem}: no key can name it exactly`);
  if (dirent.isDirectory()) return { kind: 'folder', name, sortName: `${name}/` };
  if (dirent.isFile()) return { kind: 'file', name, sortName: name };
  if (!dirent.isSymbolicLink()) return skip(`${kindOf(dirent)}, not a regular file: never opened`);
  if (symlinks === 'skip') return skip('symlink, not followed');
  let target: BigIntStats;
  try {
    target = await stat(full, { bigint: true });
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return skip('dangling symlink: its target does not exist');
    if (code === 'ELOOP') return skip('symlink loop: it resolves to itself');
    return skip(`symlink that cannot be followed (${code ?? String(err)})`);
  }
  if (target.isDirectory()) return { kind: 'folder', name, sortName: `${name}/`, info: target };
  if (target.isFile()) return { kind: 'file', name, sortName: name, info: target };
  return skip(`symlink to ${kindOf(target)}, not a regular file: never opened`);
}

/** lstat under 'skip' (an entry swapped for a symlink since the folder was read is not followed), stat under 'follow'; null when gone. */
async function statEntry(full: string, symlinks: SymlinkPolicy, calls: FileCalls): Promise<BigIntStats | null> {
  try {
    return symlinks === 'skip' ? await calls.lstat(full) : await calls.stat(full);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw mapFsError(err, full);
  }
}

/**
 * Whether the walk has anything past `after` at `rel` (an entry's place: a folder's ends with '/').
 * A folder is entered when some key under it can sort after `after`: it sorts after `after`, or
 * `after` is inside it. Keys under a folder that sorts before `after` without holding it all sort
 * before `after` too.
 */
function isAfter(rel: string, folder: boolean, after: string | undefined): boolean {
  if (after === undefined || compareKeys(rel, after) > 0) return true;
  return folder && after.startsWith(rel);
}

/** A name at `rel` can hold keys with `prefix` when it starts with the prefix or is a folder on the way to it. */
function couldHoldPrefix(rel: string, prefix: string): boolean {
  return rel.startsWith(prefix) || prefix.startsWith(`${rel}/`);
}

function folderId(info: BigIntStats): string {
  return `${info.dev}:${info.ino}`;
}
