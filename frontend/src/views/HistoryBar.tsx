import { DismissableError } from '../components/DismissableError';
import { clip } from '../lib/truncate';
import { useHistoryDetail, useStores } from '../stores';
import { canRedo, canUndo, doneLabel, undoUnavailable } from '../stores/historyDetail';

const verbs = [
  { verb: 'undo', from: 'executed', label: 'Undo', busy: 'Undoing…', keys: 'u', kbd: 'u' },
  { verb: 'redo', from: 'reverted', label: 'Redo', busy: 'Redoing…', keys: 'Shift+R', kbd: '⇧R' },
] as const;

/** Undo and Redo for the selected history entry, and what came of the last one. */
export function HistoryBar() {
  const { historyDetail } = useStores();
  const busy = useHistoryDetail((s) => s.busy);
  const actionError = useHistoryDetail((s) => s.actionError);
  const undoOk = useHistoryDetail(canUndo);
  const redoOk = useHistoryDetail(canRedo);
  const status = useHistoryDetail((s) => s.view?.proposal.status);
  const inFlight = useHistoryDetail((s) => s.view?.execution?.in_flight === true);
  const lastDone = useHistoryDetail((s) => s.lastDone);
  const d = historyDetail.getState;
  const why = status ? undoUnavailable(status) : null;
  const done = lastDone && `${doneLabel(lastDone.verb)}: ${clip(lastDone.summary, 160)}`;

  return (
    <div className="action-bar" aria-busy={busy !== null}>
      {actionError && <DismissableError message={actionError} onDismiss={() => d().dismissError()} />}
      <div className="decide">
        {verbs.map((v) => (
          <button
            key={v.verb}
            type="button"
            className={`btn${status === v.from ? ' btn-primary' : ''}`}
            disabled={!(v.verb === 'undo' ? undoOk : redoOk)}
            onClick={() => void d()[v.verb]()}
            aria-keyshortcuts={v.keys}
          >
            {busy?.verb === v.verb ? v.busy : v.label}
            <kbd aria-hidden="true">{v.kbd}</kbd>
          </button>
        ))}
        {busy && <span className="spinner" aria-hidden="true" />}
        {!busy && why && <span className="bar-note">{why}</span>}
        {!busy && !why && inFlight && <span className="bar-note">Still running.</span>}
        <span className="last-decision last-decision-approve" role="status" title={done || undefined}>
          {done && (
            <>
              <span className="last-decision-mark" aria-hidden="true">
                ✓
              </span>
              {done}
            </>
          )}
        </span>
        <span className="hint hint-wide">
          <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>h</kbd> requests · <kbd>?</kbd> all shortcuts
        </span>
      </div>
    </div>
  );
}
