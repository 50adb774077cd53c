import type { ReactNode } from 'react';
import type { ProposalView } from '../api';
import { SNIPPET_CAPS, clip, truncate } from '../lib/truncate';
import { revealInline } from '../lib/visible';
import { Age } from './Age';
import { Revealed } from './Revealed';
import { RiskBadge } from './RiskBadge';
import { Value } from './Value';

const MAX_REASONS = 50;
const MAX_NOT_UNDOABLE = 50;

/**
 * The top of a proposal's details, in the queue and in the history alike:
 * its summary, who asks and where, the risk with its reasons, what could not
 * be undone, and why the agent asks. meta adds rows to the facts line.
 */
export function ProposalHead({
  view,
  meta,
  notUndoable,
  children,
}: {
  view: ProposalView;
  meta?: ReactNode;
  notUndoable: string[];
  /** Shown after the risk and undo warnings, before the rationale (the secret warning). */
  children?: ReactNode;
}) {
  const p = view.proposal;
  const rationale = p.rationale ? truncate(p.rationale, SNIPPET_CAPS) : null;
  const summary = revealInline(p.summary).text;
  return (
    <>
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
        {meta}
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

      {notUndoable.length > 0 && (
        <section className="undo-warning" aria-labelledby="undo-warning-title">
          <strong id="undo-warning-title">Cannot be undone:</strong>
          <ul>
            {notUndoable.slice(0, MAX_NOT_UNDOABLE).map((r, i) => (
              <li key={i}>
                <Revealed text={clip(r, 500)} />
              </li>
            ))}
          </ul>
          {notUndoable.length > MAX_NOT_UNDOABLE && (
            <p className="note" role="note">
              …and {(notUndoable.length - MAX_NOT_UNDOABLE).toLocaleString()} more.
            </p>
          )}
        </section>
      )}

      {children}

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
    </>
  );
}

function sentence(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
