// mappings.preview: a dry run that reports what a run would do.
//
// A saved mapping is previewed through the sync service against the real store, because only its
// recorded sync state tells unchanged objects from changed ones and which deletions "synced" mode
// would make. Its run history therefore gets a run marked dryRun — honest, since it is one, and the
// same as a run of a mapping set to dry-run. Nothing else is written: a dry run records no sync state.
//
// Unsaved input (the editor before saving) has no sync state and no row its run could belong to,
// so it runs against a throwaway in-memory store: the plan is exactly what its first run would do,
// and neither history nor logs see it.
import type { PreviewResult } from '../../shared/contract';
import type { Mapping } from '../../shared/model';
import { openStore } from '../store';
import { runMapping, type RunOutcome } from '../sync/runner';
import { requireConnection } from './lookup';
import type { ApiDeps } from './types';

/** `previewLimit`: how many planned copies and deletes to list. */
export async function previewSaved({ syncService, emit }: ApiDeps, mapping: Mapping, previewLimit: number): Promise<PreviewResult> {
  const outcome = await syncService.run(mapping, { dryRun: true, previewLimit });
  emit('data.changed', { lists: ['runs'] });
  return toPreviewResult(outcome);
}

/** `mapping` must be validated (its connections exist). */
export async function previewUnsaved(deps: ApiDeps, mapping: Mapping, previewLimit: number): Promise<PreviewResult> {
  return toPreviewResult(await dryRunInScratchStore(deps, mapping, previewLimit));
}

async function dryRunInScratchStore({ store, syncService, openScratchStore }: ApiDeps, mapping: Mapping, previewLimit: number): Promise<RunOutcome> {
  const [source, target] = await Promise.all([syncService.provider(mapping.sourceConnectionId), syncService.provider(mapping.targetConnectionId)]);
  const scratch = openScratchStore?.() ?? openStore(':memory:');
  try {
    // The run row needs its mapping, and the mapping its connections (without secrets: the
    // providers above were built from the real ones).
    for (const id of new Set([mapping.sourceConnectionId, mapping.targetConnectionId])) scratch.connections.upsert(requireConnection(store, id));
    scratch.mappings.upsert(mapping);
    return await runMapping({
      store: scratch,
      mapping,
      source,
      target,
      sameConnection: mapping.sourceConnectionId === mapping.targetConnectionId,
      dryRun: true,
      previewLimit,
      globalLimiter: syncService.globalLimiter,
    });
  } finally {
    scratch.close();
  }
}

function toPreviewResult({ run, preview }: RunOutcome): PreviewResult {
  return {
    status: run.status,
    copies: run.copied,
    copyBytes: run.bytesCopied,
    adopts: run.adopted,
    skips: run.skipped,
    deletes: run.deleted,
    firstCopies: preview.copies,
    firstDeletes: preview.deletes,
    error: run.firstError,
  };
}
