// What carrying out a proposal did: the paths it changed and, per action,
// what happened. Command output is agent-influenced content: it is shown as
// text only, in bounded, scrollable blocks that say when they were cut.
import type { ActionResult, ExecutionView } from '../api';
import { pathChangeLabel } from '../lib/labels';
import { clip, type Caps } from '../lib/truncate';
import { CodeBlock } from './CodeBlock';
import { Revealed } from './Revealed';
import { Value } from './Value';

/** Paths listed at most; the rest are counted. */
export const MAX_PATHS_SHOWN = 200;
/** Output shown per stream at most (the backend keeps 64 KiB). */
export const OUTPUT_CAPS: Caps = { maxLines: 1000, maxBytes: 64 * 1024 };

/** The paths an execution changed, with what happened to each. */
export function ChangedPaths({ execution, undone }: { execution: ExecutionView; undone: boolean }) {
  const shown = execution.paths.slice(0, MAX_PATHS_SHOWN);
  const more = execution.paths_total - shown.length;
  const n = execution.paths_total;
  return (
    <section className="changed-paths" aria-labelledby="changed-paths-title">
      <h2 id="changed-paths-title">
        {n === 0 ? 'No files changed' : n === 1 ? '1 path changed' : `${n.toLocaleString()} paths changed`}
        {undone && n > 0 && <span className="muted"> · since undone: they are back as they were</span>}
      </h2>
      {shown.length > 0 && (
        <ul className="path-list" tabIndex={0} aria-label="Paths changed">
          {shown.map((p, i) => {
            const what = pathChangeLabel(p.before, p.after);
            return (
              <li key={i}>
                <span className={`path-change path-change-${what.split(' ')[0]}`}>{what}</span>
                <Value text={p.path} className="path" max={400} />
              </li>
            );
          })}
        </ul>
      )}
      {more > 0 && (
        <p className="note" role="note">
          …and {more.toLocaleString()} more.
        </p>
      )}
    </section>
  );
}

/** "exit 0", "HTTP 201", "3 changed", "failed": an action's result at a glance. */
export function outcomeStat(r: ActionResult): string {
  if (r.error) return 'failed';
  if (r.exit_code !== undefined) return `exit ${r.exit_code}`;
  if (r.http_status !== undefined) return `HTTP ${r.http_status}`;
  if (r.changed > 0) return `${r.changed.toLocaleString()} changed`;
  return 'done';
}

function duration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** What one action did: its error, exit code, status, output. */
export function ActionOutcome({ r }: { r: ActionResult }) {
  const facts: string[] = [];
  if (r.exit_code !== undefined) facts.push(`Exit code ${r.exit_code}`);
  if (r.http_status !== undefined) facts.push(`HTTP status ${r.http_status}`);
  if (r.changed > 0) facts.push(r.changed === 1 ? '1 path changed' : `${r.changed.toLocaleString()} paths changed`);
  if (r.duration_ms !== undefined) facts.push(`took ${duration(r.duration_ms)}`);
  return (
    <div className="outcome">
      {r.error && (
        <div className="preview-error" role="alert">
          <strong>Failed:</strong> <Revealed text={clip(r.error, 2000)} />
        </div>
      )}
      {(facts.length > 0 || r.note) && (
        <p className="meta-line">
          {facts.join(' · ')}
          {r.note && (
            <>
              {facts.length > 0 && ' · '}
              <Revealed text={clip(r.note, 500)} />
            </>
          )}
        </p>
      )}
      {r.stdout !== undefined && <Output text={r.stdout} label={r.http_status !== undefined ? 'Response' : 'Output (stdout)'} index={r.index} />}
      {r.stderr !== undefined && <Output text={r.stderr} label="Errors (stderr)" index={r.index} />}
    </div>
  );
}

function Output({ text, label, index }: { text: string; label: string; index: number }) {
  return (
    <div className="output">
      <p className="meta-line">{label}</p>
      <CodeBlock text={text} caps={OUTPUT_CAPS} label={`Action ${index + 1}: ${label}`} />
    </div>
  );
}
