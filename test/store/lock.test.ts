// One process per database: the lock taken by openStore (electron/store/lock.ts), in this process
// and against child processes that hold it, race for it, or are killed while holding it.
import { spawn, type ChildProcess } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DatabaseLockedError, lockPathFor, openStore } from '../../electron/store';
import { REPO_ROOT, waitFor } from '../support/cli-child';
import { localConnection, mapping, tempDir, trackStore } from './fixtures';

const CHILD = path.join(import.meta.dirname, 'lock-holder-child.ts');

interface ChildReport {
  held: boolean;
  pid: number;
  runId?: number;
  holder?: { pid: number; host: string; since: number; command: string } | null;
  message?: string;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** Starts lock-holder-child.ts on `dbPath`; resolves with its one-line report. */
function startChild(dbPath: string): { child: ChildProcess; report: Promise<ChildReport> } {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dbPath], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const report = new Promise<ChildReport>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line && out.includes('\n')) resolve(JSON.parse(line) as ChildReport);
    });
    child.on('close', (code) => reject(new Error(`child exited (${code}) without a report: ${err}`)));
  });
  return { child, report };
}

function lockedError(fn: () => unknown): DatabaseLockedError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DatabaseLockedError) return err;
    throw err;
  }
  throw new Error('expected DatabaseLockedError, the store opened');
}

describe('database lock', () => {
  it('refuses a second open while the first is open, naming the holder; the next open after close works', () => {
    const dbPath = path.join(tempDir(), 'data.db');
    const before = Date.now();
    const first = openStore(dbPath);
    const err = lockedError(() => openStore(dbPath));
    expect(err.code).toBe('Locked');
    expect(err.holder).toMatchObject({ pid: process.pid, host: hostname() });
    expect(err.holder!.since).toBeGreaterThanOrEqual(before);
    expect(err.message).toContain(`pid ${process.pid} on ${hostname()}, since ${new Date(err.holder!.since).toISOString()}`);
    expect(err.message).toContain(dbPath);
    first.close();
    trackStore(openStore(dbPath));
  });

  it('refuses the same database reached through a symlinked folder', () => {
    const dir = tempDir();
    const alias = path.join(tempDir(), 'alias');
    symlinkSync(dir, alias);
    trackStore(openStore(path.join(dir, 'data.db')));
    expect(lockPathFor(path.join(alias, 'data.db'))).toBe(lockPathFor(path.join(dir, 'data.db')));
    expect(lockedError(() => openStore(path.join(alias, 'data.db'))).holder?.pid).toBe(process.pid);
  });

  it('a store opened read-only reads beside the holder, takes no lock and cannot write', () => {
    const dbPath = path.join(tempDir(), 'data.db');
    const holder = trackStore(openStore(dbPath));
    holder.connections.upsert(localConnection('src'));
    holder.connections.upsert(localConnection('dst'));
    holder.mappings.upsert(mapping('m1'));
    const run = holder.runs.start('m1', false);

    const reader = trackStore(openStore(dbPath, { readonly: true }));
    expect(reader.lock).toBeNull();
    expect(reader.runs.get(run.id)?.status).toBe('running');
    expect(() => reader.runs.markInterrupted()).toThrow(/readonly/);
    expect(holder.runs.get(run.id)?.status).toBe('running');
  });

  it('a live holder in another process is named; after SIGKILL the lock is free and only its run is marked interrupted', async () => {
    const dbPath = path.join(tempDir(), 'data.db');
    const { child, report } = startChild(dbPath);
    const held = await report;
    expect(held).toMatchObject({ held: true, pid: child.pid });

    const err = lockedError(() => openStore(dbPath));
    expect(err.holder).toMatchObject({ pid: child.pid, host: hostname(), command: expect.stringContaining('lock-holder-child.ts') });
    // Read-only inspection of the live holder's database: its run is running, untouched by the refused open.
    const reader = openStore(dbPath, { readonly: true });
    expect(reader.runs.get(held.runId!)?.status).toBe('running');
    reader.close();

    child.kill('SIGKILL');
    await waitFor(() => child.signalCode === 'SIGKILL', 10_000, 'the holder to die');
    const next = trackStore(openStore(dbPath));
    expect(next.lock?.holder.pid).toBe(process.pid);
    expect(next.runs.markInterrupted()).toBe(1);
    expect(next.runs.get(held.runId!)?.status).toBe('interrupted');
  });

  it('of processes starting at the same moment exactly one holds the database; the others name it', async () => {
    const dbPath = path.join(tempDir(), 'data.db');
    const reports = await Promise.all([0, 1, 2, 3].map(() => startChild(dbPath).report));
    const holders = reports.filter((r) => r.held);
    expect(holders).toHaveLength(1);
    for (const refused of reports.filter((r) => !r.held)) {
      expect(refused.holder?.pid).toBe(holders[0]!.pid);
      expect(refused.message).toContain(`pid ${holders[0]!.pid}`);
    }
  });
});
