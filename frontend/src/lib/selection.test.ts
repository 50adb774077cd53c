import { describe, expect, it } from 'vitest';
import { approveLabel, initialSelection, reduceSelection, summarize } from './selection';

describe('selection', () => {
  // Action 0: a text file with 3 hunks; 1: whole; 2: a text file with 2 hunks.
  const start = initialSelection([3, null, 2]);

  it('starts with everything ticked: a plain approval', () => {
    expect(start).toEqual({ actions: [true, true, true], hunks: [[true, true, true], null, [true, true]] });
    const s = summarize(start);
    expect(s.all).toBe(true);
    expect(approveLabel(s)).toBe('Approve');
  });

  it('leaves out an action', () => {
    const s = summarize(reduceSelection(start, { type: 'action', index: 1 }));
    expect(s.all).toBe(false);
    expect(s.selection).toEqual({ actions: [0, 2], hunks: [] });
    expect(approveLabel(s)).toBe('Approve selected (2 of 3 actions)');
  });

  it('leaves out a hunk, sending the ticks of that action only', () => {
    const s = summarize(reduceSelection(start, { type: 'hunk', action: 0, hunk: 1 }));
    expect(s.selection).toEqual({ actions: [0, 1, 2], hunks: [{ action: 0, keep: [true, false, true] }] });
    expect(approveLabel(s)).toBe('Approve selected (4 of 5 changes)');
  });

  it('leaves an action out when its last hunk is unticked, and brings it back with one', () => {
    let s = reduceSelection(start, { type: 'hunk', action: 2, hunk: 0 });
    s = reduceSelection(s, { type: 'hunk', action: 2, hunk: 1 });
    expect(s.actions[2]).toBe(false);
    expect(summarize(s).selection).toEqual({ actions: [0, 1], hunks: [] });
    s = reduceSelection(s, { type: 'hunk', action: 2, hunk: 1 });
    expect(s.actions[2]).toBe(true);
    expect(summarize(s).selection.hunks).toEqual([{ action: 2, keep: [false, true] }]);
  });

  it('ticks every hunk again when an action with none is ticked', () => {
    let s = reduceSelection(start, { type: 'hunk', action: 2, hunk: 0 });
    s = reduceSelection(s, { type: 'hunk', action: 2, hunk: 1 });
    s = reduceSelection(s, { type: 'action', index: 2 });
    expect(s.hunks[2]).toEqual([true, true]);
    expect(summarize(s).all).toBe(true);
  });

  it('does not send the hunks of an action left out', () => {
    let s = reduceSelection(start, { type: 'hunk', action: 0, hunk: 0 });
    s = reduceSelection(s, { type: 'action', index: 0, on: false });
    expect(summarize(s).selection).toEqual({ actions: [1, 2], hunks: [] });
    // The ticks are kept for when it comes back.
    s = reduceSelection(s, { type: 'action', index: 0, on: true });
    expect(summarize(s).selection.hunks).toEqual([{ action: 0, keep: [false, true, true] }]);
  });

  it('says when nothing is left, and selects all again', () => {
    let s = start;
    for (const i of [0, 1, 2]) s = reduceSelection(s, { type: 'action', index: i });
    expect(summarize(s).none).toBe(true);
    expect(approveLabel(summarize(s))).toBe('Nothing selected');
    s = reduceSelection(s, { type: 'all', on: true });
    expect(summarize(s).all).toBe(true);
  });

  it('ignores indexes out of range and no-op changes', () => {
    expect(reduceSelection(start, { type: 'action', index: 9 })).toBe(start);
    expect(reduceSelection(start, { type: 'hunk', action: 1, hunk: 0 })).toBe(start);
    expect(reduceSelection(start, { type: 'action', index: 0, on: true })).toBe(start);
  });
});
