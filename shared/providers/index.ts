// Every provider's descriptor, and what follows from the list: the provider types, each type's
// settings, the connection shapes, the secret fields. A new provider is one descriptor file here,
// one entry in PROVIDERS, and its protocol module in electron/providers/ (see registry.ts there).
import { awsProvider } from './aws';
import { isPlaceholder } from '../config/report';
import { azureProvider } from './azure';
import { STORED_SECRET, type FieldSpec, type NameOf, type ProviderDescriptor, type PublicSettingsOf, type RuleIssue, type SettingsOf, type Whereabouts } from './descriptor';
import { gcsProvider } from './gcs';
import { localProvider } from './local';
import { minioProvider } from './minio';

/** In the order pickers show them: the one that needs no cloud account first. */
export const PROVIDERS = [localProvider, awsProvider, minioProvider, gcsProvider, azureProvider] as const;

type AnyDescriptor = (typeof PROVIDERS)[number];
export type ProviderType = AnyDescriptor['type'];
type TypesOf<P extends readonly { type: string }[]> = { readonly [I in keyof P]: P[I]['type'] };
/** The provider types, in PROVIDERS' order: ["local", "aws", …]. */
export const PROVIDER_TYPES = PROVIDERS.map((p) => p.type) as unknown as TypesOf<typeof PROVIDERS>;

/** The settings of one provider type, e.g. SettingsFor<'aws'>. */
export type SettingsFor<T extends ProviderType> = SettingsOf<Extract<AnyDescriptor, { type: T }>['fields']>;

/** `{ type: 'aws', aws: {...} }`: the type and, under the type's name, its settings. */
export type ConnectionSettings = { [T in ProviderType]: { type: T } & { [K in T]: SettingsFor<T> } }[ProviderType];

/** ConnectionSettings without the secret fields: what leaves the main process (ConnectionView). Every ConnectionSettings is one. */
export type PublicConnectionSettings = {
  [T in ProviderType]: { type: T } & { [K in T]: PublicSettingsOf<Extract<AnyDescriptor, { type: T }>['fields']> };
}[ProviderType];

export type { AwsSettings } from './aws';
export type { AzureSettings } from './azure';
export type { GcsSettings } from './gcs';
export type { LocalSettings } from './local';
export type { MinioSettings } from './minio';
export { STORED_SECRET, type BucketRule, type FieldKind, type FieldSpec, type LogoShape, type NameOf, type RuleIssue } from './descriptor';

/** A settings object whatever its type: what code that works for every provider reads. */
export type AnySettings = Readonly<Record<string, unknown>>;

/**
 * A descriptor seen by code that works for every provider: its callbacks take any settings object.
 * They are only ever given the settings of their own type (looked up by the connection's type).
 */
export interface Descriptor extends Omit<ProviderDescriptor<ProviderType, Readonly<Record<string, FieldSpec>>>, 'rules' | 'whereabouts' | 'summary' | 'sample'> {
  rules?: (settings: AnySettings, name: NameOf) => RuleIssue[];
  whereabouts: Whereabouts<AnySettings>;
  summary: (settings: AnySettings) => string;
  sample: { name: string; settings: AnySettings };
}

/** Every descriptor, seen through Descriptor. */
export const DESCRIPTORS: readonly Descriptor[] = PROVIDERS.map((p) => p as unknown as Descriptor);
const BY_TYPE = new Map<string, Descriptor>(DESCRIPTORS.map((d) => [d.type, d]));

/** The descriptor of a provider type. */
export function descriptorOf(type: ProviderType): Descriptor {
  const descriptor = BY_TYPE.get(type);
  if (!descriptor) throw new Error(`unknown provider type "${type}"`);
  return descriptor;
}

/** The type named by `value`, if it names one. */
export function providerTypeOf(value: unknown): ProviderType | undefined {
  return PROVIDER_TYPES.find((t) => t === value);
}

/**
 * What the descriptor of `type` finds wrong with a settings object, by settings key: each required
 * field that is missing, each string field's check (its advice as a warning), then the rules between
 * fields. A blank string counts as not set; placeholders (REPLACE_WITH_…) are not checked, they are
 * reported as such. Values of the wrong kind are left to the caller: the config reader reports them.
 * The one place the settings rules are run: by the config reader, createProvider and the connection form.
 */
export function settingsIssues(type: ProviderType, settings: AnySettings, name: NameOf = (key) => key): RuleIssue[] {
  const { fields, rules } = descriptorOf(type);
  const given = Object.fromEntries(
    Object.entries(settings).filter(([, value]) => value !== undefined && value !== null && !(typeof value === 'string' && value.trim() === '')),
  );
  const issues: RuleIssue[] = [];
  for (const [key, field] of Object.entries(fields)) {
    const value = given[key];
    if (value === undefined) {
      if (field.required !== undefined) issues.push({ level: 'error', field: key, message: `is required: ${field.required}` });
      continue;
    }
    // A stored secret the form cannot see (STORED_SECRET) was checked when it was saved.
    if ((field.kind !== 'text' && field.kind !== 'multiline') || typeof value !== 'string' || isPlaceholder(value) || value === STORED_SECRET) continue;
    const problem = field.check?.(value);
    if (problem) issues.push({ level: 'error', field: key, message: problem });
    const advice = field.advise?.(value);
    if (advice) issues.push({ level: 'warn', field: key, message: advice });
  }
  return [...issues, ...(rules?.(given, name) ?? [])];
}

/** A field with its settings key, in the form's order. */
export type Field = FieldSpec & { key: string };

export function fieldsOf(type: ProviderType): Field[] {
  return Object.entries(descriptorOf(type).fields).map(([key, spec]) => ({ ...spec, key }));
}

/** Fields that hold secrets, per provider type: encrypted at rest, never logged, never sent to the renderer. */
export const SECRET_FIELDS: { readonly [T in ProviderType]: readonly string[] } = Object.fromEntries(
  DESCRIPTORS.map((d) => [d.type, fieldsOf(d.type).filter((f) => f.secret).map((f) => f.key)]),
) as Record<string, readonly string[]> as { [T in ProviderType]: readonly string[] };

/** The settings object of a connection's own type (e.g. `c.aws` for an aws connection). */
export function connectionSettings(c: PublicConnectionSettings): Record<string, unknown> {
  return ((c as unknown as Record<string, unknown>)[c.type] ?? {}) as Record<string, unknown>;
}

/** The settings without their secret values: what may leave the main process. */
export function publicSettings(c: ConnectionSettings): Record<string, unknown> {
  const secret = new Set(SECRET_FIELDS[c.type]);
  return Object.fromEntries(Object.entries(connectionSettings(c)).filter(([key]) => !secret.has(key)));
}

/** One line that tells connections of the same type apart ("http://127.0.0.1:9000", "Account x"). */
export function connectionSummary(c: PublicConnectionSettings): string {
  return descriptorOf(c.type).summary(connectionSettings(c));
}

/** The types whose aliases include `word` ("s3" → aws, minio): for "did you mean". */
export function typesCalled(word: string): ProviderType[] {
  const lower = word.toLowerCase();
  return DESCRIPTORS.filter((d) => d.aliases?.includes(lower)).map((d) => d.type);
}
