// The `bwlimit` scenario: a mapping limited to 4 MiB/s copies 96 MiB from a local folder to s3rver
// (about 24 s), through the library's synchronizer, the engine the CLI runs. The rate is the run's own
// bytes over its own duration (listing included, process start-up not), reported as measured ÷ limit;
// it must be within ±10%.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createSynchronizer, memoryState, type Connection, type Mapping } from '../../electron/library';
import type { S3TestServer } from '../../test/support/s3-server';

export const BWLIMIT_LIMIT = '4M';
const LIMIT_BYTES = 4 * 1024 * 1024;
const OBJECTS = 8;
const OBJECT_BYTES = 12 * 1024 * 1024;

export interface BwLimitRun {
  seconds: number;
  bytes: number;
  /** Bytes per second the run achieved. */
  rate: number;
  /** rate ÷ the limit. */
  ratio: number;
}

export interface BwLimitResult {
  limit: string;
  limitBytes: number;
  objects: number;
  bytes: number;
  runs: BwLimitRun[];
  /** Every run within ±10% of the limit. */
  withinTenPercent: boolean;
}

export async function runBwLimit(s3: S3TestServer, reps: number): Promise<BwLimitResult> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'cds-bench-bw-'));
  try {
    await mkdir(path.join(root, 'src'), { recursive: true });
    // Random bytes: nothing on the way can compress them.
    for (let i = 0; i < OBJECTS; i++) await writeFile(path.join(root, 'src', `part-${i}.bin`), randomBytes(OBJECT_BYTES));
    const connections: Connection[] = [
      { id: 'disk', name: 'disk', type: 'local', local: { root } },
      { id: 's3rver', name: 's3rver', type: 'aws', aws: { region: 'us-east-1', endpoint: s3.endpoint, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } },
    ];
    const runs: BwLimitRun[] = [];
    for (let rep = 0; rep < reps; rep++) {
      const mapping: Mapping = {
        id: `bwlimit-${rep}`, name: `bwlimit ${rep}`,
        sourceConnectionId: 'disk', sourceBucket: 'src', sourcePrefix: '',
        targetConnectionId: 's3rver', targetBucket: `bwlimit-${rep}-${Date.now()}`, targetPrefix: '',
        transfers: 4, deleteMode: 'mirror', maxDelete: null, dryRun: false, enabled: true, intervalSeconds: null,
        createTargetBucket: true, bwLimit: BWLIMIT_LIMIT,
      };
      const synchronizer = createSynchronizer({ connections, mappings: [mapping], state: memoryState() });
      try {
        const { run } = await synchronizer.sync(mapping.id);
        if (run.status !== 'success') throw new Error(`bwlimit run ${rep + 1} ended ${run.status}: ${run.firstError}`);
        const seconds = run.durationMs! / 1000;
        const rate = run.bytesCopied / seconds;
        runs.push({ seconds, bytes: run.bytesCopied, rate, ratio: rate / LIMIT_BYTES });
        console.log(`[bench]   rep ${rep + 1} bwlimit ${BWLIMIT_LIMIT}: ${(run.bytesCopied / 2 ** 20).toFixed(0)} MiB in ${seconds.toFixed(2)} s = ${(rate / 2 ** 20).toFixed(3)} MiB/s (${(rate / LIMIT_BYTES).toFixed(3)} of the limit)`);
      } finally {
        await synchronizer.close();
      }
    }
    return {
      limit: BWLIMIT_LIMIT,
      limitBytes: LIMIT_BYTES,
      objects: OBJECTS,
      bytes: OBJECTS * OBJECT_BYTES,
      runs,
      withinTenPercent: runs.every((r) => Math.abs(r.ratio - 1) <= 0.1),
    };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
