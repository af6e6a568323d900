// What a new user sees: three steps, and one button per provider type — a local folder first, so
// the app can be tried without any cloud account.
import { DESCRIPTORS } from '../../shared/providers';
import { ProviderLogo } from '../components/provider-logo';
import { useAppStore } from '../store';

export function FirstRun() {
  const openConnectionEditor = useAppStore((s) => s.openConnectionEditor);
  return (
    <section className="first-run" aria-labelledby="first-run-title">
      <h2 id="first-run-title">Welcome to Cloud Data Sync</h2>
      <ol className="first-run-steps">
        <li>
          <strong>Add a connection</strong> — where your buckets are.
        </li>
        <li>
          <strong>Draw a mapping</strong> — from a source bucket to a target bucket.
        </li>
        <li>
          <strong>Preview and sync</strong> — see what would change, then sync now or on a schedule.
        </li>
      </ol>
      <h3>Add a connection</h3>
      <ul className="provider-choices">
        {DESCRIPTORS.map(({ type, label, blurb }) => (
          <li key={type}>
            <button
              type="button"
              className="provider-choice"
              onClick={() => openConnectionEditor({ mode: 'create', type })}
              aria-label={label}
              aria-describedby={`first-run-${type}`}
            >
              <ProviderLogo type={type} size={32} decorative />
              <span className="provider-choice-label">{label}</span>
              <span id={`first-run-${type}`} className="provider-choice-blurb">
                {blurb}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
