// runs.* and logs.*: what happened, read from the store newest first with id cursors.
import type { LogLineView } from '../../shared/contract';
import type { LogLevel, Mapping } from '../../shared/model';
import type { LogLine, Store } from '../store';
import { ApiFailure } from './errors';
import { requireMapping } from './lookup';
import type { ApiDeps, HandlersFor } from './types';
import { PAGE_LIMITS } from './validate';

/** An export stops after this many lines (newest kept), so one click cannot build a gigabyte string. */
export const MAX_EXPORT_LINES = 200_000;
const EXPORT_PAGE = 5_000;

type HistoryCommands = 'runs.list' | 'runs.get' | 'logs.query' | 'logs.export';

interface LogFilter {
  mappingId: string;
  runId?: number;
  minLevel?: LogLevel;
  text?: string;
}

export function historyHandlers({ store }: ApiDeps): HandlersFor<HistoryCommands> {
  return {
    'runs.list': async ({ mappingId, limit = PAGE_LIMITS.runs.default, beforeId }) => {
      requireMapping(store, mappingId, 'mappingId');
      return store.runs.list(mappingId, { limit, beforeId });
    },

    'runs.get': async ({ id }) => {
      const run = store.runs.get(id);
      if (!run) throw new ApiFailure('NotFound', `run ${id} does not exist`, 'id');
      return run;
    },

    'logs.query': async ({ limit = PAGE_LIMITS.logs.default, beforeId, ...filter }) => {
      checkFilter(store, filter);
      return store.logs.query({ ...filter, limit, beforeId }).map(toView);
    },

    'logs.export': async (filter) => {
      const mapping = checkFilter(store, filter);
      const { lines, truncated } = collectNewestFirst(store, filter);
      const text = lines.reverse().map(formatLine);
      if (truncated) text.unshift(`# Only the newest ${MAX_EXPORT_LINES} matching lines are included.`);
      return { fileName: exportFileName(mapping, filter.runId), text: text.length > 0 ? `${text.join('\n')}\n` : '' };
    },
  };
}

/** The filter's mapping; the run, when given, must be one of the mapping's. */
function checkFilter(store: Store, filter: LogFilter): Mapping {
  const mapping = requireMapping(store, filter.mappingId, 'mappingId');
  if (filter.runId !== undefined && store.runs.get(filter.runId)?.mappingId !== mapping.id) {
    throw new ApiFailure('NotFound', `mapping "${mapping.name}" has no run ${filter.runId}`, 'runId');
  }
  return mapping;
}

function collectNewestFirst(store: Store, filter: LogFilter): { lines: LogLine[]; truncated: boolean } {
  const lines: LogLine[] = [];
  let beforeId: number | undefined;
  for (;;) {
    const limit = Math.min(EXPORT_PAGE, MAX_EXPORT_LINES - lines.length);
    if (limit === 0) return { lines, truncated: store.logs.query({ ...filter, limit: 1, beforeId }).length > 0 };
    const page = store.logs.query({ ...filter, limit, beforeId });
    lines.push(...page);
    if (page.length < limit) return { lines, truncated: false };
    beforeId = page[page.length - 1]!.id;
  }
}

/** "2024-05-01T12:00:00.000Z INFO  photos/a.jpg Copied photos/a.jpg (1.2 MiB; new)" */
function formatLine(line: LogLine): string {
  return [new Date(line.ts).toISOString(), line.level.toUpperCase().padEnd(5), ...(line.key !== null ? [line.key] : []), line.message].join(' ');
}

/** "<mapping-name>-run-<id>.log", with the name reduced to characters every file system accepts. */
function exportFileName(mapping: Mapping, runId: number | undefined): string {
  const base = mapping.name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '').slice(0, 80) || 'mapping';
  return runId === undefined ? `${base}-logs.log` : `${base}-run-${runId}.log`;
}

function toView(line: LogLine): LogLineView {
  return { id: line.id, runId: line.runId, mappingId: line.mappingId, ts: line.ts, level: line.level, message: line.message, key: line.key };
}
