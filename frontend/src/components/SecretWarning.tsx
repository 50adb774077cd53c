import type { Action, SecretFinding } from '../api';
import { clip } from '../lib/truncate';
import { useDetail, useSecrets } from '../stores';

/** Findings listed at most; the rest are counted. */
const MAX_LISTED = 20;

function verb(a: Action | undefined): string {
  switch (a?.kind) {
    case 'command.run':
      return 'runs a command with';
    case 'net.request':
      return 'sends';
    case 'tool.call':
      return 'passes to a tool';
    case undefined:
      return 'mentions';
    default:
      return 'writes';
  }
}

function sentence(f: SecretFinding, actions: readonly Action[]): string {
  const where = `${clip(f.field, 80)}, line ${f.line.toLocaleString()}`;
  if (f.action < 0) return `The ${clip(f.field, 80)} mentions ${f.description} (line ${f.line.toLocaleString()}).`;
  return `Action ${f.action + 1} ${verb(actions[f.action])} ${f.description} (${where}).`;
}

/**
 * Warns, in the detail pane, that the selected request would write, run or
 * send secrets or personal data ("Action 1 writes an AWS access key").
 */
export function SecretWarning() {
  const id = useDetail((s) => s.id);
  const actions = useDetail((s) => s.view?.proposal.actions ?? []);
  const scanId = useSecrets((s) => s.id);
  const scan = useSecrets((s) => s.scan);
  const error = useSecrets((s) => s.error);
  if (id === null || scanId !== id) return null;
  if (error) {
    return (
      <p className="note secret-unchecked" role="note">
        Could not check this request for secrets: {clip(error.message, 300)}
      </p>
    );
  }
  if (!scan) return null;
  const n = scan.findings.length;
  if (n === 0) {
    return scan.truncated ? (
      <p className="note" role="note">
        No secrets found in the part of this request that was checked; it was too long to check all of it.
      </p>
    ) : null;
  }
  return (
    <section className="secret-warning" aria-labelledby="secret-warning-title">
      <h2 id="secret-warning-title">
        {n === 1 ? 'This request contains a secret' : `This request contains ${n} secrets or pieces of personal data`}
      </h2>
      <ul>
        {scan.findings.slice(0, MAX_LISTED).map((f, i) => (
          <li key={i}>{sentence(f, actions)}</li>
        ))}
      </ul>
      {n > MAX_LISTED && <p className="note">And {(n - MAX_LISTED).toLocaleString()} more.</p>}
      {scan.truncated && <p className="note">Not all of it was checked.</p>}
      <p className="note">They are kept out of the audit log, but approving lets the agent use them.</p>
    </section>
  );
}
