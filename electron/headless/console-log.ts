// Console output of the headless CLI: log lines filtered by level on stderr, summaries on stdout.
import type { LogLevel } from '../../shared/model';
import { LOG_LEVELS } from '../../shared/model';
import type { RunLogLine } from '../sync/runner';

export interface ConsoleStreams {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** The run a log line belongs to (structured logs name it). */
export interface RunContext {
  mappingId: string;
  runId: number;
}

export class ConsoleLog {
  private readonly minRank: number;

  constructor(
    private readonly streams: ConsoleStreams,
    level: LogLevel,
  ) {
    this.minRank = LOG_LEVELS.indexOf(level);
  }

  /**
   * Per-object lines (those naming a key) are debug detail on the console, whatever level they carry
   * in the run log; warnings and errors about objects are always shown at their level.
   */
  line(scope: string, line: RunLogLine, _run?: RunContext): void {
    const effective: LogLevel = line.key !== undefined && line.level === 'info' ? 'debug' : line.level;
    if (LOG_LEVELS.indexOf(effective) < this.minRank) return;
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
    this.streams.stdout.write(`${text}\n`);
  }
}
