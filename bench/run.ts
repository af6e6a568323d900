// `npm run bench`: this project's CLI against rclone (default and tuned) and `aws s3 sync` on the same
// loopback servers and the same data, alternating tools within each repetition, plus the servers'
// own PUT ceiling; the CLI's startup (`--version`, bench/lib/startup.ts, timed at every run); and the
// `bwlimit` scenario (a bandwidth-limited run's measured rate against its limit, bench/lib/bwlimit.ts).
// Writes bench/results/latest.md and latest.json.
//
// Also the copy-from-URL row (bench/lib/copy-from-url.ts): S3 → Azure where Azure fetches the bytes.
//
// Flags: --reps N (default 3), --huge (adds the 1 GB object), --only TEXT (workloads whose name contains
// TEXT; their rows replace the same rows of the previous results, the others are kept), --wan 20,80
// (adds the WAN profile: the small and large workloads again, local→s3 and s3→azure, with every server
// behind test/support/latency-proxy.ts at each round trip given, in ms; their names read
// "local→s3 (20 ms RTT) small", so `--wan 20 --only "(20 ms RTT) small"` runs just those).
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startS3Server, type S3TestServer } from '../test/support/s3-server';
import { createS3Provider } from '../electron/providers/s3';
import { REPO_ROOT } from '../test/support/cli-child';
import { changeOneObject, ensureDataset, type Dataset } from './lib/dataset';
import { measure, median, type Measurement } from './lib/measure';
import { TOOLS, type Side, type Tool } from './lib/tools';
import { startAzureTarget, type AzureTarget } from './lib/azure-target';
import { renderReport, type WorkloadResult } from './lib/report';
import { buildCli } from './lib/build-cli';
import { ensurePeersInstalled } from './lib/peers-install';
import { runBwLimit, type BwLimitResult } from './lib/bwlimit';
import { startLatencyProxy, type LatencyProxy } from '../test/support/latency-proxy';
import { measureStartup } from './lib/startup';
import { COPY_FROM_URL_WORKLOAD, runCopyFromUrl } from './lib/copy-from-url';

interface Options { reps: number; huge: boolean; only: string | undefined; wan: number[] }

function parseOptions(argv: string[]): Options {
  const options: Options = { reps: 3, huge: false, only: undefined, wan: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--reps') options.reps = Number(argv[++i]);
    else if (argv[i] === '--huge') options.huge = true;
    else if (argv[i] === '--only') options.only = argv[++i];
    else if (argv[i] === '--wan') options.wan = (argv[++i] ?? '').split(',').map(Number);
    else throw new Error(`unknown flag ${argv[i]}`);
  }
  if (!Number.isInteger(options.reps) || options.reps < 1) throw new Error('--reps must be a positive integer');
  if (options.wan.some((rtt) => !Number.isInteger(rtt) || rtt < 1)) throw new Error('--wan takes round trips in whole ms, e.g. --wan 20,80');
  return options;
}

type Phase = 'cold' | 'no change' | 'one changed';
type PairKind = 'local→s3' | 's3→azure' | 's3→s3 (same connection)';

interface Workload {
  pair: PairKind;
  dataset: Dataset;
  phases: Phase[];
  /** Round trip added by the latency proxy in front of every server, in ms; 0 = straight to loopback. */
  rttMs: number;
}

/** The pair as rows and --only name it: `local→s3`, or `local→s3 (20 ms RTT)` in the WAN profile. */
function pairLabel(workload: Workload): string {
  return workload.rttMs > 0 ? `${workload.pair} (${workload.rttMs} ms RTT)` : workload.pair;
}

/** The peers measured behind the proxy: rclone, default and tuned (the issue's targets compare with them). */
const WAN_TOOLS = new Set(['cloud-data-sync', 'rclone', 'rclone tuned']);

const TSX = path.join(REPO_ROOT, 'node_modules/tsx/dist/cli.mjs');

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  ensurePeersInstalled();
  const dataRoot = path.join(REPO_ROOT, 'bench/.data');
  await mkdir(dataRoot, { recursive: true });
  console.log('[bench] bundling the CLI and preparing datasets (cached in bench/.data)…');
  await buildCli();
  const small = await ensureDataset(dataRoot, 'small');
  const large = await ensureDataset(dataRoot, 'large');
  const datasets = options.huge ? [small, large, await ensureDataset(dataRoot, 'huge')] : [small, large];

  const workloads: Workload[] = [];
  for (const dataset of datasets) {
    const phases: Phase[] = dataset.name === 'small' ? ['cold', 'no change', 'one changed'] : ['cold', 'no change'];
    workloads.push({ pair: 'local→s3', dataset, phases, rttMs: 0 }, { pair: 's3→azure', dataset, phases, rttMs: 0 });
  }
  workloads.push({ pair: 's3→s3 (same connection)', dataset: small, phases: ['cold'], rttMs: 0 });
  for (const rttMs of options.wan) {
    for (const dataset of [small, large]) {
      const phases: Phase[] = dataset.name === 'small' ? ['cold', 'no change', 'one changed'] : ['cold', 'no change'];
      workloads.push({ pair: 'local→s3', dataset, phases, rttMs }, { pair: 's3→azure', dataset, phases, rttMs });
    }
  }
  const selected = workloads.filter((w) => !options.only || `${pairLabel(w)} ${w.dataset.name}`.includes(options.only));
  const bwlimitSelected = !options.only || BWLIMIT_WORKLOAD.includes(options.only);
  const copyFromUrlSelected = !options.only || `${COPY_FROM_URL_WORKLOAD}, ${large.name}, cold`.includes(options.only);

  const machine = `${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const command = `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim();
  // Timed before any server starts, on an otherwise idle machine: the CLI's own start.
  console.log('[bench] startup: cloud-data-sync --version');
  const startup = measureStartup();
  const s3 = await startS3Server();
  const results: WorkloadResult[] = [];
  let bwlimit: BwLimitResult | undefined;
  // Written after every workload too (merged with the previous rows), so a run stopped part way, e.g.
  // to make room for a CI check, keeps what it measured.
  const save = async (done: boolean): Promise<string> => {
    const merged = options.only || !done ? await mergeWithPrevious(results) : results;
    const { markdown, json } = renderReport(merged, { date: new Date().toISOString(), machine, reps: options.reps, command: done ? command : `${command} (stopped after ${results.length} rows)` }, bwlimit ?? (await previousBwLimit()), startup);
    await mkdir(path.join(REPO_ROOT, 'bench/results'), { recursive: true });
    await writeFile(path.join(REPO_ROOT, 'bench/results/latest.md'), markdown);
    await writeFile(path.join(REPO_ROOT, 'bench/results/latest.json'), `${JSON.stringify(json, null, 2)}\n`);
    return markdown;
  };
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'cds-bench-state-'));
  try {
    for (const workload of selected) {
      console.log(`[bench] ${pairLabel(workload)}, ${workload.dataset.name} (${workload.dataset.objects} objects)`);
      results.push(...(await runWorkload(workload, s3, options.reps, scratch)));
      // The servers' own ceiling is a loopback figure; behind the proxy it would measure the proxy.
      if (workload.pair !== 's3→s3 (same connection)' && workload.rttMs === 0) results.push(await ceiling(workload, s3, options.reps));
      await save(false);
    }
    if (copyFromUrlSelected) {
      console.log(`[bench] ${COPY_FROM_URL_WORKLOAD}, ${large.name} (${large.objects} objects)`);
      results.push(await runCopyFromUrl(s3, large, options.reps, scratch, (bucket) => seedS3(s3, large, bucket, scratch)));
      await save(false);
    }
    if (bwlimitSelected) {
      console.log(`[bench] ${BWLIMIT_WORKLOAD}`);
      bwlimit = await runBwLimit(s3, options.reps);
    }
  } finally {
    await s3.stop();
    await rm(scratch, { recursive: true, force: true });
  }
  console.log(await save(true));
  if (bwlimitSelected && bwlimit && !bwlimit.withinTenPercent) {
    console.error('[bench] bwlimit: a measured rate is more than 10% away from the limit');
    process.exitCode = 1;
  }
}

const BWLIMIT_WORKLOAD = 'bwlimit local→s3';

/** The bwlimit result of the previous latest.json, kept when --only leaves the scenario out. */
async function previousBwLimit(): Promise<BwLimitResult | undefined> {
  const file = path.join(REPO_ROOT, 'bench/results/latest.json');
  return readFile(file, 'utf8').then((text) => (JSON.parse(text) as { bwlimit?: BwLimitResult }).bwlimit, () => undefined);
}

/**
 * With --only, the rows measured now replace their namesakes in the previous latest.json and the
 * other rows are kept, so one workload can be re-measured without re-running everything.
 */
async function mergeWithPrevious(fresh: WorkloadResult[]): Promise<WorkloadResult[]> {
  const file = path.join(REPO_ROOT, 'bench/results/latest.json');
  const previous = await readFile(file, 'utf8').then((text) => (JSON.parse(text) as { results: WorkloadResult[] }).results, () => []);
  const byName = new Map(fresh.map((r) => [r.workload, r]));
  const kept = previous.map((r) => byName.get(r.workload) ?? r);
  return [...kept, ...fresh.filter((r) => !previous.some((p) => p.workload === r.workload))];
}

/** Seeds an S3 source bucket from a dataset folder once (with our own CLI; not measured). */
async function seedS3(s3: S3TestServer, dataset: Dataset, bucket: string, scratch: string): Promise<void> {
  const provider = createS3Provider({ region: 'us-east-1', endpoint: s3.endpoint, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
  await provider.createBucket(bucket);
  await provider.close();
  // One state per seeded bucket, so re-seeding after a change uploads only what changed.
  const dir = path.join(scratch, `seed-${bucket}`);
  await mkdir(dir, { recursive: true });
  const source: Side = { kind: 'local', root: path.dirname(dataset.dir), bucket: path.basename(dataset.dir) };
  const invocation = await TOOLS[0]!.invocation(source, s3Side(s3, bucket), dir);
  await measure(invocation.command, invocation.args, invocation.env, 'seed');
}

function s3Side(s3: S3TestServer, bucket: string): Side {
  return { kind: 's3', endpoint: s3.endpoint, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, bucket };
}

/** A latency proxy in front of the server a URL points at (WAN profile). */
function proxyFor(url: string, rttMs: number): Promise<LatencyProxy> {
  const { hostname, port } = new URL(url);
  return startLatencyProxy({ target: { host: hostname, port: Number(port) }, rttMs });
}

/** The same side reached through the proxy: every tool talks to the server through it. */
function viaProxy(side: Side, proxy: LatencyProxy | undefined): Side {
  if (!proxy || side.kind === 'local') return side;
  if (side.kind === 's3') return { ...side, endpoint: proxy.rewrite(side.endpoint) };
  return { ...side, endpointUrl: proxy.rewrite(side.endpointUrl), sasUrl: proxy.rewrite(side.sasUrl) };
}

async function runWorkload(workload: Workload, s3: S3TestServer, reps: number, scratch: string): Promise<WorkloadResult[]> {
  const { dataset, pair } = workload;
  const samples = new Map<string, Measurement[]>(); // `${phase}|${tool}` → per repetition
  const record = (phase: Phase, tool: Tool, m: Measurement) => {
    const key = `${phase}|${tool.name}`;
    samples.set(key, [...(samples.get(key) ?? []), m]);
  };
  const sourceBucket = `src-${dataset.name}-${pair === 'local→s3' ? 'unused' : 'seed'}`;
  if (pair !== 'local→s3') await seedS3(s3, dataset, sourceBucket, scratch);
  // Seeding and bucket creation go straight to the servers; only the measured runs pay the latency.
  const s3Proxy = workload.rttMs > 0 ? await proxyFor(s3.endpoint, workload.rttMs) : undefined;

  try {
    for (let rep = 0; rep < reps; rep++) {
      // A fresh Azurite per repetition: its garbage collection freezes it after mass deletes.
      const azure: AzureTarget | undefined = pair === 's3→azure' ? await startAzureTarget() : undefined;
      const azureProxy = azure && workload.rttMs > 0 ? await proxyFor(azure.endpointUrl, workload.rttMs) : undefined;
      try {
        const source: Side = pair === 'local→s3' ? { kind: 'local', root: path.dirname(dataset.dir), bucket: path.basename(dataset.dir) } : viaProxy(s3Side(s3, sourceBucket), s3Proxy);
        const tools = TOOLS.filter((t) => (workload.rttMs === 0 || WAN_TOOLS.has(t.name)) && t.supports(source, pair === 's3→azure' ? azure!.side('x') : s3Side(s3, 'x')));
        const targets = new Map<string, { side: Side; stateDir: string }>();
        for (const [i, tool] of tools.entries()) {
          const bucket = `t${rep}-${i}-${dataset.name}${workload.rttMs > 0 ? `-w${workload.rttMs}` : ''}`;
          const side = azure ? viaProxy(azure.side(bucket), azureProxy) : viaProxy(s3Side(s3, bucket), s3Proxy);
          if (azure) await azure.createContainer(bucket);
          else await createS3Bucket(s3, bucket);
          targets.set(tool.name, { side, stateDir: await mkdtemp(path.join(scratch, 'state-')) });
        }
        for (const phase of workload.phases) {
          if (phase === 'one changed') await changeSource(workload, s3, sourceBucket, rep, scratch);
          // Alternate which tool goes first, so a warm cache never favours the same one.
          const order = rep % 2 === 0 ? tools : [...tools].reverse();
          for (const tool of order) {
            const { side, stateDir } = targets.get(tool.name)!;
            const inv = await tool.invocation(source, side, stateDir);
            const m = await measure(inv.command, inv.args, inv.env, `${tool.name} ${pairLabel(workload)} ${dataset.name} ${phase}`);
            console.log(`[bench]   rep ${rep + 1} ${phase.padEnd(11)} ${tool.name.padEnd(16)} ${m.seconds.toFixed(2)} s  ${((m.cpuSeconds * 1000) / dataset.objects).toFixed(2)} ms CPU/object  ${m.peakRssMb.toFixed(0)} MB`);
            record(phase, tool, m);
          }
        }
      } finally {
        await azureProxy?.close();
        await azure?.stop();
      }
    }
  } finally {
    await s3Proxy?.close();
  }
  const results: WorkloadResult[] = [];
  for (const phase of workload.phases) {
    const ours = samples.get(`${phase}|${TOOLS[0]!.name}`) ?? [];
    const tools = TOOLS.filter((t) => samples.has(`${phase}|${t.name}`));
    results.push({
      workload: `${pairLabel(workload)}, ${dataset.name}, ${phase}`,
      rttMs: workload.rttMs,
      objects: dataset.objects,
      bytes: dataset.bytes,
      tools: tools.map((t) => {
        const runs = samples.get(`${phase}|${t.name}`)!;
        // Ratio per repetition (same conditions), then the median of those ratios.
        const ratios = runs.map((m, i) => ours[i]!.seconds / m.seconds);
        return {
          tool: t.name,
          medianSeconds: median(runs.map((m) => m.seconds)),
          medianPeakRssMb: median(runs.map((m) => m.peakRssMb)),
          medianCpuMsPerObject: median(runs.map((m) => (m.cpuSeconds * 1000) / dataset.objects)),
          oursOverPeer: t === TOOLS[0] ? null : median(ratios),
          runs: runs.map((m) => m.seconds),
        };
      }),
    });
  }
  return results;
}

async function createS3Bucket(s3: S3TestServer, bucket: string): Promise<void> {
  const provider = createS3Provider({ region: 'us-east-1', endpoint: s3.endpoint, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
  await provider.createBucket(bucket);
  await provider.close();
}

async function changeSource(workload: Workload, s3: S3TestServer, sourceBucket: string, rep: number, scratch: string): Promise<void> {
  await changeOneObject(workload.dataset, rep);
  // An S3 source gets the changed object too (re-seeding only uploads that one object).
  if (workload.pair !== 'local→s3') await seedS3(s3, workload.dataset, sourceBucket, scratch);
}

/** The same data PUT in parallel with nothing else going on: the server's ceiling for this workload. */
async function ceiling(workload: Workload, s3: S3TestServer, reps: number): Promise<WorkloadResult> {
  const runs: Measurement[] = [];
  for (let rep = 0; rep < reps; rep++) {
    let base: string;
    let query = '';
    let azure: AzureTarget | undefined;
    if (workload.pair === 's3→azure') {
      azure = await startAzureTarget();
      await azure.createContainer('ceiling');
      base = `${azure.endpointUrl}/ceiling`;
      query = azure.sasToken;
    } else {
      const bucket = `ceiling-${rep}-${workload.dataset.name}-${workload.pair === 'local→s3' ? 'a' : 'b'}`;
      await createS3Bucket(s3, bucket);
      base = `${s3.endpoint}/${bucket}`;
    }
    try {
      runs.push(await measure(process.execPath, [TSX, path.join(REPO_ROOT, 'bench/lib/put-ceiling.ts'), base, workload.dataset.dir, '16', query], process.env, 'ceiling'));
    } finally {
      await azure?.stop();
    }
  }
  console.log(`[bench]   server PUT ceiling: ${median(runs.map((m) => m.seconds)).toFixed(2)} s`);
  return {
    workload: `${workload.pair === 's3→azure' ? 'Azurite' : 's3rver'} ceiling: parallel PUT of ${workload.dataset.name}`,
    objects: workload.dataset.objects,
    bytes: workload.dataset.bytes,
    tools: [{ tool: 'plain PUT loop ×16', medianSeconds: median(runs.map((m) => m.seconds)), medianPeakRssMb: median(runs.map((m) => m.peakRssMb)), medianCpuMsPerObject: median(runs.map((m) => (m.cpuSeconds * 1000) / workload.dataset.objects)), oursOverPeer: null, runs: runs.map((m) => m.seconds) }],
  };
}

await main();
