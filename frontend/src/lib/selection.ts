// What the person keeps of a proposal: a tick per action and, for text
// actions whose hunks can be chosen one by one, a tick per hunk. Pure, so
// the rules are tested apart from the store.
import type { Selection } from '../api';

export interface SelectionState {
  actions: boolean[];
  /** Per action: one tick per hunk, or null when the action is kept or left whole. */
  hunks: (boolean[] | null)[];
}

export type SelectionOp =
  | { type: 'action'; index: number; on?: boolean }
  | { type: 'hunk'; action: number; hunk: number; on?: boolean }
  | { type: 'all'; on: boolean };

/** Everything ticked. hunkCounts[i] is null for an action kept or left whole. */
export function initialSelection(hunkCounts: readonly (number | null)[]): SelectionState {
  return {
    actions: hunkCounts.map(() => true),
    hunks: hunkCounts.map((n) => (n === null ? null : Array.from({ length: n }, () => true))),
  };
}

export function reduceSelection(s: SelectionState, op: SelectionOp): SelectionState {
  switch (op.type) {
    case 'all':
      return {
        actions: s.actions.map(() => op.on),
        hunks: s.hunks.map((h) => (h ? h.map(() => true) : null)),
      };
    case 'action': {
      if (op.index < 0 || op.index >= s.actions.length) return s;
      const on = op.on ?? !s.actions[op.index];
      if (on === s.actions[op.index]) return s;
      const actions = s.actions.slice();
      actions[op.index] = on;
      const hunks = s.hunks.slice();
      const h = hunks[op.index];
      // Ticking an action back whose hunks were all unticked keeps all of them.
      if (on && h && !h.includes(true)) hunks[op.index] = h.map(() => true);
      return { actions, hunks };
    }
    case 'hunk': {
      const h = s.hunks[op.action];
      if (!h || op.hunk < 0 || op.hunk >= h.length) return s;
      const on = op.on ?? !h[op.hunk];
      if (on === h[op.hunk] && (s.actions[op.action] || !on)) return s;
      const next = h.slice();
      next[op.hunk] = on;
      const hunks = s.hunks.slice();
      hunks[op.action] = next;
      const actions = s.actions.slice();
      // No hunk left means the action is left out; a hunk ticked brings it back.
      if (!next.includes(true)) actions[op.action] = false;
      else if (on) actions[op.action] = true;
      return { actions, hunks };
    }
  }
}

export interface SelectionSummary {
  /** Everything is kept: a plain approval. */
  all: boolean;
  /** Nothing is kept: nothing to approve. */
  none: boolean;
  actionsKept: number;
  actionsTotal: number;
  /** Hunks kept and offered, over the kept actions whose hunks can be chosen. */
  hunksKept: number;
  hunksTotal: number;
  /** What ApproveSelection is sent. */
  selection: Selection;
}

export function summarize(s: SelectionState): SelectionSummary {
  const kept: number[] = [];
  const hunks: Selection['hunks'] = [];
  let hunksKept = 0;
  let hunksTotal = 0;
  let hunksAll = true;
  s.actions.forEach((on, i) => {
    if (!on) return;
    kept.push(i);
    const h = s.hunks[i];
    if (!h) return;
    const n = h.filter(Boolean).length;
    hunksKept += n;
    hunksTotal += h.length;
    if (n < h.length) {
      hunksAll = false;
      hunks.push({ action: i, keep: h.slice() });
    }
  });
  const actionsTotal = s.actions.length;
  return {
    all: kept.length === actionsTotal && hunksAll,
    none: kept.length === 0,
    actionsKept: kept.length,
    actionsTotal,
    hunksKept,
    hunksTotal,
    selection: { actions: kept, hunks },
  };
}

/** "Approve selected (2 of 3 actions)", or the plain "Approve". */
export function approveLabel(sum: SelectionSummary): string {
  if (sum.all) return 'Approve';
  if (sum.none) return 'Nothing selected';
  if (sum.actionsKept < sum.actionsTotal) {
    return `Approve selected (${sum.actionsKept} of ${sum.actionsTotal} actions)`;
  }
  return `Approve selected (${sum.hunksKept} of ${sum.hunksTotal} changes)`;
}
