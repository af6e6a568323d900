// OpenTelemetry traces of the runs over OTLP/HTTP. SCAFFOLD: the tracing commit builds this module.
import type { Mapping } from '../../shared/model';
import type { RunEvent } from '../sync/telemetry';

export interface RunTracer {
  observe(event: RunEvent, mapping: Mapping): void;
  shutdown(): Promise<void>;
}

export async function startTracing(_options: { endpoint: string; version: string; warn(message: string): void }): Promise<RunTracer> {
  return { observe() {}, async shutdown() {} };
}

/** --otlp-endpoint, else $OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else $OTEL_EXPORTER_OTLP_ENDPOINT; null when none. */
export function otlpEndpointOf(flag: string | null, env: Record<string, string | undefined>): string | null {
  return flag ?? (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT || null);
}
