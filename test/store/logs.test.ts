import { describe, expect, it } from 'vitest';
import type { LogLevel } from '../../shared/model';
import type { NewLogLine } from '../../electron/store';
import { escapeLike } from '../../electron/store/logs';
import { storeWithMappings } from './fixtures';

function setup() {
  const { store } = storeWithMappings('m1', 'm2');
  const run1 = store.runs.start('m1', false).id;
  const run2 = store.runs.start('m1', false).id;
  const other = store.runs.start('m2', false).id;
  const line = (runId: number, level: LogLevel, message: string, key?: string): NewLogLine => ({
    runId,
    mappingId: runId === other ? 'm2' : 'm1',
    ts: 1000,
    level,
    message,
    key,
  });
  store.logs.appendMany([
    line(run1, 'debug', 'listing source'),
    line(run1, 'info', 'copied 100% of report_2024.csv', 'reports/report_2024.csv'),
    line(run1, 'warn', 'retrying reportX2024.csv', 'reports/reportX2024.csv'),
    line(run1, 'error', 'AccessDenied on Secret.TXT', 'Secret.TXT'),
    line(run2, 'info', 'run 2 started'),
    line(run2, 'error', 'network down, 50% done'),
    line(other, 'error', 'other mapping'),
  ]);
  return { store, run1, run2, other };
}

const messages = (lines: { message: string }[]) => lines.map((l) => l.message);

describe('logs', () => {
  it('returns a mapping\'s lines newest first, with every field', () => {
    const { store, run2 } = setup();
    const lines = store.logs.query({ mappingId: 'm1', limit: 100 });
    expect(messages(lines)).toEqual([
      'network down, 50% done',
      'run 2 started',
      'AccessDenied on Secret.TXT',
      'retrying reportX2024.csv',
      'copied 100% of report_2024.csv',
      'listing source',
    ]);
    expect(lines[0]).toEqual({ id: expect.any(Number), runId: run2, mappingId: 'm1', ts: 1000, level: 'error', message: 'network down, 50% done', key: null });
    expect(lines[2]?.key).toBe('Secret.TXT');
  });

  it('filters by minimum level and by run', () => {
    const { store, run1 } = setup();
    expect(messages(store.logs.query({ mappingId: 'm1', minLevel: 'warn', limit: 100 }))).toEqual([
      'network down, 50% done',
      'AccessDenied on Secret.TXT',
      'retrying reportX2024.csv',
    ]);
    expect(store.logs.query({ mappingId: 'm1', minLevel: 'debug', limit: 100 })).toHaveLength(6);
    expect(messages(store.logs.query({ mappingId: 'm1', runId: run1, minLevel: 'error', limit: 100 }))).toEqual(['AccessDenied on Secret.TXT']);
    expect(store.logs.query({ mappingId: 'm2', runId: run1, limit: 100 })).toEqual([]);
  });

  it('matches text as a literal, case-insensitive substring of message or key', () => {
    const { store } = setup();
    const search = (text: string) => messages(store.logs.query({ mappingId: 'm1', text, limit: 100 }));
    // '_' and '%' are literal: 'report_2024' must not match 'reportX2024'.
    expect(search('report_2024')).toEqual(['copied 100% of report_2024.csv']);
    expect(search('100%')).toEqual(['copied 100% of report_2024.csv']);
    expect(search('50% d')).toEqual(['network down, 50% done']);
    expect(search('%')).toEqual(['network down, 50% done', 'copied 100% of report_2024.csv']);
    expect(search('secret.txt')).toEqual(['AccessDenied on Secret.TXT']);
    expect(search('reports/')).toEqual(['retrying reportX2024.csv', 'copied 100% of report_2024.csv']); // by key
    expect(search('back\\slash')).toEqual([]);
    expect(escapeLike('a\\b%c_d')).toBe('a\\\\b\\%c\\_d');
  });

  it('pages with an id cursor, also combined with filters', () => {
    const { store, run1 } = setup();
    const all = store.logs.query({ mappingId: 'm1', limit: 100 });
    const first = store.logs.query({ mappingId: 'm1', limit: 4 });
    const second = store.logs.query({ mappingId: 'm1', limit: 4, beforeId: first[first.length - 1]!.id });
    expect([...first, ...second]).toEqual(all);
    expect(second).toHaveLength(2);

    const p1 = store.logs.query({ mappingId: 'm1', runId: run1, text: 'csv', limit: 1 });
    const p2 = store.logs.query({ mappingId: 'm1', runId: run1, text: 'csv', limit: 1, beforeId: p1[0]!.id });
    expect(messages([...p1, ...p2])).toEqual(['retrying reportX2024.csv', 'copied 100% of report_2024.csv']);
  });

  it('prune keeps the logs of the newest runs only', () => {
    const { store, run2 } = setup();
    expect(store.logs.prune('m1', 5)).toBe(0);
    expect(store.logs.prune('m1', 1)).toBe(4);
    expect(store.logs.query({ mappingId: 'm1', limit: 100 }).every((l) => l.runId === run2)).toBe(true);
    expect(store.logs.query({ mappingId: 'm2', limit: 100 })).toHaveLength(1);
    expect(() => store.logs.prune('m1', 0)).toThrow(RangeError);
  });

  it('appends all or nothing, and refuses lines of an unknown run', () => {
    const { store, run1 } = setup();
    const ok: NewLogLine = { runId: run1, mappingId: 'm1', ts: 1, level: 'info', message: 'kept?' };
    expect(() => store.logs.appendMany([ok, { ...ok, runId: 424242 }])).toThrow(expect.objectContaining({ code: 'InvalidReference' }));
    expect(store.logs.query({ mappingId: 'm1', text: 'kept?', limit: 10 })).toEqual([]);
  });
});
