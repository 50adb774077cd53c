import type { TokenCheck } from '../api';
import { clip } from '../lib/truncate';

/**
 * Whether the decision's signed intent token is genuine: "Signed" when it
 * verifies with Countersign's keys and states this proposal, a warning
 * when it does not, nothing before a decision.
 */
export function TokenBadge({ token, long = false }: { token: TokenCheck; long?: boolean }) {
  if (!token.present) return null;
  if (token.verified) {
    return (
      <span className="token-badge token-ok" title="The decision's intent token verifies with Countersign's keys">
        ✓ Signed{long && ' · token verified'}
      </span>
    );
  }
  return (
    <span className="token-badge token-bad" role={long ? 'alert' : undefined} title={clip(token.problem, 500)}>
      ✗ Token does not verify{long && token.problem && `: ${clip(token.problem, 300)}`}
    </span>
  );
}
