// Benchmark datasets, generated once with a fixed seed into bench/.data/ (git-ignored) and reused.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { mulberry32 } from '../../test/support/prng';

export interface Dataset {
  name: 'small' | 'large' | 'huge';
  /** Folder holding the objects (a local-provider bucket). */
  dir: string;
  objects: number;
  bytes: number;
  /** One key (relative) that the "one changed" workload rewrites. */
  sampleKey: string;
}

/** Deterministic PRNG (mulberry32), so every run of the bench syncs the same bytes. */
export const prng = mulberry32;

function fill(buffer: Buffer, random: () => number): void {
  for (let i = 0; i < buffer.length; i += 4) buffer.writeUInt32LE(Math.floor(random() * 0x100000000), Math.min(i, buffer.length - 4));
}

export async function ensureDataset(root: string, name: Dataset['name']): Promise<Dataset> {
  const dir = path.join(root, name);
  const manifestFile = path.join(root, `${name}.json`);
  if (existsSync(manifestFile)) return { ...(JSON.parse(await readFile(manifestFile, 'utf8')) as Dataset), dir };
  await rm(dir, { recursive: true, force: true });
  const random = prng(name === 'small' ? 1 : name === 'large' ? 2 : 3);
  let dataset: Dataset;
  if (name === 'small') {
    // 5,000 objects of 1–16 KB in nested prefixes (10 × 8 folders).
    let bytes = 0;
    for (let i = 0; i < 5_000; i++) {
      const size = 1024 + Math.floor(random() * 15 * 1024);
      const file = path.join(dir, smallKey(i));
      await mkdir(path.dirname(file), { recursive: true });
      const body = Buffer.alloc(size);
      fill(body, random);
      await writeFile(file, body);
      bytes += size;
    }
    dataset = { name, dir, objects: 5_000, bytes, sampleKey: smallKey(2_343) };
  } else {
    const count = name === 'large' ? 20 : 1;
    const size = name === 'large' ? 16 * 1024 * 1024 : 1024 * 1024 * 1024;
    await mkdir(dir, { recursive: true });
    for (let i = 0; i < count; i++) await writeStreamed(path.join(dir, `blob-${String(i).padStart(2, '0')}.bin`), size, random);
    dataset = { name, dir, objects: count, bytes: count * size, sampleKey: 'blob-00.bin' };
  }
  await writeFile(manifestFile, JSON.stringify(dataset));
  return dataset;
}

function smallKey(i: number): string {
  return `region-${i % 10}/day-${Math.floor(i / 10) % 8}/object-${String(i).padStart(5, '0')}.bin`;
}

async function writeStreamed(file: string, size: number, random: () => number): Promise<void> {
  const handle = await open(file, 'w');
  const chunk = Buffer.alloc(1024 * 1024);
  try {
    for (let written = 0; written < size; written += chunk.length) {
      fill(chunk, random);
      await handle.write(chunk, 0, Math.min(chunk.length, size - written));
    }
  } finally {
    await handle.close();
  }
}

/** Rewrites one object with new bytes of the same size: the "one changed object" workload. */
export async function changeOneObject(dataset: Dataset, round: number): Promise<void> {
  const file = path.join(dataset.dir, dataset.sampleKey);
  const body = await readFile(file);
  body.write(createHash('md5').update(`round-${round}`).digest('hex'), 0);
  await writeFile(file, body);
}
