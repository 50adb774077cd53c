// The history: proposals that left pending, paged in from the backend as the
// list scrolls, kept current by queue events, and which one is selected. It
// loads nothing until it is first shown; only this store asks the backend
// for the history list.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ApiError, Backend, Page, QueueEvent, Status } from '../api';
import { appendPage, emptyHistory, mergeHead, setStatuses, type HistoryModel } from '../lib/historyModel';
import { LRU } from '../lib/lru';
import { isSubmitted } from '../lib/queueModel';
import { PAGE_SIZE, pageFailure, pageLimit, PREFETCH_MARGIN } from './paging';

const EVENT_STATUSES = 2000;

/** idle: not shown yet, so not loaded. */
export type HistoryPhase = 'idle' | 'loading' | 'ready' | 'error';

export interface HistoryState {
  model: HistoryModel;
  phase: HistoryPhase;
  /** Why the first page failed to load. */
  error: ApiError | null;
  loadingMore: boolean;
  /** Why a later page failed to load; cleared by retryMore. */
  moreError: ApiError | null;
  selectedId: string | null;

  /** Loads the first page (again). */
  start(): Promise<void>;
  /** Loads the first page unless it is loaded or loading. */
  show(): void;
  ensureLoaded(index: number): void;
  retryMore(): void;
  /** Fetches the first page again and merges it over what is loaded. */
  refresh(): Promise<void>;
  applyBatch(batch: readonly QueueEvent[]): void;
  /** A status learnt elsewhere (after an undo, say), before its event arrives. */
  setStatus(id: string, status: Status): void;
  select(id: string | null): void;
  selectIndex(index: number): void;
  move(delta: number): void;
}

export type HistoryStore = StoreApi<HistoryState>;

export function createHistoryStore(backend: Backend): HistoryStore {
  let generation = 0;
  let fetching = false;
  let wantedIndex = 0;
  // A refresh runs alone; one asked for meanwhile runs once after it.
  let refreshing = false;
  let refreshAgain = false;
  // The last status events gave. A page fetched before an event may carry
  // the status from before it: after each page, these are laid over it.
  const fromEvents = new LRU<string, Status>(EVENT_STATUSES);
  const withEvents = (model: HistoryModel, page: Page): HistoryModel => {
    const known = new Map<string, Status>();
    for (const s of page.items) {
      const status = fromEvents.get(s.id);
      if (status) known.set(s.id, status);
    }
    return known.size > 0 ? setStatuses(model, known) : model;
  };

  return createStore<HistoryState>()((set, get) => {
    async function fetchMore(): Promise<void> {
      if (fetching) return;
      const { model, phase } = get();
      const first = phase !== 'ready';
      const offset = model.ids.length;
      const limit = pageLimit(wantedIndex, offset);
      const gen = generation;
      fetching = true;
      set({ loadingMore: !first, moreError: null });
      try {
        const page = await backend.listDecided(offset, limit);
        if (gen !== generation) return;
        fetching = false;
        set({ model: withEvents(appendPage(get().model, page, limit), page), phase: 'ready', error: null, loadingMore: false });
        if (get().selectedId === null && get().model.ids.length > 0) set({ selectedId: get().model.ids[0] ?? null });
        if (first && refreshAgain) {
          refreshAgain = false;
          void get().refresh();
        }
        const now = get().model;
        if (!now.end && wantedIndex + PREFETCH_MARGIN >= now.ids.length) void fetchMore();
      } catch (e) {
        if (gen !== generation) return;
        fetching = false;
        set(pageFailure(first, e));
      }
    }

    return {
      model: emptyHistory,
      phase: 'idle',
      error: null,
      loadingMore: false,
      moreError: null,
      selectedId: null,

      async start() {
        generation++;
        fetching = false;
        refreshing = false;
        refreshAgain = false;
        wantedIndex = 0;
        set({ model: emptyHistory, phase: 'loading', error: null, moreError: null, loadingMore: false });
        await fetchMore();
      },

      show() {
        const { phase } = get();
        if (phase === 'idle' || phase === 'error') void get().start();
      },

      ensureLoaded(index) {
        wantedIndex = Math.max(0, index);
        const { model, phase, moreError } = get();
        if (phase !== 'ready' || moreError || model.end) return;
        if (index + PREFETCH_MARGIN < model.ids.length) return;
        void fetchMore();
      },

      retryMore() {
        set({ moreError: null });
        get().ensureLoaded(wantedIndex);
      },

      async refresh() {
        if (get().phase !== 'ready') {
          if (get().phase === 'loading') refreshAgain = true;
          return;
        }
        if (refreshing) {
          refreshAgain = true;
          return;
        }
        refreshing = true;
        const gen = generation;
        try {
          const page = await backend.listDecided(0, PAGE_SIZE);
          if (gen !== generation) return;
          set({ model: withEvents(mergeHead(get().model, page, PAGE_SIZE), page) });
          if (get().selectedId === null && get().model.ids.length > 0) set({ selectedId: get().model.ids[0] ?? null });
        } catch {
          // The list stays as it was; the next event or page tries again.
        } finally {
          if (gen === generation) {
            refreshing = false;
            if (refreshAgain) {
              refreshAgain = false;
              void get().refresh();
            }
          }
        }
      },

      applyBatch(batch) {
        if (get().phase === 'idle') return;
        const statuses = new Map<string, Status>();
        let unknown = false;
        for (const e of batch) {
          if (isSubmitted(e)) continue;
          statuses.set(e.proposal_id, e.status);
          fromEvents.set(e.proposal_id, e.status);
          if (!get().model.byId.has(e.proposal_id)) unknown = true;
        }
        if (statuses.size === 0) return;
        const model = setStatuses(get().model, statuses);
        if (model !== get().model) set({ model });
        // A proposal not held has just entered the history (or is further
        // down than loaded): the first page says which.
        if (unknown) void get().refresh();
      },

      setStatus(id, status) {
        const model = setStatuses(get().model, new Map([[id, status]]));
        if (model !== get().model) set({ model });
      },

      select(id) {
        set({ selectedId: id });
      },

      selectIndex(index) {
        const { model } = get();
        if (model.ids.length === 0) return;
        const i = Math.min(Math.max(index, 0), model.ids.length - 1);
        set({ selectedId: model.ids[i] ?? null });
        get().ensureLoaded(i);
      },

      move(delta) {
        const { model, selectedId } = get();
        const i = selectedId === null ? -1 : model.ids.indexOf(selectedId);
        get().selectIndex(i < 0 ? 0 : i + delta);
      },
    };
  });
}
