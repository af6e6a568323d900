// Console output of the headless CLI and `serve`: log lines filtered by level on stderr, results on
// stdout. Text lines for people by default; with --log-format json, one JSON object a line on both
// streams (electron/ops/json-log.ts, loaded only then).
import type { RunSummary } from '../../shared/model';
import { LOG_LEVELS, type LogLevel } from '../../shared/log-levels';
import type { JsonLog, JsonLogFields } from '../ops/json-log';
import type { RunLogLine } from '../sync/runner';
import type { LogFormat } from './args';

export interface ConsoleStreams {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** The run a log line belongs to (structured logs name it). */
export interface RunContext {
  mappingId: string;
  /** 0 (or less) when the line comes before the run is recorded: JSON lines then name no run. */
  runId: number;
}

/** The console for --log-level and --log-format: json mode loads pino now, text mode nothing. */
export async function openConsoleLog(streams: ConsoleStreams, level: LogLevel, format: LogFormat): Promise<ConsoleLog> {
  if (format === 'text') return new ConsoleLog(streams, level);
  const { createJsonLog } = await import('../ops/json-log');
  return new ConsoleLog(streams, level, createJsonLog(streams));
}

export class ConsoleLog {
  private readonly minRank: number;

  /** `json`: write JSON lines through it (openConsoleLog builds it); absent: text lines. */
  constructor(
    private readonly streams: ConsoleStreams,
    level: LogLevel,
    private readonly json?: JsonLog,
  ) {
    this.minRank = LOG_LEVELS.indexOf(level);
  }

  /**
   * `scope` is the mapping's name for a run's lines (with `run`), else the part of the process that
   * speaks ('cli', 'server', 'config'). Per-object lines (those naming a key) are debug detail on the
   * console, whatever level they carry in the run log; warnings and errors about objects are always
   * shown at their level. Both formats filter alike, and show the level the run log has.
   */
  line(scope: string, line: RunLogLine, run?: RunContext): void {
    const effective: LogLevel = line.key !== undefined && line.level === 'info' ? 'debug' : line.level;
    if (LOG_LEVELS.indexOf(effective) < this.minRank) return;
    if (this.json) {
      this.json.line(line.level, line.message, jsonFieldsOf(scope, line, run));
      return;
    }
    this.streams.stderr.write(`${new Date().toISOString()} ${line.level.toUpperCase().padEnd(5)} [${scope}] ${line.message}\n`);
  }

  info(message: string): void {
    this.line('cli', { level: 'info', message });
  }

  error(message: string): void {
    this.line('cli', { level: 'error', message });
  }

  /** Results go to stdout whatever the log level, so scripts can capture them. */
  result(text: string): void {
    if (this.json) this.json.result(text);
    else this.streams.stdout.write(`${text}\n`);
  }

  /** A run's summary: a result, which JSON mode gives with the run's numbers (event 'run.summary'). */
  summary(mapping: { id: string; name: string }, run: RunSummary, text: string): void {
    if (this.json) this.json.summary(mapping, run, text);
    else this.streams.stdout.write(`${text}\n`);
  }
}

function jsonFieldsOf(scope: string, line: RunLogLine, run: RunContext | undefined): JsonLogFields {
  const fields: JsonLogFields = run === undefined ? { component: scope } : { mapping: run.mappingId, mappingName: scope, ...(run.runId > 0 ? { run: run.runId } : {}) };
  if (line.key !== undefined) fields.key = line.key;
  if (line.event !== undefined) fields.event = line.event;
  if (line.code !== undefined) fields.code = line.code;
  return fields;
}
