// The performance issue's targets, judged from the rows of the same report: each says what it
// compared and whether it was met, so a miss is as visible as a success. Why a target is missed is
// measured, not generated: README.md ("Where the misses come from") says it.
import type { WorkloadResult } from './report';
import type { StartupResult } from './startup';

interface Judged {
  target: string;
  measured: string;
  met: boolean;
}

const OURS = 'cloud-data-sync';

function row(results: readonly WorkloadResult[], workload: string): WorkloadResult | undefined {
  return results.find((r) => r.workload === workload);
}

function ratioOf(result: WorkloadResult | undefined, tool: string): number | undefined {
  return result?.tools.find((t) => t.tool === tool)?.oursOverPeer ?? undefined;
}

/** "0.64 vs rclone tuned" for every peer asked, and whether each ratio is at most its bound. */
function ratios(results: readonly WorkloadResult[], workload: string, bounds: ReadonlyArray<[tool: string, max: number]>): Judged | null {
  const result = row(results, workload);
  const found = bounds.map(([tool, max]) => ({ tool, max, ratio: ratioOf(result, tool) }));
  if (found.some((f) => f.ratio === undefined)) return null;
  return {
    target: `${workload}: ${bounds.map(([tool, max]) => `≥ ${(1 / max).toFixed(1)}× ${tool}`).join(', ')}`,
    measured: found.map((f) => `${f.ratio!.toFixed(2)} vs ${f.tool}`).join(', '),
    met: found.every((f) => f.ratio! <= f.max),
  };
}

function pairs(rtt: number | undefined): string[] {
  return ['local→s3', 's3→azure'].map((pair) => (rtt ? `${pair} (${rtt} ms RTT)` : pair));
}

export function targetLines(results: readonly WorkloadResult[], startup: StartupResult | undefined): string[] {
  const judged: Judged[] = [];
  const add = (j: Judged | null): void => void (j && judged.push(j));

  add(ratios(results, 'local→s3, small, cold', [['rclone tuned', 1 / 1.3]]));
  const cold = row(results, 'local→s3, small, cold')?.tools.find((t) => t.tool === OURS)?.medianCpuMsPerObject;
  if (cold !== undefined) judged.push({ target: 'local→s3, small, cold: client CPU ≤ 1.0 ms per object', measured: `${cold.toFixed(2)} ms`, met: cold <= 1.0 });
  const rtts = [...new Set(results.map((r) => r.rttMs).filter((rtt): rtt is number => !!rtt))].sort((a, b) => a - b);
  for (const rtt of rtts) {
    for (const pair of pairs(rtt)) add(ratios(results, `${pair}, small, cold`, [['rclone', 1 / 3], ['rclone tuned', 1 / 1.3]]));
  }
  for (const rtt of [undefined, ...rtts]) {
    for (const pair of pairs(rtt)) add(ratios(results, `${pair}, small, no change`, [['rclone', 1 / 5], ['rclone tuned', 1]]));
  }
  for (const pair of pairs(undefined)) {
    const judgedRatio = ratios(results, `${pair}, large, cold`, [['rclone', 1]]);
    const rss = row(results, `${pair}, large, cold`)?.tools.find((t) => t.tool === OURS)?.medianPeakRssMb;
    if (judgedRatio && rss !== undefined) {
      judged.push({ target: `${judgedRatio.target}, peak RSS < 200 MB`, measured: `${judgedRatio.measured}; ${rss.toFixed(0)} MB`, met: judgedRatio.met && rss < 200 });
    }
  }
  if (startup) judged.push({ target: '`cloud-data-sync --version` ≤ 0.15 s', measured: `${startup.versionSeconds.toFixed(3)} s`, met: startup.versionSeconds <= 0.15 });

  return [
    '## Targets',
    '',
    'The performance issue\'s targets, judged from the rows above (ratio = our time ÷ the peer\'s; "≥ 1.3× rclone tuned" means a ratio of at most 1/1.3). The scale run\'s targets are in scale.md. Why a target is missed, as measured: README.md, "Where the misses come from".',
    '',
    '| target | measured | |',
    '|---|---|---|',
    ...judged.map((j) => `| ${j.target} | ${j.measured} | ${j.met ? 'met' : '**missed**'} |`),
  ];
}
