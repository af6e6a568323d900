// Log lines of runs, queried newest first with an id cursor (the Logs view scrolls back in pages).
import { LOG_LEVELS, type LogLevel } from '../../shared/model';
import { checkLimit, isForeignKeyError, StoreError, type Database, type Statement } from './db';

export interface NewLogLine {
  runId: number;
  mappingId: string;
  /** ms since epoch */
  ts: number;
  level: LogLevel;
  /** Never holds secrets: callers log keys and provider errors, not settings. */
  message: string;
  /** The object key (relative to the mapping's prefixes) the line is about, if any. */
  key?: string | null;
}

export interface LogLine extends NewLogLine {
  id: number;
  key: string | null;
}

export interface LogQuery {
  mappingId: string;
  runId?: number;
  /** Lines at this level or above (debug < info < warn < error). */
  minLevel?: LogLevel;
  /** Substring of the message or the key; case-insensitive for ASCII letters (SQLite LIKE). */
  text?: string;
  limit: number;
  /** Only lines with a smaller id: pass the last id of the previous page. */
  beforeId?: number;
}

interface QueryParams {
  mappingId: string;
  runId: number | null;
  minRank: number;
  pattern: string | null;
  beforeId: number;
  limit: number;
}

// Rank of a level, in SQL, from LOG_LEVELS so the order is defined once.
const RANK_SQL = `CASE level ${LOG_LEVELS.map((level, i) => `WHEN '${level}' THEN ${i}`).join(' ')} END`;

export class LogsRepository {
  private readonly insertRow;
  /** One statement per filter shape, so each uses the index that fits it (by run or by mapping). */
  private readonly queries: Record<'mapping' | 'mappingText' | 'run' | 'runText', Statement<[QueryParams], LogLine>>;
  private readonly pruneRuns;

  constructor(private readonly db: Database) {
    this.insertRow = db.prepare<[Required<NewLogLine>]>(
      'INSERT INTO logs (run_id, mapping_id, ts, level, message, key) VALUES (@runId, @mappingId, @ts, @level, @message, @key)',
    );
    const query = (byRun: boolean, byText: boolean) =>
      db.prepare<[QueryParams], LogLine>(
        `SELECT id, run_id AS runId, mapping_id AS mappingId, ts, level, message, key FROM logs
         WHERE ${byRun ? 'run_id = @runId AND ' : ''}mapping_id = @mappingId AND id < @beforeId
           AND ${RANK_SQL} >= @minRank
           ${byText ? `AND (message LIKE @pattern ESCAPE '\\' OR key LIKE @pattern ESCAPE '\\')` : ''}
         ORDER BY id DESC LIMIT @limit`,
      );
    this.queries = { mapping: query(false, false), mappingText: query(false, true), run: query(true, false), runText: query(true, true) };
    this.pruneRuns = db.prepare<[string, string, number]>(
      `DELETE FROM logs WHERE mapping_id = ? AND run_id < (
         SELECT id FROM runs WHERE mapping_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`,
    );
  }

  /** Appends lines in one transaction. Throws InvalidReference when a line's run does not exist. */
  appendMany(lines: readonly NewLogLine[]): void {
    if (lines.length === 0) return;
    try {
      this.db.transaction(() => {
        for (const line of lines) this.insertRow.run({ ...line, key: line.key ?? null });
      })();
    } catch (err) {
      if (isForeignKeyError(err)) {
        const runs = [...new Set(lines.map((l) => l.runId))].join(', ');
        throw new StoreError('InvalidReference', `cannot append log lines: a run among ${runs} does not exist`, { cause: err });
      }
      throw err;
    }
  }

  /** Matching lines, newest first. */
  query(q: LogQuery): LogLine[] {
    checkLimit(q.limit);
    const params: QueryParams = {
      mappingId: q.mappingId,
      runId: q.runId ?? null,
      minRank: q.minLevel === undefined ? 0 : LOG_LEVELS.indexOf(q.minLevel),
      pattern: q.text ? `%${escapeLike(q.text)}%` : null,
      beforeId: q.beforeId ?? Number.MAX_SAFE_INTEGER,
      limit: q.limit,
    };
    const shape = `${q.runId === undefined ? 'mapping' : 'run'}${params.pattern === null ? '' : 'Text'}` as keyof typeof this.queries;
    return this.queries[shape].all(params);
  }

  /** Deletes the logs of all but the newest `keepRuns` runs of the mapping; returns how many lines. */
  prune(mappingId: string, keepRuns: number): number {
    if (!Number.isInteger(keepRuns) || keepRuns < 1) throw new RangeError(`keepRuns must be a positive integer, got ${keepRuns}`);
    return this.pruneRuns.run(mappingId, mappingId, keepRuns - 1).changes;
  }
}

/** Makes % and _ (and the escape character itself) match literally in a LIKE pattern with ESCAPE '\'. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
