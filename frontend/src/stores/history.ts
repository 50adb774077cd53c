// The history: proposals that left pending, paged in from the backend as the
// list scrolls, kept current by queue events, and which one is selected. It
// loads nothing until it is first shown; only this store asks the backend
// for the history list.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ApiError, Backend, ExportFormat, QueueEvent, Status, Summary, TimelineFilters } from '../api';
import { toApiError } from '../api';
import {
  appendCursorPage,
  appendPage,
  emptyFilters,
  emptyHistory,
  historyQuery,
  insertByCreated,
  isFiltered,
  mergeHead,
  setStatuses,
  type HistoryModel,
} from '../lib/historyModel';
import { LRU } from '../lib/lru';
import { isSubmitted } from '../lib/queueModel';
import { PAGE_SIZE, pageFailure, pageLimit, PREFETCH_MARGIN } from './paging';

const EVENT_STATUSES = 2000;
/** The backend's largest timeline page. */
const TIMELINE_MAX = 200;
/** How long the search waits for typing to pause. */
export const SEARCH_DEBOUNCE_MS = 250;

/** What the last export did, in words. */
export interface ExportStatus {
  ok: boolean;
  message: string;
}

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
  /** The filters and search; when any is set the list is the timeline, newest created first. */
  filters: TimelineFilters;
  /** The search box as typed; it reaches filters.text once typing pauses. */
  searchInput: string;
  /** The list shown is filtered (ordered by creation), not the whole history (ordered by decision). */
  filtered: boolean;
  exporting: boolean;
  exportStatus: ExportStatus | null;

  /** Sets some filters and loads the list again from the top. */
  setFilters(patch: Partial<TimelineFilters>): void;
  /** Types into the search: applied after SEARCH_DEBOUNCE_MS without typing. */
  setSearch(text: string): void;
  /** Clears every filter and the search. */
  clearFilters(): void;
  /** Writes what the filters select to a file the person picks. */
  exportAs(format: ExportFormat): Promise<void>;
  dismissExport(): void;
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
  // The next timeline page's cursor, while filtered.
  let cursor = '';
  let searchTimer: ReturnType<typeof setTimeout> | null = null;
  let wantedIndex = 0;
  // A refresh runs alone; one asked for meanwhile runs once after it.
  let refreshing = false;
  let refreshAgain = false;
  // Proposals that changed while the list is filtered and that it does not
  // hold: asked about (do they match now?) one request at a time.
  const toCheck = new Set<string>();
  let checking = false;
  // The last status events gave. A page fetched before an event may carry
  // the status from before it: after each page, these are laid over it.
  const fromEvents = new LRU<string, Status>(EVENT_STATUSES);
  const withEvents = (model: HistoryModel, items: readonly Summary[]): HistoryModel => {
    const known = new Map<string, Status>();
    for (const s of items) {
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
      const filtered = get().filtered;
      const limit = filtered ? Math.min(TIMELINE_MAX, pageLimit(wantedIndex, offset)) : pageLimit(wantedIndex, offset);
      const gen = generation;
      fetching = true;
      set({ loadingMore: !first, moreError: null });
      try {
        let next: HistoryModel;
        let items: readonly Summary[];
        if (filtered) {
          const page = await backend.timeline({ ...historyQuery(get().filters), cursor, limit });
          if (gen !== generation) return;
          cursor = page.next;
          items = page.items;
          next = appendCursorPage(get().model, page.items, page.next !== '');
        } else {
          const page = await backend.listDecided(offset, limit);
          if (gen !== generation) return;
          items = page.items;
          next = appendPage(get().model, page, limit);
        }
        fetching = false;
        set({ model: withEvents(next, items), phase: 'ready', error: null, loadingMore: false });
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

    // Asks which of the proposals that changed now match the filters (and
    // the search), and puts those in their place: the list stays where it
    // is on screen (see VirtualList), and a page fetched meanwhile never
    // repeats a row.
    async function checkFiltered(): Promise<void> {
      if (checking || toCheck.size === 0 || get().phase !== 'ready' || !get().filtered) return;
      const ids = [...toCheck].slice(0, TIMELINE_MAX);
      for (const id of ids) toCheck.delete(id);
      const gen = generation;
      checking = true;
      try {
        const page = await backend.timeline({ ...historyQuery(get().filters), ids, cursor: '', limit: ids.length });
        if (gen !== generation || page.items.length === 0) return;
        const model = insertByCreated(get().model, page.items);
        if (model !== get().model) set({ model: withEvents(model, page.items) });
      } catch {
        // Left out; a later change of the same proposal asks again.
      } finally {
        checking = false;
        if (gen === generation) void checkFiltered();
      }
    }

    return {
      model: emptyHistory,
      phase: 'idle',
      error: null,
      loadingMore: false,
      moreError: null,
      selectedId: null,
      filters: emptyFilters,
      searchInput: '',
      filtered: false,
      exporting: false,
      exportStatus: null,

      setFilters(patch) {
        const filters = { ...get().filters, ...patch };
        if (patch.text !== undefined) {
          if (searchTimer !== null) clearTimeout(searchTimer);
          searchTimer = null;
          set({ searchInput: patch.text });
        }
        set({ filters, filtered: isFiltered(filters), selectedId: null });
        if (get().phase !== 'idle') void get().start();
      },

      setSearch(text) {
        set({ searchInput: text });
        if (searchTimer !== null) clearTimeout(searchTimer);
        searchTimer = setTimeout(() => {
          searchTimer = null;
          if (get().filters.text !== text) get().setFilters({ text });
        }, SEARCH_DEBOUNCE_MS);
      },

      clearFilters() {
        get().setFilters({ ...emptyFilters });
      },

      async exportAs(format) {
        if (get().exporting) return;
        set({ exporting: true, exportStatus: null });
        try {
          const r = await backend.exportTimeline({ ...historyQuery(get().filters), cursor: '', limit: 0 }, format);
          const what = r.count === 1 ? '1 entry' : `${r.count.toLocaleString()} entries`;
          set({ exportStatus: r.path ? { ok: true, message: `Exported ${what} to ${r.path}` } : null });
        } catch (e) {
          set({ exportStatus: { ok: false, message: `Could not export: ${toApiError(e).message}` } });
        } finally {
          set({ exporting: false });
        }
      },

      dismissExport() {
        set({ exportStatus: null });
      },

      async start() {
        generation++;
        fetching = false;
        cursor = '';
        refreshing = false;
        refreshAgain = false;
        toCheck.clear();
        checking = false;
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
        // A filtered list is read by cursor from the top, and rows that come
        // to match it are put in their place by checkFiltered.
        if (get().filtered) return;
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
          set({ model: withEvents(mergeHead(get().model, page, PAGE_SIZE), page.items) });
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
        if (get().filtered) {
          for (const e of batch) if (!isSubmitted(e) && !get().model.byId.has(e.proposal_id)) toCheck.add(e.proposal_id);
          void checkFiltered();
        }
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
        if (unknown && !get().filtered) void get().refresh();
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
