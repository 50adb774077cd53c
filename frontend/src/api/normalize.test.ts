import { describe, expect, it } from 'vitest';
import { info, page, policyState, proposalView, queueEvents, rememberPreview, secretScan, tokenCheck, undoOutcome } from './normalize';

describe('normalize', () => {
  it('turns Go nil slices into empty arrays', () => {
    const p = page({ items: null, total: 0, offset: 0 });
    expect(p.items).toEqual([]);
    const v = proposalView({ proposal: { id: 'x', actions: null, risk: 'low', status: 'pending' }, risk_reasons: null });
    expect(v.proposal.actions).toEqual([]);
    expect(v.risk_reasons).toEqual([]);
  });

  it('reads an unknown risk as critical, never lower', () => {
    const v = proposalView({ proposal: { id: 'x', risk: 'apocalyptic' } });
    expect(v.proposal.risk).toBe('critical');
  });

  it('keeps tool input as the parsed JSON it arrives as', () => {
    const v = proposalView({ proposal: { id: 'x', actions: [{ kind: 'tool.call', tool: 't', input: [49] }] } });
    expect(v.proposal.actions[0]?.input).toEqual([49]);
    const w = proposalView({ proposal: { id: 'x', actions: [{ kind: 'tool.call', tool: 't', input: { b: [1, 2] } }] } });
    expect(w.proposal.actions[0]?.input).toEqual({ b: [1, 2] });
  });

  it('reads a secrets scan, a missing action as the summary (-1)', () => {
    expect(secretScan({ findings: null })).toEqual({ findings: [], truncated: false });
    const s = secretScan({ findings: [{ field: 'summary', line: 1, rule_id: 'r', description: 'd' }], truncated: true });
    expect(s.findings[0]?.action).toBe(-1);
    expect(s.truncated).toBe(true);
  });

  it('drops events without an id and accepts a lone event', () => {
    expect(queueEvents([{ type: 'proposal.expired', status: 'expired' }])).toEqual([]);
    expect(queueEvents({ type: 'proposal.expired', proposal_id: 'a', status: 'expired', at: '' })).toHaveLength(1);
    expect(queueEvents(null)).toEqual([]);
  });
});

describe('normalize execution, undo and redo', () => {
  it('gives a view without execution an empty not_undoable and no execution', () => {
    const v = proposalView({ proposal: { id: 'x' }, not_undoable: null });
    expect(v.not_undoable).toEqual([]);
    expect(v.execution).toBeUndefined();
  });

  it('keeps the sentences about what cannot be undone, as strings', () => {
    const v = proposalView({ proposal: { id: 'x' }, not_undoable: ['Action 2: no paths declared.', 7, null] });
    expect(v.not_undoable).toEqual(['Action 2: no paths declared.', '7', '']);
  });

  it('validates every field of an execution and its result', () => {
    const v = proposalView({
      proposal: { id: 'x', status: 'executed' },
      execution: {
        in_flight: 'yes',
        paths: [{ path: 'a.txt', before: 'absent', after: 'file' }, { path: 'b', before: 'socket', after: null }],
        paths_total: 1,
        result: {
          outcome: 'executed',
          stale: 1,
          agent_runs: true,
          not_undoable: null,
          actions: [
            { index: 0, kind: 'command.run', exit_code: 0, stdout: 'ok\n', stderr: 5, duration_ms: 12.5, changed: -3 },
            { kind: 'file.write', changed: 2, http_status: 0, note: '' },
          ],
        },
      },
    });
    const ex = v.execution!;
    expect(ex.in_flight).toBe(false);
    expect(ex.paths).toEqual([
      { path: 'a.txt', before: 'absent', after: 'file' },
      { path: 'b', before: 'file', after: 'file' },
    ]);
    // Never fewer in all than listed.
    expect(ex.paths_total).toBe(2);
    const r = ex.result!;
    expect(r).toMatchObject({ outcome: 'executed', stale: false, agent_runs: true, recovered: false, not_undoable: [] });
    // Exit code 0 is kept; output that is not a string is dropped.
    expect(r.actions[0]).toEqual({ index: 0, kind: 'command.run', exit_code: 0, stdout: 'ok\n', changed: 0 });
    // A missing index is the position; empty and zero values are left out.
    expect(r.actions[1]).toEqual({ index: 1, kind: 'file.write', changed: 2 });
  });

  it('reads an unknown outcome as a failure, never as success', () => {
    const v = proposalView({ proposal: { id: 'x' }, execution: { result: { outcome: 'great', error: 'boom', rollback: 'nothing was changed' } } });
    expect(v.execution?.result).toMatchObject({ outcome: 'failed', error: 'boom', rollback: 'nothing was changed' });
  });

  it('reads Undo as done only when it says so', () => {
    expect(undoOutcome({ done: 'true', conflicts: null })).toEqual({ done: false, conflicts: [] });
    expect(undoOutcome(null)).toEqual({ done: false, conflicts: [] });
    const u = undoOutcome({
      done: false,
      conflicts: [
        { path: 'a.txt', expected: 'a file with SHA-256 ab12', found: 'a file with SHA-256 cd34', diff: '--- a\n+++ b\n' },
        { path: 'dir', expected: 'nothing', found: 'a directory', diff: '' },
      ],
    });
    expect(u.conflicts[0]?.diff).toBe('--- a\n+++ b\n');
    expect(u.conflicts[1]).toEqual({ path: 'dir', expected: 'nothing', found: 'a directory' });
    const done = undoOutcome({ done: true, result: { outcome: 'reverted' }, conflicts: [] });
    expect(done.done).toBe(true);
    expect(done.result?.outcome).toBe('reverted');
  });

  it('accepts the execution events with their statuses', () => {
    const batch = queueEvents(
      ['executing', 'executed', 'failed', 'reverted'].map((s) => ({ type: `proposal.${s}`, proposal_id: 'a', status: s, at: '' })),
    );
    expect(batch.map((e) => [e.type, e.status])).toEqual([
      ['proposal.executing', 'executing'],
      ['proposal.executed', 'executed'],
      ['proposal.failed', 'failed'],
      ['proposal.reverted', 'reverted'],
    ]);
  });
});

describe('tokenCheck', () => {
  it('reads a token as verified only when the backend says so', () => {
    expect(tokenCheck({ present: true, verified: true, decision: 'approve' })).toEqual({
      present: true,
      verified: true,
      problem: '',
      decision: 'approve',
    });
    expect(tokenCheck({ present: true, verified: 'yes', problem: 'bad signature' }).verified).toBe(false);
    expect(tokenCheck(undefined)).toEqual({ present: false, verified: false, problem: '', decision: '' });
  });
});

describe('policyState', () => {
  it('reads the rules screen as the backend sends it', () => {
    const st = policyState({
      rules: [
        {
          id: 'r1',
          effect: 'allow',
          description: 'Let claude-code edit notes.md without asking',
          builtin: false,
          session: true,
          once: false,
          spent: false,
          expired: false,
          created_by: 'alex',
          created_at: '2025-06-01T10:00:00Z',
          expires_at: '0001-01-01T00:00:00Z',
          uses: 3,
          last_used: '2025-06-01T11:00:00Z',
        },
      ],
      budgets: { '': { writes: 20 }, 'codex-cli': { deletes: 2, bytes: 1000 } },
      roles: [{ role: 'editor', name: 'Editor', description: 'Edits files' }],
      paused: true,
      paused_at: '2025-06-01T12:00:00Z',
      pending: { sha256: 'abc', added: ['x'], removed: null, budgets_changed: true, text: '{}' },
      version: 4,
    });
    expect(st.rules[0]).toMatchObject({ effect: 'allow', session: true, uses: 3, expires_at: '', last_used: '2025-06-01T11:00:00Z' });
    expect(st.budgets).toEqual({ '': { writes: 20, deletes: 0, bytes: 0 }, 'codex-cli': { writes: 0, deletes: 2, bytes: 1000 } });
    expect(st.paused).toBe(true);
    expect(st.pending).toEqual({ sha256: 'abc', added: ['x'], removed: [], budgets_changed: true, error: '', text: '{}' });
    expect(st.problem).toBe('');
  });

  it('fails closed on malformed input', () => {
    const st = policyState({
      rules: [{ id: 'r1', description: 'Let x do anything' }, { id: 'r2', effect: 'ALLOW' }, null],
      budgets: { a: { writes: -3, deletes: 1.5, bytes: 'lots' } },
      paused: 'yes',
      pending: { added: ['x'] },
    });
    // No effect, or one not plainly "allow", never reads as allow.
    expect(st.rules.map((r) => r.effect)).toEqual(['deny', 'deny', 'deny']);
    expect(st.rules[1]!.description).toMatch(/no description/);
    expect(st.rules[2]!.builtin).toBe(false);
    expect(st.budgets.a).toEqual({ writes: 0, deletes: 0, bytes: 0 });
    expect(st.paused).toBe(false);
    // A change without the hash of what was shown cannot be accepted.
    expect(st.pending?.error).toMatch(/without its hash/);
    expect(policyState(null)).toMatchObject({ rules: [], budgets: {}, roles: [], paused: false });
    expect(policyState(null).pending).toBeUndefined();
  });

  it('reads a remember preview, its effect denying unless it says allow', () => {
    expect(rememberPreview({ rule: { effect: 'allow' }, description: 'Let x', matches: null })).toEqual({
      effect: 'allow',
      description: 'Let x',
      matches: [],
    });
    expect(rememberPreview({ description: 'd' }).effect).toBe('deny');
  });

  it('reads the pause in Info only when it is plainly true', () => {
    expect(info({ paused: true }).paused).toBe(true);
    expect(info({ paused: 1 }).paused).toBe(false);
  });

  it('lets a policy change through without a proposal, and nothing else', () => {
    const batch = queueEvents([
      { type: 'policy.changed', proposal_id: '', at: '2025-06-01T10:00:00Z' },
      { type: 'proposal.approved', proposal_id: '', status: 'approved' },
    ]);
    expect(batch).toEqual([{ type: 'policy.changed', proposal_id: '', status: 'pending', at: '2025-06-01T10:00:00Z' }]);
  });
});
