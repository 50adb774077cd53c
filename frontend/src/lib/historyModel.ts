// The history as the UI holds it, and the pure functions that change it.
//
// The backend lists proposals that left pending, the most recently decided
// first (or, filtered, the timeline: newest created first), and does not
// count them: a page only says whether more follow. The UI knows how long
// the list is as far as it has read it (length), and shows one placeholder
// row after that while more may follow, which is what makes the next page
// load as the person scrolls.
//
// The list may be long (a million rows), so the UI holds only a window of
// it: the rows around the view (at most WINDOW rows from start), the
// selected row (pinned, with its index), and a cursor every few hundred
// rows (marks): where to read again a stretch it let go, as the rows after
// the nearest mark above it, a few skipped. Memory stays the same however
// far the person scrolls.
//
// Nothing ever leaves the history, and a proposal enters it only on top (when
// it is decided, expires or is withdrawn); later changes (executed, failed,
// undone) change a row's status, not its place. So a fresh first page that
// holds the top row known says how many rows came on top since: everything
// known moves down by that many (its cursors do not change: they name rows,
// not places).
import type { Status, Summary, TimelineFilters } from '../api';

/** Where to read rows from: after the row at index, by its cursor. */
export interface Mark {
  readonly index: number;
  readonly cursor: string;
}

export interface HistoryModel {
  /** The index of the first row held. */
  readonly start: number;
  /** The rows held, from start, top first. */
  readonly ids: readonly string[];
  /** The summaries of the rows held and of the pinned row. */
  readonly byId: ReadonlyMap<string, Summary>;
  /** Rows known to exist: the list as far as read. */
  readonly length: number;
  /** The backend said there is nothing after the rows known. */
  readonly end: boolean;
  /** Rows to show: those known, plus one placeholder while more may follow. */
  readonly total: number;
  /** Cursors, by increasing index, at most MARK_GAP rows apart. */
  readonly marks: readonly Mark[];
  /** The selected row, kept when its stretch is let go; index -1 when not known. */
  readonly pinned: { readonly id: string; readonly index: number } | null;
  /** The id of the top row (index 0), when known. */
  readonly top: string | null;
}

/** The most rows held around the view. */
export const WINDOW = 1000;
/** The most rows between two marks, so between a stretch and the cursor that reads it. */
export const MARK_GAP = 500;

export const emptyHistory: HistoryModel = {
  start: 0,
  ids: [],
  byId: new Map(),
  length: 0,
  end: false,
  total: 0,
  marks: [],
  pinned: null,
  top: null,
};

function made(m: Omit<HistoryModel, 'total'>): HistoryModel {
  return { ...m, total: m.length + (m.end ? 0 : 1) };
}

/** The id of the row at index, when held. */
export function idAt(m: HistoryModel, index: number): string | undefined {
  return index >= m.start ? m.ids[index - m.start] : undefined;
}

/** The index of a row held or pinned; -1 when not known. */
export function indexOf(m: HistoryModel, id: string): number {
  const i = m.ids.indexOf(id);
  if (i >= 0) return m.start + i;
  return m.pinned?.id === id ? m.pinned.index : -1;
}

/** Whether every row of [from, to] that exists is held (past the rows known, more may). */
export function holds(m: HistoryModel, from: number, to: number): boolean {
  const last = m.end ? Math.min(to, m.length - 1) : to;
  return from > last || (from >= m.start && last < m.start + m.ids.length);
}

/** How to read the rows from index from: a cursor and the rows to skip after it. */
export function readFrom(m: HistoryModel, from: number): { cursor: string; skip: number } {
  let best: Mark | null = null;
  for (const mk of m.marks) {
    if (mk.index >= from) break;
    best = mk;
  }
  return best ? { cursor: best.cursor, skip: from - best.index - 1 } : { cursor: '', skip: from };
}

/** Adds a mark, and drops those whose neighbours are close enough without them. */
function withMark(marks: readonly Mark[], mark: Mark): Mark[] {
  const all = marks.filter((m) => m.index !== mark.index);
  let at = all.findIndex((m) => m.index > mark.index);
  if (at < 0) at = all.length;
  all.splice(at, 0, mark);
  const out: Mark[] = [];
  for (const m of all) {
    // The last kept is needed only if m is too far from the one before it.
    while (out.length > 0 && m.index - (out.length > 1 ? out[out.length - 2]!.index : -1) <= MARK_GAP) out.pop();
    out.push(m);
  }
  return out;
}

/** The rows held and the pinned one, with summaries from fresh (first) or held. */
function summaries(ids: readonly string[], pinned: HistoryModel['pinned'], fresh: ReadonlyMap<string, Summary>, held: ReadonlyMap<string, Summary>): Map<string, Summary> {
  const byId = new Map<string, Summary>();
  const put = (id: string) => {
    const s = fresh.get(id) ?? held.get(id);
    if (s) byId.set(id, s);
  };
  for (const id of ids) put(id);
  if (pinned) put(pinned.id);
  return byId;
}

/** How far a range [a, b) is from index focus. */
function distance(a: number, b: number, focus: number): number {
  return focus < a ? a - focus : focus >= b ? focus - b + 1 : 0;
}

/**
 * Puts rows read from index from (as the model was when they were asked
 * for): next is the cursor after the last of them, "" when nothing follows.
 * Rows that overlap those held place them (rows may have come on top
 * meanwhile) and take their fresher summary. Rows that do not meet those
 * held replace them when they are nearer focus (the middle of the view),
 * and are left otherwise. Then only the WINDOW rows nearest focus are kept.
 */
export function putRows(m: HistoryModel, from: number, items: readonly Summary[], next: string, focus: number): HistoryModel {
  const n = items.length;
  const fresh = new Map(items.map((s) => [s.id, s] as const));
  // Rows already held say where these are.
  if (m.ids.length > 0) {
    const pos = new Map(m.ids.map((id, i) => [id, i] as const));
    const j = items.findIndex((s) => pos.has(s.id));
    if (j >= 0) from = m.start + pos.get(items[j]!.id)! - j;
  }
  let start = m.start;
  let ids: readonly string[] = m.ids;
  const wEnd = m.start + m.ids.length;
  if (m.ids.length === 0 || (from <= wEnd && from + n >= m.start)) {
    if (m.ids.length === 0) {
      start = from;
      ids = items.map((s) => s.id);
    } else {
      start = Math.min(from, m.start);
      const merged = new Array<string>(Math.max(wEnd, from + n) - start);
      m.ids.forEach((id, i) => (merged[m.start - start + i] = id));
      items.forEach((s, i) => (merged[from - start + i] = s.id));
      ids = merged;
    }
  } else if (distance(from, from + n, focus) <= distance(m.start, wEnd, focus)) {
    start = from;
    ids = items.map((s) => s.id);
  }
  // Keep the WINDOW rows nearest focus.
  if (ids.length > WINDOW) {
    const lo = Math.min(Math.max(focus - WINDOW / 2, start), start + ids.length - WINDOW);
    ids = ids.slice(lo - start, lo - start + WINDOW);
    start = lo;
  }
  let length = Math.max(m.length, from + n);
  let end = m.end;
  if (next === '') {
    end = true;
    length = from + n;
  }
  const marks = next !== '' && n > 0 ? withMark(m.marks, { index: from + n - 1, cursor: next }) : m.marks;
  let pinned = m.pinned;
  if (pinned && fresh.has(pinned.id)) pinned = { id: pinned.id, index: from + items.findIndex((s) => s.id === pinned!.id) };
  const top = from === 0 && n > 0 ? items[0]!.id : m.top;
  return made({ start, ids, byId: summaries(ids, pinned, fresh, m.byId), length, end, marks, pinned, top });
}

/** Moves everything known down by k rows: k came on top. */
function shiftDown(m: HistoryModel, k: number): HistoryModel {
  if (k === 0) return m;
  return made({
    ...m,
    start: m.ids.length > 0 ? m.start + k : m.start,
    length: m.length + k,
    marks: m.marks.map((mk) => ({ index: mk.index + k, cursor: mk.cursor })),
    pinned: m.pinned && m.pinned.index >= 0 ? { id: m.pinned.id, index: m.pinned.index + k } : m.pinned,
  });
}

/**
 * Merges a fresh first page (next as in putRows):
 * rows decided since go on top, and everything known moves down by as many.
 * When the page does not hold the top row known, so many were decided
 * meanwhile that rows between the two are unknown: the list starts again
 * from the page (the pinned row keeps its summary, its index unknown).
 */
export function mergeHead(m: HistoryModel, items: readonly Summary[], next: string, focus: number): HistoryModel {
  if (m.top === null) return putRows(m, 0, items, next, focus);
  const k = items.findIndex((s) => s.id === m.top);
  if (k < 0) {
    const pinned = m.pinned && { id: m.pinned.id, index: -1 };
    const pinnedSummary = pinned && m.byId.get(pinned.id);
    const base: HistoryModel = { ...emptyHistory, pinned, byId: pinnedSummary ? new Map([[pinned.id, pinnedSummary]]) : new Map() };
    return putRows(base, 0, items, next, 0);
  }
  return putRows(shiftDown(m, k), 0, items, next, focus + k);
}

/** Pins the row the person selected, so it stays known when its stretch is let go. */
export function pin(m: HistoryModel, id: string | null): HistoryModel {
  if (id === null) return m.pinned === null ? m : { ...m, pinned: null };
  if (m.pinned?.id === id) return m;
  const pinned = { id, index: indexOf(m, id) };
  const byId = m.pinned && !m.ids.includes(m.pinned.id) ? summaries(m.ids, pinned, new Map(), m.byId) : m.byId;
  return { ...m, pinned, byId };
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

/** Newest created first, then the greater id first: the timeline's order. */
function before(a: Summary, b: Summary): boolean {
  if (a.created_at !== b.created_at) return Date.parse(a.created_at) > Date.parse(b.created_at);
  return a.id > b.id;
}

/**
 * Puts rows that just came to match a filtered list (ordered by creation,
 * newest first) in their place among the rows held: everything after moves
 * down one. A row that sorts before the first row held (when that is not
 * the top) or after the last (when that is not the end of the list) is left
 * for the read that will bring it: whether it was there already is not
 * known. Rows held take the fresher summary. Unchanged when nothing moves.
 */
export function insertByCreated(model: HistoryModel, items: readonly Summary[]): HistoryModel {
  let m = model;
  for (const s of items) {
    if (m.byId.has(s.id)) {
      if (m.byId.get(s.id) !== s) {
        const byId = new Map(m.byId);
        byId.set(s.id, s);
        m = { ...m, byId };
      }
      continue;
    }
    // The first row held that the new one sorts before (binary search).
    let lo = 0;
    let hi = m.ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const held = m.byId.get(m.ids[mid]!);
      if (held && before(s, held)) hi = mid;
      else lo = mid + 1;
    }
    if (lo === 0 && m.start > 0) continue;
    if (lo === m.ids.length && !(m.end && m.start + m.ids.length === m.length)) continue;
    const at = m.start + lo;
    const ids = m.ids.slice();
    ids.splice(lo, 0, s.id);
    const byId = new Map(m.byId);
    byId.set(s.id, s);
    m = made({
      ...m,
      ids,
      byId,
      length: m.length + 1,
      marks: m.marks.map((mk) => (mk.index >= at ? { index: mk.index + 1, cursor: mk.cursor } : mk)),
      pinned: m.pinned && m.pinned.index >= at ? { id: m.pinned.id, index: m.pinned.index + 1 } : m.pinned,
      top: at === 0 ? s.id : m.top,
    });
  }
  return m;
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
