import { statusLabel } from '../lib/labels';
import { clip } from '../lib/truncate';
import { useDetail } from '../stores';
import type { Decided } from '../stores/detail';

type Tone = 'approve' | 'deny' | 'running' | 'failed';

interface Line {
  key: string;
  text: string;
  tone: Tone;
  mark: string;
}

/** The last decision, what came of it once events tell, and the rule saved from it. */
function describe(last: Decided): Line {
  const line = outcome(last);
  if (!last.rule) return line;
  return { ...line, key: `${line.key}/rule`, text: `${line.text} · Rule saved: ${clip(last.rule, 300)}` };
}

function outcome(last: Decided): Line {
  const what = clip(last.summary, 160);
  const line = (text: string, tone: Tone, mark: string): Line => ({ key: `${last.id}/${last.status ?? ''}`, text, tone, mark });
  if (last.verb === 'deny') return line(`Denied: ${what}`, 'deny', '✕');
  switch (last.status) {
    case undefined:
    case 'approved':
      return line(`Approved: ${what}`, 'approve', '✓');
    case 'executing':
      return line(`Approved, being carried out: ${what}`, 'running', '…');
    case 'executed':
      return line(`Approved and carried out: ${what}`, 'approve', '✓');
    case 'failed':
      return line(`Approved, but it failed: ${what}${last.problem ? ` (${clip(last.problem, 300)})` : ''}`, 'failed', '✕');
    default:
      return line(`${statusLabel(last.status)}: ${what}`, 'approve', '✓');
  }
}

function useLastDecisionLine(): Line | null {
  const last = useDetail((s) => s.lastDecided);
  return last ? describe(last) : null;
}

/** Announces each decision, and what came of it, to screen readers. */
export function DecisionAnnouncer() {
  const last = useLastDecisionLine();
  return (
    <div className="sr-only" role="status" aria-live="polite">
      {last?.text}
    </div>
  );
}

/** The last decision, at a glance, next to the buttons. */
export function LastDecision() {
  const last = useLastDecisionLine();
  if (!last) return null;
  return (
    <span key={last.key} className={`last-decision last-decision-${last.tone}`} title={last.text} aria-hidden="true">
      <span className="last-decision-mark">{last.mark}</span>
      {last.text}
    </span>
  );
}
