// What the backend says about itself, and the one-time "first paint" report.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ApiError, Backend, Info } from '../api';
import { toApiError } from '../api';

export interface InfoState {
  info: Info | null;
  error: ApiError | null;
  load(): Promise<void>;
  /** Tells the backend the first page is on screen; only the first call counts. */
  reportReady(): void;
}

export type InfoStore = StoreApi<InfoState>;

export function createInfoStore(backend: Backend): InfoStore {
  let reported = false;
  return createStore<InfoState>()((set) => ({
    info: null,
    error: null,
    async load() {
      try {
        set({ info: await backend.info(), error: null });
      } catch (e) {
        set({ error: toApiError(e) });
      }
    },
    reportReady() {
      if (reported) return;
      reported = true;
      backend.uiReady().catch(() => undefined);
    },
  }));
}
