// What each action of the selected proposal would change (Preview), the
// windows of a workbook the sheet grid shows (SheetWindow), what the person
// keeps of it (the selection for ApproveSelection), and how diffs are shown.
// It follows the queue's selection like the detail store, caches a few
// previews, and drops answers that arrive for a proposal no longer shown.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ApiError, Backend, Grid, PreviewAction, QueueEvent, Selection } from '../api';
import { toApiError } from '../api';
import type { DiffMode } from '../lib/diffModel';
import { LRU } from '../lib/lru';
import {
  initialSelection,
  reduceSelection,
  summarize,
  type SelectionOp,
  type SelectionState,
  type SelectionSummary,
} from '../lib/selection';
import type { QueueStore } from './queue';

const CACHE_SIZE = 8;
/** Rows fetched per SheetWindow call. */
export const GRID_BLOCK = 100;
/** Columns a grid shows at most (SheetWindow gives at most 512). */
export const GRID_MAX_COLS = 200;
/** With more actions than this, each preview starts collapsed. */
export const COLLAPSE_OVER = 5;
const MODE_KEY = 'countersign.diffMode';

export type LinesSlot = { state: 'loading' } | { state: 'ready'; lines: string[] } | { state: 'error'; error: ApiError };

export type GridSlot = { state: 'loading' } | { state: 'ready'; grid: Grid } | { state: 'error'; error: ApiError };

/** What pressing Approve does now. */
export type ApprovalPlan =
  | { kind: 'all' }
  | { kind: 'part'; selection: Selection }
  | { kind: 'none' };

export interface SheetCursor {
  /** Index into the change set's sheets. */
  sheet: number;
  /** Index into that sheet's listed cells; -1 before the first step. */
  change: number;
}

export interface PreviewState {
  id: string | null;
  actions: PreviewAction[] | null;
  loading: boolean;
  error: ApiError | null;
  selection: SelectionState | null;
  mode: DiffMode;
  /** Per action: shown (true) or collapsed (false); unset follows the default. */
  expanded: Record<number, boolean>;
  /** SheetWindow answers, by gridKey. */
  grids: Record<string, GridSlot>;
  /** PreviewLines answers (unchanged lines revealed in a diff), by linesKey. */
  lines: Record<string, LinesSlot>;
  cursors: Record<number, SheetCursor>;
  /** The sheet preview n/p step through: the last one used, else the first. */
  activeSheet: number | null;

  load(id: string | null): Promise<void>;
  /** Computes the preview again from the files as they are now. */
  refresh(): Promise<void>;
  applyBatch(batch: readonly QueueEvent[]): void;
  forget(id: string): void;
  setMode(mode: DiffMode): void;
  toggleMode(): void;
  select(op: SelectionOp): void;
  setExpanded(action: number, on: boolean): void;
  /** Fetches old lines from..to of a text action (once; again after an error). */
  loadLines(action: number, from: number, to: number): void;
  loadGridBlock(action: number, sheet: string, block: number, cols: number): void;
  setSheet(action: number, sheet: number): void;
  setChange(action: number, change: number): void;
  /** Moves to the next (1) or previous (-1) changed cell of the active sheet preview. */
  stepChange(delta: number): void;
}

export type PreviewStore = StoreApi<PreviewState>;

/** Key of a PreviewLines answer: proposal, action and range. */
export function linesKey(id: string, action: number, from: number, to: number): string {
  return `${id}\u0000${action}\u0000${from}\u0000${to}`;
}

export function gridKey(action: number, sheet: string, block: number): string {
  return `${action}\u0000${sheet}\u0000${block}`;
}

/** Whether the hunks of a preview can be kept one by one (else the action is taken whole). */
export function hunksSelectable(p: PreviewAction | undefined): boolean {
  const d = p?.kind === 'text' ? p.diff : undefined;
  return !!d && d.new_exists && !d.binary && !d.truncated && d.hunks.length >= 2;
}

export function selectionOf(actions: readonly PreviewAction[], count: number): SelectionState {
  const counts: (number | null)[] = [];
  for (let i = 0; i < count; i++) {
    const p = actions.find((a) => a.index === i);
    counts.push(p && hunksSelectable(p) ? (p.diff?.hunks.length ?? 0) : null);
  }
  return initialSelection(counts);
}

/** Actions whose preview could not be made, by index. */
export function previewProblems(s: Pick<PreviewState, 'actions' | 'error'>): number[] {
  if (!s.actions) return [];
  return s.actions.filter((a) => a.kind === 'error').map((a) => a.index);
}

export function selectionSummary(s: Pick<PreviewState, 'selection'>): SelectionSummary | null {
  return s.selection ? summarize(s.selection) : null;
}

function loadMode(): DiffMode {
  try {
    return globalThis.localStorage?.getItem(MODE_KEY) === 'split' ? 'split' : 'unified';
  } catch {
    return 'unified';
  }
}

function saveMode(mode: DiffMode): void {
  try {
    globalThis.localStorage?.setItem(MODE_KEY, mode);
  } catch {
    // Not remembered: the default comes back next time.
  }
}

interface Cached {
  actions: PreviewAction[];
  selection: SelectionState;
}

export function createPreviewStore(backend: Backend, queue: QueueStore): PreviewStore {
  const cache = new LRU<string, Cached>(CACHE_SIZE);
  const remember = (id: string, c: Cached): void => cache.set(id, c);
  // Each load gets a number; an answer for an older one is dropped.
  let generation = 0;

  const store = createStore<PreviewState>()((set, get) => {
    async function fetch(id: string, count: number | null): Promise<void> {
      const gen = ++generation;
      set({ loading: true, error: null });
      try {
        const actions = await backend.preview(id);
        if (gen !== generation || get().id !== id) return;
        const selection = selectionOf(actions, count ?? actions.length);
        remember(id, { actions, selection });
        set({ actions, selection, loading: false, grids: {}, lines: {} });
      } catch (e) {
        if (gen !== generation || get().id !== id) return;
        set({ loading: false, error: toApiError(e) });
      }
    }

    return {
      id: null,
      actions: null,
      loading: false,
      error: null,
      selection: null,
      mode: loadMode(),
      expanded: {},
      grids: {},
      lines: {},
      cursors: {},
      activeSheet: null,

      async load(id) {
        if (id === get().id && (get().actions || get().loading)) return;
        generation++;
        const cached = id ? cache.get(id) : undefined;
        set({
          id,
          actions: cached?.actions ?? null,
          selection: cached?.selection ?? null,
          loading: false,
          error: null,
          expanded: {},
          grids: {},
          lines: {},
          cursors: {},
          activeSheet: null,
        });
        if (!id || cached) return;
        await fetch(id, null);
      },

      async refresh() {
        const id = get().id;
        if (!id) return;
        cache.delete(id);
        set({ actions: null, selection: null, grids: {}, lines: {}, cursors: {} });
        await fetch(id, null);
      },

      applyBatch(batch) {
        for (const e of batch) if (e.type !== 'proposal.submitted') cache.delete(e.proposal_id);
      },

      forget(id) {
        cache.delete(id);
      },

      setMode(mode) {
        saveMode(mode);
        set({ mode });
      },

      toggleMode() {
        get().setMode(get().mode === 'unified' ? 'split' : 'unified');
      },

      select(op) {
        const { id, selection, actions } = get();
        if (!id || !selection || !actions) return;
        const next = reduceSelection(selection, op);
        if (next === selection) return;
        remember(id, { actions, selection: next });
        set({ selection: next });
      },

      setExpanded(action, on) {
        set({ expanded: { ...get().expanded, [action]: on } });
      },

      loadLines(action, from, to) {
        const { id } = get();
        if (!id || to < from) return;
        const key = linesKey(id, action, from, to);
        const slot = get().lines[key];
        if (slot && slot.state !== 'error') return;
        set({ lines: { ...get().lines, [key]: { state: 'loading' } } });
        backend.previewLines(id, action, from, to).then(
          (lines) => {
            if (get().id !== id || !get().lines[key]) return;
            set({ lines: { ...get().lines, [key]: { state: 'ready', lines } } });
          },
          (e: unknown) => {
            if (get().id !== id || !get().lines[key]) return;
            set({ lines: { ...get().lines, [key]: { state: 'error', error: toApiError(e) } } });
          },
        );
      },

      loadGridBlock(action, sheet, block, cols) {
        const { id } = get();
        if (!id) return;
        const key = gridKey(action, sheet, block);
        const slot = get().grids[key];
        if (slot && slot.state !== 'error') return;
        set({ grids: { ...get().grids, [key]: { state: 'loading' } } });
        const q = { sheet, first_row: block * GRID_BLOCK + 1, rows: GRID_BLOCK, first_col: 1, cols };
        backend.sheetWindow(id, action, q).then(
          (grid) => {
            if (get().id !== id) return;
            set({ grids: { ...get().grids, [key]: { state: 'ready', grid } } });
          },
          (e: unknown) => {
            if (get().id !== id) return;
            set({ grids: { ...get().grids, [key]: { state: 'error', error: toApiError(e) } } });
          },
        );
      },

      setSheet(action, sheet) {
        set({ cursors: { ...get().cursors, [action]: { sheet, change: -1 } }, activeSheet: action });
      },

      setChange(action, change) {
        const cur = get().cursors[action] ?? { sheet: 0, change: -1 };
        set({ cursors: { ...get().cursors, [action]: { ...cur, change } }, activeSheet: action });
      },

      stepChange(delta) {
        const { actions, activeSheet, expanded } = get();
        if (!actions) return;
        const sheets = actions.filter((a) => a.kind === 'sheet' && a.sheet);
        const target =
          (activeSheet !== null && sheets.find((a) => a.index === activeSheet)) ||
          sheets.find((a) => expanded[a.index] !== false);
        if (!target?.sheet) return;
        const cur = get().cursors[target.index] ?? { sheet: 0, change: -1 };
        const cells = target.sheet.sheets[cur.sheet]?.cells ?? [];
        if (cells.length === 0) return;
        const next = cur.change < 0 ? (delta > 0 ? 0 : cells.length - 1) : (cur.change + delta + cells.length) % cells.length;
        set({
          cursors: { ...get().cursors, [target.index]: { ...cur, change: next } },
          activeSheet: target.index,
          expanded: { ...expanded, [target.index]: true },
        });
      },
    };
  });

  queue.subscribe((s, prev) => {
    if (s.selectedId !== prev.selectedId) void store.getState().load(s.selectedId);
  });
  return store;
}

export type GateReason = 'loading' | 'error' | 'problems';

/**
 * Why approving proposal id needs one more confirmation: its preview is not
 * there yet, could not be made, or is missing for some action. Null when the
 * person has the whole preview in front of them.
 */
export function previewGate(s: Pick<PreviewState, 'id' | 'actions' | 'error' | 'loading'>, id: string): GateReason | null {
  if (s.id !== id) return 'loading';
  if (s.error) return 'error';
  if (s.loading || !s.actions) return 'loading';
  return previewProblems(s).length > 0 ? 'problems' : null;
}

/** What Approve does for proposal id given the preview store's state. */
export function approvalPlan(s: Pick<PreviewState, 'id' | 'selection'>, id: string): ApprovalPlan {
  if (s.id !== id || !s.selection) return { kind: 'all' };
  const sum = summarize(s.selection);
  if (sum.none) return { kind: 'none' };
  if (sum.all) return { kind: 'all' };
  return { kind: 'part', selection: sum.selection };
}
