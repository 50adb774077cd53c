import { DenyDialog } from '../components/DenyDialog';
import { canDecide } from '../stores/detail';
import { useDetail, useStores } from '../stores';
import { LastDecision } from './StatusLine';

/** Approve and Deny for the selected proposal, and what came of the last decision. */
export function ActionBar() {
  const { detail } = useStores();
  const deciding = useDetail((s) => s.deciding);
  const denyOpen = useDetail((s) => s.denyOpen);
  const decisionError = useDetail((s) => s.decisionError);
  const enabled = useDetail(canDecide);
  const d = detail.getState;

  return (
    <div className="action-bar">
      {decisionError && (
        <div className="decision-error" role="alert">
          <span>{decisionError}</span>
          <button type="button" className="btn btn-quiet" onClick={() => d().dismissDecisionError()} aria-label="Dismiss">
            ✕
          </button>
        </div>
      )}
      {denyOpen ? (
        <DenyDialog busy={deciding === 'deny'} onSubmit={(r) => void d().deny(r)} onCancel={() => d().closeDeny()} />
      ) : (
        <div className="decide">
          <button
            type="button"
            className="btn btn-primary"
            disabled={!enabled}
            onClick={() => void d().approve()}
            aria-keyshortcuts="a"
          >
            {deciding === 'approve' ? 'Approving…' : 'Approve'}
            <kbd aria-hidden="true">a</kbd>
          </button>
          <button type="button" className="btn" disabled={!enabled} onClick={() => d().openDeny()} aria-keyshortcuts="d">
            Deny…
            <kbd aria-hidden="true">d</kbd>
          </button>
          <LastDecision />
          <span className="hint hint-wide">
            <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>?</kbd> all shortcuts
          </span>
        </div>
      )}
    </div>
  );
}
