// Reads the samples back out of Prometheus text exposition (version 0.0.4): enough for the textfile
// this process wrote before (writeMetricsFile), whose counters the next process carries on from.
// Comments, malformed lines and values that are not finite numbers are skipped, never an error: a
// textfile edited by hand must not stop a sync.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

// name{labels} value [timestamp]. A label value may hold '}' but the value after it cannot, so the
// greedy match ends at the closing brace.
const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?[ \t]+(\S+)(?:[ \t]+-?\d+)?[ \t]*$/;
const LABEL_PAIR = /[ \t]*([a-zA-Z_][a-zA-Z0-9_]*)[ \t]*=[ \t]*"((?:[^"\\]|\\.)*)"[ \t]*(?:,|$)/y;

export function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE_LINE.exec(line);
    if (!match) continue;
    const value = Number(match[3]);
    const labels = match[2] === undefined ? {} : parseLabels(match[2]);
    if (labels === null || !Number.isFinite(value)) continue;
    samples.push({ name: match[1]!, labels, value });
  }
  return samples;
}

function parseLabels(text: string): Record<string, string> | null {
  const labels: Record<string, string> = {};
  LABEL_PAIR.lastIndex = 0;
  while (LABEL_PAIR.lastIndex < text.length) {
    const at = LABEL_PAIR.lastIndex;
    const pair = LABEL_PAIR.exec(text);
    if (!pair || LABEL_PAIR.lastIndex === at) return text.slice(at).trim() === '' ? labels : null;
    labels[pair[1]!] = pair[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}
