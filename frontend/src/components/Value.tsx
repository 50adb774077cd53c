import { clip } from '../lib/truncate';
import { revealInline } from '../lib/visible';
import { Revealed } from './Revealed';

/**
 * A single-line, agent-supplied value (a path, a URL, an argument): hidden
 * characters shown as marked chips, long values clipped, the full value (up
 * to a bound) in the tooltip.
 */
export function Value({ text, className = 'value', max = 500 }: { text: string; className?: string; max?: number }) {
  const r = revealInline(text);
  return (
    <span className={`${className}${r.count > 0 ? ' has-hidden' : ''}`} title={clip(r.text, 4000)}>
      <Revealed text={clip(text, max)} inline />
    </span>
  );
}
