// A provider's logo, drawn from its descriptor's shapes (inline: no remote images, nothing for the
// CSP to allow).
import { createElement } from 'react';
import { DESCRIPTORS, descriptorOf, type ProviderType } from '../../shared/providers';

/** What the app calls each provider type, e.g. "Amazon S3" (from the descriptors). */
export const PROVIDER_LABELS = Object.fromEntries(DESCRIPTORS.map((d) => [d.type, d.label])) as Record<ProviderType, string>;

/** `decorative` when a text next to it already names the provider. */
export function ProviderLogo({ type, size = 24, decorative = false }: { type: ProviderType; size?: number; decorative?: boolean }) {
  const { label, logo } = descriptorOf(type);
  const a11y = decorative ? { 'aria-hidden': true } : { role: 'img', 'aria-label': label };
  return (
    <svg className="provider-logo" width={size} height={size} viewBox="0 0 24 24" {...a11y}>
      {logo.map(([tag, attributes], i) => createElement(tag, { key: i, ...attributes }))}
    </svg>
  );
}
