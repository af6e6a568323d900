// Bucket (container, folder) names: each provider's rules are in its descriptor (shared/providers/).
import { descriptorOf, type ProviderType } from '../providers';
import { describe } from './report';

/** null when `name` is a valid bucket (container, folder) name for the provider type, else why not. */
export function validateBucketName(type: ProviderType, name: string): string | null {
  const { noun, rules, alwaysValid } = descriptorOf(type).buckets;
  if (alwaysValid?.includes(name)) return null;
  const broken = rules.find(([ok]) => !ok(name));
  return broken ? `invalid ${noun} ${describe(name)}: ${broken[1]}` : null;
}
