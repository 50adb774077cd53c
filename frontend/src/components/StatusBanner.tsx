import type { ProposalView, Status } from '../api';
import { deciderLabel, failureText, statusLabel } from '../lib/labels';
import { clip } from '../lib/truncate';
import { Revealed } from './Revealed';

/** Where the banner stands: the queue (someone else decided) or the history. */
export type BannerPlace = 'queue' | 'history';

const decidedElsewhere: Partial<Record<Status, string>> = {
  approved: 'It was approved elsewhere; Countersign carries it out next.',
  denied: 'It was denied elsewhere.',
};

const plain: Partial<Record<Status, string>> = {
  approved: 'Approved; Countersign carries it out next.',
  denied: 'Denied; the agent was told.',
  expired: 'Nobody decided in time, so it will not run. The agent can ask again.',
  withdrawn: 'The agent took this request back.',
  executing: 'Approved; Countersign is carrying it out now.',
  reverted: 'It was carried out, then undone: what it changed is back as it was before.',
};

function explanation(status: Status, view: ProposalView, place: BannerPlace): string {
  const r = view.execution?.result;
  if (status === 'executed') {
    const how = r?.agent_runs
      ? 'Approved; the agent carries it out itself. Countersign recorded the files as they were, for undo.'
      : 'Approved and carried out.';
    return r?.recovered ? `${how} Countersign stopped part-way and finished it when it started again.` : how;
  }
  if (status === 'failed') {
    const why = failureText(r);
    const stale = r?.stale ? ' A file changed after it was reviewed; the agent has to ask again.' : '';
    return `Approved, but it could not be carried out${why ? `: ${why}` : '.'}${stale}`;
  }
  return (place === 'queue' ? decidedElsewhere[status] : undefined) ?? plain[status] ?? 'This request is no longer waiting for a decision.';
}

/** Who decided, as a sentence: a person, a rule, or the pause. */
function decidedBySentence(by: string): string {
  const who = deciderLabel(by);
  if (!who.rule) return `Decided by ${clip(by, 100)}.`;
  return who.text === 'Paused' ? 'Refused because every agent was paused.' : 'Decided by a rule.';
}

/**
 * What became of a proposal that left pending: its status in a word, what
 * that means (with the error and the rollback when it failed), who decided
 * and why.
 */
export function StatusBanner({ status, view, place }: { status: Status; view: ProposalView; place: BannerPlace }) {
  const d = view.proposal.decision;
  return (
    <div className={`banner banner-${status}`} role="status">
      <strong>{statusLabel(status)}</strong>
      <span className="banner-text">
        <Revealed text={clip(explanation(status, view, place), 1500)} />
        {d?.decided_by && ` ${decidedBySentence(d.decided_by)}`}
        {d?.reason && (
          <>
            {' '}
            Reason: <q>{clip(d.reason, 500)}</q>
          </>
        )}
      </span>
    </div>
  );
}
