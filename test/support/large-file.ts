// Writes a file of random bytes in 1 MiB chunks (never holding it whole in memory).
import { randomFillSync } from 'node:crypto';
import { open } from 'node:fs/promises';

export async function writeRandomFile(file: string, size: number): Promise<void> {
  const handle = await open(file, 'w');
  try {
    const chunk = Buffer.alloc(1024 * 1024);
    for (let written = 0; written < size; written += chunk.length) {
      randomFillSync(chunk);
      await handle.write(chunk, 0, Math.min(chunk.length, size - written));
    }
  } finally {
    await handle.close();
  }
}

/** Peak resident set (VmHWM) of a live process in bytes, from /proc; undefined once it has exited. */
export async function peakRss(pid: number): Promise<number | undefined> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => undefined);
  const kb = status?.match(/VmHWM:\s+(\d+) kB/)?.[1];
  return kb ? Number(kb) * 1024 : undefined;
}
