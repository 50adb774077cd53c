import type { Status } from '../api';
import { statusLabel } from '../lib/labels';

/** A proposal's status as a small labelled badge (the word carries it; colour helps). */
export function StatusBadge({ status }: { status: Status }) {
  return <span className={`status status-${status}`}>{statusLabel(status)}</span>;
}
