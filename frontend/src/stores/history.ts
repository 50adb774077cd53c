// The history: proposals that left pending, read from the backend around
// where the list is scrolled (a window of it: see lib/historyModel), kept
// current by queue events, and which one is selected. It loads nothing until
// it is first shown; only this store asks the backend for the history list.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ApiError, Backend, ExportFormat, QueueEvent, Status, Summary, TimelineFilters } from '../api';
import { toApiError } from '../api';
import {
  emptyFilters,
  emptyHistory,
  historyQuery,
  holds,
  idAt,
  indexOf,
  insertByCreated,
  isFiltered,
  mergeHead,
  pin,
  putRows,
  readFrom,
  setStatuses,
  type HistoryModel,
} from '../lib/historyModel';
import { LRU } from '../lib/lru';
import { isSubmitted } from '../lib/queueModel';
import { PAGE_SIZE, pageFailure, PREFETCH_MARGIN } from './paging';

const EVENT_STATUSES = 2000;
/** The backend's largest timeline page. */
const TIMELINE_MAX = 200;
/** The backend's largest history page. */
const DECIDED_MAX = 500;
/** The most rows the backend skips after a cursor. */
const MAX_SKIP = 2000;
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
  /** Makes sure the rows around the view (last, and first, its first row) are held, or being read. */
  ensureLoaded(last: number, first?: number): void;
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
  let searchTimer: ReturnType<typeof setTimeout> | null = null;
  // The rows in view, first and last.
  let viewFirst = 0;
  let viewLast = 0;
  // A row to select once it is read (the keyboard moved onto a row let go).
  let pendingSelect: number | null = null;
  // Rows that came on top so far: a read that was asked for before some
  // came lands that many rows further down.
  let moved = 0;
  const focus = () => pendingSelect ?? Math.floor((viewFirst + viewLast) / 2);
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
    // The stretch to read next so that the rows around the view (or the
    // row to select) are held: next to those held when it meets them, else
    // in their place. Null when they are held.
    function nextRead(m: HistoryModel): { from: number; limit: number } | null {
      const most = get().filtered ? TIMELINE_MAX : DECIDED_MAX;
      const around = pendingSelect ?? viewFirst;
      let lo = Math.max(0, around - PREFETCH_MARGIN);
      let hi = (pendingSelect ?? viewLast) + PREFETCH_MARGIN;
      // The placeholder after the rows known is read too, while more may follow.
      hi = Math.min(hi, m.end ? m.length - 1 : m.length);
      lo = Math.min(lo, hi);
      if (hi < 0 || holds(m, lo, hi)) return null;
      const pages = (n: number) => Math.min(most, Math.max(PAGE_SIZE, Math.ceil(n / PAGE_SIZE) * PAGE_SIZE));
      const wEnd = m.start + m.ids.length;
      if (m.ids.length === 0 || hi < m.start || lo >= wEnd) return { from: lo, limit: pages(hi - lo + 1) };
      if (lo < m.start) {
        const from = Math.max(0, m.start - pages(m.start - lo));
        return { from, limit: m.start - from };
      }
      // Into rows not known yet (scrolling down): as many as a read takes.
      return { from: wEnd, limit: hi >= m.length ? most : pages(hi - wEnd + 1) };
    }

    async function fetchMore(): Promise<void> {
      if (fetching) return;
      const { model, phase, filtered } = get();
      const first = phase !== 'ready';
      const want = nextRead(model);
      if (!want) return;
      let { from } = want;
      let { cursor, skip } = readFrom(model, from);
      if (skip > MAX_SKIP) {
        // No cursor near enough (the list started again since): read the
        // nearest stretch that can be, and on from there.
        from -= skip - MAX_SKIP;
        skip = MAX_SKIP;
      }
      const gen = generation;
      const movedThen = moved;
      fetching = true;
      set({ loadingMore: !first, moreError: null });
      try {
        let page: { items: readonly Summary[]; next: string };
        if (filtered) {
          page = await backend.timeline({ ...historyQuery(get().filters), cursor, skip, limit: want.limit });
        } else {
          page = await backend.listDecidedAfter(cursor, skip, want.limit);
        }
        if (gen !== generation) return;
        fetching = false;
        let next = withEvents(putRows(get().model, from + moved - movedThen, page.items, page.next, focus()), page.items);
        let selectedId = get().selectedId;
        if (pendingSelect !== null) {
          const id = idAt(next, Math.min(pendingSelect, next.length - 1));
          if (id !== undefined || next.length === 0) {
            // The list scrolls to the row selected: the view is there now.
            viewFirst = viewLast = pendingSelect;
            pendingSelect = null;
          }
          if (id !== undefined) selectedId = id;
        }
        if (selectedId === null && next.length > 0) selectedId = idAt(next, 0) ?? null;
        next = pin(next, selectedId);
        set({ model: next, selectedId, phase: 'ready', error: null, loadingMore: false });
        if (first && refreshAgain) {
          refreshAgain = false;
          void get().refresh();
        }
        // On to the next stretch, unless this read brought nothing new.
        if (page.items.length > 0) void fetchMore();
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
        refreshing = false;
        refreshAgain = false;
        toCheck.clear();
        checking = false;
        viewFirst = 0;
        viewLast = 0;
        pendingSelect = null;
        set({ model: emptyHistory, phase: 'loading', error: null, moreError: null, loadingMore: false });
        await fetchMore();
      },

      show() {
        const { phase } = get();
        if (phase === 'idle' || phase === 'error') void get().start();
      },

      ensureLoaded(last, first) {
        viewLast = Math.max(0, last);
        viewFirst = Math.min(viewLast, Math.max(0, first ?? last));
        const { phase, moreError } = get();
        if (phase !== 'ready' || moreError) return;
        void fetchMore();
      },

      retryMore() {
        set({ moreError: null });
        void fetchMore();
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
        let gen = generation;
        try {
          const page = await backend.listDecidedAfter('', 0, PAGE_SIZE);
          if (gen !== generation) return;
          const before = get().model;
          const k = before.top === null ? 0 : page.items.findIndex((s) => s.id === before.top);
          if (k < 0) {
            // The list starts again from this page: reads under way are of another list.
            gen = ++generation;
            fetching = false;
            pendingSelect = null;
          } else {
            moved += k;
          }
          let model = withEvents(mergeHead(before, page.items, page.next, focus()), page.items);
          let selectedId = get().selectedId;
          if (selectedId === null && model.length > 0) selectedId = idAt(model, 0) ?? null;
          model = pin(model, selectedId);
          set({ model, selectedId });
          if (k < 0) void fetchMore();
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
        pendingSelect = null;
        set({ selectedId: id, model: pin(get().model, id) });
      },

      selectIndex(index) {
        const { model } = get();
        if (model.length === 0) return;
        const i = Math.min(Math.max(index, 0), model.length - 1);
        const id = idAt(model, i);
        if (id !== undefined) {
          get().select(id);
          return;
        }
        // A row let go: read it, then select it.
        pendingSelect = i;
        void fetchMore();
      },

      move(delta) {
        const { model, selectedId } = get();
        const i = pendingSelect ?? (selectedId === null ? -1 : indexOf(model, selectedId));
        get().selectIndex(i < 0 ? 0 : i + delta);
      },
    };
  });
}
