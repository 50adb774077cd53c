// The pending queue: pages loaded from the backend, live updates from events,
// and which proposal is selected. Components read it and dispatch its
// actions; only this store asks the backend for the list.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ApiError, Backend, QueueEvent } from '../api';
import {
  appendPage,
  applyBatch,
  emptyModel,
  GoneSet,
  nextIndexAfterRemoval,
  removeIds,
  type QueueModel,
} from '../lib/queueModel';
import { pageFailure, pageLimit, PREFETCH_MARGIN } from './paging';

/** Set when the first page of the queue is requested; the first-page benchmark measures from here to the paint. */
export const FIRST_REQUEST_MARK = 'countersign:first-page-requested';

export { MAX_FETCH, PAGE_SIZE } from './paging';

export type Phase = 'loading' | 'ready' | 'error';

export interface QueueState {
  model: QueueModel;
  phase: Phase;
  /** Why the first page failed to load. */
  error: ApiError | null;
  /** A later page is being fetched. */
  loadingMore: boolean;
  /** Why a later page failed to load; cleared by retryMore. */
  moreError: ApiError | null;
  selectedId: string | null;
  /**
   * Where the selection is or was: the index of the selected row, kept after
   * the row leaves the list so that j/k continue from that place.
   */
  anchor: number;

  start(): Promise<void>;
  retry(): Promise<void>;
  /** Makes sure rows up to index are loaded, or being loaded. */
  ensureLoaded(index: number): void;
  retryMore(): void;
  applyBatch(batch: readonly QueueEvent[]): void;
  select(id: string | null): void;
  selectIndex(index: number): void;
  /** Moves the selection by delta rows (j/k). */
  move(delta: number): void;
  /**
   * Takes ids that are no longer pending out of the list. With selectNext,
   * a selected id gives way to the row after it; without, the selection
   * stays (the detail pane keeps showing what happened to it).
   */
  removeDecided(ids: readonly string[], selectNext?: boolean): void;
}

export type QueueStore = StoreApi<QueueState>;

interface InFlight {
  limit: number;
  eventsSeen: boolean;
  removedLoaded: boolean;
  removedUnloaded: Set<string>;
}

export function createQueueStore(backend: Backend): QueueStore {
  const gone = new GoneSet();
  let inflight: InFlight | null = null;
  let wantedIndex = 0;
  let generation = 0;

  const store = createStore<QueueState>()((set, get) => {
    async function fetchMore(): Promise<void> {
      if (inflight) return;
      const { model } = get();
      const offset = model.ids.length;
      const limit = pageLimit(wantedIndex, offset);
      const req: InFlight = { limit, eventsSeen: false, removedLoaded: false, removedUnloaded: new Set() };
      const gen = generation;
      inflight = req;
      const first = get().phase !== 'ready';
      set({ loadingMore: !first, moreError: null });
      try {
        if (first && typeof performance !== 'undefined' && performance.getEntriesByName(FIRST_REQUEST_MARK).length === 0) {
          performance.mark(FIRST_REQUEST_MARK);
        }
        const page = await backend.listPending(offset, limit);
        if (gen !== generation) return;
        inflight = null;
        if (req.removedLoaded) {
          // Rows above the offset left meanwhile: the page may have skipped
          // some. Ask again from the new end.
          set({ loadingMore: false });
          void fetchMore();
          return;
        }
        const next = appendPage(get().model, page, limit, req, gone);
        set({ model: next, phase: 'ready', error: null, loadingMore: false });
        autoSelect();
        const now = get().model;
        if (now.ids.length < now.total && wantedIndex + PREFETCH_MARGIN >= now.ids.length) void fetchMore();
      } catch (e) {
        if (gen !== generation) return;
        inflight = null;
        set(pageFailure(first, e));
      }
    }

    function autoSelect(): void {
      const { selectedId, model } = get();
      if (selectedId === null && model.ids.length > 0) {
        set({ selectedId: model.ids[0] ?? null, anchor: 0 });
      }
    }

    function indexOfSelected(): number {
      const { selectedId, model } = get();
      return selectedId === null ? -1 : model.ids.indexOf(selectedId);
    }

    return {
      model: emptyModel,
      phase: 'loading',
      error: null,
      loadingMore: false,
      moreError: null,
      selectedId: null,
      anchor: 0,

      async start() {
        generation++;
        inflight = null;
        wantedIndex = 0;
        set({ phase: 'loading', error: null, moreError: null, loadingMore: false });
        await fetchMore();
      },

      retry() {
        return get().start();
      },

      ensureLoaded(index) {
        wantedIndex = Math.max(0, index);
        const { model, phase, moreError } = get();
        if (phase !== 'ready' || moreError) return;
        if (model.ids.length >= model.total) return;
        if (index + PREFETCH_MARGIN < model.ids.length) return;
        void fetchMore();
      },

      retryMore() {
        set({ moreError: null });
        get().ensureLoaded(wantedIndex);
      },

      applyBatch(batch) {
        if (batch.length === 0) return;
        const before = get();
        const selectedIndex = indexOfSelected();
        const r = applyBatch(before.model, batch, gone);
        if (inflight) {
          inflight.eventsSeen = true;
          if (r.removedLoaded.length > 0) inflight.removedLoaded = true;
          for (const id of r.removedUnloaded) inflight.removedUnloaded.add(id);
        }
        if (r.model === before.model) return;
        // Keep the anchor on the selected row (or on its old place) as rows
        // come and go above it.
        const j = before.selectedId === null ? -1 : r.model.ids.indexOf(before.selectedId);
        const base = selectedIndex >= 0 ? selectedIndex : before.anchor;
        const anchor =
          j >= 0 ? j : Math.max(0, base + r.inserted.length - countAbove(before.model.ids, base, r.removedLoaded));
        set({ model: r.model, anchor });
        if (before.phase === 'ready') autoSelect();
        const m = r.model;
        if (m.ids.length < m.total && wantedIndex + PREFETCH_MARGIN >= m.ids.length && before.phase === 'ready') void fetchMore();
      },

      select(id) {
        const i = id === null ? -1 : get().model.ids.indexOf(id);
        set({ selectedId: id, anchor: i >= 0 ? i : get().anchor });
      },

      selectIndex(index) {
        const { model } = get();
        if (model.ids.length === 0) return;
        const i = Math.min(Math.max(index, 0), model.ids.length - 1);
        set({ selectedId: model.ids[i] ?? null, anchor: i });
        get().ensureLoaded(i);
      },

      move(delta) {
        const { model, anchor } = get();
        if (model.ids.length === 0) return;
        const i = indexOfSelected();
        let target: number;
        if (i >= 0) target = i + delta;
        // The selected row left the list: the row now in its place is "next".
        else target = delta > 0 ? anchor + delta - 1 : anchor + delta;
        get().selectIndex(target);
      },

      removeDecided(ids, selectNext = true) {
        const before = get();
        const i = indexOfSelected();
        const model = removeIds(before.model, ids, gone);
        if (inflight && model !== before.model) {
          inflight.eventsSeen = true;
          inflight.removedLoaded = true;
        }
        const wasSelected = before.selectedId !== null && ids.includes(before.selectedId);
        if (!wasSelected || !selectNext) {
          const j = before.selectedId === null ? -1 : model.ids.indexOf(before.selectedId);
          const base = i >= 0 ? i : before.anchor;
          const anchor = j >= 0 ? j : Math.max(0, base - countAbove(before.model.ids, base, ids));
          set({ model, anchor });
          return;
        }
        const base = i >= 0 ? i : before.anchor;
        const next = nextIndexAfterRemoval(base, model.ids.length);
        set({ model, selectedId: next >= 0 ? (model.ids[next] ?? null) : null, anchor: Math.max(0, next) });
        get().ensureLoaded(Math.max(0, next));
      },
    };
  });
  return store;
}

function countAbove(ids: readonly string[], index: number, removed: readonly string[]): number {
  if (removed.length === 0) return 0;
  const set = new Set(removed);
  let n = 0;
  for (let i = 0; i < index; i++) if (set.has(ids[i]!)) n++;
  return n;
}
