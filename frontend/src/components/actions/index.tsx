// One renderer per action kind. A richer preview (a unified diff, a
// spreadsheet view) replaces an entry here without touching the rest.
import type { ComponentType } from 'react';
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

export function ActionCard({ action, index, count }: { action: Action; index: number; count: number }) {
  const Body = (renderers as Record<string, ActionRenderer>)[action.kind] ?? UnknownAction;
  const raw = actionTarget(action);
  const target = revealInline(raw).text;
  return (
    <section
      className={`action action-${action.kind.replace('.', '-')}${dangerous.has(action.kind) ? ' action-danger' : ''}`}
      aria-label={`Action ${index + 1} of ${count}: ${kindTitle(action.kind)}`}
    >
      <div className="action-head">
        <span className="action-index" aria-hidden="true">
          {index + 1}
        </span>
        <span className="action-kind">{kindTitle(action.kind)}</span>
        {target && (
          <span className="action-target" title={clip(target, 4000)}>
            <Revealed text={clip(raw, 300)} inline />
          </span>
        )}
      </div>
      <div className="action-body">
        <Body action={action} />
      </div>
    </section>
  );
}
