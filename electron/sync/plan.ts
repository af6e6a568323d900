// The pure decision for one key of a mapping, given what the source and the target listed and what
// the last successful sync recorded. No I/O: unit-tested on tables of cases (test/sync/plan.test.ts).
import type { DeleteMode } from '../../shared/model';
import type { ObjectInfo } from '../providers/provider';
import type { DeleteReason, SyncedObject } from './ports';

export interface PlanEntry {
  /** Key relative to the mapping's prefixes. */
  key: string;
  source?: ObjectInfo;
  target?: ObjectInfo;
  state?: SyncedObject;
}

export type PlanAction =
  | { kind: 'copy'; reason: 'new' | 'changed' | 'target-missing' | 'target-changed' | 'unverified' }
  | { kind: 'skip' }
  /** Equal content is already at the target: record state, transfer nothing. */
  | { kind: 'adopt' }
  | { kind: 'delete'; reason: DeleteReason }
  /** A target object that stays although the source lacks it (delete mode, or it was changed behind our back). */
  | { kind: 'keep'; reason: 'never-delete' | 'not-synced-by-us' | 'target-changed' }
  /** A state row whose object is gone on both sides: drop it. */
  | { kind: 'forget' };

export function planKey(entry: PlanEntry, deleteMode: DeleteMode): PlanAction {
  const { source, target, state } = entry;
  if (source && target) return planBoth(source, target, state);
  if (source) return { kind: 'copy', reason: state ? 'target-missing' : 'new' };
  if (target) return planTargetOnly(target, state, deleteMode);
  return { kind: 'forget' };
}

function planBoth(source: ObjectInfo, target: ObjectInfo, state: SyncedObject | undefined): PlanAction {
  const sourceUnchanged = state !== undefined && state.sourceEtag === source.etag && state.sourceSize === source.size;
  const targetUnchanged = state !== undefined && state.targetEtag === target.etag && state.targetSize === target.size;
  if (sourceUnchanged && targetUnchanged) return { kind: 'skip' };
  // ETags of different services are never compared; a real content MD5 on both sides is.
  if (source.md5 && target.md5 && source.md5 === target.md5 && source.size === target.size) return { kind: 'adopt' };
  if (!state) return { kind: 'copy', reason: 'unverified' };
  return { kind: 'copy', reason: sourceUnchanged ? 'target-changed' : 'changed' };
}

function planTargetOnly(target: ObjectInfo, state: SyncedObject | undefined, deleteMode: DeleteMode): PlanAction {
  if (deleteMode === 'never') return { kind: 'keep', reason: 'never-delete' };
  if (deleteMode === 'mirror') return { kind: 'delete', reason: state ? 'source-deleted' : 'extra' };
  // 'synced': only what this mapping wrote, and only if nobody changed it since.
  if (!state) return { kind: 'keep', reason: 'not-synced-by-us' };
  if (state.targetEtag !== target.etag || state.targetSize !== target.size) return { kind: 'keep', reason: 'target-changed' };
  return { kind: 'delete', reason: 'source-deleted' };
}
