// The selected history entry in full, and undoing or redoing it. It follows
// the history's selection, reloads the entry when an event says it changed,
// and is the only place that calls Undo and Redo. When files changed since
// Countersign wrote them, the backend changes nothing and returns the
// conflicts; they are kept here for the person to overwrite or leave.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ApiError, Backend, Conflict, ProposalView, QueueEvent, Status } from '../api';
import { toApiError } from '../api';
import { LRU } from '../lib/lru';
import { isSubmitted } from '../lib/queueModel';
import { statusLabel } from '../lib/labels';
import type { HistoryStore } from './history';
import { fetchShown, retryShown } from './shown';

export type UndoVerb = 'undo' | 'redo';

/** An Undo or Redo of a proposal, by its id and summary. */
export interface UndoDone {
  id: string;
  summary: string;
  verb: UndoVerb;
}

/** An Undo or Redo refused because files changed since: what to show in the dialog. */
export interface Conflicts extends UndoDone {
  conflicts: Conflict[];
}

/** Entries kept to move back and forth without waiting. */
const CACHED_ENTRIES = 32;

export interface HistoryDetailState {
  id: string | null;
  view: ProposalView | null;
  loading: boolean;
  error: ApiError | null;
  /** An Undo or Redo on its way (one at a time). */
  busy: { id: string; verb: UndoVerb; force: boolean } | null;
  conflicts: Conflicts | null;
  /** Why the last Undo or Redo did not happen, in words. */
  actionError: string | null;
  /** The last Undo or Redo done here, for the status line. */
  lastDone: UndoDone | null;

  load(id: string | null): Promise<void>;
  retry(): Promise<void>;
  applyBatch(batch: readonly QueueEvent[]): void;
  undo(): Promise<void>;
  redo(): Promise<void>;
  /** Runs the refused Undo or Redo again, overwriting the changed files. */
  overwrite(): Promise<void>;
  /** Leaves the changed files as they are. */
  cancelConflicts(): void;
  dismissError(): void;
}

export type HistoryDetailStore = StoreApi<HistoryDetailState>;

type Gate = Pick<HistoryDetailState, 'view' | 'busy' | 'conflicts'>;

function ready(s: Gate, status: Status): boolean {
  if (!s.view || s.busy || s.conflicts) return false;
  return s.view.proposal.status === status && !s.view.execution?.in_flight;
}

/** Whether the selected entry can be undone now: carried out, and nothing running. */
export function canUndo(s: Gate): boolean {
  return ready(s, 'executed');
}

/** Whether the selected entry can be redone now: undone, and nothing running. */
export function canRedo(s: Gate): boolean {
  return ready(s, 'reverted');
}

const settled: ReadonlySet<Status> = new Set<Status>(['denied', 'expired', 'withdrawn', 'executed', 'failed', 'reverted']);

export function createHistoryDetailStore(backend: Backend, history: HistoryStore): HistoryDetailStore {
  const cache = new LRU<string, ProposalView>(CACHED_ENTRIES);
  const remember = (v: ProposalView): void => {
    // Only what will not change by itself; anything else is read fresh.
    if (settled.has(v.proposal.status) && !v.execution?.in_flight) cache.set(v.proposal.id, v);
  };

  const store = createStore<HistoryDetailState>()((set, get) => {
    // Reads the entry again without blanking the pane. Of overlapping
    // reloads, only the last one started counts.
    let reloads = 0;
    async function reload(id: string): Promise<void> {
      cache.delete(id);
      const mine = ++reloads;
      try {
        const view = await backend.get(id);
        if (mine !== reloads) return;
        remember(view);
        history.getState().setStatus(id, view.proposal.status);
        if (get().id === id) set({ view, error: null });
      } catch (e) {
        if (get().id === id && !get().view) set({ error: toApiError(e) });
      }
    }

    async function run(id: string, summary: string, verb: UndoVerb, force: boolean): Promise<void> {
      set({ busy: { id, verb, force }, actionError: null, conflicts: null });
      let done = false;
      try {
        const out = verb === 'undo' ? await backend.undo(id, force) : await backend.redo(id, force);
        if (out.done) {
          done = true;
          set({ busy: null, lastDone: { id, summary, verb } });
        } else if (out.conflicts.length > 0) {
          set({ busy: null, conflicts: { id, summary, verb, conflicts: out.conflicts } });
        } else {
          set({ busy: null, actionError: `Nothing was ${verb === 'undo' ? 'undone' : 'redone'}, and no reason was given.` });
        }
      } catch (e) {
        set({ busy: null, actionError: refusal(verb, toApiError(e)) });
      }
      // Done or refused, the status may have moved: read it again.
      if (done || get().actionError) await reload(id);
    }

    function start(verb: UndoVerb): Promise<void> {
      const s = get();
      const ok = verb === 'undo' ? canUndo(s) : canRedo(s);
      if (!ok || !s.id || !s.view) return Promise.resolve();
      return run(s.id, s.view.proposal.summary, verb, false);
    }

    return {
      id: null,
      view: null,
      loading: false,
      error: null,
      busy: null,
      conflicts: null,
      actionError: null,
      lastDone: null,

      async load(id) {
        if (id === get().id && (get().view || get().loading)) return;
        const cached = id ? cache.get(id) : undefined;
        set({ id, view: cached ?? null, loading: id !== null && !cached, error: null, actionError: null });
        if (!id || cached) return;
        await fetchShown(backend, id, get, set, remember);
      },

      retry: () => retryShown(get, set),

      applyBatch(batch) {
        const current = get().id;
        let changed = false;
        for (const e of batch) {
          if (isSubmitted(e)) continue;
          cache.delete(e.proposal_id);
          if (e.proposal_id === current) changed = true;
        }
        if (changed && current && !get().loading) void reload(current);
      },

      undo: () => start('undo'),
      redo: () => start('redo'),

      overwrite() {
        const c = get().conflicts;
        if (!c || get().busy) return Promise.resolve();
        return run(c.id, c.summary, c.verb, true);
      },

      cancelConflicts() {
        if (!get().busy) set({ conflicts: null });
      },

      dismissError() {
        set({ actionError: null });
      },
    };
  });

  history.subscribe((s, prev) => {
    if (s.selectedId !== prev.selectedId) void store.getState().load(s.selectedId);
  });
  return store;
}

function refusal(verb: UndoVerb, err: ApiError): string {
  const what = verb === 'undo' ? 'undone' : 'redone';
  if (err.code === 'not_found') return 'This request no longer exists.';
  if (err.code === 'conflict') return `It can no longer be ${what}${err.message ? `: ${err.message}` : '.'}`;
  if (err.code === 'invalid') return `Refused: ${err.message}`;
  return `It was not ${what}: ${err.message || err.code}`;
}

/** "Undone", "Redone": the word for a verb done. */
export function doneLabel(verb: UndoVerb): string {
  return verb === 'undo' ? 'Undone' : 'Redone';
}

/** Why Undo and Redo are both unavailable for this status, if they are. */
export function undoUnavailable(status: Status): string | null {
  switch (status) {
    case 'executed':
    case 'reverted':
      return null;
    case 'failed':
      return 'It failed, so there is nothing to undo.';
    case 'approved':
    case 'executing':
      return 'It is being carried out.';
    default:
      return `${statusLabel(status)}: nothing was carried out, so there is nothing to undo.`;
  }
}
