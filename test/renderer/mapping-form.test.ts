// The mapping form's check for a mapping into its own source is shared/config's rule (overlaps.ts)
// on what the sides resolve to, not a copy comparing connection ids: two connections that name one
// folder or one service are one place here too. (The server checks again with real paths on disk.)
import { describe, expect, test } from 'vitest';
import type { ConnectionView } from '../../shared/contract';
import { emptyMappingForm, validateMappingForm, type MappingFormState } from '../../renderer/views/mapping-form';
import { localConnection, minioConnection } from './fixtures';

function form(connections: readonly ConnectionView[], patch: Partial<MappingFormState>): MappingFormState {
  return { ...emptyMappingForm(connections), sourceBucket: 'photos', targetBucket: 'photos', ...patch };
}

describe('mapping form: a mapping into its own source', () => {
  test('is refused through a second connection whose folder is written differently', () => {
    const connections = [localConnection('disk', 'Disk', '/data/buckets'), localConnection('again', 'Again', '/data/./buckets/')];
    const errors = validateMappingForm(form(connections, { sourceConnectionId: 'disk', targetConnectionId: 'again', targetPrefix: 'copy/' }), connections);
    expect(errors.targetPrefix).toBe(
      'Source disk:photos/ (file:///data/buckets/photos/) and target again:photos/copy/ (file:///data/buckets/photos/copy/) are the same place or one inside the other: ' +
        'the mapping would sync into itself; use another bucket or non-overlapping prefixes, one level deeper on every run.',
    );
  });

  test('is refused through two connections to one S3-compatible server under different names', () => {
    const one = minioConnection('one'); // 127.0.0.1:9000
    const two: ConnectionView = { id: 'two', name: 'two', type: 'minio', minio: { endpoint: 'localhost:9000', accessKey: 'admin' }, secretsSet: { secretKey: true } };
    const errors = validateMappingForm(form([one, two], { sourceConnectionId: 'one', targetConnectionId: 'two' }), [one, two]);
    expect(errors.targetPrefix).toContain('would sync into itself');
  });

  test('is refused on one connection and bucket with overlapping prefixes; separate prefixes or folders pass', () => {
    const connections = [localConnection('disk', 'Disk', '/data/buckets'), localConnection('other', 'Other', '/data/other')];
    const same = { sourceConnectionId: 'disk', targetConnectionId: 'disk' };
    expect(validateMappingForm(form(connections, { ...same, sourcePrefix: '2024/', targetPrefix: '' }), connections).targetPrefix).toContain(
      'Source and target are the same bucket (disk:photos) with overlapping prefixes "2024/" and ""',
    );
    expect(validateMappingForm(form(connections, { ...same, sourcePrefix: '2024/', targetPrefix: 'copy/' }), connections).targetPrefix).toBeUndefined();
    expect(validateMappingForm(form(connections, { sourceConnectionId: 'disk', targetConnectionId: 'other' }), connections).targetPrefix).toBeUndefined();
  });
});
