// An in-memory Backend for store and component tests.
import type {
  Action,
  Budget,
  PolicyState,
  RememberLifetime,
  RememberPreview,
  RememberScope,
  RuleEffect,
  RuleView,
  EventView,
  ExportFormat,
  ExportResult,
  TimelinePage,
  TimelineQuery,
  Backend,
  Conflict,
  ExecutionResult,
  ExecutionView,
  DiffLine,
  DiffResult,
  Hunk,
  Grid,
  Info,
  Insights,
  KeyStatus,
  DecidedPage,
  Page,
  PastPreview,
  PreviewAction,
  ProposalView,
  QueueEvent,
  SecretScan,
  Selection,
  Status,
  Summary,
  UndoOutcome,
  WindowQuery,
} from '../api';
import { ApiError } from '../api';

const NO_TOKEN = { present: false, verified: false, problem: '', decision: '' };

export function summary(n: number, over: Partial<Summary> = {}): Summary {
  return {
    id: `p${n}`,
    agent_id: 'agent',
    summary: `Proposal ${n}`,
    risk: 'low',
    status: 'pending',
    created_at: '2025-06-01T10:00:00Z',
    expires_at: '0001-01-01T00:00:00Z',
    decided_at: '0001-01-01T00:00:00Z',
    action_count: 1,
    kinds: ['file.write'],
    ...over,
  };
}

export class FakeBackend implements Backend {
  /** Pending, newest first. */
  pending: Summary[] = [];
  calls: string[] = [];
  gateway = '';
  keys: KeyStatus = { ok: true, key_id: 'test-key', weak: false, problem: '', advice: '' };
  listeners = new Set<(b: QueueEvent[]) => void>();
  failList: ApiError | null = null;
  decideError: ApiError | null = null;
  failGet: ApiError | null = null;
  decided = new Map<string, { verb: 'approve' | 'deny'; reason: string }>();
  /** Actions of a proposal, by id (default: one file.write). */
  actions = new Map<string, Action[]>();
  /** Previews by id (default: kind "none" for each action). */
  previews = new Map<string, PreviewAction[]>();
  failPreview: ApiError | null = null;
  /** Holds Preview until released when set. */
  previewGate: Promise<void> | null = null;
  grids = new Map<string, Grid>();
  /** Old-file lines by `${id}/${action}` for PreviewLines (default: "line N"). */
  fileLines = new Map<string, string[]>();
  failLines: ApiError | null = null;
  selections: { id: string; sel: Selection }[] = [];
  /** Secrets scans by id (default: nothing found). */
  secretScans = new Map<string, SecretScan>();
  failSecrets: ApiError | null = null;
  /** Holds ListPending until release() when set. */
  gate: Promise<void> | null = null;
  /** Proposals that left pending, most recently decided first (ListDecided). */
  history: Summary[] = [];
  failDecided: ApiError | null = null;
  /** Holds ListDecided until released when set. */
  decidedGate: Promise<void> | null = null;
  /** What Get says an execution did, by id. */
  executions = new Map<string, ExecutionView>();
  /** What Get says could not be undone, by id. */
  notUndoable = new Map<string, string[]>();
  /** Files changed since: Undo and Redo without force report these and change nothing. */
  conflicts = new Map<string, Conflict[]>();
  undoError: ApiError | null = null;
  /** Holds Undo and Redo until released when set. */
  undoGate: Promise<void> | null = null;

  constructor(n = 0) {
    // p0 is the newest.
    for (let i = 0; i < n; i++) this.pending.push(summary(i));
  }

  async listPending(offset: number, limit: number): Promise<Page> {
    this.calls.push(`list ${offset} ${limit}`);
    if (this.gate) await this.gate;
    if (this.failList) throw this.failList;
    return { items: this.pending.slice(offset, offset + limit), total: this.pending.length, offset };
  }

  async get(id: string): Promise<ProposalView> {
    this.calls.push(`get ${id}`);
    if (this.failGet) throw this.failGet;
    const s = this.pending.find((p) => p.id === id);
    const d = this.decided.get(id);
    const h = this.history.find((p) => p.id === id);
    if (!s && !d && !h) throw new ApiError('not_found', `no proposal ${id}`);
    const base = s ?? h ?? summary(Number(id.slice(1)));
    const status: Status = h?.status ?? (d ? (d.verb === 'approve' ? 'approved' : 'denied') : 'pending');
    const view: ProposalView = {
      proposal: {
        id,
        agent_id: base.agent_id,
        summary: base.summary,
        actions: this.actions.get(id) ?? [{ kind: 'file.write', path: 'a.txt', content: 'hi' }],
        status,
        risk: base.risk,
        created_at: base.created_at,
        expires_at: base.expires_at,
      },
      risk_reasons: [],
      not_undoable: this.notUndoable.get(id) ?? [],
      token: NO_TOKEN,
    };
    if (status !== 'pending') {
      const verdict = status === 'denied' ? 'deny' : 'approve';
      view.proposal.decision = { verdict, decided_by: 'tester', decided_at: '2025-06-01T10:05:00Z' };
      view.token = { present: true, verified: true, problem: '', decision: verdict };
      if (d?.reason) view.proposal.decision.reason = d.reason;
    }
    const ex = this.executions.get(id);
    if (ex) view.execution = ex;
    return view;
  }

  /** Decision reasons by id, searched by timeline's text. */
  reasons = new Map<string, string>();
  /** Events by proposal id. */
  events = new Map<string, EventView[]>();
  /** Where the next export is written; empty: cancelled. */
  exportPath = '/tmp/export.jsonl';
  exportError: ApiError | null = null;

  /**
   * As the backend, over the history: all filters, text matching whole
   * words of summaries and reasons; the cursor is the next row's index.
   */
  async timeline(q: TimelineQuery): Promise<TimelinePage> {
    this.calls.push(`timeline ${q.cursor || '-'} ${q.limit} ${JSON.stringify({ ...q, cursor: undefined, limit: undefined })}`);
    const rows = this.timelineRows(q);
    const start = (q.cursor ? Number(q.cursor) : 0) + (q.skip ?? 0);
    const items = rows.slice(start, start + q.limit);
    const next = start + q.limit < rows.length ? String(start + q.limit) : '';
    return { items, next };
  }

  private timelineRows(q: TimelineQuery) {
    const words = q.text.toLowerCase().split(/\s+/).filter(Boolean);
    return this.history
      .filter((s) => {
        if (q.ids && q.ids.length > 0 && !q.ids.includes(s.id)) return false;
        if (q.agent && s.agent_id !== q.agent) return false;
        if (q.statuses.length > 0 && !q.statuses.includes(s.status)) return false;
        if (q.risks.length > 0 && !q.risks.includes(s.risk)) return false;
        if (q.kinds.length > 0 && !s.kinds.some((k) => q.kinds.includes(k))) return false;
        const text = `${s.summary} ${this.reasons.get(s.id) ?? ''}`.toLowerCase().split(/\W+/);
        return words.every((w) => text.includes(w));
      })
      .map((s) => {
        const verdict = s.status === 'denied' ? 'deny' : 'approve';
        return { ...s, verdict, decided_by: 'tester', reason: this.reasons.get(s.id) ?? '', token: { present: true, verified: true, problem: '', decision: verdict } };
      });
  }

  async timelineEvents(id: string): Promise<EventView[]> {
    this.calls.push(`events ${id}`);
    return this.events.get(id) ?? [];
  }

  async exportTimeline(q: TimelineQuery, format: ExportFormat): Promise<ExportResult> {
    this.calls.push(`export ${format} ${JSON.stringify(q.statuses)} ${q.text}`);
    if (this.exportError) throw this.exportError;
    return { path: this.exportPath, count: this.exportPath ? this.timelineRows(q).length : 0 };
  }

  async listDecided(offset: number, limit: number): Promise<Page> {
    this.calls.push(`decided ${offset} ${limit}`);
    if (this.decidedGate) await this.decidedGate;
    if (this.failDecided) throw this.failDecided;
    // As the backend: the total says only whether more may follow.
    const items = this.history.slice(offset, offset + limit + 1);
    return { items: items.slice(0, limit), total: offset + items.length, offset };
  }

  /** As the backend; the cursor is the position (a row index) it names, so tests may read it. */
  async listDecidedAfter(cursor: string, skip: number, limit: number): Promise<DecidedPage> {
    this.calls.push(`decided ${cursor || '-'} ${skip} ${limit}`);
    if (this.decidedGate) await this.decidedGate;
    if (this.failDecided) throw this.failDecided;
    const at = (cursor ? this.history.findIndex((s) => s.id === cursor) + 1 : 0) + skip;
    const items = this.history.slice(at, at + limit);
    return { items, next: at + limit < this.history.length ? items[items.length - 1]!.id : '' };
  }

  undo(id: string, force: boolean): Promise<UndoOutcome> {
    return this.undoOrRedo('undo', id, force);
  }

  redo(id: string, force: boolean): Promise<UndoOutcome> {
    return this.undoOrRedo('redo', id, force);
  }

  private async undoOrRedo(verb: 'undo' | 'redo', id: string, force: boolean): Promise<UndoOutcome> {
    this.calls.push(`${verb} ${id}${force ? ' force' : ''}`);
    if (this.undoGate) await this.undoGate;
    if (this.undoError) throw this.undoError;
    const [from, to]: [Status, Status] = verb === 'undo' ? ['executed', 'reverted'] : ['reverted', 'executed'];
    const i = this.history.findIndex((p) => p.id === id);
    const h = this.history[i];
    if (!h) throw new ApiError('not_found', `no proposal ${id}`);
    if (h.status !== from) throw new ApiError('conflict', `proposal ${id} is ${h.status}, not ${from}`);
    const conflicts = this.conflicts.get(id);
    if (conflicts && !force) return { done: false, conflicts };
    this.conflicts.delete(id);
    this.history[i] = { ...h, status: to };
    return { done: true, result: result(to === 'reverted' ? 'reverted' : 'executed'), conflicts: [] };
  }

  private async decide(id: string, verb: 'approve' | 'deny', reason: string): Promise<void> {
    this.calls.push(`${verb} ${id}${reason ? ` ${reason}` : ''}`);
    if (this.decideError) throw this.decideError;
    if (verb === 'approve' && this.policyState.paused) {
      throw new ApiError('conflict', 'Countersign is paused: resume agents before approving anything');
    }
    const s = this.pending.find((p) => p.id === id);
    this.pending = this.pending.filter((p) => p.id !== id);
    this.decided.set(id, { verb, reason });
    if (s) this.history.unshift({ ...s, status: verb === 'approve' ? 'approved' : 'denied' });
  }

  approve(id: string): Promise<void> {
    return this.decide(id, 'approve', '');
  }

  deny(id: string, reason: string): Promise<void> {
    return this.decide(id, 'deny', reason);
  }

  async preview(id: string): Promise<PreviewAction[]> {
    this.calls.push(`preview ${id}`);
    if (this.previewGate) await this.previewGate;
    if (this.failPreview) throw this.failPreview;
    const given = this.previews.get(id);
    if (given) return given;
    const actions = this.actions.get(id) ?? [{ kind: 'file.write' }];
    return actions.map((_, index) => ({ index, kind: 'none' }));
  }

  /** History previews by id (default: the preview, "recorded" once carried out). */
  pastPreviews = new Map<string, PastPreview>();

  async historyPreview(id: string): Promise<PastPreview> {
    this.calls.push(`history preview ${id}`);
    if (this.failPreview) throw this.failPreview;
    const given = this.pastPreviews.get(id);
    if (given) return given;
    const status = this.history.find((p) => p.id === id)?.status;
    const recorded = status === 'executed' || status === 'reverted' || status === 'failed';
    const actions = this.previews.get(id) ?? (this.actions.get(id) ?? [{ kind: 'file.write' }]).map((_, index) => ({ index, kind: 'none' as const }));
    return { basis: recorded ? 'recorded' : 'now', actions };
  }

  async previewLines(id: string, action: number, from: number, to: number): Promise<string[]> {
    this.calls.push(`lines ${id} ${action} ${from} ${to}`);
    if (this.failLines) throw this.failLines;
    if (from < 1 || to < from || to - from + 1 > 5000) throw new ApiError('invalid', 'bad line range');
    const file = this.fileLines.get(`${id}/${action}`);
    const out: string[] = [];
    for (let n = from; n <= to; n++) out.push(file ? (file[n - 1] ?? '') : `line ${n}`);
    return file ? out.slice(0, Math.max(0, file.length - from + 1)) : out;
  }

  async sheetWindow(id: string, action: number, q: WindowQuery): Promise<Grid> {
    this.calls.push(`window ${id} ${action} ${q.sheet} ${q.first_row}`);
    const g = this.grids.get(`${id}/${action}/${q.sheet}`);
    if (!g) throw new ApiError('invalid', 'no such sheet');
    const last = q.first_row + q.rows - 1;
    return { ...g, first_row: q.first_row, rows: q.rows, cells: g.cells.filter((c) => c.row >= q.first_row && c.row <= last) };
  }

  async approveSelection(id: string, sel: Selection): Promise<void> {
    this.selections.push({ id, sel });
    return this.decide(id, 'approve', '');
  }

  async secrets(id: string): Promise<SecretScan> {
    this.calls.push(`secrets ${id}`);
    if (this.failSecrets) throw this.failSecrets;
    return this.secretScans.get(id) ?? { findings: [], truncated: false };
  }

  /** What insights() returns; failInsights makes it fail. */
  insightsData: Insights | null = null;
  failInsights: ApiError | null = null;

  async insights(days: number): Promise<Insights> {
    this.calls.push(`insights ${days}`);
    if (this.failInsights) throw this.failInsights;
    if (!this.insightsData) throw new ApiError('internal', 'no insights in the fake');
    return this.insightsData;
  }

  async info(): Promise<Info> {
    return {
      version: 'test',
      data_dir: '/tmp',
      demo: false,
      user: 'tester',
      pending: this.pending.length,
      keys: this.keys,
      gateway: this.gateway,
      paused: this.policyState.paused,
    };
  }

  /** What policy() returns; the methods below change it as the backend would. */
  policyState: PolicyState = emptyPolicy();
  failPolicy: ApiError | null = null;
  /** Refuses the next rule change (revoke, role, budget, file, pause). */
  policyError: ApiError | null = null;
  /** Why a scope does not fit, by scope (PreviewRemember fails for it). */
  scopeErrors = new Map<RememberScope, string>();
  /** Makes Remember fail. */
  rememberError: ApiError | null = null;
  /** Recent requests every remember preview says it would have decided. */
  rememberMatches: Summary[] = [];

  async policy(): Promise<PolicyState> {
    this.calls.push('policy');
    if (this.failPolicy) throw this.failPolicy;
    return structuredClone(this.policyState);
  }

  async previewRemember(id: string, scope: RememberScope, lifetime: RememberLifetime, effect: RuleEffect): Promise<RememberPreview> {
    this.calls.push(`previewRemember ${id} ${scope} ${lifetime} ${effect}`);
    const why = this.scopeErrors.get(scope);
    if (why) throw new ApiError('invalid', `policy: ${why}`);
    return { effect, description: ruleWords(effect, scope, lifetime), matches: this.rememberMatches };
  }

  async remember(id: string, scope: RememberScope, lifetime: RememberLifetime): Promise<string> {
    this.calls.push(`remember ${id} ${scope} ${lifetime}`);
    if (this.rememberError) throw this.rememberError;
    const d = this.decided.get(id);
    if (!d) throw new ApiError('conflict', `proposal ${id} has no decision by a person to remember`);
    const effect: RuleEffect = d.verb === 'approve' ? 'allow' : 'deny';
    const description = ruleWords(effect, scope, lifetime);
    this.policyState.rules.push(rule(`remembered:${this.policyState.rules.length}`, { effect, description, created_by: 'tester' }));
    return description;
  }

  private changePolicy(what: string): void {
    this.calls.push(what);
    if (this.policyError) throw this.policyError;
  }

  async revokeRule(id: string): Promise<void> {
    this.changePolicy(`revoke ${id}`);
    const r = this.policyState.rules.find((x) => x.id === id);
    if (!r) throw new ApiError('not_found', `no rule ${id}`);
    if (r.builtin) throw new ApiError('invalid', `rule ${id} is built in and cannot be revoked`);
    this.policyState.rules = this.policyState.rules.filter((x) => x.id !== id);
  }

  async applyRole(role: string, workspace: string): Promise<void> {
    this.changePolicy(`role ${role} ${workspace}`);
    this.policyState.rules.push(rule(`preset:${role}`, { effect: 'allow', description: `Let any agent edit files in ${workspace}` }));
  }

  async setBudget(agent: string, b: Budget): Promise<void> {
    this.changePolicy(`budget ${agent || '-'} ${b.writes} ${b.deletes} ${b.bytes}`);
    if (b.writes === 0 && b.deletes === 0 && b.bytes === 0) delete this.policyState.budgets[agent];
    else this.policyState.budgets[agent] = { ...b };
  }

  async acceptRulesFile(sha256: string): Promise<void> {
    this.changePolicy(`accept ${sha256}`);
    const p = this.policyState.pending;
    if (!p || p.sha256 !== sha256) throw new ApiError('conflict', 'the rules file changed again since it was shown; review it again');
    delete this.policyState.pending;
  }

  async rejectRulesFile(): Promise<void> {
    this.changePolicy('reject');
    delete this.policyState.pending;
  }

  async setPaused(paused: boolean): Promise<void> {
    this.changePolicy(`paused ${paused}`);
    this.policyState.paused = paused;
  }

  async uiReady(): Promise<void> {
    this.calls.push('ready');
  }

  quit(): void {
    this.calls.push('quit');
  }

  onQueueEvents(handler: (b: QueueEvent[]) => void): () => void {
    this.listeners.add(handler);
    return () => this.listeners.delete(handler);
  }

  emit(batch: QueueEvent[]): void {
    for (const l of this.listeners) l(batch);
  }

  private selectListeners = new Set<(id: string) => void>();

  onSelect(handler: (id: string) => void): () => void {
    this.selectListeners.add(handler);
    return () => this.selectListeners.delete(handler);
  }

  /** Sends a request to show one proposal, as the tray does. */
  select(id: string): void {
    for (const l of this.selectListeners) l(id);
  }
}

/** A history entry: summary n with a status other than pending. */
export function decided(n: number, status: Status = 'executed', over: Partial<Summary> = {}): Summary {
  return summary(n, { status, summary: `Decided ${n}`, ...over });
}

export function result(outcome: ExecutionResult['outcome'], over: Partial<ExecutionResult> = {}): ExecutionResult {
  return { outcome, stale: false, agent_runs: false, recovered: false, not_undoable: [], actions: [], ...over };
}

export function submitted(s: Summary): QueueEvent {
  return { type: 'proposal.submitted', proposal_id: s.id, status: 'pending', at: s.created_at, summary: s };
}

export function left(id: string, status: QueueEvent['status'] = 'approved'): QueueEvent {
  return { type: `proposal.${status}`, proposal_id: id, status, at: '2025-06-01T10:05:00Z' };
}

/** Lets pending promise callbacks run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
  await new Promise((r) => setTimeout(r, 0));
}

export const diffLine = (kind: DiffLine['kind'], n: number, text: string): DiffLine => ({
  kind,
  old: kind === 'add' ? 0 : n,
  new: kind === 'del' ? 0 : n,
  no_newline: false,
  text,
  spans: [],
});

function hunkAt(n: number): Hunk {
  return {
    old_start: n,
    old_lines: 1,
    new_start: n,
    new_lines: 1,
    header: `@@ -${n},1 +${n},1 @@`,
    lines: [diffLine('del', n, `old ${n}`), diffLine('add', n, `new ${n}`)],
  };
}

/** A text diff with one changed line per hunk, hunks 20 lines apart. */
export function textDiff(hunks: number, over: Partial<DiffResult> = {}): DiffResult {
  return {
    path: '/ws/a.txt',
    old_exists: true,
    new_exists: true,
    binary: false,
    binary_summary: '',
    hunks: Array.from({ length: hunks }, (_, i) => hunkAt(10 + i * 20)),
    added: hunks,
    deleted: hunks,
    coarse: false,
    truncated: false,
    old_sha256: '',
    new_sha256: '',
    old_size: 100,
    new_size: 100,
    ...over,
  };
}


export function emptyPolicy(): PolicyState {
  return {
    rules: [],
    budgets: {},
    roles: [
      { role: 'viewer', name: 'Viewer', description: 'Agents may read; every change is asked.' },
      { role: 'editor', name: 'Editor', description: 'Agents may edit files in the workspace without asking.' },
      { role: 'organizer', name: 'Organizer', description: 'Agents may also move and delete files in the workspace.' },
    ],
    paused: false,
    paused_at: '',
    problem: '',
    version: 0,
    accepted_at: '',
    accepted_by: '',
  };
}

export function rule(id: string, over: Partial<RuleView> = {}): RuleView {
  return {
    id,
    effect: 'allow',
    description: `Rule ${id}`,
    builtin: false,
    session: false,
    once: false,
    spent: false,
    expired: false,
    created_by: '',
    created_at: '',
    expires_at: '',
    uses: 0,
    last_used: '',
    ...over,
  };
}

function ruleWords(effect: RuleEffect, scope: RememberScope, lifetime: RememberLifetime): string {
  return `${effect === 'allow' ? 'Let' : 'Never let'} agent ${scope} (${lifetime})`;
}

/** The event the backend sends when the rules or the pause changed. */
export function policyChanged(): QueueEvent {
  return { type: 'policy.changed', proposal_id: '', status: 'pending', at: '2025-06-01T10:06:00Z' };
}
