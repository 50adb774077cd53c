// What the selected history entry changed: the same previews as the queue's,
// from HistoryPreview. Once carried out, an entry is compared between the
// states recorded before and after it (what was approved), so it does not
// change when the file does; until then, with the files as they are now.
// It follows the history's selection, keeps a few answers, and drops an
// answer that arrives after the selection moved on.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ApiError, Backend, PastPreview, QueueEvent } from '../api';
import { toApiError } from '../api';
import { LRU } from '../lib/lru';
import { isSubmitted } from '../lib/queueModel';
import type { HistoryStore } from './history';
import type { SheetCursor } from './preview';

const CACHE_SIZE = 8;

export interface HistoryPreviewState {
  id: string | null;
  preview: PastPreview | null;
  loading: boolean;
  error: ApiError | null;
  /** The step through each sheet preview, by action. */
  cursors: Record<number, SheetCursor>;

  load(id: string | null): Promise<void>;
  /** Computes the preview again (from the files as they are now, when that is its basis). */
  refresh(): Promise<void>;
  applyBatch(batch: readonly QueueEvent[]): void;
  setSheet(action: number, sheet: number): void;
  setChange(action: number, change: number): void;
}

export type HistoryPreviewStore = StoreApi<HistoryPreviewState>;

export function createHistoryPreviewStore(backend: Backend, history: HistoryStore): HistoryPreviewStore {
  const cache = new LRU<string, PastPreview>(CACHE_SIZE);
  let generation = 0;

  const store = createStore<HistoryPreviewState>()((set, get) => {
    // quiet: keep what is shown while the new answer is on its way.
    async function fetch(id: string, quiet: boolean): Promise<void> {
      const gen = ++generation;
      if (!quiet) set({ loading: true, error: null });
      try {
        const preview = await backend.historyPreview(id);
        if (gen !== generation || get().id !== id) return;
        // A recorded preview never changes; one of the disk may at any time.
        if (preview.basis === 'recorded') cache.set(id, preview);
        set({ preview, loading: false, error: null });
      } catch (e) {
        if (gen !== generation || get().id !== id) return;
        if (!quiet || !get().preview) set({ loading: false, error: toApiError(e) });
      }
    }

    return {
      id: null,
      preview: null,
      loading: false,
      error: null,
      cursors: {},

      async load(id) {
        if (id === get().id && (get().preview || get().loading)) return;
        generation++;
        const cached = id ? cache.get(id) : undefined;
        set({ id, preview: cached ?? null, loading: false, error: null, cursors: {} });
        if (!id || cached) return;
        await fetch(id, false);
      },

      async refresh() {
        const id = get().id;
        if (!id) return;
        cache.delete(id);
        await fetch(id, false);
      },

      applyBatch(batch) {
        const current = get().id;
        let changed = false;
        for (const e of batch) {
          if (isSubmitted(e)) continue;
          if (e.proposal_id === current) changed = true;
        }
        // Carried out since it was shown (its basis becomes the record), or
        // still compared with the disk: read it again without blanking it.
        if (changed && current && get().preview?.basis !== 'recorded') void fetch(current, true);
      },

      setSheet(action, sheet) {
        set({ cursors: { ...get().cursors, [action]: { sheet, change: -1 } } });
      },

      setChange(action, change) {
        const cur = get().cursors[action] ?? { sheet: 0, change: -1 };
        set({ cursors: { ...get().cursors, [action]: { ...cur, change } } });
      },
    };
  });

  history.subscribe((s, prev) => {
    if (s.selectedId !== prev.selectedId) void store.getState().load(s.selectedId);
  });
  return store;
}
