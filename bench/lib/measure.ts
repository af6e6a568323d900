// Runs one command under /usr/bin/time and returns its wall time, CPU time and peak RSS.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface Measurement {
  seconds: number;
  /** User + system CPU of the command and its children (the client's; the servers run elsewhere). */
  cpuSeconds: number;
  peakRssMb: number;
  exitCode: number;
}

export async function measure(command: string, args: string[], env: NodeJS.ProcessEnv, label: string): Promise<Measurement> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cds-bench-'));
  const out = path.join(dir, 'time.txt');
  const child = spawn('/usr/bin/time', ['-f', '%e %M %U %S', '-o', out, command, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exitCode = await new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  const [seconds, kb, user, system] = (await readFile(out, 'utf8')).trim().split('\n').at(-1)!.split(' ').map(Number);
  await rm(dir, { recursive: true, force: true });
  if (exitCode !== 0) throw new Error(`${label} exited ${exitCode}:\n${stderr}`);
  return { seconds: seconds!, cpuSeconds: user! + system!, peakRssMb: kb! / 1024, exitCode };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
