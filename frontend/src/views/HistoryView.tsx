import { useEffect } from 'react';
import { ConflictDialog } from '../components/ConflictDialog';
import { ErrorBox } from '../components/ErrorBox';
import { Loading } from '../components/Loading';
import { useHistory, useHistoryDetail, useStores } from '../stores';
import { HistoryDetail } from './HistoryDetail';
import { HistoryFilters } from './HistoryFilters';
import { HistoryList } from './HistoryList';

/** What was decided, most recent first, with what came of it, and undo and redo. */
export function HistoryView() {
  const { history, historyDetail } = useStores();
  const conflicts = useHistoryDetail((s) => s.conflicts);
  const busy = useHistoryDetail((s) => s.busy);

  useEffect(() => {
    history.getState().show();
  }, [history]);

  const d = historyDetail.getState;
  return (
    <div className="history-view">
      <HistoryFilters />
      <HistoryMain />
      {conflicts && (
        <ConflictDialog
          verb={conflicts.verb}
          summary={conflicts.summary}
          conflicts={conflicts.conflicts}
          busy={busy !== null}
          onOverwrite={() => void d().overwrite()}
          onCancel={() => d().cancelConflicts()}
        />
      )}
    </div>
  );
}

function HistoryMain() {
  const { history } = useStores();
  const phase = useHistory((s) => s.phase);
  const error = useHistory((s) => s.error);
  const count = useHistory((s) => s.model.length);
  const filtered = useHistory((s) => s.filtered);
  if (phase === 'error' && error) {
    return (
      <div className="center">
        <ErrorBox title="Could not load the history." error={error} onRetry={() => void history.getState().start()} />
      </div>
    );
  }
  if (phase !== 'ready') return <Loading what="Loading the history…" />;
  if (count > 0) {
    return (
      <div className="panes">
        <HistoryList />
        <HistoryDetail />
      </div>
    );
  }
  if (filtered) {
    return (
      <div className="empty-state" role="status">
        <h2>No matches</h2>
        <p>Nothing in the history matches these filters. Searches find whole words (end one with * for a prefix).</p>
        <button type="button" className="btn" onClick={() => history.getState().clearFilters()}>
          Clear filters
        </button>
      </div>
    );
  }
  return (
    <div className="empty-state" role="status">
      <svg viewBox="0 0 48 48" width="48" height="48" aria-hidden="true" focusable="false">
        <circle cx="24" cy="24" r="18" fill="none" stroke="currentColor" strokeWidth="2.5" />
        <path d="M24 14v11l7 4" fill="none" stroke="currentColor" strokeWidth="3" strokeLinecap="round" strokeLinejoin="round" />
      </svg>
      <h2>Nothing decided yet</h2>
      <p>Requests you approve or deny, and those that expire or are withdrawn, are listed here with what came of them.</p>
    </div>
  );
}
