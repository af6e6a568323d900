// @vitest-environment jsdom
// The mapping editor: what it sends to mappings.create, how it checks input with the shared
// validators, and how the preview of a run is shown.
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, test, vi } from 'vitest';
import type { MappingInput, PreviewResult } from '../../shared/contract';
import { MappingEditor } from '../../renderer/views/mapping-editor';
import { apiError, type Handlers } from './fake-client';
import { localConnection, mapping } from './fixtures';
import { description, isInvalid, renderWithStore, type Rendered } from './render';

const connections = [localConnection('src', 'Source folder'), localConnection('dst', 'Backup folder')];
const buckets: Handlers['buckets.list'] = ({ connectionId }) => (connectionId === 'src' ? ['photos', 'docs'] : ['backup']);

function renderEditor(handlers: Handlers = {}, onDone = vi.fn()) {
  return renderWithStore(<MappingEditor mapping={null} onDone={onDone} />, { 'buckets.list': buckets, ...handlers }, { connections, connectionsLoad: 'ready' });
}

async function chooseBuckets({ user }: Rendered) {
  const source = await screen.findByRole('option', { name: 'photos' });
  await user.selectOptions(screen.getByLabelText(/^Source bucket/), source);
  await screen.findByRole('option', { name: 'backup' });
  await user.selectOptions(screen.getByLabelText(/^Target bucket/), 'backup');
}

describe('building a mapping', () => {
  test('every option ends up in mappings.create exactly', async () => {
    const onDone = vi.fn();
    const r = renderEditor({ 'mappings.create': (input) => mapping('new', { ...input, id: 'new' }) }, onDone);
    const { user, client } = r;
    await user.type(screen.getByLabelText('Name'), 'Photos backup');
    expect((screen.getByLabelText(/^Source connection/) as HTMLSelectElement).value).toBe('src');
    expect((screen.getByLabelText(/^Target connection/) as HTMLSelectElement).value).toBe('dst');
    await chooseBuckets(r);
    await user.type(screen.getByLabelText('Source prefix'), '2024/');
    await user.type(screen.getByLabelText('Target prefix'), 'photos/');
    await user.click(screen.getByRole('radio', { name: 'Every' }));
    await user.clear(screen.getByLabelText('Interval in minutes'));
    await user.type(screen.getByLabelText('Interval in minutes'), '15');
    await user.click(screen.getByRole('radio', { name: /^Mirror the source/ }));
    await user.type(screen.getByLabelText('Max deletions per run'), '10%');
    await user.clear(screen.getByLabelText('Parallel transfers'));
    await user.type(screen.getByLabelText('Parallel transfers'), '4');
    await user.click(screen.getByRole('checkbox', { name: 'Dry run' }));
    await user.click(screen.getByRole('button', { name: 'Save mapping' }));
    await waitFor(() => expect(onDone).toHaveBeenCalled());
    expect(client.argsOf('mappings.create')).toEqual<MappingInput[]>([
      {
        name: 'Photos backup',
        sourceConnectionId: 'src',
        sourceBucket: 'photos',
        sourcePrefix: '2024/',
        targetConnectionId: 'dst',
        targetBucket: 'backup',
        targetPrefix: 'photos/',
        transfers: 4,
        deleteMode: 'mirror',
        maxDelete: { kind: 'percent', value: 10 },
        dryRun: true,
        enabled: true,
        intervalSeconds: 900,
      },
    ]);
  });

  test('defaults: on demand, synced-only deletes, no limit, 8 transfers, named after the buckets', async () => {
    const r = renderEditor({ 'mappings.create': (input) => mapping('new', { ...input, id: 'new' }) });
    await chooseBuckets(r);
    await r.user.click(screen.getByRole('button', { name: 'Save mapping' }));
    await waitFor(() => expect(r.client.argsOf('mappings.create')).toHaveLength(1));
    expect(r.client.argsOf('mappings.create')[0]).toMatchObject({
      name: 'photos → backup',
      deleteMode: 'synced',
      maxDelete: null,
      transfers: 8,
      intervalSeconds: null,
      dryRun: false,
      enabled: true,
    });
  });

  test('bucket names and maxDelete are checked with the shared validators before anything is sent', async () => {
    const r = renderEditor();
    const { user, client } = r;
    await screen.findByRole('option', { name: 'photos' });
    await user.selectOptions(screen.getByLabelText(/^Source bucket/), 'Another name…');
    await user.type(screen.getByLabelText(/^Source bucket/), 'a/b');
    await user.type(screen.getByLabelText('Max deletions per run'), '150%');
    await user.click(screen.getByRole('button', { name: 'Save mapping' }));
    const source = screen.getByLabelText(/^Source bucket/);
    expect(isInvalid(source)).toBe(true);
    expect(description(source)).toContain('single folder name');
    expect(description(screen.getByLabelText(/^Target bucket/))).toContain('Choose or type the target bucket');
    expect(description(screen.getByLabelText('Max deletions per run'))).toContain('at most 100%');
    expect(client.calls.filter((c) => c.name !== 'buckets.list')).toEqual([]);
  });

  test('the same bucket with overlapping prefixes is refused', async () => {
    const r = renderEditor();
    await screen.findByRole('option', { name: 'photos' });
    await r.user.selectOptions(screen.getByLabelText(/^Target connection/), 'src');
    await r.user.selectOptions(screen.getByLabelText(/^Source bucket/), 'photos');
    await r.user.selectOptions(await screen.findByLabelText(/^Target bucket/), 'photos');
    await r.user.click(screen.getByRole('button', { name: 'Save mapping' }));
    expect(description(screen.getByLabelText('Target prefix'))).toContain('sync into itself');
  });

  test('a server error naming a field is shown next to it', async () => {
    const r = renderEditor({ 'mappings.create': () => Promise.reject(apiError({ message: 'another mapping writes here in mirror mode', field: 'targetBucket' })) });
    await chooseBuckets(r);
    await r.user.click(screen.getByRole('button', { name: 'Save mapping' }));
    await waitFor(() => expect(description(screen.getByLabelText(/^Target bucket/))).toContain('another mapping writes here'));
  });

  test('a bucket list that cannot be read leaves a typed name', async () => {
    renderEditor({ 'buckets.list': () => Promise.reject(apiError({ code: 'AccessDenied', message: 'ListBuckets denied' })) });
    const input = await screen.findAllByRole('textbox', { name: /bucket/ });
    expect(input.length).toBeGreaterThan(0);
    await waitFor(() => expect(description(screen.getByLabelText(/^Source bucket/))).toContain('ListBuckets denied'));
  });
});

describe('preview', () => {
  const result: PreviewResult = {
    status: 'success',
    copies: 120,
    copyBytes: 5_000_000,
    adopts: 3,
    skips: 40,
    deletes: 2,
    firstCopies: [
      { key: '2024/a.jpg', size: 1000, reason: 'missing in target' },
      { key: '2024/b.jpg', size: 2500, reason: 'changed' },
    ],
    firstDeletes: [{ key: 'old/c.jpg', reason: 'no longer in source' }],
    error: null,
  };

  test('Preview sends the unsaved mapping and shows counts and the first copies and deletes', async () => {
    const r = renderEditor({ 'mappings.preview': () => result });
    await chooseBuckets(r);
    await r.user.click(screen.getByRole('button', { name: 'Preview' }));
    const region = await screen.findByRole('region', { name: 'Preview' });
    await within(region).findByText('To copy');
    expect(r.client.argsOf('mappings.preview')).toEqual([{ input: expect.objectContaining({ sourceBucket: 'photos', targetBucket: 'backup' }), limit: 20 }]);
    const count = (name: string) => region.querySelector(`[data-count="${name}"] dd`)?.textContent;
    expect(count('copies')).toBe('120 (5.0 MB)');
    expect(count('deletes')).toBe('2');
    expect(count('adopts')).toBe('3');
    expect(count('skips')).toBe('40');
    const copies = within(region).getByRole('region', { name: 'First copies' });
    expect(within(copies).getAllByRole('listitem').map((li) => li.querySelector('code')?.textContent)).toEqual(['2024/a.jpg', '2024/b.jpg']);
    expect(copies.textContent).toContain('…and 118 more');
    const deletes = within(region).getByRole('region', { name: 'First deletions' });
    expect(deletes.textContent).toContain('old/c.jpg');
    expect(deletes.textContent).toContain('…and 1 more');
    expect(r.client.calls.some((c) => c.name === 'sync.now' || c.name === 'mappings.create')).toBe(false);
  });

  test('a plan that cannot be made says why', async () => {
    const r = renderEditor({ 'mappings.preview': () => ({ ...result, copies: 0, deletes: 0, firstCopies: [], firstDeletes: [], status: 'failed', error: 'the target bucket does not exist' }) });
    await chooseBuckets(r);
    await r.user.click(screen.getByRole('button', { name: 'Preview' }));
    expect((await screen.findByText(/A run would stop/)).textContent).toContain('the target bucket does not exist');
  });

  test('a failed preview call is shown in the panel', async () => {
    const r = renderEditor({ 'mappings.preview': () => Promise.reject(apiError({ code: 'AccessDenied', message: 'cannot list the source' })) });
    await chooseBuckets(r);
    await r.user.click(screen.getByRole('button', { name: 'Preview' }));
    expect((await screen.findByText(/The preview failed/)).textContent).toContain('cannot list the source');
  });

  test('an unchanged saved mapping is previewed by id (with its sync state); edited, by its input', async () => {
    const saved = mapping('m1', { sourceConnectionId: 'src', sourceBucket: 'photos', targetConnectionId: 'dst', targetBucket: 'backup' });
    const r = renderWithStore(<MappingEditor mapping={saved} onDone={vi.fn()} />, { 'buckets.list': buckets, 'mappings.preview': () => result }, { connections, connectionsLoad: 'ready', mappings: [saved] });
    await screen.findByRole('option', { name: 'photos' });
    await r.user.click(screen.getByRole('button', { name: 'Preview' }));
    await screen.findByText('To copy');
    await r.user.type(screen.getByLabelText('Target prefix'), 'new/');
    await r.user.click(screen.getByRole('button', { name: 'Preview' }));
    await waitFor(() => expect(r.client.argsOf('mappings.preview')).toHaveLength(2));
    expect(r.client.argsOf('mappings.preview')).toEqual([
      { id: 'm1', limit: 20 },
      { input: expect.objectContaining({ id: 'm1', targetPrefix: 'new/' }), limit: 20 },
    ]);
    expect(await screen.findByText(/Previewed with your unsaved changes/)).toBeTruthy();
  });

  test('changing a setting after a preview marks it as out of date', async () => {
    const r = renderEditor({ 'mappings.preview': () => result });
    await chooseBuckets(r);
    await r.user.click(screen.getByRole('button', { name: 'Preview' }));
    await screen.findByText('To copy');
    expect(screen.queryByText(/changed since this preview/)).toBeNull();
    await r.user.type(screen.getByLabelText('Source prefix'), 'x/');
    expect(screen.getByText(/changed since this preview/)).toBeTruthy();
  });
});
