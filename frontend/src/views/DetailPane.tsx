import { useEffect, useRef } from 'react';
import type { ProposalView, Status } from '../api';
import { Age } from '../components/Age';
import { Countdown } from '../components/Countdown';
import { ErrorBox } from '../components/ErrorBox';
import { RiskBadge } from '../components/RiskBadge';
import { SecretWarning } from '../components/SecretWarning';
import { Value } from '../components/Value';
import { statusLabel } from '../lib/labels';
import { SNIPPET_CAPS, clip, truncate } from '../lib/truncate';
import { revealInline } from '../lib/visible';
import { Revealed } from '../components/Revealed';
import { useDetail, useStores } from '../stores';
import { ActionBar } from './ActionBar';
import { ActionsSection } from './ActionsSection';

const MAX_REASONS = 50;

/** The selected proposal in full, with the decision bar under it. */
export function DetailPane() {
  const { detail } = useStores();
  const id = useDetail((s) => s.id);
  const view = useDetail((s) => s.view);
  const loading = useDetail((s) => s.loading);
  const error = useDetail((s) => s.error);
  const liveStatus = useDetail((s) => s.liveStatus);
  const scrollRef = useRef<HTMLDivElement>(null);

  // A new proposal starts at its top.
  useEffect(() => {
    if (scrollRef.current) scrollRef.current.scrollTop = 0;
  }, [id]);

  let body;
  if (id === null) {
    body = <p className="detail-placeholder">Select a request to see what it would do.</p>;
  } else if (error) {
    body = <ErrorBox title="Could not load this request." error={error} onRetry={() => void detail.getState().retry()} />;
  } else if (!view || loading) {
    body = (
      <div className="detail-loading" role="status">
        <span className="skeleton skeleton-title" />
        <span className="skeleton skeleton-wide" />
        <span className="skeleton" />
        <span className="sr-only">Loading request…</span>
      </div>
    );
  } else {
    body = <ProposalDetail view={view} status={liveStatus ?? view.proposal.status} />;
  }

  return (
    <section className="detail" aria-label="Request details">
      <div className="detail-scroll" ref={scrollRef} tabIndex={0} aria-label="Request details, scrollable">
        {body}
      </div>
      {view && !loading && !error && <ActionBar />}
    </section>
  );
}

const explanations: Partial<Record<Status, string>> = {
  expired: 'Nobody decided in time, so it will not run. The agent can ask again.',
  withdrawn: 'The agent took this request back.',
  approved: 'It was approved elsewhere.',
  denied: 'It was denied elsewhere.',
};

function StatusBanner({ status, view }: { status: Status; view: ProposalView }) {
  const d = view.proposal.decision;
  return (
    <div className={`banner banner-${status}`} role="status">
      <strong>{statusLabel(status)}</strong>
      <span>
        {explanations[status] ?? 'This request is no longer waiting for a decision.'}
        {d?.decided_by && ` Decided by ${clip(d.decided_by, 100)}.`}
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

function ProposalDetail({ view, status }: { view: ProposalView; status: Status }) {
  const p = view.proposal;
  const rationale = p.rationale ? truncate(p.rationale, SNIPPET_CAPS) : null;
  const summary = revealInline(p.summary).text;
  return (
    <article className="proposal" aria-labelledby="proposal-title">
      {status !== 'pending' && <StatusBanner status={status} view={view} />}
      <h1 id="proposal-title" className="proposal-title" title={clip(summary, 4000)}>
        <Revealed text={clip(p.summary, 600)} inline />
      </h1>
      <dl className="proposal-meta">
        <div>
          <dt>Agent</dt>
          <dd>
            <Value text={p.agent_id} className="mono" max={200} />
          </dd>
        </div>
        {p.workspace && (
          <div>
            <dt>Workspace</dt>
            <dd>
              <Value text={p.workspace} className="path" max={300} />
            </dd>
          </div>
        )}
        <div>
          <dt>Asked</dt>
          <dd>
            <Age at={p.created_at} />
          </dd>
        </div>
        <div>
          <dt>Expiry</dt>
          <dd>{status === 'pending' ? <Countdown at={p.expires_at} /> : <span className="muted">—</span>}</dd>
        </div>
      </dl>

      <section className={`risk-box risk-box-${p.risk}`} aria-label="Risk">
        <RiskBadge risk={p.risk} long />
        {view.risk_reasons.length > 0 ? (
          <ul className="risk-reasons">
            {view.risk_reasons.slice(0, MAX_REASONS).map((r, i) => (
              <li key={i}>{sentence(clip(r, 500))}</li>
            ))}
          </ul>
        ) : (
          <span className="muted">No particular concerns found.</span>
        )}
      </section>

      <SecretWarning />

      {rationale && (
        <section className="rationale" aria-labelledby="rationale-title">
          <h2 id="rationale-title">Why the agent asks</h2>
          <p className="rationale-text" tabIndex={0}>
            <Revealed text={rationale.text} />
          </p>
          {rationale.truncated && (
            <p className="note" role="note">
              Truncated: showing {rationale.shownLines.toLocaleString()} of {rationale.totalLines.toLocaleString()} lines.
            </p>
          )}
        </section>
      )}

      <ActionsSection actions={p.actions} pending={status === 'pending'} />
    </article>
  );
}

function sentence(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
