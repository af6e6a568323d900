// What a new user sees: three steps, and one button per provider type — a local folder first, so
// the app can be tried without any cloud account.
import { PROVIDER_LABELS, PROVIDER_ORDER, ProviderLogo } from '../components/provider-logo';
import { useAppStore } from '../store';
import type { ProviderType } from '../../shared/model';

const BLURBS: Record<ProviderType, string> = {
  local: 'A folder on this machine. No cloud account needed: try the app with it.',
  aws: 'Buckets in Amazon Web Services.',
  minio: 'A MinIO server or another S3-compatible service.',
  gcs: 'Buckets in Google Cloud.',
  azure: 'Containers in an Azure storage account.',
};

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
        {PROVIDER_ORDER.map((type) => (
          <li key={type}>
            <button
              type="button"
              className="provider-choice"
              onClick={() => openConnectionEditor({ mode: 'create', type })}
              aria-label={PROVIDER_LABELS[type]}
              aria-describedby={`first-run-${type}`}
            >
              <ProviderLogo type={type} size={32} decorative />
              <span className="provider-choice-label">{PROVIDER_LABELS[type]}</span>
              <span id={`first-run-${type}`} className="provider-choice-blurb">
                {BLURBS[type]}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
