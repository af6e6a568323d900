// Helpers to seed and inspect buckets through the provider interface.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ObjectInfo, StorageProvider, WriteOptions } from '../../electron/providers/provider';

export async function putText(provider: StorageProvider, bucket: string, key: string, text: string | Buffer, options?: WriteOptions): Promise<void> {
  const body = Buffer.isBuffer(text) ? text : Buffer.from(text);
  await provider.write(bucket, key, async () => Readable.from([body]), body.length, options);
}

export async function readAll(provider: StorageProvider, bucket: string, key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await provider.read(bucket, key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function listAll(provider: StorageProvider, bucket: string, prefix = ''): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  for await (const info of provider.list(bucket, prefix)) out.push(info);
  return out;
}

/** key → MD5 of content for every object under the prefix (keys relative to the prefix). */
export async function contentMap(provider: StorageProvider, bucket: string, prefix = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const info of await listAll(provider, bucket, prefix)) {
    out[info.key.slice(prefix.length)] = createHash('md5').update(await readAll(provider, bucket, info.key)).digest('hex');
  }
  return out;
}

/** Deterministic pseudo-random bytes, so a "changed" object can keep its size. */
export function bytes(seed: number, size: number): Buffer {
  const out = Buffer.alloc(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

let counter = 0;
/** A bucket name valid on every provider, unique within the process. */
export function uniqueBucket(label: string): string {
  counter++;
  return `${label}-${process.pid}-${counter}-${Math.random().toString(36).slice(2, 6)}`.toLowerCase();
}
