// The mapping editor's form state, its checks (bucket names and maxDelete through shared/config's
// validators, the same ones the config file uses) and the conversion to MappingInput.
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
import type { DeleteMode, Mapping } from '../../shared/model';

/** The mapping's route and flags as they are; numbers as the text the user types. */
export interface MappingFormState extends MappingRoute, Pick<Mapping, 'name' | 'enabled' | 'deleteMode' | 'dryRun'> {
  id: string | null;
  schedule: 'manual' | 'interval';
  intervalMinutes: string;
  transfers: string;
  maxDelete: string;
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
    intervalMinutes: '60',
    enabled: true,
    transfers: String(DEFAULT_TRANSFERS),
    deleteMode: 'synced',
    maxDelete: '',
    dryRun: false,
  };
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
    intervalMinutes: m.intervalSeconds === null ? '60' : String(Math.max(1, Math.round(m.intervalSeconds / 60))),
    enabled: m.enabled,
    transfers: String(m.transfers),
    deleteMode: m.deleteMode,
    maxDelete: m.maxDelete === null ? '' : String(formatMaxDelete(m.maxDelete)),
    dryRun: m.dryRun,
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
    const minutes = parseWhole(form.intervalMinutes);
    if (minutes === null || minutes < 1) errors.intervalMinutes = 'Give the interval as a whole number of minutes, at least 1.';
  }
  const transfers = parseWhole(form.transfers);
  if (transfers === null || transfers < 1 || transfers > MAX_TRANSFERS) errors.transfers = `Parallel transfers must be a whole number from 1 to ${MAX_TRANSFERS}.`;
  if (form.deleteMode !== 'never') {
    const maxDelete = readMaxDelete(form.maxDelete);
    if (!maxDelete.ok) errors.maxDelete = maxDelete.message;
  }
  return errors;
}

/**
 * shared/config's rule for a mapping into its own source, by what the sides resolve to (two
 * connections may name one folder or one service): the server checks again, with local folders
 * resolved on disk and against the other mappings.
 */
function selfOverlap(form: MappingFormState, connections: readonly ConnectionView[]): string | null {
  const mapping = { ...formToMappingInput(form), id: form.id ?? '' };
  const self = findMappingConflicts([{ mapping, label: 'this mapping' }], locateByConfig(connections)).find((c) => c.kind === 'self');
  return self ? `${self.message.charAt(0).toUpperCase()}${self.message.slice(1)}.` : null;
}

/** The mappings.create / update / preview input. Call only when validateMappingForm found nothing. */
export function formToMappingInput(form: MappingFormState): MappingInput {
  const maxDelete = form.deleteMode === 'never' ? null : readMaxDelete(form.maxDelete);
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
    intervalSeconds: form.schedule === 'interval' ? (parseWhole(form.intervalMinutes) ?? 60) * 60 : null,
  };
}

/** A server error's field ("sourceBucket", "intervalSeconds", …) as the form's field. */
export function mappingFormFieldOf(serverField: string | undefined): keyof MappingFormErrors {
  if (!serverField) return 'form';
  if (serverField === 'intervalSeconds') return 'intervalMinutes';
  const known: (keyof MappingFormState)[] = [
    'name', 'sourceConnectionId', 'sourceBucket', 'sourcePrefix', 'targetConnectionId', 'targetBucket', 'targetPrefix', 'transfers', 'deleteMode', 'maxDelete', 'dryRun', 'enabled',
  ];
  return known.find((k) => k === serverField) ?? 'form';
}
