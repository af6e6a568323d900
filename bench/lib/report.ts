// Turns measurements into bench/results/latest.md (a table) and latest.json.

export interface ToolResult {
  tool: string;
  medianSeconds: number;
  medianPeakRssMb: number;
  /** Median over repetitions of (our time / this tool's time) in the same repetition; null for ours. */
  oursOverPeer: number | null;
  runs: number[];
}

export interface WorkloadResult {
  workload: string;
  objects: number;
  bytes: number;
  tools: ToolResult[];
}

export interface ReportContext {
  date: string;
  machine: string;
  reps: number;
  command: string;
}

export function renderReport(results: readonly WorkloadResult[], context: ReportContext): { markdown: string; json: unknown } {
  const lines = [
    `# Benchmark results`,
    '',
    `${context.date.slice(0, 10)} · ${context.machine} · medians of ${context.reps} repetitions · \`${context.command}\``,
    '',
    'Ratio = our time ÷ the peer\'s time in the same repetition (median); below 1 means we are faster. Servers: s3rver and Azurite on 127.0.0.1.',
    '',
    '| workload | tool | median time | peak RSS | ours ÷ peer |',
    '|---|---|---:|---:|---:|',
  ];
  for (const result of results) {
    for (const tool of result.tools) {
      const ratio = tool.oursOverPeer === null ? '' : `${tool.oursOverPeer.toFixed(2)} (${describeRatio(tool.oursOverPeer)})`;
      lines.push(`| ${result.workload} | ${tool.tool} | ${tool.medianSeconds.toFixed(2)} s | ${tool.medianPeakRssMb.toFixed(0)} MB | ${ratio} |`);
    }
  }
  return { markdown: `${lines.join('\n')}\n`, json: { ...context, results } };
}

function describeRatio(ratio: number): string {
  return ratio <= 1 ? `${(1 / ratio).toFixed(1)}× faster` : `${ratio.toFixed(1)}× slower`;
}
