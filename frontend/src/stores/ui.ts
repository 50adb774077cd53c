// View state (which overlay is open) and leaving the app.
import { createStore, type StoreApi } from 'zustand/vanilla';

export interface UIState {
  helpOpen: boolean;
  toggleHelp(): void;
  closeHelp(): void;
  quit(): void;
}

export type UIStore = StoreApi<UIState>;

export function createUIStore(quit: () => void): UIStore {
  return createStore<UIState>()((set) => ({
    helpOpen: false,
    toggleHelp: () => set((s) => ({ helpOpen: !s.helpOpen })),
    closeHelp: () => set({ helpOpen: false }),
    quit,
  }));
}
