// @vitest-environment jsdom
// The windowed list renders only what is in view, whatever the length, and follows scrolling.
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { LogLines, LOG_ROW_HEIGHT } from '../../renderer/components/log-lines';
import { VirtualList, visibleRange } from '../../renderer/components/virtual-list';
import { logLine } from './fixtures';

afterEach(cleanup);

const ROW = 20;
const HEIGHT = 400;
const OVERSCAN = 8;
const MAX_ROWS = HEIGHT / ROW + 2 * OVERSCAN + 1;

function renderList(count: number, onScrollEdges = vi.fn()) {
  const renderRow = vi.fn((i: number) => <span>row {i}</span>);
  render(<VirtualList count={count} rowHeight={ROW} fallbackHeight={HEIGHT} overscan={OVERSCAN} renderRow={renderRow} label="Rows" onScrollEdges={onScrollEdges} />);
  return { list: screen.getByRole('list', { name: 'Rows' }), renderRow, onScrollEdges };
}

const shown = () => screen.getAllByRole('listitem').map((li) => Number(li.getAttribute('aria-posinset')));

describe('VirtualList', () => {
  test('100k items render a bounded number of rows, with the full height reserved', () => {
    const { list, renderRow } = renderList(100_000);
    const rows = screen.getAllByRole('listitem');
    expect(rows.length).toBeLessThanOrEqual(MAX_ROWS);
    expect(rows.length).toBeGreaterThanOrEqual(HEIGHT / ROW);
    expect(renderRow.mock.calls.length).toBeLessThanOrEqual(MAX_ROWS * 2); // StrictMode-free: one render, maybe a re-measure
    expect((list.firstElementChild as HTMLElement).style.height).toBe(`${100_000 * ROW}px`);
    expect(rows[0]!.getAttribute('aria-setsize')).toBe('100000');
    expect(shown()[0]).toBe(1);
  });

  test('scrolling shows the rows at the new position and still a bounded count', () => {
    const { list } = renderList(100_000);
    list.scrollTop = 50_000 * ROW;
    fireEvent.scroll(list);
    const positions = shown();
    expect(positions.length).toBeLessThanOrEqual(MAX_ROWS);
    expect(positions).toContain(50_001);
    expect(screen.getByText('row 50000')).toBeTruthy();
    const row = screen.getByText('row 50000').parentElement as HTMLElement;
    expect(row.style.top).toBe(`${50_000 * ROW}px`);
  });

  test('the last row is reachable, and the edges are reported', () => {
    const onScrollEdges = vi.fn();
    const { list } = renderList(100_000, onScrollEdges);
    list.scrollTop = 100_000 * ROW - HEIGHT;
    fireEvent.scroll(list);
    expect(shown()).toContain(100_000);
    expect(onScrollEdges).toHaveBeenLastCalledWith({ atTop: false, atBottom: true });
    list.scrollTop = 0;
    fireEvent.scroll(list);
    expect(onScrollEdges).toHaveBeenLastCalledWith({ atTop: true, atBottom: false });
  });

  test('the range helper clamps to the list', () => {
    expect(visibleRange(0, 400, 20, 5, 8)).toEqual([0, 5]);
    expect(visibleRange(1000, 400, 20, 100_000, 8)).toEqual([42, 78]);
    expect(visibleRange(0, 400, 20, 0, 8)).toEqual([0, 0]);
  });

  test('the list is focusable, so the keyboard scrolls it', () => {
    const { list } = renderList(10);
    expect(list.tabIndex).toBe(0);
  });
});

describe('LogLines', () => {
  const lines = Array.from({ length: 100_000 }, (_, i) => logLine(i + 1, 'm1', { message: `message ${i + 1}` }));

  test('100k log lines render a bounded number of rows; follow mode shows the newest', () => {
    render(<LogLines lines={lines} label="Log" follow hasOlder={false} loadingOlder={false} onLoadOlder={vi.fn()} fallbackHeight={480} />);
    const rows = screen.getAllByRole('listitem');
    expect(rows.length).toBeLessThanOrEqual(480 / LOG_ROW_HEIGHT + 2 * 8 + 1);
    expect(screen.getByText('message 100000')).toBeTruthy();
  });

  test('scrolling up turns follow off; scrolling to the top asks for older lines', () => {
    const onFollowChange = vi.fn();
    const onLoadOlder = vi.fn();
    render(<LogLines lines={lines} label="Log" follow onFollowChange={onFollowChange} hasOlder loadingOlder={false} onLoadOlder={onLoadOlder} fallbackHeight={480} />);
    const list = screen.getByRole('list', { name: 'Log' });
    list.scrollTop = 1000;
    fireEvent.scroll(list);
    expect(onFollowChange).toHaveBeenLastCalledWith(false);
    list.scrollTop = 0;
    fireEvent.scroll(list);
    expect(onLoadOlder).toHaveBeenCalledTimes(1);
  });

  test('older lines put on top keep the same lines in view', () => {
    const recent = lines.slice(50_000);
    const props = { label: 'Log', follow: false, hasOlder: true, loadingOlder: false, onLoadOlder: vi.fn(), fallbackHeight: 480 };
    const { rerender } = render(<LogLines lines={recent} {...props} />);
    const list = screen.getByRole('list', { name: 'Log' });
    list.scrollTop = 10 * LOG_ROW_HEIGHT;
    fireEvent.scroll(list);
    act(() => rerender(<LogLines lines={lines.slice(49_000)} {...props} />));
    expect(list.scrollTop).toBe((10 + 1000) * LOG_ROW_HEIGHT);
  });
});
