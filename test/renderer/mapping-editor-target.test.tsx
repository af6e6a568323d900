// @vitest-environment jsdom
// The editor's "Objects written to the target" section: the storage classes and encryption forms of the
// target connection's service (none for a local folder), sent as chosen, and a saved mapping's shown back.
import { screen, waitFor } from '@testing-library/react';
import { describe, expect, test, vi } from 'vitest';
import { MappingEditor } from '../../renderer/views/mapping-editor';
import type { ConnectionView } from '../../shared/contract';
import type { Handlers } from './fake-client';
import { localConnection, mapping } from './fixtures';
import { renderWithStore } from './render';

const gcs = { id: 'gcs', name: 'Cloud', type: 'gcs', gcs: { projectId: 'p' } } as ConnectionView;
const connections = [localConnection('src', 'Source folder'), gcs, localConnection('dst', 'Backup folder')];
const buckets: Handlers['buckets.list'] = ({ connectionId }) => (connectionId === 'src' ? ['photos'] : ['backup-bucket']);
const KEY = 'projects/p/locations/eu/keyRings/r/cryptoKeys/k';

describe('mapping editor: objects written to the target', () => {
  test("offers the GCS target's classes and a KMS key; sends them with keepVersions", async () => {
    const r = renderWithStore(<MappingEditor mapping={null} onDone={vi.fn()} />, { 'buckets.list': buckets, 'mappings.create': (input) => mapping('new', { ...input, id: 'new' }) }, { connections, connectionsLoad: 'ready' });
    await r.user.selectOptions(screen.getByLabelText(/^Target connection/), 'gcs');
    await r.user.selectOptions(screen.getByLabelText(/^Source bucket/), await screen.findByRole('option', { name: 'photos' }));
    await r.user.selectOptions(screen.getByLabelText(/^Target bucket/), await screen.findByRole('option', { name: 'backup-bucket' }));
    const storageClass = screen.getByLabelText(/^Storage class/);
    expect([...(storageClass as HTMLSelectElement).options].map((o) => o.value)).toEqual(['', 'STANDARD', 'NEARLINE', 'COLDLINE', 'ARCHIVE']);
    await r.user.selectOptions(storageClass, 'NEARLINE');
    await r.user.selectOptions(screen.getByLabelText(/^Encryption$/), 'kmsKeyName');
    await r.user.type(screen.getByLabelText(/^Encryption key/), KEY);
    await r.user.click(screen.getByRole('checkbox', { name: 'Keep previous versions' }));
    await r.user.click(screen.getByRole('button', { name: 'Save mapping' }));
    await waitFor(() => expect(r.client.argsOf('mappings.create')).toHaveLength(1));
    expect(r.client.argsOf('mappings.create')[0]).toMatchObject({ targetStorageClass: 'NEARLINE', targetEncryption: { kmsKeyName: KEY }, keepVersions: true });
  });

  test('a local folder target offers no class or encryption; a saved mapping shows its settings', async () => {
    const saved = mapping('m1', { sourceConnectionId: 'src', sourceBucket: 'photos', targetConnectionId: 'gcs', targetBucket: 'backup-bucket', targetStorageClass: 'COLDLINE', bwLimit: '2M' });
    const r = renderWithStore(<MappingEditor mapping={saved} onDone={vi.fn()} />, { 'buckets.list': buckets, 'mappings.update': (input) => mapping('m1', input) }, { connections, connectionsLoad: 'ready' });
    expect((screen.getByLabelText(/^Storage class/) as HTMLSelectElement).value).toBe('COLDLINE');
    expect((screen.getByLabelText(/^Bandwidth limit/) as HTMLInputElement).value).toBe('2M');
    await r.user.selectOptions(screen.getByLabelText(/^Target connection/), 'dst');
    expect(screen.queryByLabelText(/^Storage class/)).toBeNull();
    expect(screen.getByText('A local folder has no storage classes or server-side encryption.')).toBeTruthy();
    // The class the folder cannot take is dropped with the field, so the mapping still saves.
    await r.user.selectOptions(screen.getByLabelText(/^Target bucket/), await screen.findByRole('option', { name: 'backup-bucket' }));
    await r.user.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(r.client.argsOf('mappings.update')).toHaveLength(1));
    expect(r.client.argsOf('mappings.update')[0]).toMatchObject({ targetConnectionId: 'dst', bwLimit: '2M' });
    expect(r.client.argsOf('mappings.update')[0]).not.toHaveProperty('targetStorageClass');
  });
});
