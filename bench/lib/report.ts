// Turns measurements into bench/results/latest.md (a table) and latest.json.
import type { BwLimitResult } from './bwlimit';
import type { StartupResult } from './startup';
import { targetLines } from './targets';

export interface ToolResult {
  tool: string;
  medianSeconds: number;
  medianPeakRssMb: number;
  /** Median client CPU (user + system) per object of the workload, in ms; absent in rows measured before it was. */
  medianCpuMsPerObject?: number;
  /** Median over repetitions of (our time / this tool's time) in the same repetition; null for ours. */
  oursOverPeer: number | null;
  runs: number[];
  /** Copy-from-URL rows: bytes our process read and wrote on its sockets, median. */
  medianBytesThroughProcess?: number;
  /** Copy-from-URL rows: bytes the target fetched from source URLs itself, median. */
  medianBytesFetchedByTarget?: number;
}

export interface WorkloadResult {
  workload: string;
  /** Round trip the latency proxy added in front of every server (WAN profile); absent or 0 on loopback. */
  rttMs?: number;
  objects: number;
  bytes: number;
  tools: ToolResult[];
  /** Said under the row's table (copy-from-URL: what the peers do instead). */
  note?: string;
}

export interface ReportContext {
  date: string;
  machine: string;
  reps: number;
  command: string;
}

export function renderReport(results: readonly WorkloadResult[], context: ReportContext, bwlimit?: BwLimitResult, startup?: StartupResult): { markdown: string; json: unknown } {
  const lines = [
    `# Benchmark results`,
    '',
    `${context.date.slice(0, 10)} · ${context.machine} · each row: the median of its repetitions (reps column) · last command: \`${context.command}\` (rows it did not select are kept from earlier runs)`,
    '',
    'Ratio = our time ÷ the peer\'s time in the same repetition (median); below 1 means we are faster. Servers: s3rver and Azurite on 127.0.0.1. CPU/object: the tool\'s own user + system CPU time (servers excluded) over the workload\'s objects, median; "—" for rows measured before the bench recorded it.',
    '',
    '| workload | tool | median time | reps | CPU/object | peak RSS | ours ÷ peer |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const result of results.filter((r) => !r.rttMs && !isCopyFromUrl(r))) {
    for (const tool of result.tools) {
      lines.push(`| ${result.workload} | ${tool.tool} | ${tool.medianSeconds.toFixed(2)} s | ${tool.runs.length} | ${cpuText(tool)} | ${tool.medianPeakRssMb.toFixed(0)} MB | ${ratioText(tool)} |`);
    }
  }
  const wan = results.filter((r) => r.rttMs);
  if (wan.length > 0) lines.push('', ...wanLines(wan));
  const fromUrl = results.filter(isCopyFromUrl);
  if (fromUrl.length > 0) lines.push('', ...copyFromUrlLines(fromUrl));
  if (bwlimit) lines.push('', ...bwlimitLines(bwlimit));
  if (startup) lines.push('', ...startupLines(startup));
  lines.push('', ...targetLines(results, startup));
  return { markdown: `${lines.join('\n')}\n`, json: { ...context, results, ...(bwlimit ? { bwlimit } : {}), ...(startup ? { startup } : {}) } };
}

function cpuText(tool: ToolResult): string {
  return tool.medianCpuMsPerObject === undefined ? '—' : `${tool.medianCpuMsPerObject.toFixed(2)} ms`;
}

function ratioText(tool: ToolResult): string {
  return tool.oursOverPeer === null ? '' : `${tool.oursOverPeer.toFixed(2)} (${describeRatio(tool.oursOverPeer)})`;
}

/** The WAN profile (`--wan`): the same workloads with every server behind the latency proxy. */
function wanLines(results: readonly WorkloadResult[]): string[] {
  return [
    '## WAN profile (`--wan`)',
    '',
    'Every tool reaches s3rver and Azurite through test/support/latency-proxy.ts, which holds each direction\'s bytes for half the round trip named in the row (a new connection pays one more round trip for its handshake) and caps each connection direction at 8 MiB in flight; no bandwidth limit, no loss. Seeding the sources is not measured and goes straight to the servers. Ratios are from the same repetitions; a row\'s repetitions are counted in its own column, as WAN rows may come from a shorter run than the table above.',
    '',
    '| workload | tool | median time | reps | CPU/object | peak RSS | ours ÷ peer |',
    '|---|---|---:|---:|---:|---:|---:|',
    ...results.flatMap((result) =>
      result.tools.map((tool) => `| ${result.workload} | ${tool.tool} | ${tool.medianSeconds.toFixed(2)} s | ${tool.runs.length} | ${cpuText(tool)} | ${tool.medianPeakRssMb.toFixed(0)} MB | ${ratioText(tool)} |`),
    ),
  ];
}

function isCopyFromUrl(result: WorkloadResult): boolean {
  return result.tools.some((t) => t.medianBytesThroughProcess !== undefined);
}

/** Copy-from-URL (bench/lib/copy-from-url.ts): the target fetches the bytes; ours are counted at our sockets. */
function copyFromUrlLines(results: readonly WorkloadResult[]): string[] {
  const mb = (bytes: number | undefined) => (bytes === undefined ? '—' : `${(bytes / 1e6).toFixed(1)} MB`);
  return [
    '## Copy-from-URL',
    '',
    'S3 (s3rver) → Azure where Azure fetches each object from a presigned URL itself. Azurite cannot (it answers 501 to Put Blob / Put Block From URL), so the pulled run\'s target is the in-repo stand-in in front of Azurite (test/support/azure-url-standin.ts), which fetches the URL and writes the bytes to Azurite from the bench process: its time is loopback time, not Azure\'s. The streamed run is the same CLI against plain Azurite. Bytes through our process: what the CLI read and wrote on its TCP sockets (bench/lib/socket-bytes.cjs), listings and headers included. Ratio = pulled time ÷ streamed time.',
    '',
    '| workload | tool | median time | reps | CPU/object | peak RSS | through our process | fetched by the target | pulled ÷ streamed |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
    ...results.flatMap((result) => [
      ...result.tools.map(
        (tool) =>
          `| ${result.workload} | ${tool.tool} | ${tool.medianSeconds.toFixed(2)} s | ${tool.runs.length} | ${cpuText(tool)} | ${tool.medianPeakRssMb.toFixed(0)} MB | ${mb(tool.medianBytesThroughProcess)} | ${mb(tool.medianBytesFetchedByTarget)} | ${ratioText(tool)} |`,
      ),
      ...(result.note ? [`| ${result.workload} | ${result.note} | | | | | | | |`] : []),
    ]),
  ];
}

/** The bwlimit scenario: each run's measured rate against the limit (must be within ±10%). */
function bwlimitLines(r: BwLimitResult): string[] {
  const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(3);
  return [
    '## Bandwidth limit (`bwlimit`)',
    '',
    `A mapping with \`bwLimit: "${r.limit}"\` (${mib(r.limitBytes)} MiB/s) copies ${r.objects} objects, ${(r.bytes / 2 ** 20).toFixed(0)} MiB, from a local folder to s3rver; the rate is the run's bytes over its duration. Within ±10% of the limit: ${r.withinTenPercent ? 'yes' : '**no**'}.`,
    '',
    '| run | time | measured rate | measured ÷ limit |',
    '|---:|---:|---:|---:|',
    ...r.runs.map((run, i) => `| ${i + 1} | ${run.seconds.toFixed(2)} s | ${mib(run.rate)} MiB/s | ${run.ratio.toFixed(3)} |`),
  ];
}

/** `cloud-data-sync --version` from a cold process, beside a bare Node start. */
function startupLines(r: StartupResult): string[] {
  return [
    '## Startup',
    '',
    `\`cloud-data-sync --version\` (the bin, running the built bundle): **${r.versionSeconds.toFixed(3)} s**, median of ${r.runs}; a bare \`node -e 0\` measured alternately with it: ${r.bareNodeSeconds.toFixed(3)} s.`,
  ];
}

function describeRatio(ratio: number): string {
  return ratio <= 1 ? `${(1 / ratio).toFixed(1)}× faster` : `${ratio.toFixed(1)}× slower`;
}
