import { memo } from 'react';
import { MoreError } from '../components/ErrorBox';
import { ProposalRow } from '../components/ProposalRow';
import { StatusBadge } from '../components/StatusBadge';
import { VirtualList, type ListRowProps } from '../components/VirtualList';
import { useHistory, useStores } from '../stores';

/** The history, virtualized; the row after the last loaded one loads more. */
export function HistoryList() {
  const { history } = useStores();
  const ids = useHistory((s) => s.model.ids);
  const total = useHistory((s) => s.model.total);
  const end = useHistory((s) => s.model.end);
  const selectedId = useHistory((s) => s.selectedId);
  const moreError = useHistory((s) => s.moreError);

  return (
    <div className="queue history-list">
      <VirtualList
        ids={ids}
        // A failed page leaves no placeholder to retry from: the footer does.
        total={moreError ? ids.length : total}
        counted={end}
        selectedId={selectedId}
        label={end ? `History, ${ids.length.toLocaleString()} in all` : `History, ${ids.length.toLocaleString()} loaded`}
        Row={Row}
        list={history.getState}
      />
      {moreError && <MoreError title="Could not load more of the history." error={moreError} onRetry={() => history.getState().retryMore()} />}
    </div>
  );
}

const Row = memo(function Row({ id, ...rest }: ListRowProps) {
  const s = useHistory((st) => st.model.byId.get(id));
  return s ? <ProposalRow s={s} {...rest} badge={<StatusBadge status={s.status} />} agePrefix="decided" ageOf="decided" /> : null;
});
