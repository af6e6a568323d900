// A windowed list with a fixed row height: only the rows in view (plus a few either side) are in
// the DOM, so 100k log lines scroll as smoothly as 100. The scroll container is focusable, so the
// arrow and page keys scroll it.
import { useCallback, useImperativeHandle, useLayoutEffect, useRef, useState, type Key, type ReactNode, type Ref } from 'react';

export interface VirtualListHandle {
  scrollToBottom: () => void;
  scrollToIndex: (index: number) => void;
  /** Moves the view by a number of pixels (keeps the same lines in view after a prepend). */
  scrollBy: (pixels: number) => void;
  element: () => HTMLDivElement | null;
}

export interface ScrollEdges {
  atTop: boolean;
  atBottom: boolean;
}

export interface VirtualListProps {
  count: number;
  rowHeight: number;
  renderRow: (index: number) => ReactNode;
  rowKey?: (index: number) => Key;
  /** Accessible name of the list. */
  label: string;
  /** Rows rendered beyond each edge of the view. */
  overscan?: number;
  /** Height assumed until the container is measured (and where nothing is laid out, as in jsdom). */
  fallbackHeight?: number;
  className?: string;
  onScrollEdges?: (edges: ScrollEdges) => void;
  ref?: Ref<VirtualListHandle>;
  'data-testid'?: string;
}

export function visibleRange(scrollTop: number, viewportHeight: number, rowHeight: number, count: number, overscan: number): [first: number, end: number] {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const end = Math.min(count, Math.ceil((scrollTop + viewportHeight) / rowHeight) + overscan);
  return [first, Math.max(first, end)];
}

export function VirtualList({
  count,
  rowHeight,
  renderRow,
  rowKey,
  label,
  overscan = 8,
  fallbackHeight = 480,
  className,
  onScrollEdges,
  ref,
  'data-testid': testId,
}: VirtualListProps) {
  const container = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(0);

  useLayoutEffect(() => {
    const el = container.current;
    if (!el) return;
    const measure = () => setHeight(el.clientHeight);
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const viewport = height > 0 ? height : fallbackHeight;

  const reportEdges = useCallback(() => {
    const el = container.current;
    if (!el) return;
    setScrollTop(el.scrollTop);
    if (onScrollEdges) {
      const bottomGap = count * rowHeight - (el.scrollTop + (el.clientHeight || viewport));
      onScrollEdges({ atTop: el.scrollTop <= 0, atBottom: bottomGap <= rowHeight / 2 });
    }
  }, [count, rowHeight, viewport, onScrollEdges]);

  useImperativeHandle(
    ref,
    () => ({
      scrollToBottom: () => {
        const el = container.current;
        if (!el) return;
        el.scrollTop = Math.max(0, count * rowHeight - (el.clientHeight || viewport));
        setScrollTop(el.scrollTop);
      },
      scrollToIndex: (index) => {
        const el = container.current;
        if (!el) return;
        const top = index * rowHeight;
        const viewHeight = el.clientHeight || viewport;
        if (top < el.scrollTop) el.scrollTop = top;
        else if (top + rowHeight > el.scrollTop + viewHeight) el.scrollTop = top + rowHeight - viewHeight;
        setScrollTop(el.scrollTop);
      },
      scrollBy: (pixels) => {
        const el = container.current;
        if (!el) return;
        el.scrollTop += pixels;
        setScrollTop(el.scrollTop);
      },
      element: () => container.current,
    }),
    [count, rowHeight, viewport],
  );

  // The scroll position may be past the end after the list shrank (a new filter): clamp it.
  const clampedTop = Math.min(scrollTop, Math.max(0, count * rowHeight - viewport));
  const [first, end] = visibleRange(clampedTop, viewport, rowHeight, count, overscan);
  const rows: ReactNode[] = [];
  for (let i = first; i < end; i++) {
    rows.push(
      <div
        key={rowKey ? rowKey(i) : i}
        role="listitem"
        aria-posinset={i + 1}
        aria-setsize={count}
        className="vlist-row"
        style={{ top: i * rowHeight, height: rowHeight }}
      >
        {renderRow(i)}
      </div>,
    );
  }

  return (
    <div
      ref={container}
      className={`vlist ${className ?? ''}`}
      role="list"
      aria-label={label}
      tabIndex={0}
      onScroll={reportEdges}
      data-testid={testId}
    >
      <div className="vlist-spacer" style={{ height: count * rowHeight }}>
        {rows}
      </div>
    </div>
  );
}
