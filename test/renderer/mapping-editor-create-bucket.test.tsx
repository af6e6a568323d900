// @vitest-environment jsdom
// The editor's "Create the target bucket if it does not exist" checkbox: off by default and then not
// sent; ticked it sends createTargetBucket: true; a saved mapping's flag shows ticked and unticking it
// clears it.
import { screen, waitFor } from '@testing-library/react';
import { describe, expect, test, vi } from 'vitest';
import { MappingEditor } from '../../renderer/views/mapping-editor';
import type { Handlers } from './fake-client';
import { localConnection, mapping } from './fixtures';
import { description, renderWithStore } from './render';

const connections = [localConnection('src', 'Source folder'), localConnection('dst', 'Backup folder')];
const buckets: Handlers['buckets.list'] = ({ connectionId }) => (connectionId === 'src' ? ['photos'] : ['backup']);
const LABEL = 'Create the target bucket if it does not exist';

describe('mapping editor: createTargetBucket', () => {
  test('off by default and not sent; ticked, mappings.create gets createTargetBucket: true', async () => {
    const onDone = vi.fn();
    const r = renderWithStore(<MappingEditor mapping={null} onDone={onDone} />, { 'buckets.list': buckets, 'mappings.create': (input) => mapping('new', { ...input, id: 'new' }) }, { connections, connectionsLoad: 'ready' });
    await r.user.selectOptions(screen.getByLabelText(/^Source bucket/), await screen.findByRole('option', { name: 'photos' }));
    await r.user.selectOptions(screen.getByLabelText(/^Target bucket/), await screen.findByRole('option', { name: 'backup' }));
    const box = screen.getByRole('checkbox', { name: LABEL });
    expect((box as HTMLInputElement).checked).toBe(false);
    expect(description(box)).toMatch(/a dry run only says it would\. Unticked, such a run fails and creates nothing/);
    await r.user.click(screen.getByRole('button', { name: 'Save mapping' }));
    await waitFor(() => expect(r.client.argsOf('mappings.create')).toHaveLength(1));
    expect(r.client.argsOf('mappings.create')[0]).not.toHaveProperty('createTargetBucket');
    await r.user.click(box);
    await r.user.click(screen.getByRole('button', { name: 'Save mapping' }));
    await waitFor(() => expect(r.client.argsOf('mappings.create')).toHaveLength(2));
    expect(r.client.argsOf('mappings.create')[1]).toMatchObject({ targetBucket: 'backup', createTargetBucket: true });
  });

  test("a saved mapping's flag shows ticked; unticking it saves the mapping without it", async () => {
    const saved = mapping('m1', { sourceConnectionId: 'src', sourceBucket: 'photos', targetConnectionId: 'dst', targetBucket: 'backup', createTargetBucket: true });
    const r = renderWithStore(<MappingEditor mapping={saved} onDone={vi.fn()} />, { 'buckets.list': buckets, 'mappings.update': (input) => mapping('m1', input) }, { connections, connectionsLoad: 'ready' });
    const box = screen.getByRole('checkbox', { name: LABEL });
    expect((box as HTMLInputElement).checked).toBe(true);
    await r.user.click(box);
    await r.user.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(r.client.argsOf('mappings.update')).toHaveLength(1));
    expect(r.client.argsOf('mappings.update')[0]).toMatchObject({ id: 'm1', targetBucket: 'backup' });
    expect(r.client.argsOf('mappings.update')[0]).not.toHaveProperty('createTargetBucket');
  });
});
