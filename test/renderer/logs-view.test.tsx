// @vitest-environment jsdom
// The log viewer's filters become logs.query arguments; the text search waits for typing to stop.
import { screen, waitFor } from '@testing-library/react';
import { describe, expect, test, vi } from 'vitest';
import type { CommandArgs } from '../../shared/contract';
import { LogsView, SEARCH_DEBOUNCE_MS } from '../../renderer/views/logs-view';
import { LOG_PAGE_SIZE } from '../../renderer/store/logs-slice';
import { logPage, mapping, run } from './fixtures';
import { renderWithStore } from './render';

function renderLogs(query: (args: CommandArgs<'logs.query'>) => ReturnType<typeof logPage> = () => logPage('m1', 3, 3)) {
  return renderWithStore(
    <LogsView />,
    {
      'logs.query': query,
      'runs.list': () => [run(7, 'm1'), run(6, 'm1')],
      'logs.export': () => ({ fileName: 'photos.log', text: 'line' }),
    },
    { mappings: [mapping('m1', { name: 'Photos' }), mapping('m2', { name: 'Docs' })], mappingsLoad: 'ready' },
  );
}

describe('log filters', () => {
  test('opening the view queries the first mapping without filters', async () => {
    const { client } = renderLogs();
    await screen.findByText('line 3');
    expect(client.argsOf('logs.query')).toEqual([{ mappingId: 'm1', limit: LOG_PAGE_SIZE }]);
  });

  test('level and run become minLevel and runId', async () => {
    const { client, user } = renderLogs();
    await screen.findByText('line 3');
    await user.selectOptions(screen.getByLabelText('Level'), 'warn');
    await screen.findByRole('option', { name: /#7/ });
    await user.selectOptions(screen.getByLabelText('Run'), '7');
    await waitFor(() => expect(client.argsOf('logs.query')).toHaveLength(3));
    expect(client.argsOf('logs.query').slice(1)).toEqual([
      { mappingId: 'm1', minLevel: 'warn', limit: LOG_PAGE_SIZE },
      { mappingId: 'm1', runId: 7, minLevel: 'warn', limit: LOG_PAGE_SIZE },
    ]);
  });

  test('the text search is sent once typing stops, not per key', async () => {
    const { client, user } = renderLogs();
    await screen.findByText('line 3');
    await user.type(screen.getByRole('searchbox', { name: 'Search' }), 'denied');
    await waitFor(() => expect(client.argsOf('logs.query')).toHaveLength(2), { timeout: SEARCH_DEBOUNCE_MS * 5 });
    expect(client.argsOf('logs.query')[1]).toEqual({ mappingId: 'm1', text: 'denied', limit: LOG_PAGE_SIZE });
    await new Promise((r) => setTimeout(r, SEARCH_DEBOUNCE_MS * 2));
    expect(client.argsOf('logs.query')).toHaveLength(2);
  });

  test('another mapping is queried with its own id and a fresh filter', async () => {
    const { client, user } = renderLogs();
    await screen.findByText('line 3');
    await user.selectOptions(screen.getByLabelText('Level'), 'error');
    await user.selectOptions(screen.getByLabelText('Mapping'), 'm2');
    await waitFor(() => expect(client.argsOf('logs.query').at(-1)).toEqual({ mappingId: 'm2', limit: LOG_PAGE_SIZE }));
    expect((screen.getByLabelText('Level') as HTMLSelectElement).value).toBe('debug');
  });

  test('no matching line says so', async () => {
    const { user } = renderLogs((a) => (a.minLevel ? [] : logPage('m1', 3, 3)));
    await screen.findByText('line 3');
    await user.selectOptions(screen.getByLabelText('Level'), 'error');
    expect(await screen.findByText('No line matches these filters.')).toBeTruthy();
  });

  test('Export saves logs.export’s text under its file name', async () => {
    const created: Blob[] = [];
    const createObjectURL = vi.fn((blob: Blob) => {
      created.push(blob);
      return 'blob:log';
    });
    Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() });
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      expect(this.download).toBe('photos.log');
    });
    const { client, user } = renderLogs();
    await screen.findByText('line 3');
    await user.click(screen.getByRole('button', { name: 'Export' }));
    await waitFor(() => expect(click).toHaveBeenCalled());
    expect(client.argsOf('logs.export')).toEqual([{ mappingId: 'm1' }]);
    const text = await new Promise<string>((resolve) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result));
      reader.readAsText(created[0]!);
    });
    expect(text).toBe('line');
    click.mockRestore();
  });
});
