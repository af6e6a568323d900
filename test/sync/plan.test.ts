import { describe, expect, it } from 'vitest';
import type { DeleteMode } from '../../shared/model';
import type { ObjectInfo } from '../../electron/providers/provider';
import type { SyncedObject } from '../../electron/sync/ports';
import { planKey, type PlanAction } from '../../electron/sync/plan';

const obj = (etag: string, size = 10, md5?: string): ObjectInfo => ({ key: 'k', etag, size, md5, lastModified: 1 });
const state = (sourceEtag: string, targetEtag: string, size = 10): SyncedObject => ({
  key: 'k', sourceEtag, sourceSize: size, sourceMtime: 1, sourceMd5: null, targetEtag, targetSize: size, targetMtime: null, syncedAt: 1,
});
// A real-S3 multipart ETag is not an MD5; the plan must never compare it with anything but itself.
const MULTIPART_ETAG = '9b2cf535f27731c974343645a3985328-3';
const MD5 = '0123456789abcdef0123456789abcdef';

type Case = [name: string, source: ObjectInfo | undefined, target: ObjectInfo | undefined, st: SyncedObject | undefined, mode: DeleteMode, expected: PlanAction];

const cases: Case[] = [
  ['new object', obj('s1'), undefined, undefined, 'synced', { kind: 'copy', reason: 'new' }],
  ['unchanged since last sync', obj('s1'), obj('t1'), state('s1', 't1'), 'synced', { kind: 'skip' }],
  ['unchanged multipart object', obj(MULTIPART_ETAG, 10), obj('t1'), state(MULTIPART_ETAG, 't1'), 'synced', { kind: 'skip' }],
  ['source changed, same size', obj('s2'), obj('t1'), state('s1', 't1'), 'synced', { kind: 'copy', reason: 'changed' }],
  ['source changed size', obj('s1', 11), obj('t1'), state('s1', 't1'), 'synced', { kind: 'copy', reason: 'changed' }],
  ['target altered behind our back', obj('s1'), obj('t9'), state('s1', 't1'), 'synced', { kind: 'copy', reason: 'target-changed' }],
  ['target removed behind our back', obj('s1'), undefined, state('s1', 't1'), 'synced', { kind: 'copy', reason: 'target-missing' }],
  ['both present, no state, equal MD5 → adopt', obj('x', 10, MD5), obj('y', 10, MD5), undefined, 'synced', { kind: 'adopt' }],
  ['both present, no state, equal MD5 but different size', obj('x', 10, MD5), obj('y', 11, MD5), undefined, 'synced', { kind: 'copy', reason: 'unverified' }],
  ['both present, no state, no MD5 → copy', obj('x'), obj('x'), undefined, 'synced', { kind: 'copy', reason: 'unverified' }],
  ['same ETag text on both sides is not proof of equal content', obj(MULTIPART_ETAG), obj(MULTIPART_ETAG), undefined, 'synced', { kind: 'copy', reason: 'unverified' }],
  ['source changed but target already has its MD5 → adopt', obj('s2', 10, MD5), obj('t2', 10, MD5), state('s1', 't1'), 'synced', { kind: 'adopt' }],
  ['deleted at source, synced by us → delete', undefined, obj('t1'), state('s1', 't1'), 'synced', { kind: 'delete', reason: 'source-deleted' }],
  ['deleted at source, but target changed since → keep', undefined, obj('t2'), state('s1', 't1'), 'synced', { kind: 'keep', reason: 'target-changed' }],
  ['extra target object not synced by us → keep', undefined, obj('t1'), undefined, 'synced', { kind: 'keep', reason: 'not-synced-by-us' }],
  ['extra target object in mirror mode → delete', undefined, obj('t1'), undefined, 'mirror', { kind: 'delete', reason: 'extra' }],
  ['deleted at source in mirror mode → delete even if changed', undefined, obj('t2'), state('s1', 't1'), 'mirror', { kind: 'delete', reason: 'source-deleted' }],
  ['never mode keeps everything', undefined, obj('t1'), state('s1', 't1'), 'never', { kind: 'keep', reason: 'never-delete' }],
  ['gone on both sides → forget state', undefined, undefined, state('s1', 't1'), 'synced', { kind: 'forget' }],
];

describe('planKey', () => {
  it.each(cases)('%s', (_name, source, target, st, mode, expected) => {
    expect(planKey({ key: 'k', source, target, state: st }, mode)).toEqual(expected);
  });
});
