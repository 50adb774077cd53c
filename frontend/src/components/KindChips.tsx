import { isOutward, kindLabel } from '../lib/labels';

/** The kinds of action in a proposal, as compact labels. */
export function KindChips({ kinds, count }: { kinds: readonly string[]; count: number }) {
  const shown = kinds.slice(0, 4);
  const more = kinds.length - shown.length;
  return (
    <>
      <span className="kinds">
        {shown.map((k) => (
          <span key={k} className={`kind${isOutward(k) ? ' kind-outward' : ''}`} title={k}>
            {kindLabel(k)}
          </span>
        ))}
        {more > 0 && <span className="kind kind-more">+{more}</span>}
      </span>
      <span className="action-count">
        {count} {count === 1 ? 'action' : 'actions'}
      </span>
    </>
  );
}
