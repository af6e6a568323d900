// What a run would do, before anything happens: counts, what the filters left out, then the first
// planned copies and deletes.
import type { PlannedChangeView, PreviewResult } from '../../shared/contract';
import { LoadingBlock } from '../components/empty-state';
import { PAGE_LIMITS } from '../../shared/page-limits';
import { formatBytes, formatCount } from '../format';
import type { PreviewState } from '../store/mappings-slice';

/** The most planned changes a preview lists (the contract's cap). */
export const PREVIEW_LIST_MAX = PAGE_LIMITS.preview.max;

function ChangeList({ title, items, total, kind, onShowMore }: { title: string; items: PlannedChangeView[]; total: number; kind: 'copy' | 'delete'; onShowMore?: () => void }) {
  if (total === 0) return null;
  return (
    <section className={`preview-list preview-${kind}`} aria-label={title}>
      <h4>{title}</h4>
      <ul>
        {items.map((item) => (
          <li key={item.key} className="preview-item">
            <code className="preview-key">{item.key}</code>
            {item.size !== undefined && <span className="preview-size">{formatBytes(item.size)}</span>}
            <span className="preview-reason muted">{item.reason}</span>
          </li>
        ))}
      </ul>
      {total > items.length && (
        <p className="muted">
          …and {formatCount(total - items.length)} more
          {onShowMore && items.length < PREVIEW_LIST_MAX ? (
            <>
              {' '}
              <button type="button" className="link-button" onClick={onShowMore}>
                Show {total > PREVIEW_LIST_MAX ? `the first ${formatCount(PREVIEW_LIST_MAX)}` : 'all'}
              </button>
            </>
          ) : (
            items.length >= PREVIEW_LIST_MAX && ` (a preview lists the first ${formatCount(PREVIEW_LIST_MAX)})`
          )}
        </p>
      )}
    </section>
  );
}

/** How many objects each filter rule left out, as the run log names the rules. */
function Exclusions({ excluded }: { excluded: NonNullable<PreviewResult['excluded']> }) {
  if (excluded.length === 0) return null;
  const total = excluded.reduce((sum, e) => sum + e.count, 0);
  return (
    <section className="preview-excluded" aria-label="Excluded by filters">
      <h4>
        Excluded by filters <span className="muted">({formatCount(total)} {total === 1 ? 'object' : 'objects'})</span>
      </h4>
      <ul>
        {excluded.map(({ rule, count }) => (
          <li key={rule}>
            <span className="preview-excluded-count">{formatCount(count)}</span> by <code>{rule}</code>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function PreviewSummary({ result, onShowMore }: { result: PreviewResult; onShowMore?: () => void }) {
  return (
    <>
      {result.error !== null && (
        <p className="form-error" role="alert">
          A run would stop: {result.error}
        </p>
      )}
      <dl className="preview-counts">
        <div data-count="copies">
          <dt>To copy</dt>
          <dd>
            {formatCount(result.copies)} <span className="muted">({formatBytes(result.copyBytes)})</span>
          </dd>
        </div>
        <div data-count="deletes" className={result.deletes > 0 ? 'count-warn' : undefined}>
          <dt>To delete</dt>
          <dd>{formatCount(result.deletes)}</dd>
        </div>
        <div data-count="adopts">
          <dt>Already equal</dt>
          <dd>{formatCount(result.adopts)}</dd>
        </div>
        <div data-count="skips">
          <dt>Unchanged</dt>
          <dd>{formatCount(result.skips)}</dd>
        </div>
      </dl>
      {result.copies === 0 && result.deletes === 0 && result.error === null && <p>Nothing to do: the target is up to date.</p>}
      {result.bandwidth && <p className="preview-bandwidth">{result.bandwidth}</p>}
      {result.versions && <p className="preview-versions">{result.versions}</p>}
      {result.targetOptions && <p className="preview-target-options">{result.targetOptions}</p>}
      <Exclusions excluded={result.excluded ?? []} />
      <ChangeList title="First copies" items={result.firstCopies} total={result.copies} kind="copy" onShowMore={onShowMore} />
      <ChangeList title="First deletions" items={result.firstDeletes} total={result.deletes} kind="delete" onShowMore={onShowMore} />
    </>
  );
}

/** `onShowMore` plans again listing up to PREVIEW_LIST_MAX copies and deletes ("…and 285 more" opens). */
export function PreviewPanel({ preview, onShowMore }: { preview: PreviewState; onShowMore?: () => void }) {
  if (preview.status === 'idle') return null;
  return (
    <section className="preview" aria-label="Preview" aria-busy={preview.status === 'loading'}>
      <h3>Preview</h3>
      {preview.status === 'loading' && <LoadingBlock label="Listing both sides to plan the run…" height={96} />}
      {preview.status === 'error' && (
        <p className="form-error" role="alert">
          The preview failed: {preview.error.message}
        </p>
      )}
      {preview.status === 'ready' && <PreviewSummary result={preview.result} onShowMore={onShowMore} />}
    </section>
  );
}
