import { useInfo } from '../stores';

/**
 * Says plainly when decisions cannot be signed (and so are disabled), or when
 * the signing key is kept in a file instead of the OS keyring.
 */
export function KeyBanner() {
  const keys = useInfo((s) => s.info?.keys);
  const gateway = useInfo((s) => s.info?.gateway);
  if (!keys) return null;
  if (gateway) {
    return (
      <div className="key-banner key-banner-error" role="alert">
        <strong>Agents cannot reach Countersign.</strong>
        <span>{gateway}</span>
        <span className="key-banner-advice">What is already queued can still be reviewed and decided.</span>
      </div>
    );
  }
  if (!keys.ok) {
    return (
      <div className="key-banner key-banner-error" role="alert">
        <strong>Decisions are disabled: Countersign cannot use its signing key.</strong>
        <span>{keys.problem}</span>
        {keys.advice && <span className="key-banner-advice">{keys.advice}</span>}
      </div>
    );
  }
  if (keys.weak) {
    return (
      <div className="key-banner key-banner-warn" role="status">
        <strong>The signing key is kept in a file (--keystore file).</strong>
        <span>That is weaker than the OS keyring: any program running as you can read it.</span>
      </div>
    );
  }
  return null;
}
