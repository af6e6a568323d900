// Browses a bucket under a prefix: folders (common prefixes) to open, objects with size and date,
// more pages on request, and "use this prefix". Fixed height, so paging never moves the page.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ObjectEntry } from '../../shared/contract';
import { formatBytes, formatDateTime } from '../format';
import { useAppStore } from '../store';

const PAGE_SIZE = 200;

export interface ObjectBrowserProps {
  side: string;
  connectionId: string;
  bucket: string;
  prefix: string;
  /** Offers "Use this prefix" (the mapping editor); absent, the browser only shows (a connection's browser). */
  onChoosePrefix?: (prefix: string) => void;
  onClose: () => void;
}

interface Listing {
  prefix: string;
  folders: string[];
  objects: ObjectEntry[];
  nextPageToken: string | undefined;
  status: 'loading' | 'ready' | 'error';
  error: string | null;
}

/** The parent of "a/b/c/" is "a/b/"; of "a/" it is "". */
export function parentPrefix(prefix: string): string {
  const trimmed = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  const slash = trimmed.lastIndexOf('/');
  return slash < 0 ? '' : trimmed.slice(0, slash + 1);
}

export function ObjectBrowser({ side, connectionId, bucket, prefix: startPrefix, onChoosePrefix, onClose }: ObjectBrowserProps) {
  const listObjects = useAppStore((s) => s.listObjects);
  // Only whole folders are browsable: a prefix like "photos/2024-" opens at "photos/".
  const [listing, setListing] = useState<Listing>(() => ({
    prefix: startPrefix.endsWith('/') || startPrefix === '' ? startPrefix : parentPrefix(startPrefix),
    folders: [],
    objects: [],
    nextPageToken: undefined,
    status: 'loading',
    error: null,
  }));
  const seq = useRef(0);

  const load = useCallback(
    async (prefix: string, pageToken?: string) => {
      const mine = ++seq.current;
      setListing((l) => (pageToken ? { ...l, status: 'loading' } : { prefix, folders: [], objects: [], nextPageToken: undefined, status: 'loading', error: null }));
      const result = await listObjects({ connectionId, bucket, prefix, limit: PAGE_SIZE, ...(pageToken ? { pageToken } : {}) });
      if (mine !== seq.current) return;
      setListing((l) =>
        result.ok
          ? {
              prefix,
              folders: [...l.folders, ...result.value.prefixes],
              objects: [...l.objects, ...result.value.objects],
              nextPageToken: result.value.nextPageToken,
              status: 'ready',
              error: null,
            }
          : { ...l, status: 'error', error: result.error.message },
      );
    },
    [listObjects, connectionId, bucket],
  );

  // Lists where the browser opened; navigation calls load itself.
  const openedAt = useRef(listing.prefix);
  useEffect(() => {
    void load(openedAt.current);
  }, [load]);

  const shown = (key: string) => key.slice(listing.prefix.length);

  return (
    <div className="object-browser" role="region" aria-label={`${side} objects in ${bucket}`}>
      <div className="object-browser-bar">
        <button type="button" className="button-small" disabled={listing.prefix === ''} onClick={() => void load(parentPrefix(listing.prefix))} aria-label="Up one folder">
          ↑ Up
        </button>
        <code className="object-browser-path" title={`${bucket}/${listing.prefix}`}>
          {bucket}/{listing.prefix}
        </code>
        {onChoosePrefix && (
          <button type="button" className="button-small button-primary" onClick={() => onChoosePrefix(listing.prefix)}>
            Use this prefix
          </button>
        )}
        <button type="button" className="button-small button-ghost" onClick={onClose} aria-label={`Close ${side.toLowerCase()} object browser`}>
          Close
        </button>
      </div>
      <div className="object-browser-list">
        {listing.status === 'error' && (
          <p className="form-error" role="alert">
            {listing.error}
          </p>
        )}
        <ul aria-label="Folders and objects" aria-busy={listing.status === 'loading'}>
          {listing.folders.map((folder) => (
            <li key={`d:${folder}`} className="object-row object-folder">
              <button type="button" className="link-button" onClick={() => void load(folder)} aria-label={`Open folder ${shown(folder)}`}>
                📁 {shown(folder)}
              </button>
            </li>
          ))}
          {listing.objects.map((o) => (
            <li key={`o:${o.key}`} className="object-row">
              <span className="object-key">{shown(o.key)}</span>
              <span className="object-type muted">{o.contentType ?? ''}</span>
              <span className="object-size">{formatBytes(o.size)}</span>
              <span className="object-date muted">{formatDateTime(o.lastModified)}</span>
            </li>
          ))}
          {listing.status === 'ready' && listing.folders.length === 0 && listing.objects.length === 0 && <li className="object-row muted">Nothing under this prefix.</li>}
          {listing.status === 'loading' && <li className="object-row muted">Loading…</li>}
        </ul>
        {listing.nextPageToken && listing.status === 'ready' && (
          <button type="button" className="button-small" onClick={() => void load(listing.prefix, listing.nextPageToken)}>
            Load more
          </button>
        )}
      </div>
    </div>
  );
}
