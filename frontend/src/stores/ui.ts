// View state (which view and which overlay are open) and leaving the app.
import { createStore, type StoreApi } from 'zustand/vanilla';

/**
 * The requests waiting for a decision, the history of those decided, the
 * figures of both, or the rules that decide some of them.
 */
export type View = 'queue' | 'history' | 'insights' | 'rules';

/** The views in the order of their tabs. */
export const VIEWS: readonly View[] = ['queue', 'history', 'insights', 'rules'];

export interface UIState {
  view: View;
  helpOpen: boolean;
  setView(view: View): void;
  toggleView(): void;
  /** Opens the Insights, or goes back to the requests from them. */
  toggleInsights(): void;
  /** Opens the Rules, or goes back to the requests from them. */
  toggleRules(): void;
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
    toggleInsights: () => set((s) => ({ view: s.view === 'insights' ? 'queue' : 'insights' })),
    toggleRules: () => set((s) => ({ view: s.view === 'rules' ? 'queue' : 'rules' })),
    toggleHelp: () => set((s) => ({ helpOpen: !s.helpOpen })),
    closeHelp: () => set({ helpOpen: false }),
    quit,
  }));
}
