import { describe, expect, it } from 'vitest';
import { ApiError } from '../api';
import { FakeBackend, flush, left, submitted, summary } from '../test/fakeBackend';
import { createStores } from '.';
import { PAGE_SIZE } from './queue';

async function started(n: number) {
  const backend = new FakeBackend(n);
  const stores = createStores(backend);
  await stores.queue.getState().start();
  await flush();
  const lists = () => backend.calls.filter((c) => c.startsWith('list'));
  return { backend, stores, lists, q: () => stores.queue.getState() };
}

describe('queue store', () => {
  it('loads the first page and selects the newest', async () => {
    const { lists, q } = await started(250);
    expect(lists()[0]).toBe(`list 0 ${PAGE_SIZE}`);
    expect(q().phase).toBe('ready');
    expect(q().model.ids).toHaveLength(PAGE_SIZE);
    expect(q().model.total).toBe(250);
    expect(q().selectedId).toBe('p0');
  });

  it('is ready and empty with no proposals', async () => {
    const { q } = await started(0);
    expect(q().phase).toBe('ready');
    expect(q().model.total).toBe(0);
    expect(q().selectedId).toBeNull();
  });

  it('reports a failed first page and loads on retry', async () => {
    const backend = new FakeBackend(3);
    backend.failList = new ApiError('internal', 'database is locked');
    const stores = createStores(backend);
    await stores.queue.getState().start();
    expect(stores.queue.getState().phase).toBe('error');
    expect(stores.queue.getState().error?.message).toBe('database is locked');
    backend.failList = null;
    await stores.queue.getState().retry();
    expect(stores.queue.getState().phase).toBe('ready');
    expect(stores.queue.getState().model.ids).toHaveLength(3);
  });

  it('loads the next page as the view nears the end of what is loaded', async () => {
    const { lists, q } = await started(250);
    q().ensureLoaded(10);
    await flush();
    expect(lists()).toHaveLength(1);
    q().ensureLoaded(80);
    await flush();
    expect(lists()[1]).toBe(`list 100 ${PAGE_SIZE}`);
    expect(q().model.ids).toHaveLength(200);
  });

  it('fetches a larger chunk when the view jumps far ahead', async () => {
    const { lists, q } = await started(5000);
    q().ensureLoaded(2500);
    await flush();
    expect(lists()[1]).toBe('list 100 1000');
  });

  it('moves with j/k and stays in bounds', async () => {
    const { q } = await started(3);
    q().move(1);
    expect(q().selectedId).toBe('p1');
    q().move(1);
    q().move(1);
    expect(q().selectedId).toBe('p2');
    q().move(-5);
    expect(q().selectedId).toBe('p0');
  });

  it('applies a burst as one update', async () => {
    const { stores, q } = await started(5);
    let updates = 0;
    stores.queue.subscribe(() => updates++);
    const batch = Array.from({ length: 1000 }, (_, i) => submitted(summary(1000 + i)));
    q().applyBatch(batch);
    expect(updates).toBe(1);
    expect(q().model.ids[0]).toBe('p1999');
    expect(q().model.total).toBe(1005);
    // The selection stays on the row the person was looking at.
    expect(q().selectedId).toBe('p0');
  });

  it('keeps the selection when it leaves by event, and j continues from its place', async () => {
    const { q } = await started(4);
    q().select('p1');
    q().applyBatch([left('p1', 'expired')]);
    expect(q().model.ids).toEqual(['p0', 'p2', 'p3']);
    expect(q().selectedId).toBe('p1');
    q().move(1);
    expect(q().selectedId).toBe('p2');
  });

  it('k from a row that left goes to the row above its place', async () => {
    const { q } = await started(4);
    q().select('p2');
    q().applyBatch([left('p2', 'withdrawn')]);
    q().move(-1);
    expect(q().selectedId).toBe('p1');
  });

  it('selects the next row after a decision, or the previous at the end', async () => {
    const { q } = await started(3);
    q().select('p1');
    q().removeDecided(['p1']);
    expect(q().selectedId).toBe('p2');
    q().removeDecided(['p2']);
    expect(q().selectedId).toBe('p0');
    q().removeDecided(['p0']);
    expect(q().selectedId).toBeNull();
    expect(q().model.total).toBe(0);
  });

  it('selects a proposal that arrives in an empty queue', async () => {
    const { q } = await started(0);
    q().applyBatch([submitted(summary(7))]);
    expect(q().selectedId).toBe('p7');
  });

  it('does not lose rows when some leave while a page is in flight', async () => {
    const { backend, q } = await started(150);
    let release!: () => void;
    backend.gate = new Promise((r) => (release = r));
    q().ensureLoaded(90);
    // p5 leaves; the backend list shifts by one before answering.
    backend.pending = backend.pending.filter((s) => s.id !== 'p5');
    q().applyBatch([left('p5')]);
    backend.gate = null;
    release();
    await flush();
    await flush();
    expect(q().model.ids).toHaveLength(149);
    expect(new Set(q().model.ids).size).toBe(149);
    expect(q().model.ids).toContain('p100');
  });
});
