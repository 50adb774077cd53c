import { describe, expect, it } from 'vitest';
import { left, submitted, summary } from '../test/fakeBackend';
import { appendPage, applyBatch, emptyModel, GoneSet, removeIds, type QueueModel } from './queueModel';

function model(n: number): QueueModel {
  const items = Array.from({ length: n }, (_, i) => summary(i));
  return { ids: items.map((s) => s.id), byId: new Map(items.map((s) => [s.id, s])), total: n };
}

const noCtx = { eventsSeen: false, removedUnloaded: new Set<string>() };

describe('applyBatch', () => {
  it('puts submitted proposals on top, newest first', () => {
    const r = applyBatch(model(2), [submitted(summary(10)), submitted(summary(11))], new GoneSet());
    expect(r.model.ids).toEqual(['p11', 'p10', 'p0', 'p1']);
    expect(r.model.total).toBe(4);
    expect(r.inserted).toEqual(['p11', 'p10']);
  });

  it('ignores a submitted proposal already in the list', () => {
    const m = model(3);
    const r = applyBatch(m, [submitted(summary(1))], new GoneSet());
    expect(r.model).toBe(m);
  });

  it('removes decided, expired and withdrawn proposals', () => {
    const r = applyBatch(model(4), [left('p1', 'approved'), left('p2', 'expired'), left('p3', 'withdrawn')], new GoneSet());
    expect(r.model.ids).toEqual(['p0']);
    expect(r.model.total).toBe(1);
    expect(r.statuses.get('p2')).toBe('expired');
  });

  it('ignores events about what happened after approval, loaded or not', () => {
    const gone = new GoneSet();
    const m = { ...model(2), total: 50 };
    const batch = (['executing', 'executed', 'failed', 'reverted'] as const).flatMap((s) => [left('p1', s), left('p40', s)]);
    const r = applyBatch(m, batch, gone);
    expect(r.model).toBe(m);
    expect(r.removedUnloaded).toEqual([]);
    // Nor do they mark an id as gone: its own decision still counts.
    expect(applyBatch(m, [left('p40', 'approved')], gone).model.total).toBe(49);
  });

  it('counts a removal of a proposal not loaded yet against the total', () => {
    const m = { ...model(2), total: 50 };
    const r = applyBatch(m, [left('p40')], new GoneSet());
    expect(r.model.ids).toEqual(['p0', 'p1']);
    expect(r.model.total).toBe(49);
    expect(r.removedUnloaded).toEqual(['p40']);
  });

  it('counts each removal once, however often it is reported', () => {
    const gone = new GoneSet();
    const m = { ...model(2), total: 10 };
    const once = applyBatch(m, [left('p1'), left('p1')], gone);
    const twice = applyBatch(once.model, [left('p1')], gone);
    expect(twice.model.total).toBe(9);
    expect(twice.model).toBe(once.model);
  });

  it('does not bring back a proposal that already left', () => {
    const gone = new GoneSet();
    const a = applyBatch(model(1), [left('p0')], gone);
    const b = applyBatch(a.model, [submitted(summary(0))], gone);
    expect(b.model.ids).toEqual([]);
  });

  it('nets out a proposal submitted and decided in the same batch', () => {
    const r = applyBatch(model(1), [submitted(summary(5)), left('p5')], new GoneSet());
    expect(r.model.ids).toEqual(['p0']);
    expect(r.model.total).toBe(1);
  });

  it('absorbs a burst of 1,000 events in one new model', () => {
    const batch = Array.from({ length: 1000 }, (_, i) => submitted(summary(100 + i)));
    const r = applyBatch(model(10), batch, new GoneSet());
    expect(r.model.ids).toHaveLength(1010);
    expect(r.model.ids[0]).toBe('p1099');
    expect(r.model.total).toBe(1010);
  });

  it('never lets the total fall below what is loaded', () => {
    const m = { ...model(3), total: 3 };
    const r = applyBatch(m, [left('x1'), left('x2'), left('x3')], new GoneSet());
    expect(r.model.total).toBe(3);
  });
});

describe('appendPage', () => {
  it('appends a page and takes its total', () => {
    const page = { items: [summary(0), summary(1)], total: 30, offset: 0 };
    const m = appendPage(emptyModel, page, 2, noCtx, new GoneSet());
    expect(m.ids).toEqual(['p0', 'p1']);
    expect(m.total).toBe(30);
  });

  it('skips rows already held, gone, or removed while the page was in flight', () => {
    const gone = new GoneSet();
    gone.add('p3');
    const page = { items: [summary(1), summary(2), summary(3), summary(4)], total: 10, offset: 2 };
    const m = appendPage(model(2), page, 4, { eventsSeen: true, removedUnloaded: new Set(['p4']) }, gone);
    expect(m.ids).toEqual(['p0', 'p1', 'p2']);
  });

  it('keeps the local total when events arrived meanwhile', () => {
    const m = appendPage({ ...model(1), total: 7 }, { items: [summary(1)], total: 99, offset: 1 }, 1, { eventsSeen: true, removedUnloaded: new Set() }, new GoneSet());
    expect(m.total).toBe(7);
  });

  it('counts proposals that arrived before the first page came back', () => {
    const r = applyBatch(emptyModel, [submitted(summary(9))], new GoneSet());
    const m = appendPage(r.model, { items: [summary(9), summary(0)], total: 40, offset: 0 }, 2, { eventsSeen: true, removedUnloaded: new Set() }, new GoneSet());
    expect(m.ids).toEqual(['p9', 'p0']);
    expect(m.total).toBe(40);
  });

  it('takes a short page as the end of the list', () => {
    const m = appendPage({ ...model(2), total: 500 }, { items: [summary(2)], total: 500, offset: 2 }, 100, noCtx, new GoneSet());
    expect(m.total).toBe(3);
  });
});

describe('removeIds', () => {
  it('removes loaded ids and counts unloaded ones', () => {
    const m = removeIds({ ...model(3), total: 10 }, ['p1', 'p9'], new GoneSet());
    expect(m.ids).toEqual(['p0', 'p2']);
    expect(m.total).toBe(8);
  });
});
