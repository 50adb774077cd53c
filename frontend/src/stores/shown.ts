// What the detail stores (requests and history) share: loading the view of
// the proposal they show, and dropping an answer that arrives after the
// selection moved on.
import type { ApiError, Backend, ProposalView } from '../api';
import { toApiError } from '../api';

/** The part of a detail store's state that holds the proposal shown. */
export interface Shown {
  id: string | null;
  view: ProposalView | null;
  loading: boolean;
  error: ApiError | null;
}

/**
 * Fetches the view of id into the store, unless the store has moved on to
 * another id by the time it arrives. keep sees every view that arrived in
 * time (to cache it); true when it was set.
 */
export async function fetchShown(
  backend: Backend,
  id: string,
  get: () => Shown,
  set: (s: Partial<Shown>) => void,
  keep: (v: ProposalView) => void,
): Promise<boolean> {
  try {
    const view = await backend.get(id);
    if (get().id !== id) return false;
    keep(view);
    set({ view, loading: false });
    return true;
  } catch (e) {
    if (get().id === id) set({ loading: false, error: toApiError(e) });
    return false;
  }
}

/** Loads the shown proposal again from scratch (after an error, say). */
export function retryShown(get: () => Shown & { load(id: string | null): Promise<void> }, set: (s: Partial<Shown>) => void): Promise<void> {
  const id = get().id;
  set({ id: null });
  return get().load(id);
}
