// The Insights dashboard: its figures for a range of days, loaded when the
// view opens and again on Refresh.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ApiError, Backend, Insights } from '../api';
import { toApiError } from '../api';

/** The ranges the dashboard offers, in days. */
export const INSIGHT_RANGES = [7, 30, 90] as const;

export interface InsightsState {
  phase: 'idle' | 'loading' | 'ready' | 'error';
  days: number;
  data: Insights | null;
  error: ApiError | null;
  /** Loads the figures of the last days days (the current range when omitted). */
  load(days?: number): Promise<void>;
}

export type InsightsStore = StoreApi<InsightsState>;

export function createInsightsStore(backend: Backend): InsightsStore {
  let seq = 0;
  return createStore<InsightsState>()((set, get) => ({
    phase: 'idle',
    days: 30,
    data: null,
    error: null,
    async load(days) {
      const d = days ?? get().days;
      const mine = ++seq;
      // Keep the figures on screen while the same range reloads.
      set((s) => ({ days: d, phase: s.data && s.days === d ? s.phase : 'loading', error: null }));
      try {
        const data = await backend.insights(d);
        if (mine === seq) set({ data, phase: 'ready', error: null });
      } catch (e) {
        if (mine === seq) set({ phase: 'error', error: toApiError(e) });
      }
    },
  }));
}
