import { describe, expect, it } from 'vitest';
import { ApiError } from '../api';
import { subscribeQueueEvents } from '../events';
import { decided, FakeBackend, flush, left, result, submitted, summary } from '../test/fakeBackend';
import { createStores } from '.';
import { PAGE_SIZE } from './queue';
import { idAt, MARK_GAP, WINDOW } from '../lib/historyModel';

function withHistory(n: number) {
  const backend = new FakeBackend(0);
  for (let i = 0; i < n; i++) backend.history.push(decided(i));
  const stores = createStores(backend);
  subscribeQueueEvents(backend, stores);
  const lists = () => backend.calls.filter((c) => c.startsWith('decided'));
  return { backend, stores, lists, h: () => stores.history.getState(), hd: () => stores.historyDetail.getState() };
}

async function shown(n: number) {
  const t = withHistory(n);
  t.h().show();
  await flush();
  return t;
}

describe('history store', () => {
  it('loads nothing until shown, then the first page, and selects the newest', async () => {
    const { h, lists, backend } = withHistory(3);
    backend.emit([left('p0', 'executed')]);
    await flush();
    expect(lists()).toEqual([]);
    expect(h().phase).toBe('idle');
    h().show();
    await flush();
    expect(lists()).toEqual([`decided - 0 ${PAGE_SIZE}`]);
    expect(h().phase).toBe('ready');
    expect(h().model.ids).toEqual(['p0', 'p1', 'p2']);
    expect(h().model.end).toBe(true);
    expect(h().selectedId).toBe('p0');
    h().show();
    await flush();
    expect(lists()).toHaveLength(1);
  });

  it('is ready and empty with nothing decided', async () => {
    const { h } = await shown(0);
    expect(h().phase).toBe('ready');
    expect(h().model.total).toBe(0);
    expect(h().selectedId).toBeNull();
  });

  it('reports a failed first page and loads when shown again', async () => {
    const t = withHistory(2);
    t.backend.failDecided = new ApiError('internal', 'database is locked');
    t.h().show();
    await flush();
    expect(t.h().phase).toBe('error');
    expect(t.h().error?.message).toBe('database is locked');
    t.backend.failDecided = null;
    t.h().show();
    await flush();
    expect(t.h().model.ids).toEqual(['p0', 'p1']);
  });

  it('pages in as the view nears the end, and stops at the end', async () => {
    const { h, lists } = await shown(250);
    expect(h().model.ids).toHaveLength(PAGE_SIZE);
    expect(h().model.total).toBe(PAGE_SIZE + 1);
    h().ensureLoaded(PAGE_SIZE - 10);
    await flush();
    expect(lists()[1]).toBe(`decided p${PAGE_SIZE - 1} 0 500`);
    h().ensureLoaded(2 * PAGE_SIZE - 10);
    await flush();
    expect(h().model.ids).toHaveLength(250);
    expect(h().model.end).toBe(true);
    expect(h().model.total).toBe(250);
    const before = lists().length;
    h().ensureLoaded(249);
    await flush();
    expect(lists()).toHaveLength(before);
  });

  it('keeps a later page error apart and retries it', async () => {
    const { h, backend } = await shown(150);
    backend.failDecided = new ApiError('internal', 'disk I/O error');
    h().ensureLoaded(90);
    await flush();
    expect(h().phase).toBe('ready');
    expect(h().moreError?.message).toBe('disk I/O error');
    backend.failDecided = null;
    h().retryMore();
    await flush();
    expect(h().moreError).toBeNull();
    expect(h().model.ids).toHaveLength(150);
  });

  it('holds a window of a long history, and reads back by cursor what it let go', async () => {
    const { h, lists } = await shown(5_000);
    // Scrolled to the end, one screen at a time.
    for (let last = 10; !h().model.end; last += 300) {
      h().ensureLoaded(Math.min(last, h().model.length), Math.min(last, h().model.length) - 10);
      await flush();
    }
    expect(h().model.length).toBe(5_000);
    expect(h().model.ids.length).toBeLessThanOrEqual(WINDOW);
    expect(h().model.byId.size).toBeLessThanOrEqual(WINDOW + 1);
    // The selection (the first row) is pinned though let go.
    expect(h().selectedId).toBe('p0');
    expect(h().model.byId.get('p0')).toBeDefined();
    // Dragged back to row 2,345: read from the nearest cursor above it.
    const before = lists().length;
    h().ensureLoaded(2_350, 2_340);
    await flush();
    const read = lists().slice(before);
    expect(read).toHaveLength(1);
    const [, cursor, skip] = read[0]!.split(' ');
    expect(Number(cursor!.slice(1)) + 1 + Number(skip)).toBe(2_300);
    expect(Number(skip)).toBeLessThan(MARK_GAP);
    expect(idAt(h().model, 2_345)).toBe('p2345');
    // j from the pinned first row, far from the view: the rows there are read again.
    h().move(1);
    await flush();
    expect(h().selectedId).toBe('p1');
    h().move(-1);
    expect(h().selectedId).toBe('p0');
    // End: the last row, read again and selected.
    h().selectIndex(h().model.length - 1);
    await flush();
    expect(h().selectedId).toBe('p4999');
  });

  it('moves with j/k within what is loaded', async () => {
    const { h } = await shown(3);
    h().move(1);
    expect(h().selectedId).toBe('p1');
    h().move(5);
    expect(h().selectedId).toBe('p2');
    h().move(-1);
    expect(h().selectedId).toBe('p1');
  });

  it('updates a row status from events without asking the backend', async () => {
    const { h, lists, backend } = await shown(2);
    backend.emit([left('p1', 'reverted')]);
    await flush();
    expect(h().model.byId.get('p1')?.status).toBe('reverted');
    expect(lists()).toHaveLength(1);
  });

  it('puts a newly decided proposal on top, keeping the selection', async () => {
    const { h, lists, backend } = await shown(2);
    h().move(1);
    backend.history.unshift(decided(7, 'denied'));
    backend.emit([submitted(summary(7)), left('p7', 'denied')]);
    await flush();
    expect(lists()).toEqual([`decided - 0 ${PAGE_SIZE}`, `decided - 0 ${PAGE_SIZE}`]);
    expect(h().model.ids).toEqual(['p7', 'p0', 'p1']);
    expect(h().selectedId).toBe('p1');
  });

  it('runs one refresh at a time and one more after it for what came meanwhile', async () => {
    const { h, lists, backend } = await shown(1);
    let release!: () => void;
    backend.decidedGate = new Promise((r) => (release = r));
    backend.history.unshift(decided(8));
    backend.emit([left('p8', 'approved')]);
    backend.history.unshift(decided(9));
    backend.emit([left('p9', 'approved')]);
    backend.emit([left('p9', 'executing')]);
    await flush();
    expect(lists()).toHaveLength(2);
    backend.decidedGate = null;
    release();
    await flush();
    expect(lists()).toHaveLength(3);
    expect(h().model.ids).toEqual(['p9', 'p8', 'p0']);
  });

  it('keeps the status an event gave over a page fetched before it', async () => {
    const { h, backend } = await shown(1);
    let release!: () => void;
    backend.decidedGate = new Promise((r) => (release = r));
    backend.history.unshift(decided(4));
    backend.emit([left('p4', 'approved')]);
    // The refresh's page is read as it was before p0 was undone.
    backend.emit([left('p0', 'reverted')]);
    backend.decidedGate = null;
    release();
    await flush();
    expect(h().model.byId.get('p0')?.status).toBe('reverted');
  });

  it('refreshes after the first page when events came while it loaded', async () => {
    const t = withHistory(1);
    let release!: () => void;
    t.backend.decidedGate = new Promise((r) => (release = r));
    t.h().show();
    t.backend.emit([left('p5', 'denied')]);
    t.backend.history.unshift(decided(5, 'denied'));
    t.backend.decidedGate = null;
    release();
    await flush();
    expect(t.lists()).toHaveLength(2);
    expect(t.h().model.ids).toEqual(['p5', 'p0']);
  });
});

describe('history detail store', () => {
  it('follows the selection', async () => {
    const { h, hd } = await shown(2);
    expect(hd().view?.proposal.id).toBe('p0');
    expect(hd().view?.proposal.status).toBe('executed');
    h().move(1);
    await flush();
    expect(hd().view?.proposal.id).toBe('p1');
  });

  it('undoes, says so, and reads the entry and its row again', async () => {
    const { backend, h, hd } = await shown(1);
    await hd().undo();
    await flush();
    expect(backend.calls).toContain('undo p0');
    expect(hd().lastDone).toMatchObject({ id: 'p0', verb: 'undo' });
    expect(hd().view?.proposal.status).toBe('reverted');
    expect(h().model.byId.get('p0')?.status).toBe('reverted');
    expect(hd().busy).toBeNull();
    // Now it can be redone, not undone.
    await hd().undo();
    expect(backend.calls.filter((c) => c.startsWith('undo'))).toHaveLength(1);
    await hd().redo();
    await flush();
    expect(backend.calls).toContain('redo p0');
    expect(hd().view?.proposal.status).toBe('executed');
  });

  it('is busy while undoing, and refuses a second undo meanwhile', async () => {
    const { backend, hd } = await shown(1);
    let release!: () => void;
    backend.undoGate = new Promise((r) => (release = r));
    const first = hd().undo();
    expect(hd().busy).toMatchObject({ id: 'p0', verb: 'undo', force: false });
    await hd().undo();
    expect(backend.calls.filter((c) => c.startsWith('undo'))).toHaveLength(1);
    backend.undoGate = null;
    release();
    await first;
    expect(hd().busy).toBeNull();
  });

  it('shows conflicts and changes nothing; overwrite calls again with force', async () => {
    const { backend, hd } = await shown(1);
    const conflicts = [{ path: 'a.txt', expected: 'a file with SHA-256 ab', found: 'a file with SHA-256 cd', diff: '-a\n+b\n' }];
    backend.conflicts.set('p0', conflicts);
    await hd().undo();
    await flush();
    expect(hd().conflicts).toEqual({ id: 'p0', summary: 'Decided 0', verb: 'undo', conflicts });
    expect(hd().view?.proposal.status).toBe('executed');
    // While the dialog is open, Undo waits for its answer.
    await hd().undo();
    expect(backend.calls.filter((c) => c.startsWith('undo'))).toEqual(['undo p0']);
    await hd().overwrite();
    await flush();
    expect(backend.calls).toContain('undo p0 force');
    expect(hd().conflicts).toBeNull();
    expect(hd().view?.proposal.status).toBe('reverted');
  });

  it('leaves the files on cancel', async () => {
    const { backend, hd } = await shown(1);
    backend.conflicts.set('p0', [{ path: 'a.txt', expected: 'nothing', found: 'a directory' }]);
    await hd().undo();
    hd().cancelConflicts();
    expect(hd().conflicts).toBeNull();
    expect(backend.calls.filter((c) => c.startsWith('undo'))).toEqual(['undo p0']);
  });

  it('explains a refusal in words and reads the status again', async () => {
    const { backend, hd } = await shown(1);
    backend.undoError = new ApiError('conflict', 'proposal p0 is reverted');
    backend.history[0] = { ...backend.history[0]!, status: 'reverted' };
    await hd().undo();
    await flush();
    expect(hd().actionError).toBe('It can no longer be undone: proposal p0 is reverted');
    expect(hd().view?.proposal.status).toBe('reverted');
    hd().dismissError();
    expect(hd().actionError).toBeNull();
    backend.undoError = new ApiError('internal', 'disk full');
    await hd().redo();
    expect(hd().actionError).toBe('It was not redone: disk full');
  });

  it('does not undo what is still running or was never carried out', async () => {
    const { backend, h, hd } = withHistory(0);
    backend.history.push(decided(0, 'executed'), decided(1, 'denied'));
    backend.executions.set('p0', { paths: [], paths_total: 0, in_flight: true });
    h().show();
    await flush();
    await hd().undo();
    h().move(1);
    await flush();
    await hd().undo();
    await hd().redo();
    expect(backend.calls.some((c) => c.startsWith('undo') || c.startsWith('redo'))).toBe(false);
  });

  it('reads the shown entry again when an event says it changed', async () => {
    const { backend, hd } = await shown(1);
    backend.history[0] = { ...backend.history[0]!, status: 'reverted' };
    backend.executions.set('p0', { paths: [], paths_total: 0, in_flight: false, result: result('reverted') });
    backend.emit([left('p0', 'reverted')]);
    await flush();
    expect(hd().view?.proposal.status).toBe('reverted');
    expect(hd().view?.execution?.result?.outcome).toBe('reverted');
  });
});
