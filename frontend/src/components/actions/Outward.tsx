import type { Action } from '../../api';
import { prettyJSON } from '../../lib/json';
import { SNIPPET_CAPS } from '../../lib/truncate';
import { CodeBlock } from '../CodeBlock';
import { Value } from '../Value';

export function NetRequest({ action }: { action: Action }) {
  return (
    <>
      <p className="request-line">
        <span className="method">{(action.method ?? 'GET').slice(0, 16)}</span>
        <Value text={action.url ?? ''} className="url" max={2000} />
      </p>
      {action.body !== undefined && action.body !== '' ? (
        <CodeBlock text={action.body} caps={SNIPPET_CAPS} label="Request body" />
      ) : (
        <p className="meta-line">No body.</p>
      )}
    </>
  );
}

export function ToolCall({ action }: { action: Action }) {
  return (
    <>
      <dl className="fields">
        <dt>Tool</dt>
        <dd>
          <Value text={action.tool ?? ''} className="mono" />
        </dd>
      </dl>
      <p className="meta-line">Input</p>
      <CodeBlock text={prettyJSON(action.input ?? null)} caps={SNIPPET_CAPS} label="Tool input" />
    </>
  );
}

/** A kind this UI does not know: show the raw action, bounded. */
export function UnknownAction({ action }: { action: Action }) {
  return (
    <>
      <p className="meta-line warn-text">This kind of action is not known to this version. Raw request:</p>
      <CodeBlock text={prettyJSON(action)} caps={SNIPPET_CAPS} label="Raw action" />
    </>
  );
}
