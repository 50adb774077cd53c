import { memo } from 'react';
import { MoreError } from '../components/ErrorBox';
import { ProposalRow } from '../components/ProposalRow';
import { VirtualList, type ListRowProps } from '../components/VirtualList';
import { useQueue, useStores } from '../stores';

/** The pending queue, virtualized: only the rows in view are in the DOM. */
export function QueueList() {
  const { queue } = useStores();
  const ids = useQueue((s) => s.model.ids);
  const total = useQueue((s) => s.model.total);
  const selectedId = useQueue((s) => s.selectedId);
  const moreError = useQueue((s) => s.moreError);

  return (
    <div className="queue">
      <VirtualList
        ids={ids}
        total={total}
        selectedId={selectedId}
        label={`Pending requests, ${total.toLocaleString()} in all`}
        Row={Row}
        list={queue.getState}
      />
      {total === 0 && <p className="queue-empty">No other requests waiting.</p>}
      {moreError && <MoreError title="Could not load more requests." error={moreError} onRetry={() => queue.getState().retryMore()} />}
    </div>
  );
}

const Row = memo(function Row({ id, ...rest }: ListRowProps) {
  const s = useQueue((st) => st.model.byId.get(id));
  return s ? <ProposalRow s={s} {...rest} /> : null;
});
