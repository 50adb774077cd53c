// The secrets and personal data the selected proposal would write, run or
// send (Secrets), for the warning in the detail pane. It follows the queue's
// selection, keeps a few answers, and drops answers that arrive for a
// proposal no longer shown. A failed scan shows as "could not check", never
// as "nothing found".
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ApiError, Backend, SecretScan } from '../api';
import { toApiError } from '../api';
import type { QueueStore } from './queue';

const CACHE_SIZE = 32;

export interface SecretsState {
  id: string | null;
  scan: SecretScan | null;
  loading: boolean;
  error: ApiError | null;
  load(id: string | null): Promise<void>;
}

export type SecretsStore = StoreApi<SecretsState>;

export function createSecretsStore(backend: Backend, queue: QueueStore): SecretsStore {
  const cache = new Map<string, SecretScan>();
  let generation = 0;
  const store = createStore<SecretsState>()((set, get) => ({
    id: null,
    scan: null,
    loading: false,
    error: null,

    async load(id) {
      if (id === get().id && (get().scan || get().loading)) return;
      const gen = ++generation;
      const cached = id ? cache.get(id) : undefined;
      set({ id, scan: cached ?? null, loading: !!id && !cached, error: null });
      if (!id || cached) return;
      try {
        const scan = await backend.secrets(id);
        cache.set(id, scan);
        if (cache.size > CACHE_SIZE) {
          const oldest = cache.keys().next();
          if (!oldest.done) cache.delete(oldest.value);
        }
        if (gen === generation) set({ scan, loading: false });
      } catch (e) {
        if (gen === generation) set({ loading: false, error: toApiError(e) });
      }
    },
  }));
  queue.subscribe((s, prev) => {
    if (s.selectedId !== prev.selectedId) void store.getState().load(s.selectedId);
  });
  void store.getState().load(queue.getState().selectedId);
  return store;
}
