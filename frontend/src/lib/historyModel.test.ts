import { describe, expect, it } from 'vitest';
import type { Page } from '../api';
import { decided, summary } from '../test/fakeBackend';
import { appendCursorPage, appendPage, dayLabel, emptyFilters, emptyHistory, insertByCreated, isFiltered, mergeHead, setStatuses } from './historyModel';

/** A page as ListDecided sends it: total says only whether more may follow. */
function page(from: number, count: number, offset: number, more: boolean): Page {
  const items = Array.from({ length: count }, (_, i) => decided(from + i));
  return { items, total: offset + count + (more ? 1 : 0), offset };
}

describe('history model', () => {
  it('shows one placeholder row while more may follow, none at the end', () => {
    const m = appendPage(emptyHistory, page(0, 3, 0, true), 3);
    expect(m.ids).toEqual(['p0', 'p1', 'p2']);
    expect(m).toMatchObject({ end: false, total: 4 });
    const last = appendPage(m, page(3, 2, 3, false), 3);
    expect(last.ids).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
    expect(last).toMatchObject({ end: true, total: 5 });
  });

  it('is not at the end after a page cut shorter than asked for with more to follow', () => {
    // Asked for 1,000 rows; the backend gives at most 500, and says more follow.
    const m = appendPage(emptyHistory, page(0, 500, 0, true), 1000);
    expect(m).toMatchObject({ end: false, total: 501 });
  });

  it('does not repeat rows pushed down by new ones on top, and takes their fresh status', () => {
    const m = appendPage(emptyHistory, page(0, 2, 0, true), 2);
    const next = { items: [decided(1, 'reverted'), decided(2)], total: 5, offset: 2 };
    const r = appendPage(m, next, 2);
    expect(r.ids).toEqual(['p0', 'p1', 'p2']);
    expect(r.byId.get('p1')?.status).toBe('reverted');
  });

  it('puts rows decided since on top of the prefix', () => {
    const m = appendPage(emptyHistory, page(0, 3, 0, true), 3);
    const head = { items: [decided(9), decided(0), decided(1)], total: 4, offset: 0 };
    const r = mergeHead(m, head, 3);
    expect(r.ids).toEqual(['p9', 'p0', 'p1', 'p2']);
    expect(r.end).toBe(false);
  });

  it('replaces the prefix when a full first page shares nothing with it', () => {
    const m = appendPage(emptyHistory, page(0, 2, 0, true), 2);
    const r = mergeHead(m, page(10, 2, 0, true), 2);
    expect(r.ids).toEqual(['p10', 'p11']);
    expect(r.total).toBe(3);
  });

  it('takes a short first page as the whole history', () => {
    const r = mergeHead(emptyHistory, page(0, 1, 0, false), 100);
    expect(r).toMatchObject({ ids: ['p0'], end: true, total: 1 });
  });

  it('sets the status of rows held, and only changes when one is held', () => {
    const m = appendPage(emptyHistory, page(0, 2, 0, false), 5);
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

  it('appends cursor pages without repeating a row, and ends without a next', () => {
    const m = appendCursorPage(emptyHistory, [decided(0), decided(1)], true);
    expect(m).toMatchObject({ ids: ['p0', 'p1'], end: false, total: 3 });
    const last = appendCursorPage(m, [decided(1, 'reverted'), decided(2)], false);
    expect(last).toMatchObject({ ids: ['p0', 'p1', 'p2'], end: true, total: 3 });
    expect(last.byId.get('p1')?.status).toBe('reverted');
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
  const held = (end: boolean) => appendCursorPage(emptyHistory, [row(1, 50), row(2, 40), row(3, 30)], !end);

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
});
