// Structured console output (--log-format json), written by pino: one JSON object a line, log lines on
// stderr and results on stdout, as text mode splits them. Loaded only in json mode (console-log.ts
// imports it on demand), so text mode, --help and --version never load pino.
//
// A line: {"level":"info","time":"2025-01-31T12:00:00.000Z", ...fields, "msg":"..."}. Field names are
// the documented format (README, "Structured logs"): change them only with the documentation.
import { pino, type Logger } from 'pino';
import type { LogLevel, RunSummary } from '../../shared/model';

export interface JsonLogStreams {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** What a log line says, beyond its level and message; absent fields are left out of the line. */
export interface JsonLogFields {
  /** The process's own lines: 'cli', 'server', 'config'. */
  component?: string;
  /** Run lines: the mapping's id and name, and the run's id. */
  mapping?: string;
  mappingName?: string;
  run?: number;
  /** The object key (relative to the mapping's prefixes) the line is about. */
  key?: string;
  /** What kind of run line it is: 'run.started', 'object.copied', 'object.failed', … (RunLogLine.event). */
  event?: string;
  /** The error code of a failure (RunSummary.errorCode's vocabulary). */
  code?: string;
}

export interface JsonLog {
  line(level: LogLevel, message: string, fields: JsonLogFields): void;
  /** A result on stdout (the URL serve listens on, where --generate-config wrote): level info, the text as msg. */
  result(message: string): void;
  /** A run's summary on stdout (event 'run.summary'): the text as msg, with the numbers a script wants. */
  summary(mapping: { id: string; name: string }, run: RunSummary, message: string): void;
}

/**
 * Both streams are written synchronously, one `write` a line (pino's own behaviour with a plain
 * stream): nothing waits in a buffer when the process ends, whichever way it ends.
 */
export function createJsonLog(streams: JsonLogStreams): JsonLog {
  const options = {
    // Every level is written: ConsoleLog has filtered already (per-object info lines count as debug
    // there, while the line keeps the level the run log gives it).
    level: 'trace',
    base: null,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  const stderr: Logger = pino(options, { write: (text: string) => void streams.stderr.write(text) });
  const stdout: Logger = pino(options, { write: (text: string) => void streams.stdout.write(text) });
  return {
    line(level, message, fields) {
      stderr[level](wireFields(fields), message);
    },
    result(message) {
      stdout.info(message);
    },
    summary(mapping, run, message) {
      // At the level the run's last log line has (runner.ts): a partial or cancelled run warns.
      const level = run.status === 'success' ? 'info' : run.status === 'partial' || run.status === 'cancelled' ? 'warn' : 'error';
      stdout[level](summaryFields(mapping, run), message);
    },
  };
}

function wireFields(fields: JsonLogFields): Record<string, string | number> {
  const wire: Record<string, string | number> = {};
  if (fields.component !== undefined) wire.component = fields.component;
  if (fields.mapping !== undefined) wire.mapping = fields.mapping;
  if (fields.mappingName !== undefined) wire.mapping_name = fields.mappingName;
  if (fields.run !== undefined) wire.run = fields.run;
  if (fields.key !== undefined) wire.key = fields.key;
  if (fields.event !== undefined) wire.event = fields.event;
  if (fields.code !== undefined) wire.code = fields.code;
  return wire;
}

function summaryFields(mapping: { id: string; name: string }, run: RunSummary): Record<string, string | number | boolean | null> {
  return {
    event: 'run.summary',
    mapping: mapping.id,
    mapping_name: mapping.name,
    run: run.id,
    status: run.status,
    dry_run: run.dryRun,
    copied: run.copied,
    adopted: run.adopted,
    skipped: run.skipped,
    deleted: run.deleted,
    failed: run.failed,
    bytes_copied: run.bytesCopied,
    duration_ms: run.durationMs,
    code: run.errorCode,
    error: run.firstError,
  };
}
