import { describe, expect, it } from 'vitest';
import type { RunStatus, RunSummary } from '../../shared/model';
import { alertForRun, createNotificationPolicy } from '../../electron/core/notifications';

const mapping = { id: 'm1', name: 'Photos' };

function run(status: RunStatus, extra: Partial<RunSummary> = {}): RunSummary {
  return {
    id: 1, mappingId: 'm1', status, dryRun: false, startedAt: 0, finishedAt: 1, durationMs: 1,
    copied: 0, adopted: 0, skipped: 0, deleted: 0, failed: 0, bytesCopied: 0, firstError: null, errorCode: null, ...extra,
  };
}

describe('alertForRun', () => {
  it('alerts on a failed run with its first error', () => {
    expect(alertForRun(mapping, run('failed', { firstError: 'source bucket "x" was not found' }))).toEqual({
      mappingId: 'm1', title: 'Photos: sync failed', message: 'source bucket "x" was not found',
    });
  });

  it('tells a tripped delete guard apart from other failures', () => {
    const firstError = 'maxDelete guard tripped: this run would delete 5 object(s), above the limit of 1 object(s). Nothing was deleted.';
    expect(alertForRun(mapping, run('failed', { firstError, errorCode: 'MaxDeleteGuard' }))).toEqual({ mappingId: 'm1', title: 'Photos: delete guard tripped', message: firstError });
    // The code decides, not the wording of the message.
    expect(alertForRun(mapping, run('failed', { firstError, errorCode: 'Internal' }))?.title).toBe('Photos: sync failed');
  });

  it('alerts on a partial run with the number of objects that failed', () => {
    expect(alertForRun(mapping, run('partial', { failed: 1, firstError: 'Failed to copy a' }))?.title).toBe('Photos: 1 object failed to sync');
    expect(alertForRun(mapping, run('partial', { failed: 4, firstError: null }))).toMatchObject({
      title: 'Photos: 4 objects failed to sync', message: "See the mapping's log for details.",
    });
  });

  it('stays quiet for success, cancel and interruption', () => {
    for (const status of ['success', 'cancelled', 'interrupted'] as const) expect(alertForRun(mapping, run(status))).toBeNull();
  });
});

describe('createNotificationPolicy', () => {
  const failed = { mappingId: 'm1', title: 'Photos: sync failed', message: 'x' };

  it('notifies only when notifications are on', () => {
    expect(createNotificationPolicy().decide(failed, false)).toBe(false);
    expect(createNotificationPolicy().decide(failed, true)).toBe(true);
  });

  it('shows a repeated failure once, and again only after the mapping had a successful run', () => {
    const policy = createNotificationPolicy();
    expect(policy.decide(failed, true)).toBe(true);
    expect(policy.decide({ ...failed, message: 'another message' }, true)).toBe(false);
    policy.runFinished(run('failed'));
    expect(policy.decide(failed, true)).toBe(false);
    policy.runFinished(run('success'));
    expect(policy.decide(failed, true)).toBe(true);
  });

  it('shows a different kind of alert, and other mappings, independently', () => {
    const policy = createNotificationPolicy();
    expect(policy.decide(failed, true)).toBe(true);
    expect(policy.decide({ ...failed, title: 'Photos: delete guard tripped' }, true)).toBe(true);
    expect(policy.decide({ mappingId: 'm2', title: 'Docs: sync failed', message: 'x' }, true)).toBe(true);
  });

  it('does not count an alert it did not show because notifications were off', () => {
    const policy = createNotificationPolicy();
    expect(policy.decide(failed, false)).toBe(false);
    expect(policy.decide(failed, true)).toBe(true);
  });
});
