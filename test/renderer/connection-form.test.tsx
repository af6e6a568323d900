// @vitest-environment jsdom
// The connection form: client-side validation, secrets that are never shown back (keep / replace /
// clear), server errors next to their field, and the connection test's checks.
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, test, vi } from 'vitest';
import type { ConnectionInput } from '../../shared/contract';
import { ConnectionForm } from '../../renderer/views/connection-form';
import { apiError } from './fake-client';
import { localConnection, minioConnection } from './fixtures';
import { description, isInvalid, renderWithStore } from './render';

describe('creating a local folder connection', () => {
  test('empty name and a relative folder are reported next to their fields; nothing is sent', async () => {
    const { user, client } = renderWithStore(<ConnectionForm connection={null} initialType="local" onDone={vi.fn()} />);
    await user.type(screen.getByLabelText(/^Folder/), 'data/photos');
    await user.click(screen.getByRole('button', { name: 'Save connection' }));
    const name = screen.getByLabelText(/^Name/);
    const folder = screen.getByLabelText(/^Folder/);
    expect(isInvalid(name)).toBe(true);
    expect(isInvalid(folder)).toBe(true);
    expect(description(folder)).toContain('must be an absolute path');
    expect(client.calls).toEqual([]);
  });

  test('a valid form creates the connection with exactly its settings', async () => {
    const onDone = vi.fn();
    const { user, client } = renderWithStore(<ConnectionForm connection={null} initialType="local" onDone={onDone} />, {
      'connections.create': (input) => ({ ...localConnection('c1', input.name), id: 'c1' }),
    });
    await user.type(screen.getByLabelText(/^Name/), 'Photos folder');
    await user.type(screen.getByLabelText(/^Folder/), '/data/buckets');
    await user.click(screen.getByRole('button', { name: 'Save connection' }));
    await waitFor(() => expect(onDone).toHaveBeenCalled());
    expect(client.argsOf('connections.create')).toEqual([{ name: 'Photos folder', type: 'local', local: { root: '/data/buckets' } }]);
  });

  test('switching the type shows that type’s fields with help text', async () => {
    const { user } = renderWithStore(<ConnectionForm connection={null} initialType="local" onDone={vi.fn()} />);
    await user.selectOptions(screen.getByLabelText('Type'), 'minio');
    expect(screen.getByRole('heading', { name: 'Add MinIO / S3-compatible connection' })).toBeTruthy();
    expect(description(screen.getByLabelText(/^Server/))).toContain('host:port');
    expect(screen.getByLabelText(/^Secret key/).getAttribute('type')).toBe('password');
    await user.type(screen.getByLabelText(/^Server/), 'http://localhost:9000');
    await user.click(screen.getByRole('button', { name: 'Save connection' }));
    expect(description(screen.getByLabelText(/^Server/))).toContain('without a scheme');
    expect(isInvalid(screen.getByLabelText(/^Secret key/))).toBe(true);
  });
});

describe('the symlink policy of a local folder connection', () => {
  test('offers Skip (default) and Follow; Follow is saved as "symlinks": "follow"', async () => {
    const onDone = vi.fn();
    const { user, client } = renderWithStore(<ConnectionForm connection={null} initialType="local" onDone={onDone} />, {
      'connections.create': (input) => ({ ...localConnection('c1', input.name), id: 'c1' }),
    });
    const symlinks = screen.getByLabelText(/^Symlinks/) as HTMLSelectElement;
    expect([...symlinks.options].map((o) => o.textContent)).toEqual(['Skip (default)', 'Follow']);
    expect(symlinks.value).toBe('skip');
    expect(description(symlinks)).toContain('Writes never follow a symlink');
    await user.type(screen.getByLabelText(/^Name/), 'Linked folder');
    await user.type(screen.getByLabelText(/^Folder/), '/data/buckets');
    await user.selectOptions(symlinks, 'follow');
    await user.click(screen.getByRole('button', { name: 'Save connection' }));
    await waitFor(() => expect(onDone).toHaveBeenCalled());
    expect(client.argsOf('connections.create')).toEqual([{ name: 'Linked folder', type: 'local', local: { root: '/data/buckets', symlinks: 'follow' } }]);
  });

  test('a saved "follow" shows as Follow; switching back to Skip saves "skip"', async () => {
    const linked = { ...localConnection('d', 'Disk'), local: { root: '/data/d', symlinks: 'follow' as const } };
    const { user, client } = renderWithStore(<ConnectionForm connection={linked} initialType="local" onDone={vi.fn()} />, {
      'connections.update': (input) => ({ ...linked, name: input.name }),
    });
    const symlinks = screen.getByLabelText(/^Symlinks/) as HTMLSelectElement;
    expect(symlinks.value).toBe('follow');
    await user.selectOptions(symlinks, 'skip');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(client.argsOf('connections.update')).toHaveLength(1));
    expect(client.argsOf('connections.update')[0]).toMatchObject({ id: 'd', type: 'local', local: { root: '/data/d', symlinks: 'skip' } });
  });
});

describe('secrets of a saved connection', () => {
  const update = (calls: ConnectionInput[]) => calls[0] as ConnectionInput & { type: 'minio' };

  test('a set secret shows as "Set" with Replace and Clear, never as a value; saving keeps it', async () => {
    const { user, client } = renderWithStore(<ConnectionForm connection={minioConnection('m', 'MinIO')} initialType="minio" onDone={vi.fn()} />, {
      'connections.update': (input) => ({ ...minioConnection(input.id, input.name) }),
    });
    expect(screen.getByTestId('secret-state').textContent).toContain('Set');
    expect(screen.getByRole('button', { name: 'Replace Secret key' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Clear Secret key' })).toBeTruthy();
    expect(document.querySelectorAll('input[type="password"]')).toHaveLength(0);
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(client.argsOf('connections.update')).toHaveLength(1));
    const sent = update(client.argsOf('connections.update'));
    expect(sent).toEqual({ id: 'm', name: 'MinIO', type: 'minio', minio: { endpoint: '127.0.0.1:9000', accessKey: 'admin', useSSL: false } });
    expect('secretKey' in sent.minio).toBe(false);
  });

  test('Replace with an empty input still keeps the stored secret; a typed one replaces it', async () => {
    const { user, client } = renderWithStore(<ConnectionForm connection={minioConnection('m', 'MinIO')} initialType="minio" onDone={vi.fn()} />, {
      'connections.update': (input) => ({ ...minioConnection(input.id, input.name) }),
    });
    await user.click(screen.getByRole('button', { name: 'Replace Secret key' }));
    const input = screen.getByLabelText(/^Secret key/);
    expect((input as HTMLInputElement).value).toBe('');
    expect(input.getAttribute('placeholder')).toBe('Leave empty to keep the current value');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(client.argsOf('connections.update')).toHaveLength(1));
    expect('secretKey' in update(client.argsOf('connections.update')).minio).toBe(false);

    await user.type(screen.getByLabelText(/^Secret key/), 'n3w-s3cret');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(client.argsOf('connections.update')).toHaveLength(2));
    expect(update(client.argsOf('connections.update').slice(1)).minio.secretKey).toBe('n3w-s3cret');
  });

  test('Clear sends an empty secret, and Undo takes it back', async () => {
    const { user, client } = renderWithStore(
      <ConnectionForm
        connection={{ id: 'a', name: 'S3', type: 'aws', aws: { region: 'eu-west-1', accessKeyId: 'AKIA1' }, secretsSet: { secretAccessKey: true, sessionToken: true } }}
        initialType="aws"
        onDone={vi.fn()}
      />,
      { 'connections.update': (input) => ({ id: input.id, name: input.name, type: 'aws', aws: { region: 'eu-west-1' }, secretsSet: {} }) },
    );
    await user.click(screen.getByRole('button', { name: 'Clear Session token' }));
    expect(screen.getAllByTestId('secret-state').map((e) => e.textContent)).toEqual(['Set', 'Will be cleared when saved']);
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(client.argsOf('connections.update')).toHaveLength(1));
    const sent = client.argsOf('connections.update')[0] as ConnectionInput & { type: 'aws' };
    expect(sent.aws.sessionToken).toBe('');
    expect('secretAccessKey' in sent.aws).toBe(false);

    await user.click(screen.getByRole('button', { name: 'Undo clear Session token' }));
    expect(screen.getAllByTestId('secret-state').map((e) => e.textContent)).toEqual(['Set', 'Set']);
  });

  test('clearing a required secret is refused before anything is sent', async () => {
    const { user, client } = renderWithStore(<ConnectionForm connection={minioConnection('m', 'MinIO')} initialType="minio" onDone={vi.fn()} />);
    await user.click(screen.getByRole('button', { name: 'Clear Secret key' }));
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(screen.getByText('Secret key is required: the MinIO secret key (password).')).toBeTruthy();
    expect(client.calls).toEqual([]);
  });
});

describe('server answers', () => {
  test('an error with a field is shown next to that field', async () => {
    const { user } = renderWithStore(<ConnectionForm connection={minioConnection('m', 'MinIO')} initialType="minio" onDone={vi.fn()} />, {
      'connections.update': () => Promise.reject(apiError({ message: 'the host does not resolve', field: 'minio.endpoint' })),
    });
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(isInvalid(screen.getByLabelText(/^Server/))).toBe(true));
    expect(description(screen.getByLabelText(/^Server/))).toContain('the host does not resolve');
  });

  test('an error without a field is shown for the whole form', async () => {
    const { user } = renderWithStore(<ConnectionForm connection={minioConnection('m', 'MinIO')} initialType="minio" onDone={vi.fn()} />, {
      'connections.update': () => Promise.reject(apiError({ code: 'Fatal', message: 'database is locked' })),
    });
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect((await screen.findByText('database is locked')).getAttribute('role')).toBe('alert');
  });

  test('Test connection sends the form values and lists each check as ok, failed or skipped', async () => {
    const { user, client } = renderWithStore(<ConnectionForm connection={minioConnection('m', 'MinIO')} initialType="minio" onDone={vi.fn()} />, {
      'connections.test': () => ({
        ok: false,
        checks: [
          { name: 'auth', ok: true, skipped: false, message: 'signed in', durationMs: 12 },
          { name: 'listBuckets', ok: true, skipped: false, message: '3 buckets', durationMs: 20 },
          { name: 'read', ok: false, skipped: false, message: 'Access Denied', durationMs: 8 },
          { name: 'write', ok: false, skipped: true, message: 'skipped after a failed read', durationMs: 0 },
        ],
      }),
    });
    await user.type(screen.getByLabelText(/^Bucket for the read and write checks/), 'photos');
    await user.click(screen.getByRole('button', { name: 'Test connection' }));
    const checks = await screen.findByRole('list', { name: 'Connection checks' });
    const rows = within(checks).getAllByRole('listitem');
    expect(rows.map((r) => [r.dataset.check, r.dataset.outcome])).toEqual([
      ['auth', 'ok'],
      ['listBuckets', 'ok'],
      ['read', 'failed'],
      ['write', 'skipped'],
    ]);
    expect(rows[2]!.textContent).toContain('Access Denied');
    expect(screen.getByText('Connection test failed')).toBeTruthy();
    expect(client.argsOf('connections.test')).toEqual([
      { id: 'm', input: { id: 'm', name: 'MinIO', type: 'minio', minio: { endpoint: '127.0.0.1:9000', accessKey: 'admin', useSSL: false } }, bucket: 'photos' },
    ]);
  });
});
