// The mapping editor's form state, its checks (bucket names, maxDelete and filters through
// shared/config's validators, the same ones the config file uses) and the conversion to MappingInput.
import type { ConnectionView, MappingInput, MappingView } from '../../shared/contract';
import {
  ConfigError,
  DEFAULT_TRANSFERS,
  defaultMappingName,
  MAX_TRANSFERS,
  findMappingConflicts,
  formatMaxDelete,
  locateByConfig,
  parseMaxDelete,
  prefixProblem,
  validateBucketName,
  type MappingRoute,
} from '../../shared/config';
import { readFilters } from '../../shared/config/filters';
import { readHooks } from '../../shared/config/hooks';
import { readBwLimit } from '../../shared/config/bandwidth';
import { readTargetSettings } from '../../shared/config/target-options';
import { Fields, Report } from '../../shared/config/report';
import { filtersOf, formatAge, formatSize, hasFilters, type MappingFilters } from '../../shared/filters';
import type { MappingHooks } from '../../shared/hooks';
import type { DeleteMode, Mapping, ProviderType, TargetEncryption } from '../../shared/model';
import { descriptorOf } from '../../shared/providers';
import { alertsFormProblem, alertsToForm, formToAlertsInput, type AlertsFormState } from './alerts-form';

/** The mapping's route and flags as they are; numbers as the text the user types. */
export interface MappingFormState extends MappingRoute, Pick<Mapping, 'name' | 'enabled' | 'deleteMode' | 'dryRun'> {
  id: string | null;
  createTargetBucket: boolean;
  schedule: 'manual' | 'interval';
  /** The interval as typed, in intervalUnit. */
  interval: string;
  intervalUnit: IntervalUnit;
  transfers: string;
  maxDelete: string;
  /** Filter patterns, one per line, as the user types them. */
  include: string;
  exclude: string;
  includeRegex: string;
  excludeRegex: string;
  /** Sizes ("10M") and ages ("7d") as the config file writes them; empty = no limit. */
  minSize: string;
  maxSize: string;
  minAge: string;
  maxAge: string;
  deleteExcluded: boolean;
  /** Each hook as a JSON array of strings, the command and its arguments (exact: no shell, no quoting rules); empty = none. */
  hooksBefore: string;
  hooksAfter: string;
  /** Seconds, as typed; empty = the default. */
  hooksTimeout: string;
  /** The bandwidth limit as the config file writes it ("2M", "Mon-08:00,2M 19:00,off"); empty = none. */
  bwLimit: string;
  /** The target service's spelling; empty = the bucket's default. */
  targetStorageClass: string;
  /** Which targetEncryption form (see TargetEncryption); empty = the bucket's default. */
  targetEncryptionMode: '' | 'AES256' | 'aws:kms' | 'kmsKeyName' | 'encryptionScope';
  /** The KMS key id (S3, optional), KMS key name (GCS) or encryption scope (Azure) of that mode. */
  targetEncryptionKey: string;
  keepVersions: boolean;
  /** This mapping's own alerts (alerts-form.ts): stored URLs and secrets are kept unless replaced. */
  alerts: AlertsFormState;
}

export type IntervalUnit = 'seconds' | 'minutes' | 'hours';
export const INTERVAL_UNIT_SECONDS: Record<IntervalUnit, number> = { seconds: 1, minutes: 60, hours: 3600 };

/** An interval in the largest unit that holds it exactly, so that saving gives back the same seconds (10 s stays 10 s). */
function intervalToForm(seconds: number): Pick<MappingFormState, 'interval' | 'intervalUnit'> {
  const unit = (['hours', 'minutes'] as const).find((u) => seconds % INTERVAL_UNIT_SECONDS[u] === 0) ?? 'seconds';
  return { interval: String(seconds / INTERVAL_UNIT_SECONDS[unit]), intervalUnit: unit };
}

export type MappingFormErrors = Partial<Record<keyof MappingFormState | 'form', string>>;

export const DELETE_MODE_TEXT: Record<DeleteMode, { label: string; help: string }> = {
  synced: {
    label: 'Delete synced objects only',
    help: 'When an object this mapping copied disappears from the source, it is deleted from the target too. Objects that were in the target before are never touched.',
  },
  mirror: {
    label: 'Mirror the source',
    help: 'The target prefix becomes an exact copy: every object there that the source does not have is deleted, even ones this app never copied.',
  },
  never: {
    label: 'Never delete',
    help: 'Only new and changed objects are copied. Nothing is ever deleted from the target.',
  },
};

export function emptyMappingForm(connections: readonly ConnectionView[]): MappingFormState {
  const first = connections[0]?.id ?? '';
  return {
    id: null,
    name: '',
    sourceConnectionId: first,
    sourceBucket: '',
    sourcePrefix: '',
    targetConnectionId: connections[1]?.id ?? first,
    targetBucket: '',
    targetPrefix: '',
    schedule: 'manual',
    interval: '60',
    intervalUnit: 'minutes',
    enabled: true,
    transfers: String(DEFAULT_TRANSFERS),
    deleteMode: 'synced',
    maxDelete: '',
    dryRun: false,
    createTargetBucket: false,
    ...filtersToForm({}),
    ...hooksToForm(undefined),
    ...targetToForm({}),
    alerts: alertsToForm(null),
  };
}

type FilterFormFields = Pick<MappingFormState, (typeof PATTERN_FIELDS)[number] | (typeof AMOUNT_FIELDS)[number] | 'deleteExcluded'>;

const PATTERN_FIELDS = ['include', 'exclude', 'includeRegex', 'excludeRegex'] as const;
const AMOUNT_FIELDS = ['minSize', 'maxSize', 'minAge', 'maxAge'] as const;

/** The filter fields' labels: the editor's and the error messages' (one place, so they agree). */
export const FILTER_LABELS: Record<(typeof PATTERN_FIELDS)[number] | (typeof AMOUNT_FIELDS)[number], string> = {
  include: 'Include globs',
  exclude: 'Exclude globs',
  includeRegex: 'Include regular expressions',
  excludeRegex: 'Exclude regular expressions',
  minSize: 'Min size',
  maxSize: 'Max size',
  minAge: 'Min age',
  maxAge: 'Max age',
};

/** Patterns one per line; sizes and ages in the config file's form ("10M", "7d"), exact, so they read back the same. */
function filtersToForm(m: Partial<MappingFilters>): FilterFormFields {
  const f = filtersOf(m);
  const amount = (value: number | null | undefined, format: (n: number) => number | string) => (value == null ? '' : String(format(value)));
  return {
    include: (f.include ?? []).join('\n'),
    exclude: (f.exclude ?? []).join('\n'),
    includeRegex: (f.includeRegex ?? []).join('\n'),
    excludeRegex: (f.excludeRegex ?? []).join('\n'),
    minSize: amount(f.minSize, formatSize),
    maxSize: amount(f.maxSize, formatSize),
    minAge: amount(f.minAge, formatAge),
    maxAge: amount(f.maxAge, formatAge),
    deleteExcluded: f.deleteExcluded === true,
  };
}

/** A textarea's patterns: one a line, blank lines left out, each kept as typed (keys may hold spaces). */
function patternLines(text: string): { pattern: string; line: number }[] {
  return text
    .split(/\r?\n/)
    .map((pattern, index) => ({ pattern, line: index + 1 }))
    .filter(({ pattern }) => pattern.trim() !== '');
}

/**
 * The filter fields read by the config reader's own rules (shared/config/filters.ts), as a config
 * entry would give them: the filters, and each field's first problem in the reader's words.
 */
function readFilterFields(form: MappingFormState): { filters: MappingFilters; errors: MappingFormErrors } {
  const lines: Partial<Record<(typeof PATTERN_FIELDS)[number], number[]>> = {};
  const entry: Record<string, unknown> = {};
  for (const key of PATTERN_FIELDS) {
    const found = patternLines(form[key]);
    if (found.length === 0) continue;
    entry[key] = found.map((p) => p.pattern);
    lines[key] = found.map((p) => p.line);
  }
  for (const key of AMOUNT_FIELDS) if (form[key].trim() !== '') entry[key] = form[key].trim();
  if (form.deleteExcluded) entry.deleteExcluded = true;
  const report = new Report();
  const filters = readFilters(new Fields(report, '', entry), 'file');
  const errors: MappingFormErrors = {};
  for (const issue of report.issues) {
    const [, field, index] = /^(\w+)(?:\[(\d+)\])?/.exec(issue.field) ?? [];
    const key = [...PATTERN_FIELDS, ...AMOUNT_FIELDS].find((k) => k === field);
    if (!key || errors[key]) continue;
    const line = index === undefined ? undefined : lines[key as (typeof PATTERN_FIELDS)[number]]?.[Number(index)];
    errors[key] = `${FILTER_LABELS[key]}${line === undefined ? '' : `, line ${line}:`} ${issue.message.replace(/\.$/, '')}.`;
  }
  return { filters, errors };
}

type HookFormFields = Pick<MappingFormState, 'hooksBefore' | 'hooksAfter' | 'hooksTimeout'>;

export const HOOK_LABELS: Record<keyof HookFormFields, string> = {
  hooksBefore: 'Before hook',
  hooksAfter: 'After hook',
  hooksTimeout: 'Hook timeout',
};

function hooksToForm(h: MappingHooks | undefined): HookFormFields {
  return {
    hooksBefore: h?.before ? JSON.stringify(h.before) : '',
    hooksAfter: h?.after ? JSON.stringify(h.after) : '',
    hooksTimeout: h?.timeoutSeconds === undefined ? '' : String(h.timeoutSeconds),
  };
}

/** The hook fields read by the config reader's readHooks, as a config entry's "hooks" would give them. */
function readHookFields(form: MappingFormState): { hooks: { hooks?: MappingHooks }; errors: MappingFormErrors } {
  const errors: MappingFormErrors = {};
  const entry: Record<string, unknown> = {};
  for (const [key, field] of [['before', 'hooksBefore'], ['after', 'hooksAfter']] as const) {
    const text = form[field].trim();
    if (text === '') continue;
    try {
      entry[key] = JSON.parse(text) as unknown;
    } catch {
      errors[field] = `${HOOK_LABELS[field]}: write the command and its arguments as a JSON array of strings, e.g. ["/usr/local/bin/backup-check", "--quiet"].`;
    }
  }
  const timeout = form.hooksTimeout.trim();
  if (timeout !== '') entry.timeoutSeconds = /^\d+$/.test(timeout) ? Number(timeout) : timeout;
  if (Object.keys(entry).length === 0) return { hooks: {}, errors };
  const report = new Report();
  const hooks = readHooks(new Fields(report, '', { hooks: entry }));
  const fieldOf = { before: 'hooksBefore', after: 'hooksAfter', timeoutSeconds: 'hooksTimeout' } as const;
  for (const issue of report.issues) {
    const key = /^hooks\.(\w+)/.exec(issue.field)?.[1] as keyof typeof fieldOf | undefined;
    const field = key === undefined ? 'hooksBefore' : fieldOf[key];
    if (!errors[field]) errors[field] = `${HOOK_LABELS[field]} ${issue.message.replace(/\.$/, '')}.`;
  }
  return { hooks: hooks && (hooks.before || hooks.after) ? { hooks } : {}, errors };
}

type TargetFormFields = Pick<MappingFormState, 'bwLimit' | 'targetStorageClass' | 'targetEncryptionMode' | 'targetEncryptionKey' | 'keepVersions'>;
type TargetMappingFields = Pick<Mapping, 'bwLimit' | 'targetStorageClass' | 'targetEncryption' | 'keepVersions'>;

export const TARGET_LABELS: Record<Exclude<keyof TargetFormFields, 'keepVersions'>, string> = {
  bwLimit: 'Bandwidth limit',
  targetStorageClass: 'Storage class',
  targetEncryptionMode: 'Encryption',
  targetEncryptionKey: 'Encryption key',
};

function targetToForm(m: Partial<TargetMappingFields>): TargetFormFields {
  const e = m.targetEncryption;
  const [mode, key]: [TargetFormFields['targetEncryptionMode'], string] = !e
    ? ['', '']
    : 'sse' in e
      ? [e.sse, e.sse === 'aws:kms' ? (e.kmsKeyId ?? '') : '']
      : 'kmsKeyName' in e
        ? ['kmsKeyName', e.kmsKeyName]
        : ['encryptionScope', e.encryptionScope];
  return { bwLimit: m.bwLimit ?? '', targetStorageClass: m.targetStorageClass ?? '', targetEncryptionMode: mode, targetEncryptionKey: key, keepVersions: m.keepVersions === true };
}

/** Which targetEncryptionMode values (besides '', the bucket's default) each encryption form of a service allows. */
export const ENCRYPTION_MODES_OF = { sse: ['AES256', 'aws:kms'], kmsKeyName: ['kmsKeyName'], encryptionScope: ['encryptionScope'] } as const;

/**
 * The form with the storage class and encryption cleared when its target connection's service does
 * not offer them (the user picked another target): the editor only shows what the service offers, so
 * a value it cannot show must not stay behind and block saving.
 */
export function fitTargetSettings(form: MappingFormState, connections: readonly ConnectionView[]): MappingFormState {
  const type = connections.find((c) => c.id === form.targetConnectionId)?.type;
  if (!type) return form;
  const options = descriptorOf(type).target;
  const classOk = form.targetStorageClass === '' || (options?.storageClasses.includes(form.targetStorageClass) ?? false);
  const modes: readonly string[] = options ? ENCRYPTION_MODES_OF[options.encryption] : [];
  const encryptionOk = form.targetEncryptionMode === '' || modes.includes(form.targetEncryptionMode);
  if (classOk && encryptionOk) return form;
  return {
    ...form,
    ...(classOk ? {} : { targetStorageClass: '' }),
    ...(encryptionOk ? {} : { targetEncryptionMode: '', targetEncryptionKey: '' }),
  };
}

/**
 * The bandwidth limit and target settings read by the config reader's own rules, as a config entry
 * would give them; `targetType` (when known) checks the class and encryption against its service.
 */
function readTargetFields(form: MappingFormState, targetType: ProviderType | undefined): { fields: TargetMappingFields; errors: MappingFormErrors } {
  const entry: Record<string, unknown> = {};
  if (form.bwLimit.trim() !== '') entry.bwLimit = form.bwLimit.trim();
  if (form.targetStorageClass !== '') entry.targetStorageClass = form.targetStorageClass;
  const key = form.targetEncryptionKey.trim();
  const encryption: TargetEncryption | undefined =
    form.targetEncryptionMode === 'AES256'
      ? { sse: 'AES256' }
      : form.targetEncryptionMode === 'aws:kms'
        ? { sse: 'aws:kms', ...(key ? { kmsKeyId: key } : {}) }
        : form.targetEncryptionMode === 'kmsKeyName'
          ? { kmsKeyName: key }
          : form.targetEncryptionMode === 'encryptionScope'
            ? { encryptionScope: key }
            : undefined;
  if (encryption) entry.targetEncryption = encryption;
  if (form.keepVersions) entry.keepVersions = true;
  const report = new Report();
  const f = new Fields(report, '', entry);
  const bwLimit = readBwLimit(f);
  const fields: TargetMappingFields = { ...(bwLimit ? { bwLimit } : {}), ...readTargetSettings(f, targetType) };
  const errors: MappingFormErrors = {};
  for (const issue of report.issues) {
    const field: keyof typeof TARGET_LABELS = issue.field.startsWith('bwLimit')
      ? 'bwLimit'
      : issue.field.startsWith('targetStorageClass')
        ? 'targetStorageClass'
        : /^targetEncryption\.(kmsKeyId|kmsKeyName|encryptionScope)$/.test(issue.field)
          ? 'targetEncryptionKey'
          : 'targetEncryptionMode';
    if (!errors[field]) errors[field] = `${TARGET_LABELS[field]} ${issue.message.replace(/\.$/, '')}.`;
  }
  return { fields, errors };
}

/** "1 exclude, maxSize 10M": the active filters as the config names them, or null when there are none. */
export function filterSummary(m: Partial<MappingFilters>): string | null {
  const f = filtersOf(m);
  if (!hasFilters(f)) return null;
  const parts: string[] = [];
  for (const key of PATTERN_FIELDS) if (f[key]) parts.push(`${f[key].length} ${key}`);
  for (const key of ['minSize', 'maxSize'] as const) if (f[key] != null) parts.push(`${key} ${formatSize(f[key])}`);
  for (const key of ['minAge', 'maxAge'] as const) if (f[key] != null) parts.push(`${key} ${formatAge(f[key])}`);
  if (f.deleteExcluded) parts.push('deleteExcluded');
  return parts.join(', ');
}

export function mappingToForm(m: MappingView): MappingFormState {
  return {
    id: m.id,
    name: m.name,
    sourceConnectionId: m.sourceConnectionId,
    sourceBucket: m.sourceBucket,
    sourcePrefix: m.sourcePrefix,
    targetConnectionId: m.targetConnectionId,
    targetBucket: m.targetBucket,
    targetPrefix: m.targetPrefix,
    schedule: m.intervalSeconds === null ? 'manual' : 'interval',
    ...(m.intervalSeconds === null ? { interval: '60', intervalUnit: 'minutes' } : intervalToForm(m.intervalSeconds)),
    enabled: m.enabled,
    transfers: String(m.transfers),
    deleteMode: m.deleteMode,
    maxDelete: m.maxDelete === null ? '' : String(formatMaxDelete(m.maxDelete)),
    dryRun: m.dryRun,
    createTargetBucket: m.createTargetBucket === true,
    ...filtersToForm(m),
    ...hooksToForm(m.hooks),
    ...targetToForm(m),
    alerts: alertsToForm(m.alerts),
  };
}

/** The name a mapping gets when the user leaves the name empty. */
export function suggestedMappingName(form: MappingFormState): string {
  return defaultMappingName(form, { connections: false });
}

function parseWhole(text: string): number | null {
  const t = text.trim();
  return /^\d+$/.test(t) ? Number(t) : null;
}

/** The maxDelete field parsed, or the reason it cannot be. */
export function readMaxDelete(text: string): { ok: true; value: MappingInput['maxDelete'] } | { ok: false; message: string } {
  try {
    return { ok: true, value: parseMaxDelete(text, 'maxDelete') };
  } catch (error) {
    const message = error instanceof ConfigError ? (error.issues[0]?.message ?? error.message) : String(error);
    return { ok: false, message: `Max deletions ${message}.` };
  }
}

export function validateMappingForm(form: MappingFormState, connections: readonly ConnectionView[]): MappingFormErrors {
  const errors: MappingFormErrors = {};
  const typeOf = (id: string) => connections.find((c) => c.id === id)?.type;
  for (const side of ['source', 'target'] as const) {
    const Side = side === 'source' ? 'Source' : 'Target';
    const connectionId = form[`${side}ConnectionId`];
    const type = typeOf(connectionId);
    if (!type) errors[`${side}ConnectionId`] = `Choose the ${side} connection.`;
    const bucket = form[`${side}Bucket`].trim();
    if (bucket === '') errors[`${side}Bucket`] = `Choose or type the ${side} bucket.`;
    else if (type) {
      const problem = validateBucketName(type, bucket);
      if (problem) errors[`${side}Bucket`] = `${Side} bucket: ${problem}.`;
    }
    const prefix = prefixProblem(form[`${side}Prefix`], type);
    if (prefix) errors[`${side}Prefix`] = `${Side} prefix ${prefix}.`;
  }
  if (!errors.sourceConnectionId && !errors.targetConnectionId && !errors.sourceBucket && !errors.targetBucket) {
    const self = selfOverlap(form, connections);
    if (self) errors.targetPrefix = self;
  }
  if (form.schedule === 'interval') {
    const count = parseWhole(form.interval);
    if (count === null || count < 1) errors.interval = `Give the interval as a whole number of ${form.intervalUnit}, at least 1.`;
  }
  const transfers = parseWhole(form.transfers);
  if (transfers === null || transfers < 1 || transfers > MAX_TRANSFERS) errors.transfers = `Parallel transfers must be a whole number from 1 to ${MAX_TRANSFERS}.`;
  if (form.deleteMode !== 'never') {
    const maxDelete = readMaxDelete(form.maxDelete);
    if (!maxDelete.ok) errors.maxDelete = maxDelete.message;
  }
  const alerts = alertsFormProblem(form.alerts);
  if (alerts) errors.alerts = alerts;
  return { ...errors, ...readFilterFields(form).errors, ...readHookFields(form).errors, ...readTargetFields(form, typeOf(form.targetConnectionId)).errors };
}

/**
 * shared/config's rule for a mapping into its own source, by what the sides resolve to (two
 * connections may name one folder or one service): the server checks again, with local folders
 * resolved on disk and against the other mappings.
 */
function selfOverlap(form: MappingFormState, connections: readonly ConnectionView[]): string | null {
  const { alerts: _alerts, ...input } = formToMappingInput(form);
  const mapping = { ...input, id: form.id ?? '' };
  const self = findMappingConflicts([{ mapping, label: 'this mapping' }], locateByConfig(connections)).find((c) => c.kind === 'self');
  return self ? `${self.message.charAt(0).toUpperCase()}${self.message.slice(1)}.` : null;
}

/** The mappings.create / update / preview input. Call only when validateMappingForm found nothing. */
export function formToMappingInput(form: MappingFormState): MappingInput {
  const maxDelete = form.deleteMode === 'never' ? null : readMaxDelete(form.maxDelete);
  const alertsInput = formToAlertsInput(form.alerts);
  return {
    ...(form.id === null ? {} : { id: form.id }),
    name: form.name.trim() || suggestedMappingName(form),
    sourceConnectionId: form.sourceConnectionId,
    sourceBucket: form.sourceBucket.trim(),
    sourcePrefix: form.sourcePrefix,
    targetConnectionId: form.targetConnectionId,
    targetBucket: form.targetBucket.trim(),
    targetPrefix: form.targetPrefix,
    transfers: parseWhole(form.transfers) ?? DEFAULT_TRANSFERS,
    deleteMode: form.deleteMode,
    maxDelete: maxDelete && maxDelete.ok ? maxDelete.value : null,
    dryRun: form.dryRun,
    enabled: form.enabled,
    intervalSeconds: form.schedule === 'interval' ? (parseWhole(form.interval) ?? 60) * INTERVAL_UNIT_SECONDS[form.intervalUnit] : null,
    // Sent only when asked, as the server stores it.
    ...(form.createTargetBucket ? { createTargetBucket: true } : {}),
    // Only the filters in use, as the server stores them: a mapping without filters sends none.
    ...readFilterFields(form).filters,
    ...readHookFields(form).hooks,
    ...readTargetFields(form, undefined).fields,
    // Only when the mapping has alerts, as the server stores them; left-out URLs and secrets keep the stored ones.
    ...(alertsInput ? { alerts: alertsInput } : {}),
  };
}

/**
 * Each field of a Mapping and the form field that shows it. A field added to Mapping does not
 * compile here until the form shows it, so saving never drops a value the user could not see.
 */
const FORM_FIELD_OF: Record<keyof Mapping, keyof MappingFormErrors> = {
  id: 'form',
  name: 'name',
  sourceConnectionId: 'sourceConnectionId',
  sourceBucket: 'sourceBucket',
  sourcePrefix: 'sourcePrefix',
  targetConnectionId: 'targetConnectionId',
  targetBucket: 'targetBucket',
  targetPrefix: 'targetPrefix',
  transfers: 'transfers',
  deleteMode: 'deleteMode',
  maxDelete: 'maxDelete',
  dryRun: 'dryRun',
  enabled: 'enabled',
  intervalSeconds: 'interval',
  createTargetBucket: 'createTargetBucket',
  include: 'include',
  exclude: 'exclude',
  includeRegex: 'includeRegex',
  excludeRegex: 'excludeRegex',
  minSize: 'minSize',
  maxSize: 'maxSize',
  minAge: 'minAge',
  maxAge: 'maxAge',
  deleteExcluded: 'deleteExcluded',
  hooks: 'hooksBefore',
  bwLimit: 'bwLimit',
  targetStorageClass: 'targetStorageClass',
  targetEncryption: 'targetEncryptionMode',
  keepVersions: 'keepVersions',
  alerts: 'alerts',
};

/** A server error's field ("sourceBucket", "intervalSeconds", "exclude[2]", …) as the form's field. */
export function mappingFormFieldOf(serverField: string | undefined): keyof MappingFormErrors {
  const name = /^\w+/.exec(serverField ?? '')?.[0];
  return name !== undefined && Object.hasOwn(FORM_FIELD_OF, name) ? FORM_FIELD_OF[name as keyof Mapping] : 'form';
}
