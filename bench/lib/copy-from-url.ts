// The "S3 → Azure via copy-from-URL" row (issue 15): our CLI copies the large dataset from s3rver to
// Azure where Azure fetches each object from a presigned URL itself. Azurite cannot (it answers 501),
// so the target is the in-repo stand-in in front of Azurite (test/support/azure-url-standin.ts), which
// fetches the URL as Azure would. Beside it the same CLI run against plain Azurite, which streams every
// byte through us. Each run is timed and its bytes through our process counted at its TCP sockets
// (socket-bytes.cjs: requests and answers, listings and headers included). rclone has no such path: it
// streams every byte through itself (the s3→azure rows above).
import { mkdtemp, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startAzureUrlStandin } from '../../test/support/azure-url-standin';
import { startAzurite } from '../../test/support/azurite';
import type { S3TestServer } from '../../test/support/s3-server';
import type { Dataset } from './dataset';
import { measure, median, type Measurement } from './measure';
import type { WorkloadResult } from './report';
import { TOOLS, type Side } from './tools';

export const COPY_FROM_URL_WORKLOAD = 'S3 → Azure via copy-from-URL';

const SOCKET_BYTES = fileURLToPath(new URL('./socket-bytes.cjs', import.meta.url));

interface Measured extends Measurement {
  /** Bytes our process read and wrote on its sockets. */
  throughUs: number;
  /** Bytes the target fetched from source URLs itself (0 on plain Azurite). */
  fetchedByTarget: number;
}

/**
 * `seed(bucket)` fills an S3 bucket of `s3` with the dataset (not measured). Each repetition runs
 * the pulled and the streamed copy, alternately first, each on a fresh Azurite.
 */
export async function runCopyFromUrl(s3: S3TestServer, dataset: Dataset, reps: number, scratch: string, seed: (bucket: string) => Promise<void>): Promise<WorkloadResult> {
  const bucket = `src-${dataset.name}-seed`;
  await seed(bucket);
  const source: Side = { kind: 's3', endpoint: s3.endpoint, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, bucket };
  const pulled: Measured[] = [];
  const streamed: Measured[] = [];
  for (let rep = 0; rep < reps; rep++) {
    const order = rep % 2 === 0 ? (['pulled', 'streamed'] as const) : (['streamed', 'pulled'] as const);
    for (const route of order) {
      const m = await oneRun(source, route === 'pulled', dataset, scratch);
      console.log(`[bench]   rep ${rep + 1} ${route.padEnd(8)} ${m.seconds.toFixed(2)} s  ${mb(m.throughUs)} through us  ${mb(m.fetchedByTarget)} fetched by the target`);
      (route === 'pulled' ? pulled : streamed).push(m);
    }
  }
  const row = (tool: string, runs: Measured[], ratios: number[] | null) => ({
    tool,
    medianSeconds: median(runs.map((m) => m.seconds)),
    medianPeakRssMb: median(runs.map((m) => m.peakRssMb)),
    medianCpuMsPerObject: median(runs.map((m) => (m.cpuSeconds * 1000) / dataset.objects)),
    medianBytesThroughProcess: median(runs.map((m) => m.throughUs)),
    medianBytesFetchedByTarget: median(runs.map((m) => m.fetchedByTarget)),
    oursOverPeer: ratios === null ? null : median(ratios),
    runs: runs.map((m) => m.seconds),
  });
  return {
    workload: `${COPY_FROM_URL_WORKLOAD}, ${dataset.name}, cold`,
    objects: dataset.objects,
    bytes: dataset.bytes,
    tools: [
      row('cloud-data-sync, pulled (URL stand-in in front of Azurite)', pulled, null),
      row('cloud-data-sync, streamed (plain Azurite)', streamed, pulled.map((m, i) => m.seconds / streamed[i]!.seconds)),
    ],
    note: 'rclone: no copy-from-URL path, it streams every byte through itself (see s3→azure rows)',
  };
}

async function oneRun(source: Side, pull: boolean, dataset: Dataset, scratch: string): Promise<Measured> {
  const azurite = await startAzurite();
  const standin = pull ? await startAzureUrlStandin(azurite) : undefined;
  try {
    const endpointUrl = standin?.endpointUrl ?? azurite.endpointUrl;
    const target: Side = { kind: 'azure', endpointUrl, accountName: azurite.accountName, accountKey: azurite.accountKey, sasUrl: '', bucket: `cfu-${dataset.name}` };
    const stateDir = await mkdtemp(path.join(scratch, 'cfu-'));
    const bytesFile = path.join(stateDir, 'socket-bytes.json');
    // createTargetBucket is not in the CLI's config here: the container is made before the run, as for the other rows.
    const { BlobServiceClient, StorageSharedKeyCredential } = await import('@azure/storage-blob');
    await new BlobServiceClient(azurite.endpointUrl, new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey)).getContainerClient(target.bucket).create();
    const inv = await TOOLS[0]!.invocation(source, target, stateDir);
    const env = { ...inv.env, NODE_OPTIONS: `${inv.env.NODE_OPTIONS ?? ''} --require ${SOCKET_BYTES}`.trim(), CDS_BENCH_SOCKET_BYTES: bytesFile };
    const m = await measure(inv.command, inv.args, env, `copy-from-URL ${pull ? 'pulled' : 'streamed'}`);
    const counted = JSON.parse(await readFile(bytesFile, 'utf8')) as { read: number; written: number };
    // A row that says "pulled" only when the target really fetched every byte.
    if (standin && standin.fetched.bytes !== dataset.bytes) throw new Error(`copy-from-URL: the stand-in fetched ${standin.fetched.bytes} bytes of ${dataset.bytes}`);
    return { ...m, throughUs: counted.read + counted.written, fetchedByTarget: standin?.fetched.bytes ?? 0 };
  } finally {
    await standin?.stop();
    await azurite.stop();
  }
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
