import { describe, expect, it } from 'vitest';
import { ApiError } from '../api';
import { FakeBackend, flush, left, result } from '../test/fakeBackend';
import { createStores } from '.';

async function started(n: number) {
  const backend = new FakeBackend(n);
  const stores = createStores(backend);
  await stores.queue.getState().start();
  await flush();
  return { backend, stores, d: () => stores.detail.getState(), q: () => stores.queue.getState() };
}

describe('detail store', () => {
  it('follows the selection', async () => {
    const { d, q } = await started(3);
    expect(d().id).toBe('p0');
    expect(d().view?.proposal.id).toBe('p0');
    q().move(1);
    await flush();
    expect(d().view?.proposal.id).toBe('p1');
  });

  it('approves and moves on to the next proposal', async () => {
    const { backend, d, q } = await started(3);
    await d().approve();
    await flush();
    expect(backend.calls).toContain('approve p0');
    expect(q().model.ids).toEqual(['p1', 'p2']);
    expect(q().selectedId).toBe('p1');
    expect(d().view?.proposal.id).toBe('p1');
    expect(d().lastDecided).toMatchObject({ id: 'p0', verb: 'approve' });
  });

  it('denies with the reason, trimmed', async () => {
    const { backend, d } = await started(2);
    d().openDeny();
    expect(d().denyOpen).toBe(true);
    await d().deny('  not in this folder \n');
    expect(backend.calls).toContain('deny p0 not in this folder');
    expect(d().denyOpen).toBe(false);
  });

  it('explains a conflict with the status someone else set', async () => {
    const { backend, d, q } = await started(2);
    backend.decided.set('p0', { verb: 'approve', reason: '' });
    backend.decideError = new ApiError('conflict', 'proposal p0 is approved');
    await d().approve();
    await flush();
    expect(d().decisionError).toBe('Someone else already decided this: approved.');
    expect(d().liveStatus).toBe('approved');
    expect(q().model.ids).toEqual(['p1']);
    // The pane stays on it, so the person sees what happened.
    expect(q().selectedId).toBe('p0');
  });

  it('stops offering a decision on a proposal that no longer exists', async () => {
    const { backend, d } = await started(2);
    backend.decideError = new ApiError('not_found', 'no proposal p0');
    await d().approve();
    expect(d().decisionError).toBe('This request no longer exists.');
    expect(d().vanished).toBe(true);
    backend.decideError = null;
    await d().approve();
    expect(backend.calls.filter((c) => c.startsWith('approve'))).toHaveLength(1);
  });

  it('shows other failures and keeps the proposal decidable', async () => {
    const { backend, d } = await started(1);
    backend.decideError = new ApiError('internal', 'disk full');
    await d().approve();
    expect(d().decisionError).toBe('The decision was not recorded: disk full');
    expect(d().deciding).toBeNull();
    expect(d().liveStatus).toBeNull();
  });

  it('marks the selected proposal expired when the event arrives', async () => {
    const { stores, d } = await started(2);
    d().openDeny();
    stores.detail.getState().applyBatch([left('p0', 'expired')]);
    expect(d().liveStatus).toBe('expired');
    expect(d().denyOpen).toBe(false);
    await d().approve();
    expect(d().deciding).toBeNull();
  });

  it('reports a load failure and retries', async () => {
    const { backend, d, q } = await started(4);
    backend.failGet = new ApiError('internal', 'database is locked');
    q().selectIndex(3);
    await flush();
    expect(d().error?.message).toBe('database is locked');
    backend.failGet = null;
    await d().retry();
    expect(d().error).toBeNull();
    expect(d().view?.proposal.id).toBe('p3');
  });

  it('shows how the execution of the shown proposal went, with its result', async () => {
    const { backend, stores, d } = await started(2);
    // Approved elsewhere, then carried out, and it failed.
    backend.history.unshift({ ...backend.pending[0]!, status: 'failed' });
    backend.executions.set('p0', {
      paths: [],
      paths_total: 0,
      in_flight: false,
      result: result('failed', { error: 'disk full', rollback: 'every change was rolled back' }),
    });
    stores.detail.getState().applyBatch([left('p0', 'approved'), left('p0', 'executing'), left('p0', 'failed')]);
    await flush();
    expect(d().liveStatus).toBe('failed');
    expect(d().view?.execution?.result?.error).toBe('disk full');
  });

  it('follows the last decision made here through its execution', async () => {
    const { backend, stores, d } = await started(2);
    await d().approve();
    await flush();
    expect(d().lastDecided).toMatchObject({ id: 'p0', verb: 'approve' });
    expect(d().lastDecided?.status).toBeUndefined();
    stores.detail.getState().applyBatch([left('p0', 'executing')]);
    expect(d().lastDecided?.status).toBe('executing');
    backend.history[0] = { ...backend.history[0]!, status: 'failed' };
    backend.executions.set('p0', {
      paths: [],
      paths_total: 0,
      in_flight: false,
      result: result('failed', { error: 'the workspace is not inside a folder Countersign may change', rollback: 'nothing was changed' }),
    });
    stores.detail.getState().applyBatch([left('p0', 'failed')]);
    await flush();
    expect(d().lastDecided).toMatchObject({
      status: 'failed',
      problem: 'the workspace is not inside a folder Countersign may change. Nothing was changed.',
    });
    // The pane stays on the next proposal, which is still pending.
    expect(d().view?.proposal.id).toBe('p1');
    expect(d().liveStatus).toBeNull();
  });

  it('knows the outcome of its decision when the events beat the answer', async () => {
    const { stores, d } = await started(2);
    const approving = d().approve();
    stores.detail.getState().applyBatch([left('p0', 'approved'), left('p0', 'executing'), left('p0', 'executed')]);
    await approving;
    expect(d().lastDecided).toMatchObject({ id: 'p0', verb: 'approve', status: 'executed' });
  });
});
