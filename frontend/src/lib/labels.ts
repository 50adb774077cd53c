// Words for the values the backend sends, in one place.
import type { ActionKind, Risk, Status } from '../api';

const statusWords: Record<Status, string> = {
  pending: 'Pending',
  approved: 'Approved',
  denied: 'Denied',
  expired: 'Expired',
  withdrawn: 'Withdrawn',
  executing: 'Executing',
  executed: 'Executed',
  failed: 'Failed',
  reverted: 'Reverted',
};

export function statusLabel(s: Status): string {
  return statusWords[s] ?? s;
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
