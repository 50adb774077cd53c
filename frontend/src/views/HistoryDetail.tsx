import type { Action, ActionResult, PreviewAction, ProposalView } from '../api';
import { ActionCard, ActionsTruncated, AsSent } from '../components/actions';
import { Age } from '../components/Age';
import { DecidedBy } from '../components/DecidedBy';
import { DetailFrame } from '../components/DetailFrame';
import { DiffView } from '../components/preview/DiffView';
import { SheetPreview } from '../components/preview/SheetPreview';
import { Revealed } from '../components/Revealed';
import { ActionOutcome, ChangedPaths, outcomeStat } from '../components/Execution';
import { ProposalHead } from '../components/ProposalHead';
import { TokenBadge } from '../components/TokenBadge';
import { StatusBanner } from '../components/StatusBanner';
import { verdictLabel } from '../lib/labels';
import { clip } from '../lib/truncate';
import { useHistoryPreview, usePreview, useStores } from '../stores';
import { HistoryBar } from './HistoryBar';
import { HistoryEvents } from './HistoryEvents';

const MAX_ACTIONS = 200;

/** The selected history entry in full, with Undo and Redo under it. */
export function HistoryDetail() {
  const { historyDetail } = useStores();
  return (
    <DetailFrame
      store={historyDetail}
      label="History entry"
      placeholder="Select an entry to see what came of it."
      errorTitle="Could not load this entry."
      bar={<HistoryBar />}
    >
      {(view) => <Entry view={view} />}
    </DetailFrame>
  );
}

function Entry({ view }: { view: ProposalView }) {
  const p = view.proposal;
  const d = p.decision;
  const ex = view.execution;
  const decided = d && (
    <div>
      <dt>Decided</dt>
      <dd>
        {verdictLabel(d.verdict)}
        {d.decided_by && <DecidedBy by={d.decided_by} />}{' '}
        <Age at={d.decided_at} /> <TokenBadge token={view.token} long />
      </dd>
    </div>
  );
  return (
    <article className="proposal" aria-labelledby="proposal-title">
      <StatusBanner status={p.status} view={view} place="history" />
      <ProposalHead view={view} meta={decided} notUndoable={ex?.result?.not_undoable ?? view.not_undoable} />
      {ex?.in_flight && (
        <p className="preview-status" role="status">
          <span className="spinner" aria-hidden="true" /> Still running: this updates when it is done.
        </p>
      )}
      <HistoryEvents />
      {ex && <ChangedPaths execution={ex} undone={p.status === 'reverted'} />}
      <Actions actions={p.actions} results={ex?.result?.actions} />
    </article>
  );
}

/**
 * Each action as the agent asked for it, with its preview (what it changed,
 * or would change) and, once carried out, what it did.
 */
function Actions({ actions, results }: { actions: Action[]; results: ActionResult[] | undefined }) {
  const { historyPreview } = useStores();
  const preview = useHistoryPreview((s) => s.preview);
  const loading = useHistoryPreview((s) => s.loading);
  const error = useHistoryPreview((s) => s.error);
  const shown = actions.slice(0, MAX_ACTIONS);
  const byIndex = new Map((results ?? []).map((r) => [r.index, r]));
  const previews = new Map((preview?.actions ?? []).map((p) => [p.index, p]));
  return (
    <section
      className="actions"
      aria-labelledby="actions-title"
      data-preview={loading ? 'loading' : error ? 'error' : preview ? 'ready' : 'none'}
      data-basis={preview?.basis}
    >
      <div className="actions-head">
        <h2 id="actions-title">
          {actions.length === 1 ? '1 action' : `${actions.length} actions`}
          {results && results.length > 0 && <span className="muted"> · what each did</span>}
        </h2>
        {preview?.basis === 'now' && (
          <button
            type="button"
            className="btn btn-quiet btn-small"
            onClick={() => void historyPreview.getState().refresh()}
            title="Compute the preview again from the files as they are now"
          >
            ↻ Refresh preview
          </button>
        )}
      </div>
      {preview && (
        <p className="preview-basis muted" role="note">
          {preview.basis === 'recorded'
            ? 'Changes as approved: each file as it was before and after it was carried out, as recorded then.'
            : 'Nothing was carried out: each change is compared with the file as it is now.'}
        </p>
      )}
      {loading && (
        <p className="preview-status" role="status">
          <span className="spinner" aria-hidden="true" /> Preparing the preview…
        </p>
      )}
      {error && (
        <div className="preview-warning" role="alert">
          <strong>The preview could not be made:</strong> {clip(error.message, 500)}. Below is each action as the agent sent it.{' '}
          <button type="button" className="btn btn-small" onClick={() => void historyPreview.getState().refresh()}>
            Try again
          </button>
        </div>
      )}
      {shown.map((a, i) => (
        <ResultCard key={i} action={a} index={i} count={actions.length} r={byIndex.get(i)} p={previews.get(i)} />
      ))}
      <ActionsTruncated shown={shown.length} total={actions.length} />
    </section>
  );
}

function ResultCard({
  action,
  index,
  count,
  r,
  p,
}: {
  action: Action;
  index: number;
  count: number;
  r: ActionResult | undefined;
  p: PreviewAction | undefined;
}) {
  const shown = <PastActionPreview action={action} index={index} p={p} />;
  const hasPreview = p !== undefined && p.kind !== 'none';
  if (!r && !hasPreview) return <ActionCard action={action} index={index} count={count} />;
  const stat = r && <span className={r.error ? 'stat-error' : 'muted'}>{outcomeStat(r)}</span>;
  return (
    <ActionCard action={action} index={index} count={count} stat={stat}>
      {hasPreview && shown}
      {r && <ActionOutcome r={r} />}
      <AsSent action={action} title="As the agent asked" />
    </ActionCard>
  );
}

const diffKinds = new Set(['file.write', 'file.edit', 'file.delete']);

/** The diff or the spreadsheet change of one action, as the queue shows them (nothing to tick). */
function PastActionPreview({ action, index, p }: { action: Action; index: number; p: PreviewAction | undefined }) {
  const { preview, historyPreview } = useStores();
  const mode = usePreview((s) => s.mode);
  const cursor = useHistoryPreview((s) => s.cursors[index]) ?? NO_CURSOR;
  if (p?.kind === 'error') {
    return (
      <div className="preview-error" role="alert">
        <strong>No preview:</strong> <Revealed text={clip(p.error ?? '', 1000)} />
      </div>
    );
  }
  if ((p?.kind === 'text' || p?.kind === 'binary') && p.diff && diffKinds.has(action.kind)) {
    return <DiffView diff={p.diff} path={action.path} mode={mode} onMode={(m) => preview.getState().setMode(m)} keep={null} />;
  }
  if (p?.kind === 'sheet' && p.sheet) {
    const h = historyPreview.getState;
    return (
      <SheetPreview
        changes={p.sheet}
        cursor={cursor}
        onSheet={(s) => h().setSheet(index, s)}
        onChange={(c) => h().setChange(index, c)}
      />
    );
  }
  return null;
}

const NO_CURSOR = { sheet: 0, change: -1 };
