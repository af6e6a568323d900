// `npm run bench:scale`: the engine at bucket sizes no test server holds. A synthetic provider lists N
// keys lazily; each scenario runs in its own process so its peak RSS is its own.
//   plan throughput (keys/s) and peak RSS, dry run, for: all new / none changed / 1% changed
//   event-loop lag (p99) while a real 100k-object run goes (transfers to a discarding target)
// Flags: --objects N (default 1,000,000), --ten-million (N = 10,000,000). Writes bench/results/scale.md.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Mapping } from '../shared/model';
import { openStore } from '../electron/store';
import type { SyncedObject } from '../electron/sync/ports';
import { runMapping } from '../electron/sync/runner';
import { REPO_ROOT } from '../test/support/cli-child';
import { createSyntheticProvider, syntheticKey } from './lib/synthetic-provider';

type Scenario = 'all new' | 'none changed' | '1% changed' | 'event-loop lag';
const SCENARIOS: Scenario[] = ['all new', 'none changed', '1% changed', 'event-loop lag'];

interface ScenarioResult {
  scenario: Scenario;
  objects: number;
  seconds: number;
  keysPerSecond: number;
  peakRssMb: number;
  eventLoopP99Ms?: number;
}

const mapping = (id: string): Mapping => ({
  id, name: id, sourceConnectionId: 's', sourceBucket: 'synthetic', sourcePrefix: '', targetConnectionId: 't', targetBucket: 'synthetic', targetPrefix: '',
  transfers: 16, deleteMode: 'synced', maxDelete: null, dryRun: false, enabled: true, intervalSeconds: null,
});

/** Fills the sync state as if every object had been synced before (not measured). */
function seedState(store: ReturnType<typeof openStore>, mappingId: string, objects: number): void {
  const batch: SyncedObject[] = [];
  const flush = () => {
    store.objects.upsertMany(mappingId, batch);
    batch.length = 0;
  };
  for (let i = 0; i < objects; i++) {
    batch.push({ key: syntheticKey(i).slice(0), sourceEtag: `etag-${i}`, sourceSize: 1024, sourceMtime: 1_700_000_000_000, sourceMd5: null, targetEtag: `etag-${i}`, targetSize: 1024, targetMtime: null, syncedAt: 0 });
    if (batch.length === 10_000) flush();
  }
  flush();
}

async function runScenario(scenario: Scenario, objects: number): Promise<ScenarioResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cds-scale-'));
  const store = openStore(path.join(dir, 'state.db'));
  try {
    store.connections.upsert({ id: 's', name: 's', type: 'local', local: { root: '/synthetic' } });
    store.connections.upsert({ id: 't', name: 't', type: 'local', local: { root: '/synthetic' } });
    const m = mapping('scale');
    store.mappings.upsert(m);
    const lag = scenario === 'event-loop lag';
    const n = lag ? Math.min(objects, 100_000) : objects;
    if (scenario !== 'all new' && !lag) seedState(store, m.id, n);
    const source = createSyntheticProvider({ objects: n, changed: scenario === '1% changed' ? (i) => i % 100 === 0 : undefined });
    const target = createSyntheticProvider({ objects: lag || scenario === 'all new' ? 0 : n });
    const histogram = monitorEventLoopDelay({ resolution: 10 });
    histogram.enable();
    const started = performance.now();
    const { run } = await runMapping({ state: store.engineState, mapping: m, source, target, sameConnection: false, dryRun: !lag });
    const seconds = (performance.now() - started) / 1000;
    histogram.disable();
    if (run.status !== 'success') throw new Error(`${scenario}: run ${run.status}: ${run.firstError}`);
    return {
      scenario,
      objects: n,
      seconds,
      keysPerSecond: n / seconds,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      // No samples would mean the loop never turned: report that as the whole run blocking it.
      eventLoopP99Ms: lag ? (histogram.count > 0 ? histogram.percentile(99) / 1e6 : seconds * 1000) : undefined,
    };
  } finally {
    store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const child = argv.indexOf('--scenario');
  const objectsFlag = argv.indexOf('--objects');
  const objects = argv.includes('--ten-million') ? 10_000_000 : objectsFlag >= 0 ? Number(argv[objectsFlag + 1]) : 1_000_000;
  if (child >= 0) {
    // Child mode: one scenario, result as JSON on stdout.
    process.stdout.write(JSON.stringify(await runScenario(argv[child + 1] as Scenario, objects)));
    return;
  }
  const results: ScenarioResult[] = [];
  for (const scenario of SCENARIOS) {
    const out = spawnSync(process.execPath, [path.join(REPO_ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(REPO_ROOT, 'bench/scale.ts'), '--scenario', scenario, '--objects', String(objects)], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (out.status !== 0) throw new Error(`${scenario} failed:\n${out.stderr}`);
    const result = JSON.parse(out.stdout) as ScenarioResult;
    console.log(`[scale] ${scenario}: ${result.objects} keys in ${result.seconds.toFixed(1)} s = ${Math.round(result.keysPerSecond)} keys/s, peak RSS ${result.peakRssMb.toFixed(0)} MB${result.eventLoopP99Ms === undefined ? '' : `, event-loop p99 ${result.eventLoopP99Ms.toFixed(1)} ms`}`);
    results.push(result);
  }
  const lines = [
    '# Scale benchmark',
    '',
    `${new Date().toISOString().slice(0, 10)} · ${os.cpus().length} cores · Node ${process.version} · \`npm run bench:scale${argv.length ? ` -- ${argv.join(' ')}` : ''}\``,
    '',
    '| scenario | keys | time | keys/s | peak RSS | event-loop p99 |',
    '|---|---:|---:|---:|---:|---:|',
    ...results.map((r) => `| ${r.scenario} | ${r.objects.toLocaleString('en')} | ${r.seconds.toFixed(1)} s | ${Math.round(r.keysPerSecond).toLocaleString('en')} | ${r.peakRssMb.toFixed(0)} MB | ${r.eventLoopP99Ms === undefined ? '' : `${r.eventLoopP99Ms.toFixed(1)} ms`} |`),
  ];
  await mkdir(path.join(REPO_ROOT, 'bench/results'), { recursive: true });
  await writeFile(path.join(REPO_ROOT, 'bench/results/scale.md'), `${lines.join('\n')}\n`);
  console.log(lines.join('\n'));
}

await main();
