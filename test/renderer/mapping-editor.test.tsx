// @vitest-environment jsdom
// The mapping editor: what it sends to mappings.create, how it checks input with the shared
// validators (filters included), and how the preview of a run is shown; the card's filter summary.
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, test, vi } from 'vitest';
import type { MappingInput, PreviewResult } from '../../shared/contract';
import { MappingEditor } from '../../renderer/views/mapping-editor';
import { MappingCard } from '../../renderer/views/mapping-card';
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
    await user.clear(screen.getByLabelText('Interval'));
    await user.type(screen.getByLabelText('Interval'), '15');
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

  test('"…and N more" opens: Show all plans again listing up to the cap, and past it says so', async () => {
    const keys = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `k/${String(i).padStart(4, '0')}.bin`, size: 1, reason: 'new' }));
    const total = { small: 305, large: 1500 };
    let copies = total.small;
    const r = renderEditor({ 'mappings.preview': ({ limit }) => ({ ...result, copies, deletes: 0, firstDeletes: [], firstCopies: keys(Math.min(copies, limit ?? 20)) }) });
    await chooseBuckets(r);
    await r.user.click(screen.getByRole('button', { name: 'Preview' }));
    const list = async () => within(await screen.findByRole('region', { name: 'First copies' }));
    await (await list()).findByText('…and 285 more', { exact: false });
    await r.user.click((await list()).getByRole('button', { name: 'Show all' }));
    await waitFor(async () => expect((await list()).getAllByRole('listitem')).toHaveLength(305));
    expect(r.client.argsOf('mappings.preview').map((a) => a.limit)).toEqual([20, 1000]);
    expect((await list()).queryByText(/more/)).toBeNull();

    copies = total.large;
    await r.user.click(screen.getByRole('button', { name: 'Preview' }));
    await r.user.click(await (await list()).findByRole('button', { name: 'Show the first 1,000' }));
    await waitFor(async () => expect((await list()).getAllByRole('listitem')).toHaveLength(1000));
    expect((await screen.findByRole('region', { name: 'First copies' })).textContent).toContain('…and 500 more (a preview lists the first 1,000)');
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

describe('filters', () => {
  const filtered = { exclude: ['*.tmp', 'cache/**'], includeRegex: ['^2024/'], maxSize: 10 * 1024 * 1024, maxAge: 7 * 86_400 };

  test('typed filters reach mappings.create in the model’s units', async () => {
    const r = renderEditor({ 'mappings.create': (input) => mapping('new', { ...input, id: 'new' }) });
    await chooseBuckets(r);
    await r.user.type(screen.getByLabelText('Exclude globs'), '*.tmp{Enter}cache/**');
    await r.user.type(screen.getByLabelText('Include regular expressions'), '^2024/');
    await r.user.type(screen.getByLabelText('Max size'), '10M');
    await r.user.type(screen.getByLabelText('Max age'), '7d');
    await r.user.click(screen.getByRole('checkbox', { name: 'Delete excluded objects at the target' }));
    await r.user.click(screen.getByRole('button', { name: 'Save mapping' }));
    await waitFor(() => expect(r.client.argsOf('mappings.create')).toHaveLength(1));
    expect(r.client.argsOf('mappings.create')[0]).toMatchObject({ ...filtered, deleteExcluded: true });
    expect(r.client.argsOf('mappings.create')[0]).not.toHaveProperty('include');
  });

  test('an invalid glob and a bad size are refused at their fields; nothing is sent', async () => {
    const r = renderEditor();
    await chooseBuckets(r);
    // user-event reads "[[" as one "[".
    await r.user.type(screen.getByLabelText('Exclude globs'), '*.tmp{Enter}logs/[[a');
    await r.user.type(screen.getByLabelText('Min size'), 'ten');
    await r.user.click(screen.getByRole('button', { name: 'Preview' }));
    const exclude = screen.getByLabelText('Exclude globs');
    expect(isInvalid(exclude)).toBe(true);
    expect(description(exclude)).toContain('Exclude globs, line 2: invalid glob "logs/[a"');
    expect(isInvalid(screen.getByLabelText('Min size'))).toBe(true);
    expect(description(screen.getByLabelText('Min size'))).toContain('Min size must be a whole number of bytes, or a size such as "10M"');
    expect(isInvalid(screen.getByLabelText('Max size'))).toBe(false);
    expect(r.client.calls.filter((c) => c.name !== 'buckets.list')).toEqual([]);
    // Fixing a field clears its error.
    await r.user.clear(screen.getByLabelText('Min size'));
    expect(isInvalid(screen.getByLabelText('Min size'))).toBe(false);
  });

  test('a saved mapping’s filters are shown and saved back unchanged', async () => {
    const saved = mapping('m1', { sourceConnectionId: 'src', sourceBucket: 'photos', targetConnectionId: 'dst', targetBucket: 'backup', ...filtered, minSize: 1000 });
    const r = renderWithStore(<MappingEditor mapping={saved} onDone={vi.fn()} />, { 'buckets.list': buckets, 'mappings.update': (input) => mapping('m1', { ...saved, ...input }) }, { connections, connectionsLoad: 'ready', mappings: [saved] });
    expect((screen.getByLabelText('Exclude globs') as HTMLTextAreaElement).value).toBe('*.tmp\ncache/**');
    expect((screen.getByLabelText('Max size') as HTMLInputElement).value).toBe('10M');
    expect((screen.getByLabelText('Min size') as HTMLInputElement).value).toBe('1000');
    expect((screen.getByLabelText('Max age') as HTMLInputElement).value).toBe('1w');
    expect((screen.getByRole('checkbox', { name: 'Delete excluded objects at the target' }) as HTMLInputElement).checked).toBe(false);
    await screen.findByRole('option', { name: 'photos' });
    await r.user.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(r.client.argsOf('mappings.update')).toHaveLength(1));
    const { status: _status, ...input } = saved;
    expect(r.client.argsOf('mappings.update')[0]).toEqual(input);
  });

  test('the delete-excluded option says what it deletes in the chosen delete mode, and is off while the mapping never deletes', async () => {
    const r = renderEditor();
    const option = screen.getByRole('checkbox', { name: 'Delete excluded objects at the target' });
    expect(description(option)).toContain('objects this mapping copied that these filters leave out are deleted from the target');
    await r.user.click(screen.getByRole('radio', { name: /^Mirror the source/ }));
    expect(description(option)).toContain('deleted there, even ones this app never copied');
    expect((option as HTMLInputElement).disabled).toBe(false);
    await r.user.click(screen.getByRole('radio', { name: /^Never delete/ }));
    expect((option as HTMLInputElement).disabled).toBe(true);
  });

  test('Preview shows how many objects each filter excluded', async () => {
    const r = renderEditor({
      'mappings.preview': () => ({
        status: 'success',
        copies: 2,
        copyBytes: 2000,
        adopts: 0,
        skips: 0,
        deletes: 0,
        firstCopies: [],
        firstDeletes: [],
        error: null,
        excluded: [
          { rule: 'exclude "*.tmp"', count: 12 },
          { rule: 'maxSize 10 MiB', count: 3 },
        ],
      }),
    });
    await chooseBuckets(r);
    await r.user.type(screen.getByLabelText('Exclude globs'), '*.tmp');
    await r.user.click(screen.getByRole('button', { name: 'Preview' }));
    const excluded = await screen.findByRole('region', { name: 'Excluded by filters' });
    expect(excluded.querySelector('h4')?.textContent).toBe('Excluded by filters (15 objects)');
    expect(within(excluded).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['12 by exclude "*.tmp"', '3 by maxSize 10 MiB']);
    expect(r.client.argsOf('mappings.preview')[0]).toMatchObject({ input: expect.objectContaining({ exclude: ['*.tmp'] }) });
  });

  test('a preview without exclusions shows no exclusion list', async () => {
    const nothingExcluded: PreviewResult = { status: 'success', copies: 1, copyBytes: 10, adopts: 0, skips: 0, deletes: 0, firstCopies: [], firstDeletes: [], error: null };
    const r = renderEditor({ 'mappings.preview': () => nothingExcluded });
    await chooseBuckets(r);
    await r.user.click(screen.getByRole('button', { name: 'Preview' }));
    await screen.findByText('To copy');
    expect(screen.queryByRole('region', { name: 'Excluded by filters' })).toBeNull();
  });
});

describe('the mapping card', () => {
  test('says which filters are active, and nothing when there are none', () => {
    const plain = mapping('plain');
    const filtered = mapping('filtered', { exclude: ['*.tmp', 'cache/**'], maxSize: 10 * 1024 * 1024 });
    renderWithStore(
      <>
        <MappingCard mapping={plain} now={Date.now()} onDelete={vi.fn()} />
        <MappingCard mapping={filtered} now={Date.now()} onDelete={vi.fn()} />
      </>,
      {},
      { connections, connectionsLoad: 'ready', mappings: [plain, filtered] },
    );
    expect(screen.getByRole('article', { name: 'Mapping filtered' }).textContent).toContain('Filters: 2 exclude, maxSize 10M');
    expect(screen.getByRole('article', { name: 'Mapping plain' }).textContent).not.toContain('Filters');
  });
});
