// Small helpers shared by the provider tests (the conformance suite and the per-provider files).
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { expect } from 'vitest';
import { isStorageError, type StorageErrorCode } from '../../electron/providers/errors';
import type { ListPage, ObjectInfo, StorageProvider } from '../../electron/providers/provider';

/** The error `promise` rejects with; fails the test if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** Expects `promise` to reject with a StorageError of the given code. */
export async function expectStorageError(promise: Promise<unknown>, code: StorageErrorCode): Promise<void> {
  const err = await rejection(promise);
  expect(isStorageError(err, code), `expected StorageError ${code}, got ${String(err)}`).toBe(true);
}

/** Every object of a listing, in the order the provider gave them. */
export async function listAll(p: StorageProvider, bucket: string, prefix: string, signal?: AbortSignal): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  for await (const o of p.list(bucket, prefix, signal)) out.push(o);
  return out;
}

/** Every key of a listing made of listPage calls with `limit`, and how many pages it took. */
export async function listByPages(p: StorageProvider, bucket: string, prefix: string, limit: number): Promise<{ keys: string[]; pages: number }> {
  const keys: string[] = [];
  let token: string | null = null;
  for (let pages = 1; ; pages++) {
    const page: ListPage = await p.listPage(bucket, prefix, token, undefined, limit);
    keys.push(...page.items.map((o) => o.key));
    if (page.next === null) return { keys, pages };
    if (pages > 10_000) throw new Error('listPage never reached the last page');
    token = page.next;
  }
}

/** Drains an iterable, discarding its items (to see whether iterating fails). */
export async function consume(iterable: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of iterable) void _;
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

export function md5Hex(data: Buffer): string {
  return createHash('md5').update(data).digest('hex');
}
