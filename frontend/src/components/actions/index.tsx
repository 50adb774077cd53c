// One renderer per action kind. A richer preview (a unified diff, a
// spreadsheet view) replaces an entry here without touching the rest.
import type { ComponentType, ReactNode } from 'react';
import type { Action, ActionKind } from '../../api';
import { kindTitle } from '../../lib/labels';
import { clip } from '../../lib/truncate';
import { revealInline } from '../../lib/visible';
import { Revealed } from '../Revealed';
import { CommandRun } from './CommandRun';
import { DirCreate, FileDelete, FileEdit, FileMove, FileWrite } from './FileActions';
import { NetRequest, ToolCall, UnknownAction } from './Outward';
import { SheetUpdate } from './SheetUpdate';

export type ActionRenderer = ComponentType<{ action: Action }>;

export const renderers: Record<ActionKind, ActionRenderer> = {
  'file.write': FileWrite,
  'file.edit': FileEdit,
  'file.delete': FileDelete,
  'file.move': FileMove,
  'dir.create': DirCreate,
  'sheet.update': SheetUpdate,
  'command.run': CommandRun,
  'net.request': NetRequest,
  'tool.call': ToolCall,
};

/** The short target shown in an action's heading. */
export function actionTarget(a: Action): string {
  switch (a.kind) {
    case 'command.run':
      return a.argv?.[0] ?? '';
    case 'net.request':
      return a.url ?? '';
    case 'tool.call':
      return a.tool ?? '';
    case 'file.move':
      return a.path && a.to ? `${a.path} → ${a.to}` : (a.path ?? '');
    default:
      return a.path ?? '';
  }
}

const dangerous = new Set(['file.delete', 'command.run', 'net.request']);

export interface ActionCardProps {
  action: Action;
  index: number;
  count: number;
  /** A tick for keeping the action (partial approval); absent when not offered. */
  kept?: { checked: boolean; onToggle: () => void };
  /** Set when the card can be collapsed: whether it is. */
  collapsed?: boolean;
  onToggleCollapsed?: () => void;
  /** A short account of the change, in the heading ("+3 −1", "3 cells"). */
  stat?: ReactNode;
  /** The body; the kind's plain renderer when absent. */
  children?: ReactNode;
}

/** An action as the agent sent it, with the renderer of its kind. */
export function PlainAction({ action }: { action: Action }) {
  const Body = (renderers as Record<string, ActionRenderer>)[action.kind] ?? UnknownAction;
  return <Body action={action} />;
}

/** The action as the agent sent it, folded under a title, below a richer view of it. */
export function AsSent({ action, title }: { action: Action; title: string }) {
  return (
    <details className="as-sent">
      <summary>{title}</summary>
      <PlainAction action={action} />
    </details>
  );
}

/** Said under a list of actions cut at shown. */
export function ActionsTruncated({ shown, total }: { shown: number; total: number }) {
  if (total <= shown) return null;
  return (
    <p className="note" role="note">
      Truncated: showing {shown} of {total} actions.
    </p>
  );
}

export function ActionCard({ action, index, count, kept, collapsed, onToggleCollapsed, stat, children }: ActionCardProps) {
  const raw = actionTarget(action);
  const target = revealInline(raw).text;
  const title = `Action ${index + 1} of ${count}: ${kindTitle(action.kind)}`;
  const bodyId = `action-body-${index}`;
  return (
    <section
      id={`action-${index}`}
      className={`action action-${action.kind.replace('.', '-')}${dangerous.has(action.kind) ? ' action-danger' : ''}${
        kept && !kept.checked ? ' action-off' : ''
      }`}
      aria-label={title}
    >
      <div className={`action-head${collapsed ? ' action-head-collapsed' : ''}`}>
        {kept && (
          <input
            type="checkbox"
            className="action-check"
            checked={kept.checked}
            onChange={kept.onToggle}
            aria-label={`Keep action ${index + 1}`}
          />
        )}
        <span className="action-index" aria-hidden="true">
          {index + 1}
        </span>
        <span className="action-kind">{kindTitle(action.kind)}</span>
        {target && (
          <span className="action-target" title={clip(target, 4000)}>
            <Revealed text={clip(raw, 300)} inline />
          </span>
        )}
        {kept && !kept.checked && <span className="badge badge-off">left out</span>}
        {stat && <span className="action-stat">{stat}</span>}
        {collapsed !== undefined && onToggleCollapsed && (
          <button
            type="button"
            className="btn btn-quiet btn-small action-toggle"
            aria-expanded={!collapsed}
            aria-controls={bodyId}
            onClick={onToggleCollapsed}
          >
            {collapsed ? 'Show' : 'Hide'}
          </button>
        )}
      </div>
      {!collapsed && (
        <div className="action-body" id={bodyId}>
          {children ?? <PlainAction action={action} />}
        </div>
      )}
    </section>
  );
}
