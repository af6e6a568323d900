// The "mappings" entries (and the app's MappingInput): each side, prefixes, and checks between mappings.
import { DELETE_MODES, type Mapping, type ProviderType } from '../model';
import { descriptorOf } from '../providers';
import { validateBucketName } from './bucket-names';
import { DEFAULT_TRANSFERS, MAX_TRANSFERS } from './defaults';
import { locateByConfig, type LocateBucket } from './locations';
import { defaultMappingName, deriveMappingId, routeKey, type MappingRoute } from './mapping-ids';
import { readMaxDelete, readMaxDeleteInput } from './max-delete';
import { readFilters } from './filters';
import { readHooks } from './hooks';
import { readAlerts } from './alerts';
import { readBwLimit } from './bandwidth';
import { readTargetSettings } from './target-options';
import { findMappingConflicts } from './overlaps';
import type { ProviderList } from './providers';
import { asFields, quoteList, type Fields, type Report } from './report';

interface ReadMapping {
  index: number;
  mapping: Mapping;
  tuple: string;
}

/** `locate` says where each bucket really is (default: from the settings alone, see locations.ts). */
export function readMappings(root: Fields, providers: ProviderList, locate: LocateBucket = locateByConfig(providers.valid)): Mapping[] {
  const mappings: ReadMapping[] = [];
  root.list('mappings', 'mapping objects')?.forEach((value, index) => {
    const f = asFields(root.report, value, `mappings[${index}]`);
    const mapping = f && readMapping(f, providers);
    // A misspelt filter ("exlude") would copy what the user meant to keep out: refused, not ignored.
    f?.finish('error');
    if (mapping) mappings.push({ index, mapping, tuple: routeKey(mapping) });
  });
  checkMappingPairs(root.report, mappings, locate);
  return mappings.map((m) => m.mapping);
}

/**
 * Where a mapping comes from: a config.json entry ("sourceProviderId", maxDelete 100 or "10%") or the
 * app's MappingInput ("sourceConnectionId", maxDelete { kind, value } or null).
 */
type MappingForm = 'file' | 'app';

export function readMapping(f: Fields, providers: ProviderList, form: MappingForm = 'file'): Mapping | undefined {
  const source = readSide(f, 'source', providers, form);
  const target = readSide(f, 'target', providers, form);
  const maxDelete = form === 'file' ? readMaxDelete(f.get('maxDelete'), f.at('maxDelete'), f.report) : readMaxDeleteInput(f);
  const deleteMode = f.oneOf('deleteMode', DELETE_MODES) ?? 'synced';
  if (maxDelete && deleteMode === 'never') f.warn('maxDelete', 'has no effect because deleteMode is "never"');
  const explicitId = f.string('id');
  const explicitName = f.string('name');
  const transfers = f.int('transfers', 1, MAX_TRANSFERS) ?? DEFAULT_TRANSFERS;
  const dryRun = f.bool('dryRun') ?? false;
  const enabled = f.bool('enabled') ?? true;
  const intervalSeconds = f.int('intervalSeconds', 1) ?? null;
  const createTargetBucket = f.bool('createTargetBucket') === true;
  const filters = readFilters(f, form);
  if (filters.deleteExcluded && deleteMode === 'never') f.warn('deleteExcluded', 'has no effect because deleteMode is "never"');
  const hooks = readHooks(f);
  const alerts = readAlerts(f, form);
  const bwLimit = readBwLimit(f);
  const targetSettings = readTargetSettings(f, target ? providers.types.get(target.id) : undefined);
  if (!source || !target) return undefined;

  const route: MappingRoute = {
    sourceConnectionId: source.id,
    sourceBucket: source.bucket,
    sourcePrefix: source.prefix,
    targetConnectionId: target.id,
    targetBucket: target.bucket,
    targetPrefix: target.prefix,
  };
  return {
    id: explicitId ?? deriveMappingId(route),
    name: explicitName ?? defaultMappingName(route),
    ...route,
    transfers,
    deleteMode,
    maxDelete,
    dryRun,
    enabled,
    intervalSeconds,
    // Only when asked, so a mapping without it has no such field (as the original format).
    ...(createTargetBucket ? { createTargetBucket } : {}),
    ...filters,
    ...(hooks && (hooks.before || hooks.after) ? { hooks } : {}),
    ...(bwLimit !== undefined ? { bwLimit } : {}),
    ...targetSettings,
    ...(alerts ? { alerts } : {}),
  };
}

function readSide(
  f: Fields,
  side: 'source' | 'target',
  providers: ProviderList,
  form: MappingForm,
): { id: string; bucket: string; prefix: string } | undefined {
  const [idKey, noun] = form === 'file' ? [`${side}ProviderId`, 'provider'] : [`${side}ConnectionId`, 'connection'];
  const id = f.string(idKey, `is required: the id of the ${side} ${noun}`);
  if (id !== undefined && !providers.types.has(id)) {
    const known = [...providers.types.keys()];
    f.error(idKey, `no ${noun} has id "${id}"; known ids: ${known.length ? quoteList(known) : '(none)'}`);
  }
  const type = id === undefined ? undefined : providers.types.get(id);

  const bucketKey = `${side}Bucket`;
  const bucket = f.string(bucketKey, `is required: the ${side} bucket (container, folder) name`);
  const bucketProblem = bucket !== undefined && type !== undefined ? validateBucketName(type, bucket) : null;
  if (bucketProblem) f.error(bucketKey, bucketProblem);

  const prefixKey = `${side}Prefix`;
  const prefix = f.string(prefixKey) ?? '';
  const problem = prefixProblem(prefix, type);
  if (problem) f.error(prefixKey, problem);

  if (id === undefined || bucket === undefined) return undefined;
  return { id, bucket, prefix };
}

/** A problem with a mapping's prefix on a connection of `type` (undefined: not known yet), or null. */
export function prefixProblem(prefix: string, type: ProviderType | undefined): string | null {
  if (prefix.startsWith('/')) return `must not start with "/" (keys have no leading slash): write "${prefix.replace(/^\/+/, '')}"`;
  return (type && descriptorOf(type).prefixProblem?.(prefix)) ?? null;
}

/**
 * Checks between mappings: duplicates and duplicate ids here; overlaps of what the sides resolve to
 * (a mapping into itself, shared targets, loops) by overlaps.ts's rules.
 */
function checkMappingPairs(report: Report, mappings: readonly ReadMapping[], locate: LocateBucket): void {
  const byTuple = new Map<string, number>();
  const byId = new Map<string, number>();
  for (const { index, mapping: m, tuple } of mappings) {
    const sameTuple = byTuple.get(tuple);
    if (sameTuple !== undefined) {
      report.error(`mappings[${index}]`, `duplicate of mappings[${sameTuple}]: same source, target and prefixes`);
    } else {
      byTuple.set(tuple, index);
    }
    const sameId = byId.get(m.id);
    if (sameId !== undefined) {
      report.error(`mappings[${index}].id`, `duplicate mapping id "${m.id}": already used by mappings[${sameId}]`);
    } else {
      byId.set(m.id, index);
    }
  }
  const named = mappings.map(({ index, mapping }) => ({ mapping, label: `mappings[${index}]` }));
  for (const conflict of findMappingConflicts(named, locate)) {
    const field = named[conflict.at]!.label;
    if (conflict.level === 'error') report.error(field, conflict.message);
    else report.warn(field, conflict.message);
  }
}
