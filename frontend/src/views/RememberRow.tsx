import { REMEMBER_LIFETIMES, REMEMBER_SCOPES, type RememberLifetime, type RememberScope } from '../api';
import { lifetimeLabel, scopeLabel } from '../lib/labels';
import { clip } from '../lib/truncate';
import { useDetail, useStores } from '../stores';

/** Recent requests listed under the preview; the count says how many in all. */
const MATCHES_SHOWN = 3;

/**
 * Remember: what the next decision on this request would be saved as (a
 * scope and a lifetime), the rule in plain words, and which recent requests
 * it would have decided. Saved only once the decision is recorded.
 */
export function RememberRow() {
  const { detail } = useStores();
  const remember = useDetail((s) => s.remember);
  const scopes = useDetail((s) => s.scopes);
  const shown = useDetail((s) => s.rememberShown);
  const denying = useDetail((s) => s.denyOpen);
  // The focus stays where it was: a and d still decide (a select would take
  // the letters as type-ahead, and "a" would pick "Anything from this agent").
  // Tab reaches the two choices.
  const known = Object.keys(scopes).length > 0;
  const preview = shown?.preview;
  const matches = preview?.matches ?? [];
  return (
    <section id="remember-row" className="remember" aria-label="Remember this decision">
      <div className="remember-choices">
        <label className="remember-field">
          <span>{denying ? 'Deny again' : 'Allow again'}</span>
          <select
            value={remember.scope}
            aria-label="What the rule covers"
            onChange={(e) => detail.getState().setRememberScope(e.target.value as RememberScope)}
          >
            {REMEMBER_SCOPES.map((sc) => {
              const why = scopes[sc];
              return (
                <option key={sc} value={sc} disabled={!!why}>
                  {scopeLabel(sc)}
                  {why ? ` (not for this request: ${clip(why, 90)})` : ''}
                </option>
              );
            })}
          </select>
        </label>
        <label className="remember-field">
          <span>for</span>
          <select
            value={remember.lifetime}
            aria-label="How long the rule lasts"
            onChange={(e) => detail.getState().setRememberLifetime(e.target.value as RememberLifetime)}
          >
            {REMEMBER_LIFETIMES.map((l) => (
              <option key={l} value={l}>
                {lifetimeLabel(l)}
              </option>
            ))}
          </select>
        </label>
        <span className="hint">Saved when you {denying ? 'deny' : 'approve or deny'} · <kbd>Tab</kbd> to change · <kbd>Esc</kbd> or <kbd>m</kbd> closes</span>
      </div>
      <div className="remember-preview" aria-live="polite">
        {!shown || shown.loading || !known ? (
          <span className="muted">Working out the rule…</span>
        ) : shown.error ? (
          <span className="remember-unavailable">Not available for this request: {clip(shown.error, 300)}</span>
        ) : preview ? (
          <>
            <p className="remember-rule">
              <span className={`badge badge-${preview.effect}`}>{preview.effect === 'allow' ? 'Allow' : 'Deny'}</span>{' '}
              {clip(preview.description, 400)}
            </p>
            <p className="muted remember-matches">
              {matches.length === 0
                ? 'It would not have decided any of your recent requests.'
                : `It would have decided ${matches.length === 1 ? '1' : matches.length.toLocaleString()} of your recent ${matches.length === 1 ? 'request' : 'requests'}:`}
            </p>
            {matches.length > 0 && (
              <ul className="remember-list">
                {matches.slice(0, MATCHES_SHOWN).map((m) => (
                  <li key={m.id}>
                    <span className="remember-agent">{clip(m.agent_id, 60)}</span> {clip(m.summary, 140)}
                  </li>
                ))}
                {matches.length > MATCHES_SHOWN && <li className="muted">and {matches.length - MATCHES_SHOWN} more</li>}
              </ul>
            )}
          </>
        ) : null}
      </div>
    </section>
  );
}
