import { deciderLabel, RULE_DECIDER } from '../lib/labels';
import { clip } from '../lib/truncate';
import { Value } from './Value';

/**
 * After a verdict: " by alex", or, when no person decided, a mark saying a
 * rule did ("Decided by a rule", its ids in the tooltip) or that every agent
 * was paused ("Paused").
 */
export function DecidedBy({ by }: { by: string }) {
  const who = deciderLabel(by);
  if (!who.rule) {
    return (
      <>
        {' by '}
        <Value text={by} max={100} />
      </>
    );
  }
  const paused = who.text === 'Paused';
  return (
    <>
      {' '}
      <span
        className="badge badge-rule"
        title={paused ? 'Refused because every agent was paused' : `Rule ${clip(by.slice(RULE_DECIDER.length), 200)}`}
      >
        {paused ? 'Paused' : 'Decided by a rule'}
      </span>
    </>
  );
}
