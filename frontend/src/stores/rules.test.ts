import { describe, expect, it } from 'vitest';
import { ApiError } from '../api';
import { FakeBackend, flush, policyChanged, rule, submitted, summary } from '../test/fakeBackend';
import { subscribeQueueEvents } from '../events';
import { createStores } from '.';
import { budgetWords } from './rules';

function setup() {
  const backend = new FakeBackend(0);
  const stores = createStores(backend);
  return { backend, stores, r: () => stores.rules.getState() };
}

describe('rules store', () => {
  it('loads the policy and keeps it on screen while it reloads', async () => {
    const { backend, r } = setup();
    backend.policyState.rules.push(rule('a', { description: 'Let claude edit notes.md without asking' }));
    expect(r().phase).toBe('idle');
    await r().load();
    expect(r().phase).toBe('ready');
    expect(r().policy?.rules.map((x) => x.description)).toEqual(['Let claude edit notes.md without asking']);
    const again = r().load();
    expect(r().phase).toBe('ready');
    await again;
  });

  it('reports a failed load, and recovers', async () => {
    const { backend, r } = setup();
    backend.failPolicy = new ApiError('internal', 'disk on fire');
    await r().load();
    expect(r().phase).toBe('error');
    expect(r().error?.message).toBe('disk on fire');
    backend.failPolicy = null;
    await r().load();
    expect(r().phase).toBe('ready');
  });

  it('revokes a rule and shows the rules as the backend has them after', async () => {
    const { backend, r } = setup();
    backend.policyState.rules.push(rule('a'), rule('b'));
    await r().load();
    await r().revoke('a');
    expect(backend.calls).toContain('revoke a');
    expect(r().policy?.rules.map((x) => x.id)).toEqual(['b']);
    expect(r().notice).toBe('The rule was revoked.');
    expect(r().busy).toBeNull();
  });

  it('says why a change was refused, without its package prefix, until dismissed', async () => {
    const { backend, r } = setup();
    backend.policyState.rules.push(rule('builtin:ssh', { builtin: true }));
    await r().load();
    await r().revoke('builtin:ssh');
    expect(r().actionError).toBe('rule builtin:ssh is built in and cannot be revoked');
    backend.policyError = new ApiError('internal', 'policy: no key');
    await r().setPaused(true);
    expect(r().actionError).toBe('no key');
    r().dismissError();
    expect(r().actionError).toBeNull();
  });

  it('pauses and resumes, and keeps the pause that Info shows in step', async () => {
    const { stores, r } = setup();
    await stores.info.getState().load();
    await r().load();
    await r().setPaused(true);
    expect(r().policy?.paused).toBe(true);
    expect(stores.info.getState().info?.paused).toBe(true);
    await r().setPaused(false);
    expect(stores.info.getState().info?.paused).toBe(false);
  });

  it('applies a role only to an absolute folder', async () => {
    const { backend, r } = setup();
    await r().load();
    await r().applyRole('editor', 'projects/site');
    expect(r().actionError).toMatch(/full path/);
    expect(backend.calls.some((c) => c.startsWith('role'))).toBe(false);
    await r().applyRole('editor', '  /home/alex/site ');
    expect(backend.calls).toContain('role editor /home/alex/site');
    expect(r().notice).toBe('Editor applied to /home/alex/site.');
  });

  it('sets and removes budgets, "" being every other agent', async () => {
    const { backend, r } = setup();
    await r().load();
    await r().setBudget('', { writes: 20, deletes: 0, bytes: 1024 * 1024 });
    expect(backend.calls).toContain('budget - 20 0 1048576');
    expect(r().policy?.budgets['']).toEqual({ writes: 20, deletes: 0, bytes: 1048576 });
    expect(r().notice).toBe('Budget of Every other agent set: 20 writes, 1 MB an hour.');
    await r().setBudget('', { writes: 0, deletes: 0, bytes: 0 });
    expect(r().policy?.budgets).toEqual({});
    expect(budgetWords({ writes: 0, deletes: 0, bytes: 0 })).toBe('no limit');
  });

  it('accepts exactly the rules file it showed, and never one with an error', async () => {
    const { backend, r } = setup();
    backend.policyState.pending = { sha256: 'abc', added: ['Let x do anything anywhere without asking'], removed: [], budgets_changed: false, error: '', text: '{}' };
    await r().load();
    await r().acceptFile();
    expect(backend.calls).toContain('accept abc');
    expect(r().policy?.pending).toBeUndefined();

    backend.policyState.pending = { sha256: 'def', added: [], removed: [], budgets_changed: false, error: 'bad JSON', text: '{' };
    await r().load();
    await r().acceptFile();
    expect(backend.calls).not.toContain('accept def');
    await r().rejectFile();
    expect(backend.calls).toContain('reject');
    expect(r().policy?.pending).toBeUndefined();
  });

  it('reloads on a policy event once the tab was opened, and sends the event to no proposal store', async () => {
    const { backend, stores, r } = setup();
    await stores.queue.getState().start();
    const unsubscribe = subscribeQueueEvents(backend, stores);
    backend.emit([policyChanged()]);
    await flush();
    expect(backend.calls.filter((c) => c === 'policy')).toHaveLength(0);
    await r().load();
    backend.policyState.paused = true;
    const s = summary(1);
    backend.pending.unshift(s);
    backend.emit([policyChanged(), submitted(s)]);
    await flush();
    expect(r().policy?.paused).toBe(true);
    expect(stores.info.getState().info?.paused).toBe(true);
    expect(stores.queue.getState().model.ids).toEqual(['p1']);
    unsubscribe();
  });
});
