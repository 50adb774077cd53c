// Words for the values the backend sends, in one place.
import type { ActionKind, PathState, Risk, Status, Verdict } from '../api';

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
