// View state (which view and which overlay are open) and leaving the app.
import { createStore, type StoreApi } from 'zustand/vanilla';

/** The requests waiting for a decision, or the history of those decided. */
export type View = 'queue' | 'history';

export interface UIState {
  view: View;
  helpOpen: boolean;
  setView(view: View): void;
  toggleView(): void;
  toggleHelp(): void;
  closeHelp(): void;
  quit(): void;
}

export type UIStore = StoreApi<UIState>;

export function createUIStore(quit: () => void): UIStore {
  return createStore<UIState>()((set) => ({
    view: 'queue',
    helpOpen: false,
    setView: (view) => set({ view }),
    toggleView: () => set((s) => ({ view: s.view === 'queue' ? 'history' : 'queue' })),
    toggleHelp: () => set((s) => ({ helpOpen: !s.helpOpen })),
    closeHelp: () => set({ helpOpen: false }),
    quit,
  }));
}
