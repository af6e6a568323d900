// Listing a bucket folder: a depth-first walk in global UTF-8 byte order of keys, under the
// connection's symlink policy. Every entry left out — a symlink not followed, a dangling symlink, a
// symlink loop, a FIFO, socket or device, a name no key can hold exactly — is reported to onSkipped,
// never dropped silently; only this app's own unfinished writes are left out without a word.
// Special files are never opened (opening a FIFO blocks until a writer comes).
import type { BigIntStats, Dirent } from 'node:fs';
import { lstat, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { compareKeys } from '../lib/key-order';
import { kindOf } from './local-dirs';
import { errnoCode, mapFsError } from './local-fs-errors';
import { isPartialName, isUtf8Name, segmentProblem } from './local-names';
import { objectInfoOf } from './local-read';
import type { ObjectInfo, SkippedEntry } from './provider';

/** What a local source does with symlinks: leave them out and report them, or read through them. */
export type SymlinkPolicy = 'skip' | 'follow';

export interface WalkOptions {
  prefix: string;
  symlinks: SymlinkPolicy;
  signal?: AbortSignal;
  onSkipped?: (entry: SkippedEntry) => void;
}

type Entry =
  | { kind: 'file' | 'folder'; name: string; sortName: string; info?: BigIntStats }
  | { kind: 'skip'; name: string; sortName: string; reason: string };

/** Partial files of versions before partialName(): `.<name>.cds-partial-<up to 8 chars>`. */
const OLDER_PARTIAL = /^\..+\.cds-partial-[0-9a-z]{1,8}$/;

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
    if (entry.kind === 'skip') {
      options.onSkipped?.({ key: relDir + entry.name, reason: entry.reason });
    } else if (entry.kind === 'folder') {
      if (!rel.startsWith(options.prefix) && !options.prefix.startsWith(rel)) continue;
      const folder = path.join(dir, entry.name);
      const info = entry.info ?? (await statEntry(folder, options.symlinks));
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
      const info = entry.info ?? (await statEntry(path.join(dir, entry.name), options.symlinks));
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
async function statEntry(full: string, symlinks: SymlinkPolicy): Promise<BigIntStats | null> {
  try {
    return symlinks === 'skip' ? await lstat(full, { bigint: true }) : await stat(full, { bigint: true });
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw mapFsError(err, full);
  }
}

/** A name at `rel` can hold keys with `prefix` when it starts with the prefix or is a folder on the way to it. */
function couldHoldPrefix(rel: string, prefix: string): boolean {
  return rel.startsWith(prefix) || prefix.startsWith(`${rel}/`);
}

function folderId(info: BigIntStats): string {
  return `${info.dev}:${info.ino}`;
}
