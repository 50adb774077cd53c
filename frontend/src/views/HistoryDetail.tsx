import type { Action, ActionResult, ProposalView } from '../api';
import { ActionCard, ActionsTruncated, AsSent } from '../components/actions';
import { Age } from '../components/Age';
import { DecidedBy } from '../components/DecidedBy';
import { DetailFrame } from '../components/DetailFrame';
import { ActionOutcome, ChangedPaths, outcomeStat } from '../components/Execution';
import { ProposalHead } from '../components/ProposalHead';
import { TokenBadge } from '../components/TokenBadge';
import { StatusBanner } from '../components/StatusBanner';
import { verdictLabel } from '../lib/labels';
import { useStores } from '../stores';
import { HistoryBar } from './HistoryBar';
import { HistoryEvents } from './HistoryEvents';

const MAX_ACTIONS = 200;

/** The selected history entry in full, with Undo and Redo under it. */
export function HistoryDetail() {
  const { historyDetail } = useStores();
  return (
    <DetailFrame
      store={historyDetail}
      label="History entry"
      placeholder="Select an entry to see what came of it."
      errorTitle="Could not load this entry."
      bar={<HistoryBar />}
    >
      {(view) => <Entry view={view} />}
    </DetailFrame>
  );
}

function Entry({ view }: { view: ProposalView }) {
  const p = view.proposal;
  const d = p.decision;
  const ex = view.execution;
  const decided = d && (
    <div>
      <dt>Decided</dt>
      <dd>
        {verdictLabel(d.verdict)}
        {d.decided_by && <DecidedBy by={d.decided_by} />}{' '}
        <Age at={d.decided_at} /> <TokenBadge token={view.token} long />
      </dd>
    </div>
  );
  return (
    <article className="proposal" aria-labelledby="proposal-title">
      <StatusBanner status={p.status} view={view} place="history" />
      <ProposalHead view={view} meta={decided} notUndoable={ex?.result?.not_undoable ?? view.not_undoable} />
      {ex?.in_flight && (
        <p className="preview-status" role="status">
          <span className="spinner" aria-hidden="true" /> Still running: this updates when it is done.
        </p>
      )}
      <HistoryEvents />
      {ex && <ChangedPaths execution={ex} undone={p.status === 'reverted'} />}
      <Actions actions={p.actions} results={ex?.result?.actions} />
    </article>
  );
}

/** Each action as the agent asked for it and, once carried out, what it did. */
function Actions({ actions, results }: { actions: Action[]; results: ActionResult[] | undefined }) {
  const shown = actions.slice(0, MAX_ACTIONS);
  const byIndex = new Map((results ?? []).map((r) => [r.index, r]));
  return (
    <section className="actions" aria-labelledby="actions-title">
      <h2 id="actions-title">
        {actions.length === 1 ? '1 action' : `${actions.length} actions`}
        {results && results.length > 0 && <span className="muted"> · what each did</span>}
      </h2>
      {shown.map((a, i) => (
        <ResultCard key={i} action={a} index={i} count={actions.length} r={byIndex.get(i)} />
      ))}
      <ActionsTruncated shown={shown.length} total={actions.length} />
    </section>
  );
}

function ResultCard({ action, index, count, r }: { action: Action; index: number; count: number; r: ActionResult | undefined }) {
  if (!r) return <ActionCard action={action} index={index} count={count} />;
  const stat = <span className={r.error ? 'stat-error' : 'muted'}>{outcomeStat(r)}</span>;
  return (
    <ActionCard action={action} index={index} count={count} stat={stat}>
      <ActionOutcome r={r} />
      <AsSent action={action} title="As the agent asked" />
    </ActionCard>
  );
}
