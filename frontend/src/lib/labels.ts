// Words for the values the backend sends, in one place.
import type { ActionKind, PathState, RememberLifetime, RememberScope, Risk, Status, Verdict } from '../api';

const statusWords: Record<Status, string> = {
  pending: 'Pending',
  approved: 'Approved',
  denied: 'Denied',
  expired: 'Expired',
  withdrawn: 'Withdrawn',
  executing: 'Executing',
  executed: 'Executed',
  failed: 'Failed',
  reverted: 'Undone',
};

export function statusLabel(s: Status): string {
  return statusWords[s] ?? s;
}

const verdictWords: Record<Verdict, string> = {
  approve: 'Approved',
  'approve-edited': 'Approved after editing',
  'approve-part': 'Approved in part',
  deny: 'Denied',
};

export function verdictLabel(v: Verdict): string {
  return verdictWords[v] ?? v;
}

/** What happened to a path: "created", "deleted", "changed", "folder created"… */
export function pathChangeLabel(before: PathState, after: PathState): string {
  if (before === 'absent') return after === 'dir' ? 'folder created' : 'created';
  if (after === 'absent') return before === 'dir' ? 'folder deleted' : 'deleted';
  if (before !== after) return after === 'dir' ? 'replaced by a folder' : 'replaced by a file';
  return 'changed';
}

const riskWords: Record<Risk, string> = {
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  critical: 'Critical',
};

export function riskLabel(r: Risk): string {
  return riskWords[r] ?? r;
}

/** Short labels for the queue rows; the kind itself is the tooltip. */
const kindWords: Record<ActionKind, string> = {
  'file.write': 'write',
  'file.edit': 'edit',
  'file.delete': 'delete',
  'file.move': 'move',
  'dir.create': 'new folder',
  'sheet.update': 'sheet',
  'command.run': 'run',
  'net.request': 'network',
  'tool.call': 'tool',
};

export function kindLabel(kind: string): string {
  return (kindWords as Record<string, string>)[kind] ?? kind;
}

/** Longer titles for the detail pane. */
const kindTitles: Record<ActionKind, string> = {
  'file.write': 'Write file',
  'file.edit': 'Edit file',
  'file.delete': 'Delete file',
  'file.move': 'Move file',
  'dir.create': 'Create folder',
  'sheet.update': 'Update spreadsheet',
  'command.run': 'Run command',
  'net.request': 'Network request',
  'tool.call': 'Tool call',
};

export function kindTitle(kind: string): string {
  return (kindTitles as Record<string, string>)[kind] ?? `Unknown action (${kind})`;
}

/** Kinds whose effects reach beyond files the app can restore. */
export function isOutward(kind: string): boolean {
  return kind === 'command.run' || kind === 'net.request' || kind === 'tool.call';
}

/** "error. Rollback." from an execution result; undefined without an error. */
export function failureText(r: { error?: string; rollback?: string } | undefined): string | undefined {
  if (!r?.error) return undefined;
  const end = (t: string) => (/[.!?]$/.test(t) ? t : `${t}.`);
  return r.rollback ? `${end(r.error)} ${end(r.rollback.charAt(0).toUpperCase() + r.rollback.slice(1))}` : end(r.error);
}

/** decided_by of a decision a rule made starts with this (then the rule ids, or "pause"). */
export const RULE_DECIDER = 'rule:';

/**
 * Who decided, as the person reads it: "Paused" when every agent was paused,
 * "a rule" when a rule did, else the person's name. rule says it was not a
 * person.
 */
export function deciderLabel(by: string): { text: string; rule: boolean } {
  if (by === `${RULE_DECIDER}pause`) return { text: 'Paused', rule: true };
  if (by.startsWith(RULE_DECIDER)) return { text: 'a rule', rule: true };
  return { text: by, rule: false };
}

const scopeWords: Record<RememberScope, string> = {
  'this-file': 'This file',
  'this-folder': 'This folder',
  'this-agent': 'Anything from this agent',
  'this-kind': 'This kind of action, anywhere',
  'this-command-prefix': 'Commands starting like this one',
};

export function scopeLabel(s: RememberScope): string {
  return scopeWords[s] ?? s;
}

const lifetimeWords: Record<RememberLifetime, string> = {
  once: 'Once (the next request only)',
  '15m': 'For 15 minutes',
  '1h': 'For 1 hour',
  session: 'Until Countersign quits',
  'until-revoked': 'Until I revoke it',
};

export function lifetimeLabel(l: RememberLifetime): string {
  return lifetimeWords[l] ?? l;
}
