// Log lines in a virtual list: fixed-height rows, follow mode (stick to the newest line until the
// user scrolls up; back at the bottom it follows again), older pages fetched at the top, and the
// view kept on the same lines when older ones are put above them.
import { useCallback, useLayoutEffect, useRef } from 'react';
import type { LogLineView } from '../../shared/contract';
import { formatLogTime } from '../format';
import { VirtualList, type ScrollEdges, type VirtualListHandle } from './virtual-list';

export const LOG_ROW_HEIGHT = 24;

export interface LogLinesProps {
  lines: readonly LogLineView[];
  label: string;
  follow: boolean;
  onFollowChange?: (follow: boolean) => void;
  hasOlder: boolean;
  loadingOlder: boolean;
  onLoadOlder: () => void;
  showRun?: boolean;
  fallbackHeight?: number;
}

/** Index of the line with `id` in lines sorted by ascending id, or -1. */
function indexOfId(lines: readonly LogLineView[], id: number): number {
  let lo = 0;
  let hi = lines.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = lines[mid]!.id;
    if (v === id) return mid;
    if (v < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

export function LogLines({ lines, label, follow, onFollowChange, hasOlder, loadingOlder, onLoadOlder, showRun = true, fallbackHeight }: LogLinesProps) {
  const list = useRef<VirtualListHandle>(null);
  const firstId = useRef<number | undefined>(undefined);

  useLayoutEffect(() => {
    const previousFirst = firstId.current;
    firstId.current = lines[0]?.id;
    if (follow) {
      list.current?.scrollToBottom();
      return;
    }
    if (previousFirst !== undefined && lines[0]?.id !== previousFirst) {
      const moved = indexOfId(lines, previousFirst);
      if (moved > 0) list.current?.scrollBy(moved * LOG_ROW_HEIGHT);
    }
  }, [lines, follow]);

  const onScrollEdges = useCallback(
    ({ atTop, atBottom }: ScrollEdges) => {
      if (onFollowChange && atBottom !== follow) onFollowChange(atBottom);
      if (atTop && hasOlder && !loadingOlder) onLoadOlder();
    },
    [follow, onFollowChange, hasOlder, loadingOlder, onLoadOlder],
  );

  const renderRow = (i: number) => {
    const line = lines[i]!;
    return (
      <div className={`log-line log-${line.level}`} title={line.key ? `${line.message}\n${line.key}` : line.message}>
        <span className="log-time">{formatLogTime(line.ts)}</span>
        <span className={`log-level log-level-${line.level}`}>{line.level}</span>
        {showRun && <span className="log-run">#{line.runId}</span>}
        <span className="log-message">{line.message}</span>
        {line.key && <code className="log-key">{line.key}</code>}
      </div>
    );
  };

  return (
    <div className="log-lines">
      <div className="log-lines-top">
        {hasOlder ? (
          <button type="button" className="button-small button-ghost" onClick={onLoadOlder} disabled={loadingOlder}>
            {loadingOlder ? 'Loading older lines…' : 'Load older lines'}
          </button>
        ) : (
          <span className="muted">{lines.length > 0 ? 'Beginning of the log' : ''}</span>
        )}
      </div>
      <VirtualList
        ref={list}
        count={lines.length}
        rowHeight={LOG_ROW_HEIGHT}
        rowKey={(i) => lines[i]!.id}
        renderRow={renderRow}
        label={label}
        className="log-list"
        onScrollEdges={onScrollEdges}
        fallbackHeight={fallbackHeight}
        data-testid="log-list"
      />
    </div>
  );
}
