// A scrape as Prometheus reads it: parse-prometheus-text-format (a port of the Python client's
// parser), not our own parser, so the exposition is checked by someone else's reading of the format.
import { createRequire } from 'node:module';

interface Family {
  name: string;
  help: string;
  type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
  metrics: { value?: string; labels?: Record<string, string> }[];
}

// The package has no type declarations.
const parsePrometheusTextFormat = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => Family[];

export interface Scrape {
  families: Family[];
  /** The type of a metric family, or undefined when it is absent. */
  type(name: string): Family['type'] | undefined;
  /** The value of the one sample of `name` whose labels include `labels`; undefined when there is none, an error when several match. */
  value(name: string, labels?: Record<string, string>): number | undefined;
  /** Every sample of `name`, as [labels, value]. */
  samples(name: string): [Record<string, string>, number][];
}

export function parseScrape(text: string): Scrape {
  const families = parsePrometheusTextFormat(text);
  const family = (name: string) => families.find((f) => f.name === name);
  const samples = (name: string): [Record<string, string>, number][] => (family(name)?.metrics ?? []).map((m) => [m.labels ?? {}, Number(m.value)]);
  return {
    families,
    type: (name) => family(name)?.type,
    samples,
    value(name, labels = {}) {
      const matching = samples(name).filter(([l]) => Object.entries(labels).every(([k, v]) => l[k] === v));
      if (matching.length > 1) throw new Error(`${matching.length} samples of ${name} match ${JSON.stringify(labels)}`);
      return matching[0]?.[1];
    },
  };
}
