// What happened to the selected history entry, as a short list of events in
// words. It follows the entry the detail pane shows, and reads the events
// again whenever that entry is read again (after an event, an undo or a redo).
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ApiError, Backend, EventView } from '../api';
import { toApiError } from '../api';
import type { HistoryDetailStore } from './historyDetail';

export interface HistoryEventsState {
  id: string | null;
  events: EventView[];
  error: ApiError | null;
  load(id: string | null): Promise<void>;
}

export type HistoryEventsStore = StoreApi<HistoryEventsState>;

export function createHistoryEventsStore(backend: Backend, detail: HistoryDetailStore): HistoryEventsStore {
  const store = createStore<HistoryEventsState>()((set, get) => {
    // Of overlapping loads, only the last one started counts.
    let loads = 0;
    return {
      id: null,
      events: [],
      error: null,
      async load(id) {
        const mine = ++loads;
        if (id !== get().id) set({ id, events: [], error: null });
        if (id === null) return;
        try {
          const events = await backend.timelineEvents(id);
          if (mine === loads) set({ events, error: null });
        } catch (e) {
          if (mine === loads) set({ error: toApiError(e) });
        }
      },
    };
  });
  detail.subscribe((s, prev) => {
    if (s.view === prev.view && s.id === prev.id) return;
    const id = s.view?.proposal.id ?? null;
    if (id !== null || s.id === null) void store.getState().load(id);
  });
  return store;
}
