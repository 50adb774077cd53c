import { describe, expect, it } from 'vitest';
import { insights } from '../api/normalize';
import { clipText, dayRows, decisionTime, isEmpty, share } from './insightsModel';

describe('insights normalizer', () => {
  it('fills what Go left out: nil lists, missing counts, bad numbers', () => {
    const got = insights({
      from: '2026-03-14T00:00:00Z',
      totals: { proposed: 3, denied: 'x' },
      agents: [{ name: 'a', counts: { approved: 2 } }],
      days: null,
      rules: null,
      topPaths: [{ name: 'docs/a.md', count: 2 }],
      topCommands: [{ count: -1 }],
      denials: [{ id: 'p1', reason: 'no' }],
      byStatus: { denied: 1, pending: NaN },
    });
    expect(got.totals).toEqual({ proposed: 3, approved: 0, denied: 0, executed: 0, failed: 0, reverted: 0 });
    expect(got.agents[0]?.counts.approved).toBe(2);
    expect(got.days).toEqual([]);
    expect(got.rules).toEqual([]);
    expect(got.topCommands).toEqual([{ name: '', count: 0 }]);
    expect(got.denials[0]).toEqual({ id: 'p1', agentId: '', summary: '', reason: 'no', decidedBy: '', decidedAt: '' });
    expect(got.byStatus).toEqual({ denied: 1, pending: 0 });
    expect(got.reasonsRedacted).toBe(false);
    expect(insights(null).denials).toEqual([]);
  });
});

describe('insights model', () => {
  it('makes one chart row per day with its counts', () => {
    const data = insights({ days: [{ name: '2026-03-14', counts: { proposed: 2, approved: 1 } }, { name: '2026-03-15', counts: {} }] });
    const rows = dayRows(data, 'en-US');
    expect(rows.map((r) => [r.label, r.proposed, r.approved, r.reverted])).toEqual([
      ['Mar 14', 2, 1, 0],
      ['Mar 15', 0, 0, 0],
    ]);
  });

  it('is empty only when nothing happened', () => {
    expect(isEmpty(insights({ days: [{ name: '2026-03-14', counts: {} }] }))).toBe(true);
    expect(isEmpty(insights({ totals: { denied: 1 } }))).toBe(false);
    expect(isEmpty(insights({ byStatus: { pending: 1 } }))).toBe(false);
  });

  it.each([
    [0, 0, '0%'],
    [0, 10, '0%'],
    [1, 1000, '<1%'],
    [1, 3, '33%'],
    [3, 3, '100%'],
  ])('share(%i, %i) = %s', (part, whole, want) => {
    expect(share(part, whole)).toBe(want);
  });

  it('shows decision times, and a dash when nothing was decided', () => {
    const fmt = (ms: number) => `${ms / 1000} s`;
    expect(decisionTime(0, 0, fmt)).toBe('—');
    expect(decisionTime(250, 1, fmt)).toBe('250 ms');
    expect(decisionTime(12000, 1, fmt)).toBe('12 s');
  });

  it('clips on code points', () => {
    expect(clipText('abc', 3)).toBe('abc');
    expect(clipText('😀😀😀😀', 3)).toBe('😀😀…');
  });
});
