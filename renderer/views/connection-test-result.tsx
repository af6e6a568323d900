import type { ConnectionCheck, ConnectionCheckName } from '../../shared/contract';
import { formatDuration, formatRelativeTime } from '../format';
import type { ConnectionTestState } from '../store/connections-slice';

export const CHECK_LABELS: Record<ConnectionCheckName, string> = {
  auth: 'Sign in',
  listBuckets: 'List buckets',
  read: 'Read',
  write: 'Write',
};

export function checkOutcome(check: ConnectionCheck): 'ok' | 'failed' | 'skipped' {
  return check.skipped ? 'skipped' : check.ok ? 'ok' : 'failed';
}

const OUTCOME_TEXT = { ok: 'OK', failed: 'Failed', skipped: 'Skipped' } as const;
const OUTCOME_ICON = { ok: '✓', failed: '✕', skipped: '–' } as const;

/** The checks of one connection test; space is reserved so results do not push the form around. */
export function ConnectionTestResult({ test, now }: { test: ConnectionTestState | undefined; now: number }) {
  if (!test) return <div className="test-result test-result-empty" />;
  if (test.running && !test.result) {
    return (
      <div className="test-result" role="status" aria-live="polite">
        <span className="spinner" aria-hidden="true" /> Testing…
      </div>
    );
  }
  if (test.error) {
    return (
      <div className="test-result" role="alert">
        <p className="test-summary test-summary-bad">The test could not run: {test.error.message}</p>
      </div>
    );
  }
  if (!test.result) return <div className="test-result test-result-empty" />;
  const { result } = test;
  return (
    <div className="test-result" aria-live="polite" aria-busy={test.running}>
      <p className={`test-summary ${result.ok ? 'test-summary-ok' : 'test-summary-bad'}`}>
        {result.ok ? 'Connection works' : 'Connection test failed'}
        {test.at !== null && <span className="muted"> · {formatRelativeTime(test.at, now, 'past')}</span>}
      </p>
      <ul className="checks" aria-label="Connection checks">
        {result.checks.map((check) => {
          const outcome = checkOutcome(check);
          return (
            <li key={check.name} className={`check check-${outcome}`} data-check={check.name} data-outcome={outcome}>
              <span className="check-icon" aria-hidden="true">
                {OUTCOME_ICON[outcome]}
              </span>
              <span className="check-name">{CHECK_LABELS[check.name]}</span>
              <span className="check-outcome">{OUTCOME_TEXT[outcome]}</span>
              <span className="check-message">{check.message}</span>
              <span className="check-duration muted">{check.skipped ? '' : formatDuration(check.durationMs)}</span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
