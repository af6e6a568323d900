// Bucket lists per connection (cached: every bucket picker of a connection shares one) and object
// pages under a prefix (not cached: the browser pages through them).
import type { CommandArgs, Envelope, ObjectPage } from '../../shared/contract';
import { attempt, toApiError, type SliceCreator, type StoreDeps } from './types';

export interface BucketList {
  names: string[];
  status: 'loading' | 'ready' | 'error';
  error: string | null;
}

export interface BrowseSlice {
  buckets: Record<string, BucketList>;
  /** Loads a connection's buckets unless already loaded (or loading); `force` reloads. */
  loadBuckets: (connectionId: string, force?: boolean) => Promise<void>;
  forgetBuckets: (connectionId: string) => void;
  listObjects: (args: CommandArgs<'objects.list'>) => Promise<Envelope<ObjectPage>>;
}

export const createBrowseSlice = ({ api }: StoreDeps): SliceCreator<BrowseSlice> => (set, get) => ({
  buckets: {},
  loadBuckets: async (connectionId, force = false) => {
    const known = get().buckets[connectionId];
    if (known && !force && known.status !== 'error') return;
    set((s) => ({ buckets: { ...s.buckets, [connectionId]: { names: known?.names ?? [], status: 'loading', error: null } } }));
    let entry: BucketList;
    try {
      const names = await api.invoke('buckets.list', { connectionId });
      entry = { names: [...names].sort(), status: 'ready', error: null };
    } catch (error) {
      entry = { names: [], status: 'error', error: toApiError(error).message };
    }
    // Dropped meanwhile (connection edited or deleted): the answer is stale.
    if (get().buckets[connectionId]?.status !== 'loading') return;
    set((s) => ({ buckets: { ...s.buckets, [connectionId]: entry } }));
  },
  forgetBuckets: (connectionId) =>
    set((s) => {
      if (!(connectionId in s.buckets)) return s;
      const { [connectionId]: _dropped, ...buckets } = s.buckets;
      return { buckets };
    }),
  listObjects: (args) => attempt(() => api.invoke('objects.list', args)),
});
