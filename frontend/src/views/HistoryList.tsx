import { memo, useCallback } from 'react';
import type { TimelineItem } from '../api';
import { MoreError } from '../components/ErrorBox';
import { ProposalRow } from '../components/ProposalRow';
import { StatusBadge } from '../components/StatusBadge';
import { TokenBadge } from '../components/TokenBadge';
import { VirtualList, type ListRowProps } from '../components/VirtualList';
import { useNow } from '../lib/clock';
import { dayLabel } from '../lib/historyModel';
import { parseTime } from '../lib/time';
import { useHistory, useStores } from '../stores';

const DAY_REFRESH_MS = 60_000;

/** The history, virtualized and windowed; the row after the last known one loads more. */
export function HistoryList() {
  const { history } = useStores();
  const ids = useHistory((s) => s.model.ids);
  const start = useHistory((s) => s.model.start);
  const length = useHistory((s) => s.model.length);
  const total = useHistory((s) => s.model.total);
  const end = useHistory((s) => s.model.end);
  const selectedId = useHistory((s) => s.selectedId);
  const moreError = useHistory((s) => s.moreError);
  const filtered = useHistory((s) => s.filtered);
  const byId = useHistory((s) => s.model.byId);
  const now = useNow(DAY_REFRESH_MS);
  // Rows are grouped by the day of what orders them: the decision, or when
  // filtered, the request.
  const groupOf = useCallback(
    (id: string) => {
      const s = byId.get(id);
      const ms = s && (parseTime(filtered ? s.created_at : s.decided_at) ?? parseTime(s.created_at));
      return ms === undefined ? '' : dayLabel(ms, now);
    },
    [byId, filtered, now],
  );

  return (
    <div className="queue history-list">
      <VirtualList
        ids={ids}
        start={start}
        // A failed page leaves no placeholder to retry from: the footer does.
        total={moreError ? length : total}
        counted={end}
        selectedId={selectedId}
        label={end ? `History, ${length.toLocaleString()} in all` : `History, ${length.toLocaleString()} loaded`}
        Row={Row}
        list={history.getState}
        groupOf={groupOf}
      />
      {moreError && <MoreError title="Could not load more of the history." error={moreError} onRetry={() => history.getState().retryMore()} />}
    </div>
  );
}

const Row = memo(function Row({ id, ...rest }: ListRowProps) {
  const s = useHistory((st) => st.model.byId.get(id));
  const filtered = useHistory((st) => st.filtered);
  if (!s) return null;
  // Timeline entries (filtered) carry their token's check; plain history rows do not.
  const token = (s as Partial<TimelineItem>).token;
  const badge = (
    <>
      <StatusBadge status={s.status} />
      {token && <TokenBadge token={token} />}
    </>
  );
  return filtered ? (
    <ProposalRow s={s} {...rest} badge={badge} />
  ) : (
    <ProposalRow s={s} {...rest} badge={badge} agePrefix="decided" ageOf="decided" />
  );
});
