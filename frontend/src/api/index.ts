// The UI's view of the backend: typed calls, typed errors, typed events.
// Only reading, deciding, undoing or redoing what was decided, and the
// person's own rules are exposed; nothing here names a file to write or a
// command to run.
import * as bindings from './bindings';
import { toApiError } from './errors';
import * as normalize from './normalize';
import type {
  Budget,
  EventView,
  ExportFormat,
  ExportResult,
  Grid,
  Info,
  Insights,
  DecidedPage,
  Page,
  PastPreview,
  PolicyState,
  PreviewAction,
  ProposalView,
  QueueEvent,
  RememberLifetime,
  RememberPreview,
  RememberScope,
  RuleEffect,
  SecretScan,
  Selection,
  TimelinePage,
  TimelineQuery,
  UndoOutcome,
  WindowQuery,
} from './types';

export type { ApiErrorCode } from './errors';
export { ApiError, toApiError } from './errors';
export type * from './types';
export { INSIGHT_SERIES, POLICY_CHANGED, REMEMBER_LIFETIMES, REMEMBER_SCOPES } from './types';

/** What the stores need from the backend; tests pass a fake. */
export interface Backend {
  listPending(offset: number, limit: number): Promise<Page>;
  /**
   * A page of the history: proposals that left pending, the most recently
   * decided first. Its total is a lower bound (see Page).
   */
  listDecided(offset: number, limit: number): Promise<Page>;
  /** The history after a position (cursor, "" for the top), skip rows further on. */
  listDecidedAfter(cursor: string, skip: number, limit: number): Promise<DecidedPage>;
  /**
   * A page of every proposal, newest first by creation, filtered and
   * searched; the search covers what the backend indexed, about a second
   * behind.
   */
  timeline(q: TimelineQuery): Promise<TimelinePage>;
  /** What happened to a proposal, oldest first, in words. */
  timelineEvents(id: string): Promise<EventView[]>;
  /** Asks where to save, then writes what the filters select (the cursor and limit aside). */
  exportTimeline(q: TimelineQuery, format: ExportFormat): Promise<ExportResult>;
  get(id: string): Promise<ProposalView>;
  approve(id: string): Promise<void>;
  deny(id: string, reason: string): Promise<void>;
  /** What each action would change, computed from the files as they are now. */
  preview(id: string): Promise<PreviewAction[]>;
  /**
   * The previews of a proposal in the history: once carried out, computed
   * from what the journal recorded before and after it (what was approved);
   * otherwise from the files as they are now.
   */
  historyPreview(id: string): Promise<PastPreview>;
  /**
   * Lines from..to (1-based, inclusive, old-file numbering, without line
   * endings) of the file a text action changes, as it is now; at most
   * PREVIEW_LINES_MAX per call.
   */
  previewLines(id: string, action: number, from: number, to: number): Promise<string[]>;
  /** A window of the workbook a sheet.update action changes, with the changes applied and marked. */
  sheetWindow(id: string, action: number, q: WindowQuery): Promise<Grid>;
  /** Approves some actions and, of text actions, some hunks. */
  approveSelection(id: string, sel: Selection): Promise<void>;
  /**
   * Restores what an executed proposal changed. Without force, files changed
   * since Countersign wrote them are returned as conflicts and nothing
   * changes; with force they are overwritten.
   */
  undo(id: string, force: boolean): Promise<UndoOutcome>;
  /** Applies an undone proposal again, with the same rule about conflicts. */
  redo(id: string, force: boolean): Promise<UndoOutcome>;
  /** Which secrets and personal data the proposal would write, run or send (never the secrets). */
  secrets(id: string): Promise<SecretScan>;
  info(): Promise<Info>;
  /** The Insights dashboard's figures for the last days days, today included (30 when 0). */
  insights(days: number): Promise<Insights>;
  uiReady(): Promise<void>;
  /** The rules, their use, the budgets, the pause and a rules file waiting for review. */
  policy(): Promise<PolicyState>;
  /**
   * The rule remembering the decision on proposal id would save, and the
   * recent requests it would have decided. An error means the scope does
   * not fit this proposal (three files for "this file", say).
   */
  previewRemember(id: string, scope: RememberScope, lifetime: RememberLifetime, effect: RuleEffect): Promise<RememberPreview>;
  /**
   * Saves the person's decision on proposal id as a rule (allow after an
   * approval, deny after a denial); returns the rule in plain words.
   */
  remember(id: string, scope: RememberScope, lifetime: RememberLifetime): Promise<string>;
  /** Removes a rule the person made; built-in rules are refused. */
  revokeRule(id: string): Promise<void>;
  /** Sets a role's rules (viewer, editor, organizer) for a workspace folder (an absolute path). */
  applyRole(role: string, workspace: string): Promise<void>;
  /** Sets an agent's hourly budget ("" for every agent without its own); all zero removes it. */
  setBudget(agent: string, budget: Budget): Promise<void>;
  /** Applies the rules file changed outside Countersign, if it still has the hash shown. */
  acceptRulesFile(sha256: string): Promise<void>;
  /** Puts the accepted rules back into the rules file. */
  rejectRulesFile(): Promise<void>;
  /** Pauses every agent (new requests refused, waiting ones held) or resumes them. */
  setPaused(paused: boolean): Promise<void>;
  /** Closes the app (the window and the backend). */
  quit(): void;
  /** Subscribes to queue event batches; returns the unsubscribe. */
  onQueueEvents(handler: (batch: QueueEvent[]) => void): () => void;
  /** The tray or a notification asks to show one request. */
  onSelect(handler: (id: string) => void): () => void;
}

async function call<T>(fn: () => Promise<unknown>, convert: (v: unknown) => T): Promise<T> {
  let raw: unknown;
  try {
    raw = await fn();
  } catch (e) {
    throw toApiError(e);
  }
  return convert(raw);
}

const none = (): void => undefined;

/** Lines PreviewLines returns per call at most. */
export const PREVIEW_LINES_MAX = 5000;

export const QUEUE_EVENTS = 'queue:events';

export const SELECT_EVENT = 'countersign:select';

/** Sends an error the UI could not handle to the app's log. */
export function logError(message: string): void {
  try {
    bindings.LogError(message);
  } catch {
    // No runtime (tests): nothing to log to.
  }
}

/** The generated parameter type is a class; what crosses the bridge is its JSON. */
function plainQuery(q: TimelineQuery): Parameters<typeof bindings.Timeline>[0] {
  const plain = { skip: 0, ...q, statuses: [...q.statuses], kinds: [...q.kinds], risks: [...q.risks], ids: [...(q.ids ?? [])] };
  return plain as unknown as Parameters<typeof bindings.Timeline>[0];
}

export const backend: Backend = {
  listPending: (offset, limit) => call(() => bindings.ListPending(offset, limit), normalize.page),
  listDecided: (offset, limit) => call(() => bindings.ListDecided(offset, limit), normalize.page),
  listDecidedAfter: (cursor, skip, limit) => call(() => bindings.ListDecidedAfter(cursor, skip, limit), normalize.decidedPage),
  timeline: (q) => call(() => bindings.Timeline(plainQuery(q)), normalize.timelinePage),
  timelineEvents: (id) => call(() => bindings.TimelineEvents(id), normalize.eventViews),
  exportTimeline: (q, format) => call(() => bindings.ExportTimeline(plainQuery(q), format), normalize.exportResult),
  get: (id) => call(() => bindings.Get(id), normalize.proposalView),
  approve: (id) => call(() => bindings.Approve(id), none),
  deny: (id, reason) => call(() => bindings.Deny(id, reason), none),
  preview: (id) => call(() => bindings.Preview(id), normalize.previewActions),
  historyPreview: (id) => call(() => bindings.HistoryPreview(id), normalize.pastPreview),
  previewLines: (id, action, from, to) => call(() => bindings.PreviewLines(id, action, from, to), normalize.lines),
  sheetWindow: (id, action, q) => call(() => bindings.SheetWindow(id, action, { ...q }), normalize.grid),
  approveSelection: (id, sel) =>
    call(() => {
      // The generated parameter type is a class; what crosses the bridge is its JSON.
      const plain = { actions: [...sel.actions], hunks: sel.hunks.map((h) => ({ action: h.action, keep: [...h.keep] })) };
      return bindings.ApproveSelection(id, plain as unknown as Parameters<typeof bindings.ApproveSelection>[1]);
    }, none),
  undo: (id, force) => call(() => bindings.Undo(id, force), normalize.undoOutcome),
  redo: (id, force) => call(() => bindings.Redo(id, force), normalize.undoOutcome),
  secrets: (id) => call(() => bindings.Secrets(id), normalize.secretScan),
  info: () => call(() => bindings.Info(), normalize.info),
  insights: (days) => call(() => bindings.Insights(days), normalize.insights),
  uiReady: () => call(() => bindings.UIReady(), none),
  policy: () => call(() => bindings.Policy(), normalize.policyState),
  previewRemember: (id, scope, lifetime, effect) =>
    call(() => bindings.PreviewRemember(id, scope, lifetime, effect), normalize.rememberPreview),
  remember: (id, scope, lifetime) => call(() => bindings.Remember(id, scope, lifetime), (v) => (typeof v === 'string' ? v : '')),
  revokeRule: (id) => call(() => bindings.RevokeRule(id), none),
  applyRole: (role, workspace) => call(() => bindings.ApplyRole(role, workspace), none),
  // The generated parameter type is a class; what crosses the bridge is its JSON.
  setBudget: (agent, b) =>
    call(() => bindings.SetBudget(agent, { ...b } as unknown as Parameters<typeof bindings.SetBudget>[1]), none),
  acceptRulesFile: (sha256) => call(() => bindings.AcceptRulesFile(sha256), none),
  rejectRulesFile: () => call(() => bindings.RejectRulesFile(), none),
  setPaused: (paused) => call(() => bindings.SetPaused(paused), none),
  quit: () => bindings.Quit(),
  onQueueEvents(handler) {
    return bindings.EventsOn(QUEUE_EVENTS, (...data: unknown[]) => {
      const batch = normalize.queueEvents(data[0]);
      if (batch.length > 0) handler(batch);
    });
  },
  onSelect(handler) {
    return bindings.EventsOn(SELECT_EVENT, (...data: unknown[]) => {
      const id = typeof data[0] === 'string' ? data[0] : '';
      if (/^[0-9A-HJKMNP-TV-Z]{26}$/.test(id)) handler(id);
    });
  },
};
