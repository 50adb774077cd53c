import type { ReactNode } from 'react';
import type { Summary } from '../api';
import { clip } from '../lib/truncate';
import { revealInline } from '../lib/visible';
import { Age } from './Age';
import { KindChips } from './KindChips';
import { Revealed } from './Revealed';
import { RiskBadge } from './RiskBadge';
import { rowDomId, type ListRowProps } from './VirtualList';

/**
 * One proposal as a list row: agent and age, summary, risk and kinds, and
 * whatever badge the list adds (the history's status).
 */
export function ProposalRow({ s, index, total, selected, onPick, badge }: Omit<ListRowProps, 'id'> & { s: Summary; badge?: ReactNode }) {
  const summary = revealInline(s.summary).text;
  const agent = revealInline(s.agent_id).text;
  return (
    <div
      id={rowDomId(s.id)}
      className={`row${selected ? ' row-selected' : ''} row-risk-${s.risk}`}
      role="option"
      aria-selected={selected}
      aria-posinset={index + 1}
      aria-setsize={total}
      onMouseDown={(e) => e.preventDefault()}
      onClick={() => onPick(s.id)}
    >
      <div className="row-top">
        <span className="row-agent" title={clip(agent, 1000)}>
          <Revealed text={clip(s.agent_id, 120)} inline />
        </span>
        <Age at={s.created_at} />
      </div>
      <div className="row-summary" title={clip(summary, 2000)}>
        <Revealed text={clip(s.summary, 300)} inline />
      </div>
      <div className="row-bottom">
        {badge}
        <RiskBadge risk={s.risk} />
        <KindChips kinds={s.kinds} count={s.action_count} />
      </div>
    </div>
  );
}
