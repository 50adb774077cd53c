import { describe, expect, it } from 'vitest';
import { page, proposalView, queueEvents, secretScan } from './normalize';

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
