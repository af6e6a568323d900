// Small inline logos per provider type (drawn here: no remote images, nothing for the CSP to allow).
import type { ProviderType } from '../../shared/model';

export const PROVIDER_LABELS: Record<ProviderType, string> = {
  local: 'Local folder',
  aws: 'Amazon S3',
  minio: 'MinIO / S3-compatible',
  gcs: 'Google Cloud Storage',
  azure: 'Azure Blob Storage',
};

/** Order in pickers: the one that needs no cloud account first. */
export const PROVIDER_ORDER: readonly ProviderType[] = ['local', 'aws', 'minio', 'gcs', 'azure'];

function Glyph({ type }: { type: ProviderType }) {
  switch (type) {
    case 'local':
      return (
        <>
          <path d="M3 7.5A2.5 2.5 0 0 1 5.5 5h5l2 2.5h6A2.5 2.5 0 0 1 21 10v7.5a2.5 2.5 0 0 1-2.5 2.5h-13A2.5 2.5 0 0 1 3 17.5z" fill="#d9a13b" />
          <path d="M3 10h18v7.5a2.5 2.5 0 0 1-2.5 2.5h-13A2.5 2.5 0 0 1 3 17.5z" fill="#f2c25b" />
        </>
      );
    case 'aws':
      return (
        <>
          <path d="M4 6h16l-2 13.5a1.5 1.5 0 0 1-1.5 1.3h-9A1.5 1.5 0 0 1 6 19.5z" fill="#e25444" />
          <ellipse cx="12" cy="6" rx="8" ry="2.4" fill="#7b1d13" />
          <path d="M6.6 11.5h10.8M7.1 15h9.8" stroke="#fff" strokeWidth="1.4" strokeLinecap="round" opacity=".85" />
        </>
      );
    case 'minio':
      return (
        <>
          <rect x="3" y="3" width="18" height="18" rx="4" fill="#c72c48" />
          <path d="M7 17V8l5 5 5-5v9" fill="none" stroke="#fff" strokeWidth="2" strokeLinejoin="round" strokeLinecap="round" />
        </>
      );
    case 'gcs':
      return (
        <>
          <path d="M7.2 3.5h9.6L21.6 12l-4.8 8.5H7.2L2.4 12z" fill="#4285f4" />
          <rect x="7.5" y="8.5" width="9" height="2.6" rx=".6" fill="#fff" />
          <rect x="7.5" y="12.9" width="9" height="2.6" rx=".6" fill="#aecbfa" />
        </>
      );
    case 'azure':
      return (
        <>
          <path d="M10.2 3.5h5.1L9 20.5H3.3z" fill="#0a5cc2" />
          <path d="M16.2 7.8 21 20.5H8.5l7-2.1-3.2-4z" fill="#3ccbf4" />
        </>
      );
  }
}

/** `decorative` when a text next to it already names the provider. */
export function ProviderLogo({ type, size = 24, decorative = false }: { type: ProviderType; size?: number; decorative?: boolean }) {
  const a11y = decorative ? { 'aria-hidden': true } : { role: 'img', 'aria-label': PROVIDER_LABELS[type] };
  return (
    <svg className="provider-logo" width={size} height={size} viewBox="0 0 24 24" {...a11y}>
      <Glyph type={type} />
    </svg>
  );
}
