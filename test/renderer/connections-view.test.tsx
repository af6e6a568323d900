// @vitest-environment jsdom
// The connections list: provider, summary and last test result per connection; delete with a
// confirmation that names the mappings using the connection.
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, test } from 'vitest';
import { ConnectionsView } from '../../renderer/views/connections-view';
import { apiError } from './fake-client';
import { localConnection, mapping, minioConnection } from './fixtures';
import { renderWithStore } from './render';

const connections = [localConnection('src', 'Source folder'), minioConnection('dst', 'Lab MinIO')];

describe('connections list', () => {
  test('each connection shows its provider, where it points and its last test', async () => {
    const { user, client } = renderWithStore(<ConnectionsView />, {
      'connections.test': () => ({ ok: false, checks: [{ name: 'auth', ok: false, skipped: false, message: 'The access key is not valid', durationMs: 5 }] }),
    }, { connections, connectionsLoad: 'ready' });
    const item = screen.getByRole('listitem', { name: 'Lab MinIO' });
    expect(within(item).getByRole('img', { name: 'MinIO / S3-compatible' })).toBeTruthy();
    expect(item.textContent).toContain('http://127.0.0.1:9000');
    expect(item.textContent).toContain('Not tested');
    await user.click(within(item).getByRole('button', { name: 'Test Lab MinIO' }));
    await waitFor(() => expect(item.textContent).toContain('Failed: The access key is not valid'));
    expect(client.argsOf('connections.test')).toEqual([{ id: 'dst' }]);
  });

  test("a test of unsaved edits stays with the form: Cancel leaves the saved connection's result as it was; saving what was tested keeps it", async () => {
    const works = { ok: true, checks: [{ name: 'auth' as const, ok: true, skipped: false, message: 'ok', durationMs: 5 }] };
    const fails = { ok: false, checks: [{ name: 'auth' as const, ok: false, skipped: false, message: 'The folder does not exist', durationMs: 5 }] };
    const { user } = renderWithStore(<ConnectionsView />, {
      'connections.test': (args) => (args.input ? fails : works),
      'connections.update': (input) => ({ ...localConnection('src', 'Source folder'), ...input, id: 'src' }),
    }, { connections, connectionsLoad: 'ready' });
    const item = () => screen.getByRole('listitem', { name: 'Source folder' });
    await user.click(within(item()).getByRole('button', { name: 'Test Source folder' }));
    await waitFor(() => expect(item().textContent).toMatch(/OK|Passed|Works/i));
    const before = item().textContent;

    await user.click(within(item()).getByRole('button', { name: 'Edit Source folder' }));
    await user.click(screen.getByRole('button', { name: 'Test connection' }));
    await screen.findByText(/The folder does not exist/);
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(item().textContent).toBe(before);

    // Tested, then saved unchanged: the result now describes the saved connection.
    await user.click(within(item()).getByRole('button', { name: 'Edit Source folder' }));
    await user.click(screen.getByRole('button', { name: 'Test connection' }));
    await screen.findByText(/The folder does not exist/);
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(item().textContent).toContain('Failed: The folder does not exist'));
  });

  test('shows the last test the server kept for a connection (from an earlier session)', () => {
    const kept = { result: { ok: true, checks: [] }, at: Date.now() - 2 * 3_600_000 };
    renderWithStore(<ConnectionsView />, {}, { connections: [{ ...connections[0]!, lastTest: kept }, connections[1]!], connectionsLoad: 'ready' });
    expect(screen.getByRole('listitem', { name: 'Source folder' }).textContent).toContain('Works · 2 hours ago');
    expect(screen.getByRole('listitem', { name: 'Lab MinIO' }).textContent).toContain('Not tested');
  });

  test('Browse shows a connection\'s buckets, then folders and objects with size, date and type, read-only', async () => {
    const { user, client } = renderWithStore(<ConnectionsView />, {
      'buckets.list': () => ['photos', 'videos'],
      'objects.list': ({ prefix }) =>
        prefix === ''
          ? { objects: [{ key: 'index.html', size: 2048, lastModified: Date.UTC(2026, 0, 2), contentType: 'text/html' }], prefixes: ['2024/'] }
          : { objects: [{ key: '2024/beach.jpg', size: 184_000, lastModified: Date.UTC(2026, 0, 3), contentType: 'image/jpeg' }], prefixes: [] },
    }, { connections, connectionsLoad: 'ready' });
    await user.click(screen.getByRole('button', { name: 'Browse Source folder' }));
    const panel = screen.getByRole('region', { name: 'Browse Source folder' });
    await user.click(await within(panel).findByRole('button', { name: 'Open bucket photos' }));
    const objects = within(panel).getByRole('region', { name: 'Source folder objects in photos' });
    await within(objects).findByText('index.html');
    expect(objects.textContent).toContain('text/html');
    expect(objects.textContent).toMatch(/2(\.0)? kB/);
    await user.click(within(objects).getByRole('button', { name: 'Open folder 2024/' }));
    await within(objects).findByText('beach.jpg');
    expect(objects.textContent).toContain('image/jpeg');
    expect(within(panel).queryByRole('button', { name: 'Use this prefix' })).toBeNull();
    expect(client.calls.map((c) => c.name).every((name) => name === 'buckets.list' || name === 'objects.list')).toBe(true);
    await user.click(within(panel).getByRole('button', { name: 'Close the browser of Source folder' }));
    expect(screen.queryByRole('region', { name: 'Browse Source folder' })).toBeNull();
  });

  test('deleting a connection that mappings use names them and is not offered', async () => {
    const { user, client } = renderWithStore(<ConnectionsView />, {}, {
      connections,
      connectionsLoad: 'ready',
      mappings: [mapping('m1', { name: 'Photos backup', sourceConnectionId: 'src' }), mapping('m2', { name: 'Other', sourceConnectionId: 'dst', targetConnectionId: 'dst' })],
    });
    await user.click(screen.getByRole('button', { name: 'Delete Source folder' }));
    const dialog = screen.getByRole('alertdialog', { name: '“Source folder” is in use' });
    const names = within(dialog).getByRole('list', { name: 'Mappings using this connection' });
    expect(within(names).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['Photos backup']);
    expect((within(dialog).getByRole('button', { name: 'Delete connection' }) as HTMLButtonElement).disabled).toBe(true);
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(client.calls).toEqual([]);
  });

  test('an unused connection is deleted after confirmation; a refusal is shown in the dialog', async () => {
    let refuse = true;
    const { user, client } = renderWithStore(<ConnectionsView />, {
      'connections.delete': () => (refuse ? Promise.reject(apiError({ code: 'Conflict', message: 'used by mapping "Late"' })) : undefined),
    }, { connections, connectionsLoad: 'ready', mappings: [] });
    await user.click(screen.getByRole('button', { name: 'Delete Lab MinIO' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Delete connection "Lab MinIO"?' });
    await user.click(within(dialog).getByRole('button', { name: 'Delete connection' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe('used by mapping "Late"');
    refuse = false;
    await user.click(within(dialog).getByRole('button', { name: 'Delete connection' }));
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(client.argsOf('connections.delete')).toEqual([{ id: 'dst' }, { id: 'dst' }]);
    expect(screen.queryByRole('listitem', { name: 'Lab MinIO' })).toBeNull();
  });
});
