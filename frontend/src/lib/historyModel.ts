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
import type { Page, Status, Summary, TimelineFilters } from '../api';

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
 * are not repeated, but take the page's fresher status. The page's total
 * says whether it is the end of the history.
 */
export function appendPage(model: HistoryModel, page: Page, limit: number): HistoryModel {
  const byId = new Map(model.byId);
  const ids = model.ids.slice();
  for (const s of page.items) {
    if (!byId.has(s.id)) ids.push(s.id);
    byId.set(s.id, s);
  }
  // The total alone says whether more follow: the backend may return fewer
  // rows than asked for (it caps a page at 500) with more after them.
  void limit;
  const end = page.total <= page.offset + page.items.length;
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

/**
 * Appends a page of the timeline (a filtered or searched history), read
 * after the previous one by its cursor: pages never overlap, but a row held
 * is not repeated. more: the page had a next cursor.
 */
export function appendCursorPage(model: HistoryModel, items: readonly Summary[], more: boolean): HistoryModel {
  const byId = new Map(model.byId);
  const ids = model.ids.slice();
  for (const s of items) {
    if (!byId.has(s.id)) ids.push(s.id);
    byId.set(s.id, s);
  }
  return made(ids, byId, !more);
}

/** Newest created first, then the greater id first: the timeline's order. */
function before(a: Summary, b: Summary): boolean {
  if (a.created_at !== b.created_at) return Date.parse(a.created_at) > Date.parse(b.created_at);
  return a.id > b.id;
}

/**
 * Puts rows that just came to match a filtered list (ordered by creation,
 * newest first) in their place: among the rows held, or after the last
 * one when the list is loaded to its end. A row that sorts after the last
 * row held of a list not loaded to its end is left for the page that will
 * bring it. Rows held take the fresher summary. Unchanged when nothing moves.
 */
export function insertByCreated(model: HistoryModel, items: readonly Summary[]): HistoryModel {
  let byId: Map<string, Summary> | null = null;
  let ids: string[] | null = null;
  for (const s of items) {
    if ((byId ?? model.byId).has(s.id)) {
      byId ??= new Map(model.byId);
      byId.set(s.id, s);
      continue;
    }
    const list: readonly string[] = ids ?? model.ids;
    const known: ReadonlyMap<string, Summary> = byId ?? model.byId;
    // The first row held that the new one sorts before (binary search).
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const held = known.get(list[mid]!);
      if (held && before(s, held)) hi = mid;
      else lo = mid + 1;
    }
    if (lo === list.length && !model.end) continue;
    ids ??= model.ids.slice();
    ids.splice(lo, 0, s.id);
    byId ??= new Map(model.byId);
    byId.set(s.id, s);
  }
  if (!byId) return model;
  return ids ? made(ids, byId, model.end) : { ...model, byId };
}

export const emptyFilters: TimelineFilters = {
  agent: '',
  statuses: [],
  kinds: [],
  risks: [],
  from: '',
  to: '',
  path: '',
  text: '',
};

/** Whether any filter or the search is set. */
export function isFiltered(f: TimelineFilters): boolean {
  return (
    f.agent.trim() !== '' ||
    f.statuses.length > 0 ||
    f.kinds.length > 0 ||
    f.risks.length > 0 ||
    f.from !== '' ||
    f.to !== '' ||
    f.path.trim() !== '' ||
    f.text.trim() !== ''
  );
}

/** Every status a proposal can have once it left pending: the history's, when no status is chosen. */
export const HISTORY_STATUSES: readonly Status[] = [
  'approved',
  'denied',
  'expired',
  'withdrawn',
  'executing',
  'executed',
  'failed',
  'reverted',
];

/** The filters as the backend takes them: the history never lists what is still pending. */
export function historyQuery(f: TimelineFilters): TimelineFilters {
  return { ...f, agent: f.agent.trim(), path: f.path.trim(), statuses: f.statuses.length > 0 ? f.statuses : [...HISTORY_STATUSES] };
}

const DAY_MS = 86_400_000;

/** A local calendar day's key (YYYY-MM-DD) for a time in ms. */
export function dayKey(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** "Today", "Yesterday", or the date, for the day of ms as seen at nowMs. */
export function dayLabel(ms: number, nowMs: number): string {
  const key = dayKey(ms);
  if (key === dayKey(nowMs)) return 'Today';
  if (key === dayKey(nowMs - DAY_MS)) return 'Yesterday';
  const d = new Date(ms);
  const sameYear = d.getFullYear() === new Date(nowMs).getFullYear();
  return d.toLocaleDateString(undefined, { weekday: 'short', day: 'numeric', month: 'short', ...(sameYear ? {} : { year: 'numeric' }) });
}
