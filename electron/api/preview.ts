// mappings.preview: a dry run that reports what a run would do.
//
// A saved mapping is previewed through the sync service against the real store, because only its
// recorded sync state tells unchanged objects from changed ones and which deletions "synced" mode
// would make. Its run history therefore gets a run marked dryRun — honest, since it is one, and the
// same as a run of a mapping set to dry-run. Nothing else is written: a dry run records no sync state.
//
// Unsaved input (the editor before saving) has no sync state and no row its run could belong to,
// so it runs against an empty MemoryState, no database at all: the plan is exactly what its first
// run would do, and neither history nor logs see it.
//
// Both are dry runs of the sync service, so their providers refuse every change (providers/dry-run.ts).
import type { PreviewResult } from '../../shared/contract';
import type { Mapping } from '../../shared/model';
import { MemoryState } from '../sync/memory-state';
import type { RunOutcome } from '../sync/runner';
import type { ApiDeps } from './types';

/** `previewLimit`: how many planned copies and deletes to list. */
export async function previewSaved({ syncService, emit }: ApiDeps, mapping: Mapping, previewLimit: number): Promise<PreviewResult> {
  const outcome = await syncService.run(mapping, { dryRun: true, previewLimit });
  emit('data.changed', { lists: ['runs'] });
  return toPreviewResult(outcome);
}

/**
 * `mapping` must be validated (its connections exist). A provider that cannot be built gives a failed
 * preview naming why, as for a saved mapping.
 */
export async function previewUnsaved({ syncService }: ApiDeps, mapping: Mapping, previewLimit: number): Promise<PreviewResult> {
  return toPreviewResult(await syncService.run(mapping, { dryRun: true, previewLimit, state: new MemoryState() }));
}

function toPreviewResult({ run, preview, excluded, bandwidth, versions, targetOptions }: RunOutcome): PreviewResult {
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
    excluded,
    ...(versions === undefined ? {} : { versions }),
    bandwidth,
    ...(targetOptions === undefined ? {} : { targetOptions }),
  };
}
