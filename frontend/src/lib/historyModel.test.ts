import { describe, expect, it } from 'vitest';
import type { Summary } from '../api';
import { decided, summary } from '../test/fakeBackend';
import {
  dayLabel,
  emptyFilters,
  emptyHistory,
  holds,
  idAt,
  indexOf,
  insertByCreated,
  isFiltered,
  MARK_GAP,
  mergeHead,
  pin,
  putRows,
  readFrom,
  setStatuses,
  WINDOW,
  type HistoryModel,
} from './historyModel';

/** Rows from..from+count-1 of a history, most recently decided first. */
const rows = (from: number, count: number): Summary[] => Array.from({ length: count }, (_, i) => decided(from + i));
/** The cursor after row n, as the tests name it. */
const after = (n: number) => `after-${n}`;

/** Reads the history page by page from the top, as scrolling down does, to row upTo. */
function scrolled(upTo: number, page = 100, total = Infinity): HistoryModel {
  let m = emptyHistory;
  for (let from = 0; from < upTo; from += page) {
    const n = Math.min(page, total - from);
    m = putRows(m, from, rows(from, n), from + n < total ? after(from + n - 1) : '', from + n - 1);
  }
  return m;
}

describe('history model', () => {
  it('shows one placeholder row while more may follow, none at the end', () => {
    const m = putRows(emptyHistory, 0, rows(0, 3), after(2), 0);
    expect(m).toMatchObject({ ids: ['p0', 'p1', 'p2'], start: 0, length: 3, end: false, total: 4 });
    const last = putRows(m, 3, rows(3, 2), '', 0);
    expect(last).toMatchObject({ ids: ['p0', 'p1', 'p2', 'p3', 'p4'], length: 5, end: true, total: 5 });
  });

  it('holds at most WINDOW rows, those nearest the view, however far it scrolls', () => {
    const m = scrolled(100_000);
    expect(m.length).toBe(100_000);
    expect(m.ids.length).toBe(WINDOW);
    expect(m.start + m.ids.length).toBe(100_000);
    expect(m.byId.size).toBe(WINDOW);
    expect(idAt(m, 99_999)).toBe('p99999');
    expect(idAt(m, 0)).toBeUndefined();
    // A cursor at most MARK_GAP rows apart, and few of them.
    const gaps = m.marks.map((k, i) => k.index - (i > 0 ? m.marks[i - 1]!.index : -1));
    expect(Math.max(...gaps)).toBeLessThanOrEqual(MARK_GAP);
    expect(m.marks.length).toBeLessThanOrEqual((2 * 100_000) / MARK_GAP + 2);
  });

  it('reads a stretch let go from the nearest cursor above it, a few rows skipped', () => {
    const m = scrolled(10_000);
    expect(holds(m, 50_000, 50_010)).toBe(false);
    expect(holds(m, 9_990, 9_999)).toBe(true);
    expect(readFrom(m, 0)).toEqual({ cursor: '', skip: 0 });
    const { cursor, skip } = readFrom(m, 4_321);
    const mark = Number(cursor.slice('after-'.length));
    expect(mark + 1 + skip).toBe(4_321);
    expect(skip).toBeLessThan(MARK_GAP);
  });

  it('brings back a stretch it let go in place of the rows held, when nearer the view', () => {
    const m = scrolled(10_000);
    const back = putRows(m, 4_300, rows(4_300, 100), after(4_399), 4_320);
    expect(back).toMatchObject({ start: 4_300, length: 10_000 });
    expect(back.ids[0]).toBe('p4300');
    expect(back.byId.has('p9999')).toBe(false);
    // A read that lands after the view moved on is left.
    expect(putRows(m, 200, rows(200, 100), after(299), 9_990).ids).toEqual(m.ids);
  });

  it('extends the rows held upward, and lets go of those farthest from the view', () => {
    const m = putRows(scrolled(10_000), 4_300, rows(4_300, 100), after(4_399), 4_320);
    const up = putRows(m, 4_100, rows(4_100, 200), after(4_299), 4_150);
    expect(up).toMatchObject({ start: 4_100, length: 10_000 });
    expect(up.ids).toHaveLength(300);
    expect(idAt(up, 4_399)).toBe('p4399');
  });

  it('places a read by the rows it shares with those held (rows came on top meanwhile)', () => {
    const m = scrolled(200);
    // Asked for from 200; two rows came on top meanwhile, so it starts two rows up.
    const r = putRows(m, 200, rows(198, 100), after(297), 250);
    expect(r.length).toBe(298);
    expect(new Set(r.ids).size).toBe(r.ids.length);
    expect(idAt(r, 297)).toBe('p297');
  });

  it('keeps the selected row pinned when its stretch is let go, with its index', () => {
    let m = pin(scrolled(300), 'p3');
    m = putRows(m, 300, rows(300, 1000), after(1299), 1290);
    expect(m.ids.includes('p3')).toBe(false);
    expect(m.byId.get('p3')?.summary).toBe('Decided 3');
    expect(indexOf(m, 'p3')).toBe(3);
    expect(m.byId.size).toBe(WINDOW + 1);
    // Another selection lets the first go.
    m = pin(m, 'p1295');
    expect(m.byId.has('p3')).toBe(false);
    expect(m.pinned).toEqual({ id: 'p1295', index: 1295 });
  });

  it('puts rows decided since on top, moving everything known down', () => {
    const m = pin(scrolled(3, 3), 'p1');
    const head = [decided(9), decided(0), decided(1)];
    const r = mergeHead(m, head, after(1), 0);
    expect(r).toMatchObject({ ids: ['p9', 'p0', 'p1', 'p2'], length: 4, end: false, top: 'p9' });
    expect(r.pinned).toEqual({ id: 'p1', index: 2 });
  });

  it('merges a fresh head with a window far down: only indexes move', () => {
    const m = pin(scrolled(5_000), 'p4990');
    const head = [decided(-2), decided(-1), ...rows(0, 98)];
    const r = mergeHead(m, head, after(97), 4_995);
    expect(r).toMatchObject({ start: m.start + 2, length: 5_002, top: 'p-2' });
    expect(r.ids).toEqual(m.ids);
    expect(indexOf(r, 'p4990')).toBe(4_992);
    expect(r.marks.map((k) => k.index)).toEqual(expect.arrayContaining(m.marks.map((k) => k.index + 2)));
    const { cursor, skip } = readFrom(r, 3_002);
    expect(Number(cursor.slice('after-'.length)) + 2 + 1 + skip).toBe(3_002);
  });

  it('starts again from a fresh head that does not hold the top row known', () => {
    const m = pin(scrolled(2, 2), 'p1');
    const r = mergeHead(m, rows(10, 2), after(11), 0);
    expect(r).toMatchObject({ ids: ['p10', 'p11'], length: 2, total: 3, pinned: { id: 'p1', index: -1 } });
    expect(r.byId.get('p1')).toBeDefined();
  });

  it('takes a short first page as the whole history', () => {
    const r = mergeHead(emptyHistory, rows(0, 1), '', 0);
    expect(r).toMatchObject({ ids: ['p0'], end: true, total: 1 });
  });

  it('sets the status of rows held, and only changes when one is held', () => {
    const m = putRows(emptyHistory, 0, rows(0, 2), '', 0);
    expect(setStatuses(m, new Map([['p7', 'reverted']]))).toBe(m);
    expect(setStatuses(m, new Map([['p0', 'executed']]))).toBe(m);
    const r = setStatuses(m, new Map([['p1', 'reverted']]));
    expect(r.byId.get('p1')?.status).toBe('reverted');
    expect(m.byId.get('p1')?.status).toBe('executed');
  });
});

describe('history days', () => {
  const now = new Date(2026, 10, 23, 9, 30).getTime();
  it('names today and yesterday, and dates before', () => {
    expect(dayLabel(new Date(2026, 10, 23, 0, 1).getTime(), now)).toBe('Today');
    expect(dayLabel(new Date(2026, 10, 22, 23, 59).getTime(), now)).toBe('Yesterday');
    expect(dayLabel(new Date(2026, 10, 21, 12).getTime(), now)).not.toMatch(/Today|Yesterday/);
    expect(dayLabel(new Date(2025, 10, 21, 12).getTime(), now)).toMatch(/2025/);
  });

  it('counts a filter as set only when it narrows something', () => {
    expect(isFiltered(emptyFilters)).toBe(false);
    expect(isFiltered({ ...emptyFilters, text: '  ' })).toBe(false);
    expect(isFiltered({ ...emptyFilters, risks: ['high'] })).toBe(true);
  });
});

describe('insertByCreated', () => {
  const at = (min: number) => `2025-06-01T10:${String(min).padStart(2, '0')}:00Z`;
  const row = (n: number, min: number) => summary(n, { created_at: at(min) });
  const held = (end: boolean) => putRows(emptyHistory, 0, [row(1, 50), row(2, 40), row(3, 30)], end ? '' : 'c3', 0);

  it('puts new rows in creation order among those held, ties by id', () => {
    const m = insertByCreated(held(true), [row(9, 45), row(8, 55), row(7, 40), row(6, 10)]);
    expect(m.ids).toEqual(['p8', 'p1', 'p9', 'p7', 'p2', 'p3', 'p6']);
    expect(m.total).toBe(7);
  });

  it('leaves a row older than all held for the next page of a list not loaded to its end', () => {
    const before = held(false);
    const m = insertByCreated(before, [row(6, 10)]);
    expect(m).toBe(before);
    expect(insertByCreated(before, [row(6, 35)]).ids).toEqual(['p1', 'p2', 'p6', 'p3']);
  });

  it('updates a row held in place', () => {
    const m = insertByCreated(held(true), [{ ...row(2, 40), status: 'reverted' }]);
    expect(m.ids).toEqual(['p1', 'p2', 'p3']);
    expect(m.byId.get('p2')?.status).toBe('reverted');
  });

  it('places a row among a window further down, moving the marks and the pinned row after it', () => {
    // Rows 100 to 102 held, a mark after row 101, row 102 pinned.
    let m = putRows({ ...emptyHistory, length: 100 }, 100, [row(1, 50), row(2, 40)], 'c101', 100);
    m = putRows(m, 102, [row(3, 30)], 'c102', 100);
    m = pin(m, 'p3');
    const r = insertByCreated(m, [row(9, 45)]);
    expect(r).toMatchObject({ start: 100, ids: ['p1', 'p9', 'p2', 'p3'], length: 104, pinned: { id: 'p3', index: 103 } });
    expect(r.marks.map((k) => k.index)).toEqual([103]);
    // Above the window: not known whether it is new there.
    expect(insertByCreated(m, [row(8, 55)])).toBe(m);
  });
});
