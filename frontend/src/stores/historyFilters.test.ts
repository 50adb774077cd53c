import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api';
import { subscribeQueueEvents } from '../events';
import { HISTORY_STATUSES } from '../lib/historyModel';
import { decided, FakeBackend, flush, left } from '../test/fakeBackend';
import { createStores } from '.';
import { SEARCH_DEBOUNCE_MS } from './history';

function withHistory(n: number) {
  const backend = new FakeBackend(0);
  for (let i = 0; i < n; i++) backend.history.push(decided(i, i % 3 === 2 ? 'denied' : 'executed'));
  const stores = createStores(backend);
  subscribeQueueEvents(backend, stores);
  const timelines = () => backend.calls.filter((c) => c.startsWith('timeline'));
  return { backend, stores, timelines, h: () => stores.history.getState() };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('history filters', () => {
  it('lists the whole history with ListDecided until a filter is set, then the timeline', async () => {
    const { h, backend, timelines } = withHistory(6);
    h().show();
    await flush();
    expect(h().filtered).toBe(false);
    expect(h().model.ids).toHaveLength(6);
    h().setFilters({ statuses: ['denied'] });
    await flush();
    expect(h().filtered).toBe(true);
    expect(h().model.ids).toEqual(['p2', 'p5']);
    expect(h().selectedId).toBe('p2');
    expect(timelines()).toHaveLength(1);
    h().clearFilters();
    await flush();
    expect(h().filtered).toBe(false);
    expect(h().model.ids).toHaveLength(6);
    expect(backend.calls.filter((c) => c.startsWith('decided'))).toHaveLength(2);
  });

  it('asks only for what left pending when no status is chosen', async () => {
    const { h, timelines } = withHistory(2);
    h().show();
    await flush();
    h().setFilters({ agent: 'agent' });
    await flush();
    const q = JSON.parse(timelines()[0]!.split(' ').slice(3).join(' ')) as { statuses: string[]; agent: string };
    expect(q.statuses).toEqual([...HISTORY_STATUSES]);
    expect(q.statuses).not.toContain('pending');
    expect(q.agent).toBe('agent');
  });

  it('pages the timeline by its cursor until there is no next', async () => {
    const { h, timelines } = withHistory(450);
    h().show();
    await flush();
    h().setFilters({ statuses: ['executed'] });
    await flush();
    expect(h().model.ids).toHaveLength(100);
    expect(h().model.end).toBe(false);
    h().ensureLoaded(99);
    await flush();
    h().ensureLoaded(h().model.ids.length - 1);
    await flush();
    h().ensureLoaded(h().model.ids.length - 1);
    await flush();
    expect(h().model.ids).toHaveLength(300);
    expect(h().model.end).toBe(true);
    expect(new Set(h().model.ids).size).toBe(300);
    const cursors = timelines().map((c) => c.split(' ')[1]);
    expect(cursors[0]).toBe('-');
    expect(cursors.slice(1).every((c) => c !== '-')).toBe(true);
  });

  it('searches once typing pauses, not on every key', async () => {
    vi.useFakeTimers();
    const { h, backend, timelines } = withHistory(6);
    backend.reasons.set('p2', 'too risky for friday');
    h().show();
    await vi.runAllTimersAsync();
    h().setSearch('fri');
    h().setSearch('frid');
    h().setSearch('friday');
    expect(h().searchInput).toBe('friday');
    await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS - 10);
    expect(timelines()).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(20);
    await vi.runAllTimersAsync();
    expect(timelines()).toHaveLength(1);
    expect(h().filters.text).toBe('friday');
    expect(h().model.ids).toEqual(['p2']);
  });

  it('clears the search at once, and a pending search with it', async () => {
    vi.useFakeTimers();
    const { h, timelines } = withHistory(3);
    h().show();
    await vi.runAllTimersAsync();
    h().setSearch('Decided');
    h().setFilters({ text: '' });
    await vi.runAllTimersAsync();
    expect(timelines()).toHaveLength(0);
    expect(h().searchInput).toBe('');
    expect(h().filtered).toBe(false);
  });

  it('says when nothing matches: an empty, ready, filtered list', async () => {
    const { h } = withHistory(3);
    h().show();
    await flush();
    h().setFilters({ text: 'nothing-like-this' });
    await flush();
    expect(h()).toMatchObject({ phase: 'ready', filtered: true, selectedId: null });
    expect(h().model).toMatchObject({ ids: [], end: true, total: 0 });
  });

  it('drops a page asked for under filters changed since', async () => {
    const { h, backend } = withHistory(6);
    h().show();
    await flush();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = backend.timeline.bind(backend);
    backend.timeline = async (q) => {
      if (q.statuses.includes('executed')) await gate;
      return slow(q);
    };
    h().setFilters({ statuses: ['executed'] });
    h().setFilters({ statuses: ['denied'] });
    await flush();
    release();
    await flush();
    expect(h().model.ids).toEqual(['p2', 'p5']);
  });

  it('keeps a filtered row current from events, without reading the list again', async () => {
    const { h, backend, timelines } = withHistory(3);
    h().show();
    await flush();
    h().setFilters({ statuses: ['executed'] });
    await flush();
    backend.history[0] = { ...backend.history[0]!, status: 'reverted' };
    backend.emit([left('p0', 'reverted'), left('p99', 'executed')]);
    await flush();
    expect(h().model.byId.get('p0')?.status).toBe('reverted');
    // Only p99, not held, is asked about; the list is not read again.
    expect(timelines().filter((c) => !c.includes('"ids"'))).toHaveLength(1);
  });

  it('puts a proposal that comes to match the filters and the search in its place, live', async () => {
    const at = (min: number) => `2025-06-01T10:${String(min).padStart(2, '0')}:00Z`;
    const backend = new FakeBackend(0);
    // p0 is the newest; p1 and p4 are denied, and their reasons say "budget".
    for (let i = 0; i < 6; i++) backend.history.push(decided(i, i === 1 || i === 4 ? 'denied' : 'executed', { created_at: at(50 - i * 5) }));
    backend.reasons.set('p1', 'over budget');
    backend.reasons.set('p4', 'budget is spent');
    const stores = createStores(backend);
    subscribeQueueEvents(backend, stores);
    const h = () => stores.history.getState();
    h().show();
    await flush();
    h().setFilters({ statuses: ['denied'], text: 'budget' });
    await flush();
    expect(h().model.ids).toEqual(['p1', 'p4']);
    const pages = () => backend.calls.filter((c) => c.startsWith('timeline') && !c.includes('"ids"'));
    expect(pages()).toHaveLength(1);

    // Three proposals created between p1 and p4 leave pending: one denied
    // for the budget (it matches), one denied for another reason and one
    // carried out (they do not).
    backend.history.unshift(
      decided(20, 'denied', { created_at: at(43) }),
      decided(21, 'denied', { created_at: at(42) }),
      decided(22, 'executed', { created_at: at(41) }),
    );
    backend.reasons.set('p20', 'no budget left');
    backend.reasons.set('p21', 'wrong folder');
    backend.emit([left('p20', 'denied'), left('p21', 'denied'), left('p22', 'executed')]);
    await flush();
    expect(h().model.ids).toEqual(['p1', 'p20', 'p4']);
    expect(h().model.byId.get('p20')?.status).toBe('denied');
    const asked = backend.calls.filter((c) => c.includes('"ids"'));
    expect(asked).toHaveLength(1);
    expect(asked[0]).toContain('"ids":["p20","p21","p22"]');
    expect(asked[0]).toContain('"text":"budget"');
    // The list was not read again, and the selection stayed.
    expect(pages()).toHaveLength(1);
    expect(h().selectedId).toBe('p1');

    // One created after everything held is on top.
    backend.history.unshift(decided(30, 'denied', { created_at: at(59) }));
    backend.reasons.set('p30', 'budget');
    backend.emit([left('p30', 'denied')]);
    await flush();
    expect(h().model.ids).toEqual(['p30', 'p1', 'p20', 'p4']);
  });

  it('exports with the filters and says what was written', async () => {
    const { h, backend } = withHistory(6);
    h().show();
    await flush();
    h().setFilters({ statuses: ['denied'] });
    await flush();
    await h().exportAs('csv');
    expect(backend.calls.filter((c) => c.startsWith('export'))).toEqual(['export csv ["denied"] ']);
    expect(h().exportStatus).toEqual({ ok: true, message: 'Exported 2 entries to /tmp/export.jsonl' });
    expect(h().exporting).toBe(false);
  });

  it('says nothing when the export is cancelled, and why when it fails', async () => {
    const { h, backend } = withHistory(1);
    backend.exportPath = '';
    await h().exportAs('jsonl');
    expect(h().exportStatus).toBeNull();
    backend.exportError = new ApiError('internal', 'disk full');
    await h().exportAs('jsonl');
    expect(h().exportStatus).toEqual({ ok: false, message: 'Could not export: disk full' });
    h().dismissExport();
    expect(h().exportStatus).toBeNull();
  });
});

describe('history events', () => {
  it('follows the entry shown and reads its events again when it is read again', async () => {
    const { h, backend, stores } = withHistory(2);
    backend.events.set('p0', [
      { id: 1, at: '2025-06-01T10:00:00Z', type: 'proposed', description: 'Requested by the agent' },
      { id: 2, at: '2025-06-01T10:05:00Z', type: 'executed', description: 'Carried out (1 action)' },
    ]);
    h().show();
    await flush();
    expect(stores.historyEvents.getState().events.map((e) => e.type)).toEqual(['proposed', 'executed']);
    h().select('p1');
    await flush();
    expect(stores.historyEvents.getState()).toMatchObject({ id: 'p1', events: [] });
    const before = backend.calls.filter((c) => c === 'events p1').length;
    await stores.historyDetail.getState().undo();
    await flush();
    expect(backend.calls.filter((c) => c === 'events p1').length).toBeGreaterThan(before);
  });
});
