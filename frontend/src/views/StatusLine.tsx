import { clip } from '../lib/truncate';
import { useDetail } from '../stores';

function useLastDecisionText(): { key: string; text: string } | null {
  const last = useDetail((s) => s.lastDecided);
  if (!last) return null;
  return { key: last.id, text: `${last.verb === 'approve' ? 'Approved' : 'Denied'}: ${clip(last.summary, 160)}` };
}

/** Announces each decision to screen readers. */
export function DecisionAnnouncer() {
  const last = useLastDecisionText();
  return (
    <div className="sr-only" role="status" aria-live="polite">
      {last?.text}
    </div>
  );
}

/** The last decision, at a glance, next to the buttons. */
export function LastDecision() {
  const last = useLastDecisionText();
  const verb = useDetail((s) => s.lastDecided?.verb);
  if (!last) return null;
  return (
    <span key={last.key} className={`last-decision last-decision-${verb}`} title={last.text} aria-hidden="true">
      <span className="last-decision-mark">{verb === 'approve' ? '✓' : '✕'}</span>
      {last.text}
    </span>
  );
}
