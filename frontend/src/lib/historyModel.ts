// The history as the UI holds it, and the pure functions that change it.
//
// The backend lists proposals that left pending, the most recently decided
// first, and does not count them: a page's total only says whether more may
// follow. The UI keeps a prefix of that list (ids, loaded from the top) and
// shows one placeholder row after it while more may follow, which is what
// makes the next page load as the person scrolls.
//
// Nothing ever leaves the history, and a proposal enters it only on top (when
// it is decided, expires or is withdrawn); later changes (executed, failed,
// undone) change a row's status, not its place. So a page fetched while
// rows were added on top can only repeat rows already held, never skip one,
// and a fresh first page merged over the prefix brings it up to date.
import type { Page, Status, Summary } from '../api';

export interface HistoryModel {
  /** Loaded ids, most recently decided first: a prefix of the backend's list. */
  readonly ids: readonly string[];
  readonly byId: ReadonlyMap<string, Summary>;
  /** The backend said there is nothing after the prefix. */
  readonly end: boolean;
  /** Rows to show: the loaded ones, plus one placeholder while more may follow. */
  readonly total: number;
}

export const emptyHistory: HistoryModel = { ids: [], byId: new Map(), end: false, total: 0 };

function made(ids: readonly string[], byId: ReadonlyMap<string, Summary>, end: boolean): HistoryModel {
  return { ids, byId, end, total: ids.length + (end ? 0 : 1) };
}

/**
 * Appends a page fetched at offset === model.ids.length (as it was when
 * requested). Rows already held (pushed down by new ones on top meanwhile)
 * are not repeated, but take the page's fresher status. A page shorter than
 * asked for is the end of the history.
 */
export function appendPage(model: HistoryModel, page: Page, limit: number): HistoryModel {
  const byId = new Map(model.byId);
  const ids = model.ids.slice();
  for (const s of page.items) {
    if (!byId.has(s.id)) ids.push(s.id);
    byId.set(s.id, s);
  }
  const end = page.items.length < limit || page.total <= page.offset + page.items.length;
  return made(ids, byId, end);
}

/**
 * Merges a fresh first page over the prefix: rows decided since go on top,
 * rows held take the page's status. When the page is full and shares no row
 * with the prefix, so many were decided meanwhile that rows between the two
 * are unknown: the prefix is replaced by the page.
 */
export function mergeHead(model: HistoryModel, page: Page, limit: number): HistoryModel {
  const full = page.items.length >= limit;
  const overlaps = page.items.some((s) => model.byId.has(s.id));
  if (full && !overlaps && model.ids.length > 0) return appendPage(emptyHistory, page, limit);
  const head = page.items.map((s) => s.id);
  const inHead = new Set(head);
  const ids = head.concat(model.ids.filter((id) => !inHead.has(id)));
  const byId = new Map(model.byId);
  for (const s of page.items) byId.set(s.id, s);
  // A short first page is the whole history.
  return made(ids, byId, model.end || !full);
}

/** Sets the status of rows held; unchanged when none of them is held. */
export function setStatuses(model: HistoryModel, statuses: ReadonlyMap<string, Status>): HistoryModel {
  let byId: Map<string, Summary> | null = null;
  for (const [id, status] of statuses) {
    const s = model.byId.get(id);
    if (!s || s.status === status) continue;
    byId ??= new Map(model.byId);
    byId.set(id, { ...s, status });
  }
  return byId ? { ...model, byId } : model;
}
