// Paging rules the lists (requests and history) share.
import type { ApiError } from '../api';
import { toApiError } from '../api';

export const PAGE_SIZE = 100;
/** The most rows fetched at once when the view jumps far past what is loaded. */
export const MAX_FETCH = 1000;
/** Start loading when the view comes this close to the end of what is loaded. */
export const PREFETCH_MARGIN = 40;

/** How many rows to ask for at offset so that row wanted is covered: whole pages, at most MAX_FETCH. */
export function pageLimit(wanted: number, offset: number): number {
  const want = Math.max(PAGE_SIZE, wanted + PAGE_SIZE - offset);
  return Math.min(MAX_FETCH, Math.ceil(want / PAGE_SIZE) * PAGE_SIZE);
}

export type PageFailure = { phase: 'error'; error: ApiError; loadingMore: false } | { loadingMore: false; moreError: ApiError };

/** What a failed page does to a list: the first fails the list, a later one only its footer. */
export function pageFailure(first: boolean, e: unknown): PageFailure {
  const err = toApiError(e);
  return first ? { phase: 'error', error: err, loadingMore: false } : { loadingMore: false, moreError: err };
}
