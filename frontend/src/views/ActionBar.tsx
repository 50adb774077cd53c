import { useEffect, useRef } from 'react';
import { DenyDialog } from '../components/DenyDialog';
import { DismissableError } from '../components/DismissableError';
import { approveLabel } from '../lib/selection';
import { canDecide } from '../stores/detail';
import { previewGate, previewProblems, selectionSummary } from '../stores/preview';
import { useDetail, usePaused, usePreview, useStores } from '../stores';
import { RememberRow } from './RememberRow';
import { LastDecision } from './StatusLine';

/** Approve and Deny for the selected proposal, and what came of the last decision. */
export function ActionBar() {
  const { detail, preview } = useStores();
  const deciding = useDetail((s) => s.deciding);
  const denyOpen = useDetail((s) => s.denyOpen);
  const confirmOpen = useDetail((s) => s.confirmOpen);
  const decisionError = useDetail((s) => s.decisionError);
  const rememberError = useDetail((s) => s.rememberError);
  const rememberOn = useDetail((s) => s.remember.on);
  const paused = usePaused();
  const enabled = useDetail(canDecide);
  const id = useDetail((s) => s.id);
  const previewId = usePreview((s) => s.id);
  const selection = usePreview((s) => s.selection);
  const sum = previewId === id && selection ? selectionSummary({ selection }) : null;
  const d = detail.getState;
  const label = sum ? approveLabel(sum) : 'Approve';
  const partial = sum !== null && !sum.all;

  return (
    <div className="action-bar">
      {rememberError && <DismissableError message={rememberError} onDismiss={() => d().dismissRememberError()} />}
      {decisionError && <DismissableError message={decisionError} onDismiss={() => d().dismissDecisionError()} />}
      {rememberOn && !confirmOpen && <RememberRow />}
      {denyOpen ? (
        <DenyDialog busy={deciding === 'deny'} onSubmit={(r) => void d().deny(r)} onCancel={() => d().closeDeny()} />
      ) : confirmOpen ? (
        <ConfirmApprove label={label} busy={deciding === 'approve'} />
      ) : (
        <div className="decide">
          <button
            type="button"
            className={`btn btn-primary${partial ? ' btn-partial' : ''}`}
            disabled={!enabled || sum?.none === true || paused}
            onClick={() => void d().approve()}
            aria-keyshortcuts="a"
            title={paused ? 'All agents are paused: resume them before approving anything' : undefined}
          >
            {deciding === 'approve' ? 'Approving…' : label}
            <kbd aria-hidden="true">a</kbd>
          </button>
          <button type="button" className="btn" disabled={!enabled} onClick={() => d().openDeny()} aria-keyshortcuts="d">
            Deny…
            <kbd aria-hidden="true">d</kbd>
          </button>
          <button
            type="button"
            className={`btn btn-quiet${rememberOn ? ' btn-on' : ''}`}
            disabled={!enabled && !rememberOn}
            aria-pressed={rememberOn}
            aria-controls={rememberOn ? 'remember-row' : undefined}
            aria-keyshortcuts="m"
            title="Save this decision as a rule, so that requests like it are decided the same way"
            onClick={() => d().toggleRemember()}
          >
            Remember
            <kbd aria-hidden="true">m</kbd>
          </button>
          {partial && (
            <button type="button" className="btn btn-quiet btn-small" onClick={() => preview.getState().select({ type: 'all', on: true })}>
              Select all
            </button>
          )}
          <LastDecision />
          <span className="hint hint-wide">
            <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>h</kbd> history · <kbd>?</kbd> all shortcuts
          </span>
        </div>
      )}
    </div>
  );
}

/** The extra step when the preview is missing, in whole or in part. */
function ConfirmApprove({ label, busy }: { label: string; busy: boolean }) {
  const { detail } = useStores();
  const id = useDetail((s) => s.id) ?? '';
  const reason = usePreview((s) => previewGate(s, id));
  const problems = usePreview((s) => s.actions);
  const missing = previewProblems({ actions: problems, error: null });
  const ref = useRef<HTMLButtonElement>(null);
  useEffect(() => ref.current?.focus(), []);
  const what =
    reason === 'loading'
      ? 'The preview is still being prepared.'
      : reason === 'error'
        ? 'No preview could be made for this request.'
        : missing.length === 1
          ? `The preview of action ${missing[0]! + 1} could not be made.`
          : `The previews of ${missing.length} actions could not be made.`;
  return (
    <div className="confirm-approve" role="alertdialog" aria-labelledby="confirm-approve-text">
      <p id="confirm-approve-text">
        <strong>{what}</strong> You have not seen everything it would change. Approve only if you know what it will do.
      </p>
      <div className="confirm-actions">
        <button
          type="button"
          ref={ref}
          className="btn btn-danger"
          disabled={busy}
          onClick={() => void detail.getState().approve(true)}
        >
          {busy ? 'Approving…' : reason === 'loading' ? `${label} without waiting` : `${label} without a preview`}
        </button>
        <button type="button" className="btn" onClick={() => detail.getState().closeConfirm()}>
          Cancel <kbd aria-hidden="true">Esc</kbd>
        </button>
      </div>
    </div>
  );
}
