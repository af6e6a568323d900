// What the app knows about one kind of storage, in one place: its settings (each with its form field,
// help and checks), the rules between settings, bucket names, where its buckets are, its logo and a
// one-line summary. One descriptor per provider (shared/providers/<type>.ts), listed in index.ts.
// Everything that used to repeat this knowledge is derived from the descriptors: the settings types,
// the config reader (shared/config/providers.ts), the secret list, the connection form, the logo,
// the summaries, the rules between mappings (locations.ts) and the API's checks of connection input.
// Pure: imported by main and renderer; imports nothing of model.ts (which imports this).

/** How a setting is entered: a line, several lines (a pasted key), a checkbox, or a choice. */
export type FieldKind = 'text' | 'multiline' | 'checkbox' | 'select';

interface FieldCommon {
  /** The form's label, e.g. "Secret access key". */
  label: string;
  /** The form's help text under the field. */
  help: string;
  placeholder?: string;
  /** Encrypted at rest, never logged, never sent to the renderer; the form shows "set / Replace / Clear". */
  secret?: true;
  /** A required setting: the explanation after "is required: " in the config's message. Absent: optional. */
  required?: string;
}

export interface StringField extends FieldCommon {
  kind: 'text' | 'multiline';
  /**
   * A problem with this value alone: the message after the setting's name ("must be …"), or null.
   * Run on non-empty values that are not placeholders, by the config reader and by the form.
   */
  check?: (value: string) => string | null;
  /** Like check, but the value is still used: a warning in a config file, nothing in the form. */
  advise?: (value: string) => string | null;
  /** The value the config reader fills in when the setting is absent. */
  default?: string;
}

export interface CheckboxField extends FieldCommon {
  kind: 'checkbox';
}

export interface SelectField<V extends string = string> extends FieldCommon {
  kind: 'select';
  /** The choices in the form's order; the value '' stands for "not set" (the setting is left out). */
  options: readonly { value: V | ''; label: string }[];
}

export type FieldSpec = StringField | CheckboxField | SelectField;
/** Settings key → its field, in the form's order. */
export type FieldSpecs = Readonly<Record<string, FieldSpec>>;

type ValueOf<F> = F extends { kind: 'checkbox' } ? boolean : F extends { kind: 'select'; options: readonly { value: infer V }[] } ? Exclude<V, ''> : string;
type RequiredKey<Fs> = { [K in keyof Fs]: Fs[K] extends { required: string } ? K : never }[keyof Fs];
type Flat<T> = { [K in keyof T]: T[K] } & {};

/** The settings object a descriptor's fields describe: required fields required, the rest optional. */
export type SettingsOf<Fs> = Flat<
  { -readonly [K in RequiredKey<Fs>]: ValueOf<Fs[K]> } & { -readonly [K in Exclude<keyof Fs, RequiredKey<Fs>>]?: ValueOf<Fs[K]> }
>;

type SecretKey<Fs> = { [K in keyof Fs]: Fs[K] extends { secret: true } ? K : never }[keyof Fs];
/** The settings without their secret fields: what the renderer may see. */
export type PublicSettingsOf<Fs> = SettingsOf<Omit<Fs, SecretKey<Fs>>>;

/**
 * A problem found by a rule between settings. `field` is the settings key it is shown at ('' for
 * the settings as a whole). Warnings reach a config file's warnings; the form shows only errors.
 */
export interface RuleIssue {
  level: 'error' | 'warn';
  field: string;
  /**
   * What is wrong, said of the field ("is required because …"), or of the settings when field is '':
   * a config file's message puts the setting's path before it, the form the field's label or the
   * provider's name.
   */
  message: string;
}

/**
 * How a rule names another setting in its message: the config key ("accessKeyId") in a config
 * file's messages, the field's label ("access key ID") in the form's.
 */
export type NameOf = (key: string) => string;

/** A bucket-name rule: a test and what the name must be when the test fails. */
export type BucketRule = readonly [ok: (name: string) => boolean, problem: string];

/**
 * Where a connection's buckets are, for the rules between mappings (shared/config/locations.ts):
 * a folder whose subfolders are the buckets, or a network service ("host:port[/path]", see
 * endpointIdentity). `field` is the setting that moves them: where a refused move is shown.
 */
export type Whereabouts<S> =
  | { kind: 'folder'; field: keyof S & string; root: (settings: S) => string }
  | { kind: 'service'; field: keyof S & string; service: (settings: S) => string };

/** An element of a logo drawn in a 24 × 24 box: tag and attributes (React's names: strokeWidth). */
export type LogoShape = readonly [tag: 'path' | 'rect' | 'ellipse' | 'circle', attributes: Readonly<Record<string, string | number>>];

export interface ProviderDescriptor<T extends string, Fs extends FieldSpecs> {
  /** The "type" of a config.json providers entry and of a connection; also the settings object's key. */
  type: T;
  /** What the app calls it, e.g. "Amazon S3". */
  label: string;
  /** One sentence on what it is, for a new user choosing a first connection. */
  blurb: string;
  /** Other words users write for this type ("s3"): a wrong type is answered with "did you mean". */
  aliases?: readonly string[];
  fields: Fs;
  /**
   * Rules between settings (one of several credentials, both keys or neither). `settings` holds the
   * values that are set; a secret the form cannot see (stored, kept) is there as STORED_SECRET.
   */
  rules?: (settings: Partial<SettingsOf<Fs>>, name: NameOf) => RuleIssue[];
  /** Bucket (container, folder) names: what the UI calls one, the rules, and names allowed anyway. */
  buckets: { noun: string; rules: readonly BucketRule[]; alwaysValid?: readonly string[] };
  /** A problem with a mapping prefix on this provider beyond the common rules (message after "prefix"), or null. */
  prefixProblem?: (prefix: string) => string | null;
  whereabouts: Whereabouts<SettingsOf<Fs>>;
  /** One line that tells connections of this type apart, from settings without secrets. */
  summary: (settings: SettingsOf<Fs>) => string;
  logo: readonly LogoShape[];
  /** The entry of the sample config (--generate-config): placeholders where credentials go. */
  sample: { name: string; settings: SettingsOf<Fs> };
  /** What a mapping may ask of the objects it writes here (targetStorageClass, targetEncryption); absent: nothing (a local folder). */
  target?: TargetOptions;
}

/** Per-object settings a service takes on write (see Mapping.targetStorageClass and targetEncryption). */
export interface TargetOptions {
  /** Storage classes (access tiers) in the service's own spelling; the first is the service's default. */
  storageClasses: readonly string[];
  /**
   * The targetEncryption form the service takes: S3's server-side encryption ({ sse, kmsKeyId }), a
   * GCS Cloud KMS key ({ kmsKeyName }), or an Azure encryption scope ({ encryptionScope }).
   */
  encryption: 'sse' | 'kmsKeyName' | 'encryptionScope';
}

/** Typed construction of a descriptor: the settings type and every callback follow from `fields`. */
export function defineProvider<const T extends string, const Fs extends FieldSpecs>(descriptor: ProviderDescriptor<T, Fs>): ProviderDescriptor<T, Fs> {
  return descriptor;
}

/** Stands for a secret that is set but not known here (the form of a saved connection). */
export const STORED_SECRET = '\u0000stored secret';
