import type { ReactNode } from 'react';
import type { Summary } from '../api';
import { clip } from '../lib/truncate';
import { revealInline } from '../lib/visible';
import { Age } from './Age';
import { KindChips } from './KindChips';
import { Revealed } from './Revealed';
import { RiskBadge } from './RiskBadge';
import { rowDomId, type ListRowProps } from './VirtualList';

interface Props extends Omit<ListRowProps, 'id'> {
  s: Summary;
  /** Before the list's own badges (the history's status). */
  badge?: ReactNode;
  /** Said before the age, where the row is not about a request just made ("asked"). */
  agePrefix?: string;
  /** Which time the age counts from: when it was asked (the queue) or decided (the history). */
  ageOf?: 'created' | 'decided';
}

/** One proposal as a list row: agent and age, summary, risk and kinds. */
export function ProposalRow({ s, index, total, selected, onPick, badge, agePrefix, ageOf = 'created' }: Props) {
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
        <span className="row-age">
          {agePrefix && `${agePrefix} `}
          <Age at={ageOf === 'decided' && !s.decided_at.startsWith('0001-') ? s.decided_at : s.created_at} />
        </span>
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
