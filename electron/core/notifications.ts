// What deserves the user's attention: which finished runs become an 'alert' event, and which alerts
// become a desktop notification. Electron-free; shell/main.ts only shows what `decide` returns.
import type { Events } from '../../shared/contract';
import type { Mapping, RunSummary } from '../../shared/model';

export type Alert = Events['alert'];

/** The alert for a finished run, or null when it went fine (or was stopped on purpose). */
export function alertForRun(mapping: Pick<Mapping, 'id' | 'name'>, run: RunSummary): Alert | null {
  const message = run.firstError ?? 'See the mapping\'s log for details.';
  if (run.status === 'failed' && run.errorCode === 'MaxDeleteGuard') {
    return { mappingId: mapping.id, title: `${mapping.name}: delete guard tripped`, message };
  }
  if (run.status === 'failed') return { mappingId: mapping.id, title: `${mapping.name}: sync failed`, message };
  if (run.status === 'partial') {
    const objects = `${run.failed} object${run.failed === 1 ? '' : 's'}`;
    return { mappingId: mapping.id, title: `${mapping.name}: ${objects} failed to sync`, message };
  }
  return null;
}

export interface NotificationPolicy {
  /** Whether to show this alert now; `enabled` is the user's notifications setting. */
  decide(alert: Alert, enabled: boolean): boolean;
  /** Every finished run: a good run re-arms the mapping's notifications. */
  runFinished(run: RunSummary): void;
}

/**
 * A mapping on a one-minute interval that keeps failing must not notify every minute: the same
 * alert (mapping + title) is shown once, and again only after a run of that mapping succeeded.
 * A different kind of alert for the mapping (e.g. the delete guard after a failure) is shown.
 */
export function createNotificationPolicy(): NotificationPolicy {
  const shown = new Map<string, string>(); // mappingId → title of the last alert shown
  return {
    decide(alert, enabled) {
      if (!enabled || shown.get(alert.mappingId) === alert.title) return false;
      shown.set(alert.mappingId, alert.title);
      return true;
    },
    runFinished(run) {
      if (run.status === 'success') shown.delete(run.mappingId);
    },
  };
}
