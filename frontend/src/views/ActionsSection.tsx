// The actions of the selected proposal with their previews: a file list when
// there are several, a diff or a spreadsheet view per action (the plain
// renderer while the preview loads or when it fails), and the ticks of a
// partial approval. Reads the preview store and dispatches to it.
import { useMemo } from 'react';
import type { Action, PreviewAction } from '../api';
import { ActionCard, ActionsTruncated, actionTarget, AsSent, PlainAction } from '../components/actions';
import { DiffView, type LinesSource } from '../components/preview/DiffView';
import { SheetPreview, type GridSource } from '../components/preview/SheetPreview';
import { Revealed } from '../components/Revealed';
import { kindTitle } from '../lib/labels';
import { clip } from '../lib/truncate';
import { usePreview, useStores } from '../stores';
import { COLLAPSE_OVER, gridKey, hunksSelectable, linesKey, previewProblems } from '../stores/preview';

const MAX_ACTIONS = 200;

export function ActionsSection({ actions, pending }: { actions: Action[]; pending: boolean }) {
  const { preview } = useStores();
  const previews = usePreview((s) => s.actions);
  const loading = usePreview((s) => s.loading);
  const error = usePreview((s) => s.error);
  const selection = usePreview((s) => s.selection);
  const expanded = usePreview((s) => s.expanded);
  const problems = useMemo(() => previewProblems({ actions: previews, error: null }), [previews]);
  const shown = actions.slice(0, MAX_ACTIONS);
  const byIndex = useMemo(() => {
    const m = new Map<number, PreviewAction>();
    for (const p of previews ?? []) m.set(p.index, p);
    return m;
  }, [previews]);
  const collapsible = actions.length > COLLAPSE_OVER;
  const isOpen = (i: number) => expanded[i] ?? !collapsible;
  const ticks = pending && actions.length > 1 && selection !== null;
  const p = preview.getState;

  const open = (i: number) => {
    p().setExpanded(i, true);
    requestAnimationFrame(() => document.getElementById(`action-${i}`)?.scrollIntoView?.({ block: 'start' }));
  };

  return (
    <section
      className="actions"
      aria-labelledby="actions-title"
      data-preview={loading ? 'loading' : error ? 'error' : previews ? 'ready' : 'none'}
    >
      <div className="actions-head">
        <h2 id="actions-title">
          {actions.length === 1 ? '1 action' : `${actions.length} actions`}
          <span className="muted"> · all run together, in this order, or none do</span>
        </h2>
        {previews && (
          <button
            type="button"
            className="btn btn-quiet btn-small"
            onClick={() => void p().refresh()}
            title="Compute the preview again from the files as they are now"
          >
            ↻ Refresh preview
          </button>
        )}
      </div>
      {loading && (
        <p className="preview-status" role="status">
          <span className="spinner" aria-hidden="true" /> Preparing the preview from the files as they are now…
        </p>
      )}
      {error && (
        <div className="preview-warning" role="alert">
          <strong>The preview could not be made:</strong> {clip(error.message, 500)}. Below is the request as the agent
          sent it; approving will ask you to confirm.{' '}
          <button type="button" className="btn btn-small" onClick={() => void p().refresh()}>
            Try again
          </button>
        </div>
      )}
      {problems.length > 0 && (
        <div className="preview-warning" role="alert">
          <strong>
            {problems.length === 1
              ? `The preview of action ${problems[0]! + 1} could not be made.`
              : `The previews of ${problems.length} actions (${problems.map((i) => i + 1).join(', ')}) could not be made.`}
          </strong>{' '}
          What it would change is not shown below, so approving asks you to confirm.
        </div>
      )}
      {actions.length > 1 && (
        <FileList
          actions={shown}
          previews={byIndex}
          kept={ticks ? selection.actions : null}
          onToggle={(i) => p().select({ type: 'action', index: i })}
          onOpen={open}
        />
      )}
      {shown.map((a, i) => {
        const pv = byIndex.get(i);
        const collapsed = collapsible ? !isOpen(i) : undefined;
        return (
          <ActionCard
            key={i}
            action={a}
            index={i}
            count={actions.length}
            kept={ticks ? { checked: selection.actions[i] ?? true, onToggle: () => p().select({ type: 'action', index: i }) } : undefined}
            collapsed={collapsed}
            onToggleCollapsed={() => p().setExpanded(i, !isOpen(i))}
            stat={pv && (collapsed || pv.kind === 'error') ? <Stat p={pv} /> : undefined}
          >
            {collapsed ? null : <ActionPreview action={a} index={i} p={pv} pending={pending} excluded={ticks && selection.actions[i] === false} />}
          </ActionCard>
        );
      })}
      <ActionsTruncated shown={shown.length} total={actions.length} />
    </section>
  );
}

/** "+3 −1", "5 cells", "binary", "no preview". */
function Stat({ p }: { p: PreviewAction }) {
  if (p.kind === 'error') return <span className="stat-error">no preview</span>;
  if (p.kind === 'binary') return <span className="muted">binary</span>;
  if (p.kind === 'text' && p.diff)
    return (
      <>
        <span className="count-add">+{p.diff.added.toLocaleString()}</span>{' '}
        <span className="count-del">−{p.diff.deleted.toLocaleString()}</span>
      </>
    );
  if (p.kind === 'sheet' && p.sheet) {
    const n = p.sheet.totals.cells;
    return <span className="muted">{`${n.toLocaleString()} ${n === 1 ? 'cell' : 'cells'}`}</span>;
  }
  return null;
}

function FileList({
  actions,
  previews,
  kept,
  onToggle,
  onOpen,
}: {
  actions: Action[];
  previews: Map<number, PreviewAction>;
  kept: boolean[] | null;
  onToggle: (i: number) => void;
  onOpen: (i: number) => void;
}) {
  return (
    <div className="file-list">
      <ol aria-label="What each action touches">
        {actions.map((a, i) => {
          const pv = previews.get(i);
          const target = actionTarget(a);
          return (
            <li key={i} className={kept && kept[i] === false ? 'file-off' : undefined}>
              {kept && (
                <input
                  type="checkbox"
                  checked={kept[i] ?? true}
                  onChange={() => onToggle(i)}
                  aria-label={`Keep action ${i + 1}: ${kindTitle(a.kind)} ${clip(target, 100)}`}
                />
              )}
              <span className="file-no">{i + 1}</span>
              <span className="file-kind">{kindTitle(a.kind)}</span>
              <button type="button" className="link file-target" onClick={() => onOpen(i)} title={clip(target, 2000)}>
                {target ? <Revealed text={clip(target, 200)} inline /> : <span className="missing">(no target)</span>}
              </button>
              <span className="file-stat">{pv && <Stat p={pv} />}</span>
            </li>
          );
        })}
      </ol>
    </div>
  );
}

const diffKinds = new Set(['file.write', 'file.edit', 'file.delete']);

function ActionPreview({
  action,
  index,
  p,
  pending,
  excluded,
}: {
  action: Action;
  index: number;
  p: PreviewAction | undefined;
  pending: boolean;
  excluded: boolean;
}) {
  if (p?.kind === 'error') {
    return (
      <>
        <div className="preview-error" role="alert">
          <strong>No preview:</strong> <Revealed text={clip(p.error ?? '', 1000)} />
        </div>
        <PlainAction action={action} />
      </>
    );
  }
  if ((p?.kind === 'text' || p?.kind === 'binary') && p.diff && diffKinds.has(action.kind)) {
    return <ConnectedDiff action={action} index={index} p={p} pending={pending} excluded={excluded} />;
  }
  if (p?.kind === 'sheet' && p.sheet) {
    return (
      <>
        <ConnectedSheet action={action} index={index} p={p} />
        {action.kind === 'sheet.update' && <AsSent action={action} title="Cells as the agent sent them" />}
      </>
    );
  }
  return <PlainAction action={action} />;
}

function ConnectedDiff({
  action,
  index,
  p,
  pending,
  excluded,
}: {
  action: Action;
  index: number;
  p: PreviewAction;
  pending: boolean;
  excluded: boolean;
}) {
  const { preview } = useStores();
  const mode = usePreview((s) => s.mode);
  const keep = usePreview((s) => (pending && hunksSelectable(p) ? (s.selection?.hunks[index] ?? null) : null));
  const id = usePreview((s) => s.id);
  const lines = usePreview((s) => s.lines);
  const source = useMemo<LinesSource | undefined>(
    () =>
      id
        ? {
            slot: (from, to) => lines[linesKey(id, index, from, to)],
            request: (from, to) => preview.getState().loadLines(index, from, to),
          }
        : undefined,
    [id, lines, index, preview],
  );
  return (
    <>
      <DiffView
        lines={source}
        diff={p.diff!}
        path={action.path}
        mode={mode}
        onMode={(m) => preview.getState().setMode(m)}
        keep={keep}
        excluded={excluded}
        onToggleHunk={(h) =>
          // A tick on a change of an action left out brings the action back with it.
          preview.getState().select(excluded ? { type: 'hunk', action: index, hunk: h, on: true } : { type: 'hunk', action: index, hunk: h })
        }
      />
      {action.kind === 'file.edit' && <AsSent action={action} title="Replacements as the agent sent them" />}
    </>
  );
}

function ConnectedSheet({ action, index, p }: { action: Action; index: number; p: PreviewAction }) {
  const { preview } = useStores();
  const cursor = usePreview((s) => s.cursors[index]) ?? { sheet: 0, change: -1 };
  const grids = usePreview((s) => s.grids);
  const source = useMemo<GridSource>(
    () => ({
      slot: (sheet, block) => grids[gridKey(index, sheet, block)],
      request: (sheet, block, cols) => preview.getState().loadGridBlock(index, sheet, block, cols),
    }),
    [grids, index, preview],
  );
  return (
    <SheetPreview
      changes={p.sheet!}
      cursor={cursor}
      onSheet={(s) => preview.getState().setSheet(index, s)}
      onChange={(c) => preview.getState().setChange(index, c)}
      grid={action.kind === 'sheet.update' ? source : undefined}
    />
  );
}
