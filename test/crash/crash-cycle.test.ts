// Crash cycles: the real CLI (`--once`) syncing a local folder to s3rver and to another local folder
// (and its large object alone to moto, the S3 server that can list open multipart uploads) is killed with SIGKILL at seeded moments — while listing, after N objects were recorded as synced,
// part way through a multipart upload of a large object — and then run once more without being
// killed. That clean run must end `success` with exit code 0, every source object must be at both
// targets with equal bytes, and the invariants (test/support/invariants.ts) must hold.
// Moments are states (a log line, rows in the database, bytes through the proxy), never sleeps.
// Replay a failure with FAULT_SEED=<seed printed below>.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config';
import type { Mapping } from '../../shared/model';
import { openStore } from '../../electron/store';
import { createLocalProvider } from '../../electron/providers/local';
import { PARTIAL_MARKER } from '../../electron/providers/local-names';
import { createS3Provider } from '../../electron/providers/s3';
import { awsSettingsFor, startS3Server, type S3TestServer } from '../support/s3-server';
import { startMotoServer } from '../support/moto-server';
import { spawnCli, waitFor, type CliChild } from '../support/cli-child';
import { writeRandomFile } from '../support/large-file';
import { bytes } from '../support/objects';
import { seedFromEnv, startFaultProxy, type FaultProxy, type Traffic } from '../support/fault-proxy';
import { mulberry32 } from '../support/prng';
import { checkInvariants, formatReport, localOpenUploads, runsSince, s3OpenUploads, type InvariantReport } from '../support/invariants';

const SEED = seedFromEnv(20_251_109);
const CYCLES = 10;
const SMALL_OBJECTS = 2_000;
/** Above the S3 provider's 64 MiB single-request limit, so it goes up in 8 MiB parts. */
const LARGE_BYTES = 80 * 1024 * 1024;
const LARGE_KEY = 'big/large.bin';
const STATE_TIMEOUT_MS = 90_000;

type KillMoment =
  | { kind: 'listing' }
  | { kind: 'synced'; mappingId: string; atLeast: number }
  /** Bytes of the large object sent to an S3 connection (through its proxy) in this cycle. */
  | { kind: 'large-upload'; connection: string; bytes: number }
  /** Bytes of the large object's partial file in the local target folder. */
  | { kind: 'large-local-write'; bytes: number };

describe('crash cycles: SIGKILL at seeded moments, then a clean run', () => {
  let dir: string;
  let root: string;
  let s3: S3TestServer;
  let proxy: FaultProxy;
  let moto: S3TestServer;
  let motoProxy: FaultProxy;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cds-crash-'));
    root = path.join(dir, 'disk');
    s3 = await startS3Server();
    // Transparent: it only lets the test see how far the large upload got.
    proxy = await startFaultProxy({ upstream: s3.endpoint, seed: SEED });
    moto = await startMotoServer();
    motoProxy = await startFaultProxy({ upstream: moto.endpoint, seed: SEED });
    for (let i = 0; i < SMALL_OBJECTS; i++) {
      const file = path.join(root, 'src', `d${String(i % 25).padStart(2, '0')}`, `f${String(i).padStart(4, '0')}.txt`);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, bytes(SEED + i, 64 + ((i * 7919) % 2_000)));
    }
    await mkdir(path.join(root, 'src', 'big'), { recursive: true });
    await writeRandomFile(path.join(root, 'src', LARGE_KEY), LARGE_BYTES);
    await mkdir(path.join(root, 'dst'), { recursive: true });
  }, 120_000);
  afterAll(async () => {
    await Promise.allSettled([proxy?.stop(), motoProxy?.stop()]);
    await Promise.allSettled([s3?.stop(), moto?.stop()]);
    await rm(dir, { recursive: true, force: true });
  });

  it('loses nothing and records nothing falsely as synced', { timeout: 300_000 }, async () => {
    const bucket = 'crash-target';
    const largeBucket = 'crash-large';
    const direct = createS3Provider(awsSettingsFor(s3));
    const directMoto = createS3Provider(awsSettingsFor(moto));
    await direct.createBucket(bucket);
    await directMoto.createBucket(largeBucket);
    const dbPath = path.join(dir, 'state.db');
    const configFile = path.join(dir, 'config.json');
    const text = JSON.stringify({
      databasePath: dbPath,
      providers: [
        { id: 'disk', type: 'local', local: { root } },
        { id: 's3', type: 'aws', aws: { region: 'us-east-1', endpoint: proxy.url, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } },
        { id: 'moto', type: 'aws', aws: { region: 'us-east-1', endpoint: motoProxy.url, accessKeyId: moto.accessKeyId, secretAccessKey: moto.secretAccessKey } },
      ],
      mappings: [
        // The CLI runs them in this order; the cycles are shared out among them (chooseMoment).
        { sourceProviderId: 'disk', sourceBucket: 'src', targetProviderId: 'disk', targetBucket: 'dst' },
        { sourceProviderId: 'disk', sourceBucket: 'src', sourcePrefix: 'big/', targetProviderId: 'moto', targetBucket: largeBucket },
        { sourceProviderId: 'disk', sourceBucket: 'src', targetProviderId: 's3', targetBucket: bucket },
      ],
    });
    await writeFile(configFile, text);
    const mappings = parseConfig(text).mappings;

    const random = mulberry32(SEED);
    const progress = new DbProgress(dbPath);
    const figures = { cycles: 0, killed: 0, finishedBeforeKill: 0, moments: [] as string[] };
    try {
      for (let cycle = 0; cycle < CYCLES; cycle++) {
        figures.cycles++;
        const largeTraffic = {
          s3: proxy.watch({ method: 'PUT', path: new RegExp(`^/${bucket}/${LARGE_KEY}$`) }),
          moto: motoProxy.watch({ method: 'PUT', path: new RegExp(`^/${largeBucket}/${path.basename(LARGE_KEY)}$`) }),
        };
        const moment = chooseMoment(random, mappings, progress, cycle);
        figures.moments.push(describeMoment(moment));
        const cli = spawnCli(['--config', configFile, '--once'], dir);
        const reached = await waitForMoment(cli, moment, progress, largeTraffic, path.join(root, 'dst', path.dirname(LARGE_KEY)));
        if (reached) {
          cli.child.kill('SIGKILL');
          figures.killed++;
        } else figures.finishedBeforeKill++;
        await cli.exit;
      }
    } finally {
      progress.close();
    }

    // The clean run: nothing kills it.
    const clean = spawnCli(['--config', configFile, '--once'], dir);
    const code = await Promise.race([clean.exit, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 150_000))]);
    if (code === 'timeout') clean.child.kill('SIGKILL');
    const context = `seed ${SEED} (replay: FAULT_SEED=${SEED}); kill moments: ${figures.moments.join(', ')}\nclean run stdout:\n${clean.stdout()}\nstderr (end):\n${clean.stderr().slice(-2_000)}`;
    expect(code, context).toBe(0);

    const store = openStore(dbPath);
    const local = createLocalProvider({ root });
    const reports: InvariantReport[] = [];
    try {
      for (const mapping of mappings) {
        const runs = runsSince(store, mapping.id, 0);
        expect(runs.at(-1)?.status, context).toBe('success');
        const target = { s3: direct, moto: directMoto }[mapping.targetConnectionId] ?? local;
        const report = await checkInvariants({
          store,
          mapping,
          source: local,
          target,
          targetBefore: new Map(),
          runs,
          exit: { code: code as number },
          complete: true,
          openUploads:
            mapping.targetConnectionId === 's3' ? s3OpenUploads(awsSettingsFor(s3), bucket)
              : mapping.targetConnectionId === 'moto' ? s3OpenUploads(awsSettingsFor(moto), largeBucket)
                : localOpenUploads(root, 'dst'),
        });
        reports.push(report);
        console.log(formatReport(`crash cycles → ${mapping.targetConnectionId}:${mapping.targetBucket}`, report));
      }
    } finally {
      store.close();
      await local.close();
      await direct.close();
      await directMoto.close();
    }
    const sum = (f: (r: InvariantReport) => number) => reports.reduce((n, r) => n + f(r), 0);
    console.log(
      `crash cycles: seed ${SEED}, cycles ${figures.cycles} (killed ${figures.killed}, finished before the moment ${figures.finishedBeforeKill}), ` +
        `objects checked ${sum((r) => r.objectsChecked)}, objects lost ${sum((r) => r.lost)}, false synced ${sum((r) => r.falseSynced)}; ` +
        `moments: ${figures.moments.join(', ')}`,
    );
    expect(reports.flatMap((r) => r.violations), context).toEqual([]);
  });
});

/**
 * A seeded moment among the progress states of one mapping: the cycles are shared out among the
 * mappings in order (the first third aim at the first one, and so on), and a mapping already
 * complete passes its turn to the next one that is not. Always aiming at the first incomplete one
 * left the last mapping without a kill in 10 cycles; picking any incomplete one at random left the
 * first without any (reaching a later mapping completes the earlier ones). The moments: its listing,
 * N objects recorded as synced, or part way through the large object.
 */
function chooseMoment(random: () => number, mappings: readonly Mapping[], progress: DbProgress, cycle: number): KillMoment {
  const objects = (m: Mapping) => (LARGE_KEY.startsWith(m.sourcePrefix) ? 1 : 0) + (m.sourcePrefix === '' ? SMALL_OBJECTS : 0);
  const incomplete = (m: Mapping) => progress.synced(m.id) < objects(m);
  const turn = Math.min(mappings.length - 1, Math.floor((cycle * mappings.length) / CYCLES));
  const mapping = mappings.slice(turn).find(incomplete) ?? mappings.find(incomplete) ?? mappings[mappings.length - 1]!;
  const r = random();
  if (r < 0.15) return { kind: 'listing' };
  // A mapping of the large object alone is aimed at mid-upload more often: that is where its kills matter.
  const largeShare = objects(mapping) === 1 ? 0.75 : 0.45;
  if (r < largeShare && !progress.has(mapping.id, LARGE_KEY.slice(mapping.sourcePrefix.length))) {
    const bytes = 1 + Math.floor(random() * 0.9 * LARGE_BYTES);
    return mapping.targetConnectionId === 'disk' ? { kind: 'large-local-write', bytes } : { kind: 'large-upload', connection: mapping.targetConnectionId, bytes };
  }
  const step = Math.ceil(objects(mapping) / 3);
  return { kind: 'synced', mappingId: mapping.id, atLeast: Math.min(objects(mapping), progress.synced(mapping.id) + 1 + Math.floor(random() * step)) };
}

function describeMoment(m: KillMoment): string {
  switch (m.kind) {
    case 'listing':
      return 'listing';
    case 'synced':
      return `${m.mappingId} synced≥${m.atLeast}`;
    case 'large-upload':
      return `${m.connection} large-upload≥${(m.bytes / 1024 / 1024).toFixed(1)}MiB`;
    case 'large-local-write':
      return `large-local-write≥${(m.bytes / 1024 / 1024).toFixed(1)}MiB`;
  }
}

/** Waits until the moment comes (true) or the child exits first (false); bounded. */
async function waitForMoment(cli: CliChild, moment: KillMoment, progress: DbProgress, large: Record<string, Traffic>, localLargeDir: string): Promise<boolean> {
  let exited = false;
  void cli.exit.then(() => (exited = true));
  const startedRuns = () => cli.stderr().match(/Run started/g)?.length ?? 0;
  const reached = (): boolean => {
    switch (moment.kind) {
      case 'listing':
        return startedRuns() > 0;
      case 'synced':
        return progress.synced(moment.mappingId) >= moment.atLeast;
      case 'large-upload':
        return (large[moment.connection]?.requestBytes ?? 0) >= moment.bytes;
      case 'large-local-write':
        return partialBytes(localLargeDir) >= moment.bytes;
    }
  };
  await waitFor(() => exited || reached(), STATE_TIMEOUT_MS, `kill moment ${describeMoment(moment)}`);
  return !exited && reached();
}

/** Size of the biggest partial file (the local provider's PARTIAL_MARKER names) in a folder. */
function partialBytes(dir: string): number {
  try {
    return Math.max(0, ...readdirSync(dir).filter((n) => n.includes(PARTIAL_MARKER)).map((n) => statSync(path.join(dir, n)).size));
  } catch {
    return 0;
  }
}

/**
 * Rows recorded as synced, read from the CLI's database while it runs (a read-only connection: WAL
 * lets it read beside the writer; the file appears only once the CLI created it).
 */
class DbProgress {
  private db: Database.Database | undefined;
  private readonly counts = new Map<string, number>();

  constructor(private readonly file: string) {}

  synced(mappingId: string): number {
    const n = this.query((db) => db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM objects WHERE mapping_id = ?').get(mappingId)?.n);
    if (n !== undefined) this.counts.set(mappingId, n);
    return this.counts.get(mappingId) ?? 0;
  }

  has(mappingId: string, key: string): boolean {
    return this.query((db) => db.prepare<[string, string], { n: number }>('SELECT count(*) AS n FROM objects WHERE mapping_id = ? AND key = ?').get(mappingId, key)?.n) === 1;
  }

  close(): void {
    this.db?.close();
  }

  private query<T>(read: (db: Database.Database) => T): T | undefined {
    try {
      if (!this.db) {
        if (!existsSync(this.file)) return undefined;
        this.db = new Database(this.file, { readonly: true, fileMustExist: true });
      }
      return read(this.db);
    } catch {
      return undefined; // not migrated yet, or busy for a moment: the caller keeps its last figure
    }
  }
}
