import type { Action } from '../../api';
import { clip } from '../../lib/truncate';
import { revealInline } from '../../lib/visible';
import { Revealed } from '../Revealed';
import { Value } from '../Value';

const MAX_ARGS = 200;
const MAX_ARG_CHARS = 2000;
const MAX_WRITES = 200;

/**
 * The exact argv, one box per argument: no shell runs it, so no quoting is
 * shown, and spaces inside an argument stay inside its box.
 */
export function CommandRun({ action }: { action: Action }) {
  const argv = action.argv ?? [];
  const shown = argv.slice(0, MAX_ARGS);
  const writes = action.writes ?? [];
  return (
    <>
      <ol className="argv" aria-label="Command and arguments, exactly as they will be passed">
        {shown.map((a, i) => {
          const r = revealInline(a);
          return (
            <li key={i} className={`arg${i === 0 ? ' arg-program' : ''}${r.count > 0 ? ' has-hidden' : ''}`}>
              <span className="arg-index" aria-hidden="true">
                {i}
              </span>
              <span className="arg-text" title={clip(r.text, 4000)}>
                {a === '' ? <span className="missing">(empty)</span> : <Revealed text={clip(a, MAX_ARG_CHARS)} inline />}
              </span>
            </li>
          );
        })}
      </ol>
      {argv.length === 0 && <p className="meta-line missing">No command given.</p>}
      {argv.length > shown.length && (
        <p className="note" role="note">
          Truncated: showing {shown.length} of {argv.length} arguments.
        </p>
      )}
      <dl className="fields">
        <dt>In folder</dt>
        <dd>{action.dir ? <Value text={action.dir} className="path" /> : <span className="missing">the workspace</span>}</dd>
        <dt>Time limit</dt>
        <dd>{action.timeout_sec ? `${action.timeout_sec} s` : <span className="missing">default</span>}</dd>
        <dt>May change</dt>
        <dd>
          {writes.length > 0 ? (
            <ul className="plain-list">
              {writes.slice(0, MAX_WRITES).map((w, i) => (
                <li key={i}>
                  <Value text={w} className="path" />
                </li>
              ))}
              {writes.length > MAX_WRITES && <li className="note">…and {writes.length - MAX_WRITES} more</li>}
            </ul>
          ) : (
            <span className="warn-text">Declares no files: what it does cannot be undone.</span>
          )}
        </dd>
      </dl>
    </>
  );
}
