import type { Risk } from '../api';
import { riskLabel } from '../lib/labels';

const marks: Record<Risk, string> = { low: '▪', medium: '▲', high: '◆', critical: '✖' };

/** Risk as colour, shape and word, so none of them is needed alone. */
export function RiskBadge({ risk, long = false }: { risk: Risk; long?: boolean }) {
  const label = riskLabel(risk);
  return (
    <span className={`risk risk-${risk}`} title={`${label} risk`}>
      <span className="risk-mark" aria-hidden="true">
        {marks[risk]}
      </span>
      {long ? `${label} risk` : label}
      {!long && <span className="sr-only"> risk</span>}
    </span>
  );
}
