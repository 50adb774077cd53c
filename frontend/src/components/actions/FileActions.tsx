import type { Action } from '../../api';
import { CONTENT_CAPS, SNIPPET_CAPS, formatBytes, utf8Length } from '../../lib/truncate';
import { CodeBlock } from '../CodeBlock';
import { Value } from '../Value';

const MAX_EDITS = 100;

export function FileWrite({ action }: { action: Action }) {
  const content = action.content ?? '';
  return (
    <>
      <Target label="File" path={action.path} />
      <p className="meta-line">New content · {formatBytes(utf8Length(content))}</p>
      <CodeBlock text={content} caps={CONTENT_CAPS} label={`Content to write to ${action.path ?? 'the file'}`} />
    </>
  );
}

export function FileEdit({ action }: { action: Action }) {
  const edits = action.edits ?? [];
  const shown = edits.slice(0, MAX_EDITS);
  return (
    <>
      <Target label="File" path={action.path} />
      {edits.length === 0 && <p className="meta-line">No replacements listed.</p>}
      <ol className="edits">
        {shown.map((e, i) => (
          <li key={i} className="edit">
            <p className="meta-line">
              Replacement {i + 1} of {edits.length}
              {e.replace_all && <span className="tag">every occurrence</span>}
            </p>
            <div className="edit-pair">
              <CodeBlock text={e.old} caps={SNIPPET_CAPS} tone="del" label={`Replacement ${i + 1}: text removed`} />
              <CodeBlock text={e.new} caps={SNIPPET_CAPS} tone="add" label={`Replacement ${i + 1}: text added`} />
            </div>
          </li>
        ))}
      </ol>
      {edits.length > shown.length && (
        <p className="note" role="note">
          Truncated: showing {shown.length} of {edits.length} replacements.
        </p>
      )}
    </>
  );
}

export function FileDelete({ action }: { action: Action }) {
  return <Target label="Delete" path={action.path} tone="danger" />;
}

export function FileMove({ action }: { action: Action }) {
  return (
    <dl className="fields">
      <dt>From</dt>
      <dd>
        <Value text={action.path ?? ''} className="path" />
      </dd>
      <dt>To</dt>
      <dd>
        <Value text={action.to ?? ''} className="path" />
      </dd>
    </dl>
  );
}

export function DirCreate({ action }: { action: Action }) {
  return <Target label="Folder" path={action.path} />;
}

export function Target({ label, path, tone }: { label: string; path: string | undefined; tone?: 'danger' }) {
  return (
    <dl className={`fields${tone ? ` fields-${tone}` : ''}`}>
      <dt>{label}</dt>
      <dd>{path ? <Value text={path} className="path" /> : <span className="missing">(no path)</span>}</dd>
    </dl>
  );
}
