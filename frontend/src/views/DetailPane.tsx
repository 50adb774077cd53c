import type { ProposalView } from '../api';
import { Countdown } from '../components/Countdown';
import { DetailFrame } from '../components/DetailFrame';
import { ProposalHead } from '../components/ProposalHead';
import { SecretWarning } from '../components/SecretWarning';
import { StatusBanner } from '../components/StatusBanner';
import { useDetail, useInfo, useStores } from '../stores';
import { ActionBar } from './ActionBar';
import { ActionsSection } from './ActionsSection';

/** The selected proposal in full, with the decision bar under it. */
export function DetailPane() {
  const { detail } = useStores();
  return (
    <DetailFrame
      store={detail}
      label="Request details"
      placeholder="Select a request to see what it would do."
      errorTitle="Could not load this request."
      bar={<ActionBar />}
    >
      {(view) => <ProposalDetail view={view} />}
    </DetailFrame>
  );
}

function ProposalDetail({ view }: { view: ProposalView }) {
  const p = view.proposal;
  const status = useDetail((s) => s.liveStatus) ?? p.status;
  const paused = useInfo((s) => s.info?.paused === true);
  const expiry = (
    <div>
      <dt>Expiry</dt>
      <dd>
        {status !== 'pending' ? (
          <span className="muted">—</span>
        ) : paused ? (
          <span className="muted" title="Requests do not expire while agents are paused; the time held is added back when you resume">
            held while agents are paused
          </span>
        ) : (
          <Countdown at={p.expires_at} />
        )}
      </dd>
    </div>
  );
  return (
    <article className="proposal" aria-labelledby="proposal-title">
      {status !== 'pending' && <StatusBanner status={status} view={view} place="queue" />}
      <ProposalHead view={view} meta={expiry} notUndoable={view.execution?.result?.not_undoable ?? view.not_undoable}>
        <SecretWarning />
      </ProposalHead>
      <ActionsSection actions={p.actions} pending={status === 'pending'} />
    </article>
  );
}
