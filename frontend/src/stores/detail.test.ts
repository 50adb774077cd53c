import { describe, expect, it } from 'vitest';
import { ApiError } from '../api';
import { FakeBackend, flush, left, result, summary } from '../test/fakeBackend';
import { PAUSED_MESSAGE } from './detail';
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

describe('remember when deciding', () => {
  it('offers the scopes that fit, previews the rule, and saves it once the approval is recorded', async () => {
    const { backend, stores, d } = await started(2);
    backend.scopeErrors.set('this-command-prefix', 'the proposal runs no command');
    backend.rememberMatches = [summary(7, { summary: 'Edit notes.md' })];
    d().toggleRemember();
    await flush();
    expect(d().remember).toEqual({ on: true, scope: 'this-file', lifetime: '1h' });
    expect(d().scopes['this-command-prefix']).toBe('the proposal runs no command');
    expect(d().scopes['this-file']).toBe('');
    expect(d().rememberShown?.preview).toMatchObject({ effect: 'allow', matches: [{ summary: 'Edit notes.md' }] });
    // A scope that does not fit cannot be chosen.
    d().setRememberScope('this-command-prefix');
    expect(d().remember.scope).toBe('this-file');
    d().setRememberLifetime('until-revoked');
    await flush();
    expect(d().rememberShown?.preview?.description).toBe('Let agent this-file (until-revoked)');

    await d().approve();
    await flush();
    const calls = backend.calls.filter((c) => c.startsWith('approve') || c.startsWith('remember'));
    expect(calls).toEqual(['approve p0', 'remember p0 this-file until-revoked']);
    expect(d().lastDecided).toMatchObject({ id: 'p0', verb: 'approve', rule: 'Let agent this-file (until-revoked)' });
    // The next request starts with Remember off.
    expect(d().id).toBe('p1');
    expect(d().remember.on).toBe(false);
    expect(stores.queue.getState().model.ids).toEqual(['p1']);
  });

  it('picks the first scope that fits when this file does not', async () => {
    const { backend, d } = await started(1);
    backend.scopeErrors.set('this-file', 'the proposal touches 3 files, not one');
    d().toggleRemember();
    await flush();
    expect(d().remember.scope).toBe('this-folder');
  });

  it('previews a deny rule while the denial is being written, and remembers the denial', async () => {
    const { backend, d } = await started(1);
    d().toggleRemember();
    d().openDeny();
    await flush();
    expect(d().rememberShown?.preview?.effect).toBe('deny');
    await d().deny('no');
    await flush();
    expect(backend.calls).toContain('remember p0 this-file 1h');
    expect(d().lastDecided?.rule).toBe('Never let agent this-file (1h)');
  });

  it('keeps the decision when the rule cannot be saved, and says so', async () => {
    const { backend, d } = await started(2);
    backend.rememberError = new ApiError('internal', 'policy: the signing key is unavailable');
    d().toggleRemember();
    await flush();
    await d().approve();
    await flush();
    expect(backend.decided.get('p0')?.verb).toBe('approve');
    expect(d().lastDecided).toMatchObject({ id: 'p0', verb: 'approve' });
    expect(d().lastDecided?.rule).toBeUndefined();
    expect(d().rememberError).toBe('Approved, and that decision stands, but the rule was not saved: the signing key is unavailable');
    // It outlives the move to the next request, until dismissed.
    expect(d().id).toBe('p1');
    d().dismissRememberError();
    expect(d().rememberError).toBeNull();
  });

  it('never remembers a request that expired, or a decision that was refused', async () => {
    const { backend, d } = await started(2);
    d().toggleRemember();
    await flush();
    d().applyBatch([left('p0', 'expired')]);
    await d().approve();
    await d().deny('');
    expect(backend.calls.some((c) => c.startsWith('approve') || c.startsWith('deny'))).toBe(false);

    const other = await started(1);
    other.d().toggleRemember();
    await flush();
    other.backend.decideError = new ApiError('conflict', 'proposal p0 expired');
    await other.d().approve();
    await flush();
    expect(other.backend.calls).toContain('approve p0');
    expect([...backend.calls, ...other.backend.calls].some((c) => c.startsWith('remember'))).toBe(false);
  });

  it('refuses to approve while agents are paused, before asking the backend', async () => {
    const { backend, stores, d } = await started(1);
    backend.policyState.paused = true;
    await stores.info.getState().load();
    await d().approve();
    expect(d().decisionError).toBe(PAUSED_MESSAGE);
    expect(backend.calls.some((c) => c.startsWith('approve'))).toBe(false);
  });

  it('says a paused refusal from the backend plainly, and keeps the request', async () => {
    const { backend, stores, d } = await started(1);
    backend.policyState.paused = true; // Info not reloaded yet: the backend refuses
    await d().approve();
    await flush();
    expect(d().decisionError).toBe('Not recorded: Countersign is paused: resume agents before approving anything');
    expect(stores.queue.getState().model.ids).toEqual(['p0']);
  });
});
