import { usePaused, useRules, useStores } from '../stores';

/** On every view while agents are paused: what that means, and Resume. */
export function PausedBanner() {
  const { rules } = useStores();
  const paused = usePaused();
  const busy = useRules((s) => s.busy);
  const error = useRules((s) => s.actionError);
  if (!paused) return null;
  return (
    <div className="key-banner key-banner-error paused-banner" role="status">
      <strong>All agents are paused.</strong>
      <span>New requests are refused and those waiting are held; nothing can be approved until you resume.</span>
      <button
        type="button"
        className="btn btn-small"
        disabled={busy !== null}
        onClick={() => void rules.getState().setPaused(false)}
      >
        {busy === 'resume' ? 'Resuming…' : 'Resume agents'}
      </button>
      {error && busy === null && <span className="key-banner-advice paused-error">{error}</span>}
    </div>
  );
}
