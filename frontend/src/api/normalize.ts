// Converts the loosely typed values the bindings return into the strict types
// of types.ts. Go encodes nil slices as null and omits empty fields; these
// functions make every array an array and every required string a string, so
// nothing downstream has to guess.
import { INSIGHT_SERIES, POLICY_CHANGED } from './types';
import type {
  Action,
  ActionResult,
  Budget,
  DecidedPage,
  ByteSpan,
  CellChange,
  CellChangeKind,
  CellEdit,
  CellValue,
  ChangeSet,
  Conflict,
  Decision,
  Dependent,
  DiffLine,
  DiffResult,
  Edit,
  EventView,
  ExecutionResult,
  ExecutionView,
  ExportResult,
  Grid,
  GridCell,
  Hunk,
  Info,
  InsightCounts,
  InsightRow,
  Insights,
  KeyStatus,
  LineKind,
  NameChange,
  NamedCount,
  Outcome,
  Page,
  PastPreview,
  PathChange,
  PathState,
  PendingRules,
  PolicyState,
  PreviewAction,
  Proposal,
  ProposalView,
  QueueEvent,
  RememberPreview,
  Risk,
  RoleInfo,
  RuleEffect,
  RuleView,
  RowSpan,
  SecretFinding,
  SecretScan,
  SheetCellType,
  SheetChange,
  SheetStatus,
  Status,
  Summary,
  TimelinePage,
  TokenCheck,
  UndoOutcome,
  Verdict,
} from './types';

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {};
}

function str(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return '';
}

function optStr(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function strs(v: unknown): string[] {
  return arr(v).map(str);
}

function bool(v: unknown): boolean {
  return v === true;
}

const risks: readonly string[] = ['low', 'medium', 'high', 'critical'];
const statuses: readonly string[] = [
  'pending',
  'approved',
  'denied',
  'expired',
  'withdrawn',
  'executing',
  'executed',
  'failed',
  'reverted',
];
const verdicts: readonly string[] = ['approve', 'approve-edited', 'approve-part', 'deny'];

// An unknown risk reads as the highest: the UI should never understate it.
function risk(v: unknown): Risk {
  return typeof v === 'string' && risks.includes(v) ? (v as Risk) : 'critical';
}

function status(v: unknown): Status {
  return typeof v === 'string' && statuses.includes(v) ? (v as Status) : 'pending';
}

function time(v: unknown): string {
  if (v instanceof Date) return v.toISOString();
  return str(v);
}

export function summary(v: unknown): Summary {
  const o = obj(v);
  return {
    id: str(o.id),
    agent_id: str(o.agent_id),
    summary: str(o.summary),
    risk: risk(o.risk),
    status: status(o.status),
    created_at: time(o.created_at),
    expires_at: time(o.expires_at),
    decided_at: o.decided_at === undefined ? ZERO_TIME : time(o.decided_at),
    action_count: num(o.action_count),
    kinds: strs(o.kinds),
  };
}

/** The zero time.Time as Go encodes it: no deadline, not decided. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

export function page(v: unknown): Page {
  const o = obj(v);
  return { items: arr(o.items).map(summary), total: num(o.total), offset: num(o.offset) };
}

export function decidedPage(v: unknown): DecidedPage {
  const o = obj(v);
  return { items: arr(o.items).map(summary), next: str(o.next) };
}

function edit(v: unknown): Edit {
  const o = obj(v);
  const e: Edit = { old: str(o.old), new: str(o.new) };
  if (o.replace_all === true) e.replace_all = true;
  return e;
}

function cell(v: unknown): CellEdit {
  const o = obj(v);
  const c: CellEdit = { sheet: str(o.sheet), cell: str(o.cell) };
  if (typeof o.value === 'string') c.value = o.value;
  if (typeof o.formula === 'string' && o.formula !== '') c.formula = o.formula;
  return c;
}

export function action(v: unknown): Action {
  const o = obj(v);
  const a: Action = { kind: str(o.kind) };
  const path = optStr(o.path);
  if (path !== undefined) a.path = path;
  const to = optStr(o.to);
  if (to !== undefined) a.to = to;
  if (typeof o.content === 'string') a.content = o.content;
  if (Array.isArray(o.edits)) a.edits = o.edits.map(edit);
  if (Array.isArray(o.cells)) a.cells = o.cells.map(cell);
  if (Array.isArray(o.argv)) a.argv = strs(o.argv);
  const dir = optStr(o.dir);
  if (dir !== undefined) a.dir = dir;
  if (typeof o.timeout_sec === 'number' && o.timeout_sec > 0) a.timeout_sec = o.timeout_sec;
  if (Array.isArray(o.writes)) a.writes = strs(o.writes);
  const method = optStr(o.method);
  if (method !== undefined) a.method = method;
  const url = optStr(o.url);
  if (url !== undefined) a.url = url;
  if (typeof o.body === 'string') a.body = o.body;
  const tool = optStr(o.tool);
  if (tool !== undefined) a.tool = tool;
  // json.RawMessage is marshalled inline, so it arrives as parsed JSON
  // (the generated type says number[], which it never is at run time).
  if (o.input !== undefined && o.input !== null) a.input = o.input;
  return a;
}

function decision(v: unknown): Decision | undefined {
  if (v === null || v === undefined) return undefined;
  const o = obj(v);
  const verdict = typeof o.verdict === 'string' && verdicts.includes(o.verdict) ? (o.verdict as Verdict) : 'deny';
  const d: Decision = { verdict, decided_by: str(o.decided_by), decided_at: time(o.decided_at) };
  const reason = optStr(o.reason);
  if (reason !== undefined) d.reason = reason;
  return d;
}

export function proposal(v: unknown): Proposal {
  const o = obj(v);
  const p: Proposal = {
    id: str(o.id),
    agent_id: str(o.agent_id),
    summary: str(o.summary),
    actions: arr(o.actions).map(action),
    status: status(o.status),
    risk: risk(o.risk),
    created_at: time(o.created_at),
    expires_at: time(o.expires_at),
  };
  const rationale = optStr(o.rationale);
  if (rationale !== undefined) p.rationale = rationale;
  const workspace = optStr(o.workspace);
  if (workspace !== undefined) p.workspace = workspace;
  const d = decision(o.decision);
  if (d) p.decision = d;
  return p;
}

/** A token reads as verified only when the backend says so explicitly. */
export function tokenCheck(v: unknown): TokenCheck {
  const o = obj(v);
  return { present: o.present === true, verified: o.verified === true, problem: str(o.problem), decision: str(o.decision) };
}

export function proposalView(v: unknown): ProposalView {
  const o = obj(v);
  const view: ProposalView = {
    proposal: proposal(o.proposal),
    risk_reasons: strs(o.risk_reasons),
    not_undoable: strs(o.not_undoable),
    token: tokenCheck(o.token),
  };
  if (o.execution !== null && typeof o.execution === 'object') view.execution = executionView(o.execution);
  return view;
}

// ---- Execution, undo and redo ----

const outcomes: readonly string[] = ['executed', 'failed', 'reverted'];
const pathStates: readonly string[] = ['absent', 'file', 'dir'];

// An unknown outcome reads as a failure: the UI should never claim success
// it was not told of.
function outcome(v: unknown): Outcome {
  return typeof v === 'string' && outcomes.includes(v) ? (v as Outcome) : 'failed';
}

// An unknown state reads as a file: something is there.
function pathState(v: unknown): PathState {
  return typeof v === 'string' && pathStates.includes(v) ? (v as PathState) : 'file';
}

function optInt(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
}

function actionResult(v: unknown, i: number): ActionResult {
  const o = obj(v);
  const r: ActionResult = {
    index: optInt(o.index) ?? i,
    kind: str(o.kind),
    changed: Math.max(0, optInt(o.changed) ?? 0),
  };
  const note = optStr(o.note);
  if (note !== undefined) r.note = note;
  // 0 is an exit code like any other: kept, not dropped as "empty".
  const exit = optInt(o.exit_code);
  if (exit !== undefined) r.exit_code = exit;
  const http = optInt(o.http_status);
  if (http !== undefined && http > 0) r.http_status = http;
  if (typeof o.stdout === 'string' && o.stdout !== '') r.stdout = o.stdout;
  if (typeof o.stderr === 'string' && o.stderr !== '') r.stderr = o.stderr;
  const ms = optInt(o.duration_ms);
  if (ms !== undefined && ms >= 0) r.duration_ms = ms;
  const error = optStr(o.error);
  if (error !== undefined) r.error = error;
  return r;
}

export function executionResult(v: unknown): ExecutionResult {
  const o = obj(v);
  const r: ExecutionResult = {
    outcome: outcome(o.outcome),
    stale: bool(o.stale),
    agent_runs: bool(o.agent_runs),
    recovered: bool(o.recovered),
    not_undoable: strs(o.not_undoable),
    actions: arr(o.actions).map(actionResult),
  };
  const error = optStr(o.error);
  if (error !== undefined) r.error = error;
  const rollback = optStr(o.rollback);
  if (rollback !== undefined) r.rollback = rollback;
  return r;
}

function pathChange(v: unknown): PathChange {
  const o = obj(v);
  return { path: str(o.path), before: pathState(o.before), after: pathState(o.after) };
}

export function executionView(v: unknown): ExecutionView {
  const o = obj(v);
  const paths = arr(o.paths).map(pathChange);
  const e: ExecutionView = {
    paths,
    paths_total: Math.max(paths.length, optInt(o.paths_total) ?? 0),
    in_flight: bool(o.in_flight),
  };
  if (o.result !== null && typeof o.result === 'object') e.result = executionResult(o.result);
  return e;
}

function conflict(v: unknown): Conflict {
  const o = obj(v);
  const c: Conflict = { path: str(o.path), expected: str(o.expected), found: str(o.found) };
  if (typeof o.diff === 'string' && o.diff !== '') c.diff = o.diff;
  return c;
}

/**
 * Undo's or Redo's answer. Done only when the backend says so in as many
 * words; anything else is a refusal, with whatever conflicts came with it.
 */
export function undoOutcome(v: unknown): UndoOutcome {
  const o = obj(v);
  const u: UndoOutcome = { done: o.done === true, conflicts: arr(o.conflicts).map(conflict) };
  if (o.result !== null && typeof o.result === 'object') u.result = executionResult(o.result);
  return u;
}

export function secretScan(v: unknown): SecretScan {
  const o = obj(v);
  return {
    findings: arr(o.findings).map((f): SecretFinding => {
      const x = obj(f);
      return { action: Number.isInteger(x.action) ? (x.action as number) : -1, field: str(x.field), line: num(x.line),
        rule_id: str(x.rule_id), description: str(x.description) };
    }),
    truncated: bool(o.truncated),
  };
}

export function info(v: unknown): Info {
  const o = obj(v);
  return {
    version: str(o.version),
    data_dir: str(o.data_dir),
    demo: o.demo === true,
    user: str(o.user),
    pending: num(o.pending),
    keys: keyStatus(o.keys),
    gateway: str(o.gateway),
    paused: o.paused === true,
  };
}

/** A missing or malformed key status reads as "cannot sign": fail closed. */
export function keyStatus(v: unknown): KeyStatus {
  const o = obj(v);
  const ok = o.ok === true;
  return {
    ok,
    key_id: str(o.key_id),
    weak: o.weak === true,
    problem: ok ? '' : str(o.problem) || 'The signing key is not available.',
    advice: str(o.advice),
  };
}

export function queueEvent(v: unknown): QueueEvent | undefined {
  const o = obj(v);
  const id = str(o.proposal_id);
  // Only a change of the rules or the pause is about no proposal.
  if (id === '' && o.type === POLICY_CHANGED) return { type: POLICY_CHANGED, proposal_id: '', status: 'pending', at: time(o.at) };
  if (id === '') return undefined;
  const e: QueueEvent = { type: str(o.type), proposal_id: id, status: status(o.status), at: time(o.at) };
  if (o.summary !== null && typeof o.summary === 'object') e.summary = summary(o.summary);
  return e;
}

/** A batch as sent; tolerates a single event where a batch was expected. */
export function queueEvents(v: unknown): QueueEvent[] {
  const list = Array.isArray(v) ? v : v && typeof v === 'object' ? [v] : [];
  const out: QueueEvent[] = [];
  for (const item of list) {
    const e = queueEvent(item);
    if (e) out.push(e);
  }
  return out;
}

// ---- Previews ----

const lineKinds: readonly string[] = ['context', 'add', 'del'];

function byteSpan(v: unknown): ByteSpan {
  const o = obj(v);
  return { start: num(o.start), end: num(o.end) };
}

function diffLine(v: unknown): DiffLine {
  const o = obj(v);
  // An unknown kind reads as a change, never as "unchanged".
  const kind = typeof o.kind === 'string' && lineKinds.includes(o.kind) ? (o.kind as LineKind) : 'add';
  return {
    kind,
    old: num(o.old),
    new: num(o.new),
    no_newline: bool(o.no_newline),
    text: str(o.text),
    spans: arr(o.spans).map(byteSpan),
  };
}

function hunk(v: unknown): Hunk {
  const o = obj(v);
  return {
    old_start: num(o.old_start),
    old_lines: num(o.old_lines),
    new_start: num(o.new_start),
    new_lines: num(o.new_lines),
    header: str(o.header),
    lines: arr(o.lines).map(diffLine),
  };
}

export function diffResult(v: unknown): DiffResult {
  const o = obj(v);
  return {
    path: str(o.path),
    old_exists: bool(o.old_exists),
    new_exists: bool(o.new_exists),
    binary: bool(o.binary),
    binary_summary: str(o.binary_summary),
    hunks: arr(o.hunks).map(hunk),
    added: num(o.added),
    deleted: num(o.deleted),
    coarse: bool(o.coarse),
    truncated: bool(o.truncated),
    old_sha256: str(o.old_sha256),
    new_sha256: str(o.new_sha256),
    old_size: num(o.old_size),
    new_size: num(o.new_size),
  };
}

const cellTypes: readonly string[] = ['number', 'string', 'bool', 'error', 'date'];
const cellChanges: readonly string[] = ['added', 'removed', 'modified'];
const sheetStatuses: readonly string[] = ['modified', 'added', 'removed', 'renamed'];

function cellValue(v: unknown): CellValue | undefined {
  if (v === null || typeof v !== 'object') return undefined;
  const o = obj(v);
  const c: CellValue = {
    type: typeof o.type === 'string' && cellTypes.includes(o.type) ? (o.type as SheetCellType) : '',
    value: str(o.value),
  };
  const display = optStr(o.display);
  if (display !== undefined) c.display = display;
  const formula = optStr(o.formula);
  if (formula !== undefined) c.formula = formula;
  if (o.array === true) c.array = true;
  if (o.uncalculated === true) c.uncalculated = true;
  return c;
}

function cellChangeKind(v: unknown): CellChangeKind {
  return typeof v === 'string' && cellChanges.includes(v) ? (v as CellChangeKind) : 'modified';
}

function cellChange(v: unknown): CellChange {
  const o = obj(v);
  const c: CellChange = {
    cell: str(o.cell),
    row: num(o.row),
    col: num(o.col),
    change: cellChangeKind(o.change),
    type_changed: bool(o.type_changed),
    formula_changed: bool(o.formula_changed),
  };
  const old = cellValue(o.old);
  if (old) c.old = old;
  const nw = cellValue(o.new);
  if (nw) c.new = nw;
  return c;
}

function rowSpan(v: unknown): RowSpan {
  const o = obj(v);
  return { first: num(o.first), last: num(o.last), label: str(o.label) };
}

function sheetChange(v: unknown): SheetChange {
  const o = obj(v);
  const s: SheetChange = {
    name: str(o.name),
    status: typeof o.status === 'string' && sheetStatuses.includes(o.status) ? (o.status as SheetStatus) : 'modified',
    kind: str(o.kind),
    cells: arr(o.cells).map(cellChange),
    cells_changed: num(o.cells_changed),
    rows_added: arr(o.rows_added).map(rowSpan),
    rows_removed: arr(o.rows_removed).map(rowSpan),
    cols_added: arr(o.cols_added).map(rowSpan),
    cols_removed: arr(o.cols_removed).map(rowSpan),
    rows_added_count: num(o.rows_added_count),
    rows_removed_count: num(o.rows_removed_count),
    cols_added_count: num(o.cols_added_count),
    cols_removed_count: num(o.cols_removed_count),
    rows: num(o.rows),
    cols: num(o.cols),
    warnings: strs(o.warnings),
    truncated: bool(o.truncated),
  };
  const oldName = optStr(o.old_name);
  if (oldName !== undefined) s.old_name = oldName;
  return s;
}

function dependent(v: unknown): Dependent {
  const o = obj(v);
  return {
    sheet: str(o.sheet),
    cell: str(o.cell),
    row: num(o.row),
    col: num(o.col),
    formula: str(o.formula),
    value: str(o.value),
    depends_on: arr(o.depends_on).map((r) => {
      const x = obj(r);
      return { sheet: str(x.sheet), cell: str(x.cell) };
    }),
    depends_on_count: num(o.depends_on_count),
  };
}

function nameChange(v: unknown): NameChange {
  const o = obj(v);
  const n: NameChange = { name: str(o.name), change: cellChangeKind(o.change) };
  const scope = optStr(o.scope);
  if (scope !== undefined) n.scope = scope;
  if (typeof o.old === 'string') n.old = o.old;
  if (typeof o.new === 'string') n.new = o.new;
  return n;
}

export function changeSet(v: unknown): ChangeSet {
  const o = obj(v);
  const t = obj(o.totals);
  return {
    format: str(o.format),
    summary: str(o.summary),
    sheets: arr(o.sheets).map(sheetChange),
    names: arr(o.names).map(nameChange),
    dependents: arr(o.dependents).map(dependent),
    notes: strs(o.notes),
    totals: {
      cells: num(t.cells),
      sheets: num(t.sheets),
      rows_added: num(t.rows_added),
      rows_removed: num(t.rows_removed),
      cols_added: num(t.cols_added),
      cols_removed: num(t.cols_removed),
      sheets_added: num(t.sheets_added),
      sheets_removed: num(t.sheets_removed),
      sheets_renamed: num(t.sheets_renamed),
      names: num(t.names),
      dependents: num(t.dependents),
    },
    truncated: bool(o.truncated),
  };
}

/**
 * One action's preview. A preview that does not carry what its kind needs,
 * or a kind this UI does not know, becomes an error: the person is told the
 * preview is missing rather than shown nothing.
 */
export function previewAction(v: unknown, i: number): PreviewAction {
  const o = obj(v);
  const index = typeof o.index === 'number' ? o.index : i;
  const path = optStr(o.path);
  const base: PreviewAction = path !== undefined ? { index, kind: 'none', path } : { index, kind: 'none' };
  const fail = (error: string): PreviewAction => ({ ...base, kind: 'error', error });
  switch (o.kind) {
    case 'text':
    case 'binary':
      if (o.diff === null || typeof o.diff !== 'object') return fail('The preview came without its diff.');
      return { ...base, kind: o.kind, diff: diffResult(o.diff) };
    case 'sheet':
      if (o.sheet === null || typeof o.sheet !== 'object') return fail('The preview came without its cell changes.');
      return { ...base, kind: 'sheet', sheet: changeSet(o.sheet) };
    case 'none':
      return base;
    case 'error':
      return fail(str(o.error) || 'No preview could be made.');
    default:
      return fail(`Unknown kind of preview: ${str(o.kind).slice(0, 40)}`);
  }
}

export function previewActions(v: unknown): PreviewAction[] {
  return arr(v).map(previewAction);
}

export function pastPreview(v: unknown): PastPreview {
  const o = obj(v);
  return { basis: o.basis === 'recorded' ? 'recorded' : 'now', actions: previewActions(o.actions) };
}

function gridCell(v: unknown): GridCell {
  const o = obj(v);
  const c: GridCell = { row: num(o.row), col: num(o.col), cell: str(o.cell) };
  const value = cellValue(o.value);
  if (value) c.value = value;
  if (typeof o.change === 'string' && o.change !== '') c.change = cellChangeKind(o.change);
  const old = cellValue(o.old);
  if (old) c.old = old;
  return c;
}

/** PreviewLines' answer: the lines, as strings. */
export function lines(v: unknown): string[] {
  return strs(v);
}

export function grid(v: unknown): Grid {
  const o = obj(v);
  return {
    sheet: str(o.sheet),
    first_row: num(o.first_row),
    rows: num(o.rows),
    first_col: num(o.first_col),
    cols: num(o.cols),
    cells: arr(o.cells).map(gridCell),
    dimension: str(o.dimension),
    end: bool(o.end),
  };
}

function insightCounts(v: unknown): InsightCounts {
  const o = obj(v);
  const c = {} as InsightCounts;
  for (const k of INSIGHT_SERIES) c[k] = Math.max(0, num(o[k]));
  return c;
}

function insightRow(v: unknown): InsightRow {
  const o = obj(v);
  return { name: str(o.name), counts: insightCounts(o.counts) };
}

function namedCount(v: unknown): NamedCount {
  const o = obj(v);
  return { name: str(o.name), count: Math.max(0, num(o.count)) };
}

/** The dashboard's figures; every list an array, every count a number (0 when missing). */
export function insights(v: unknown): Insights {
  const o = obj(v);
  const byStatus: Record<string, number> = {};
  for (const [k, n] of Object.entries(obj(o.byStatus))) byStatus[k] = Math.max(0, num(n));
  return {
    from: str(o.from),
    to: str(o.to),
    byStatus,
    totals: insightCounts(o.totals),
    agents: arr(o.agents).map(insightRow),
    days: arr(o.days).map(insightRow),
    decided: num(o.decided),
    decisionMedianMs: num(o.decisionMedianMs),
    decisionP90Ms: num(o.decisionP90Ms),
    autoApproved: num(o.autoApproved),
    rules: arr(o.rules).map(namedCount),
    topPaths: arr(o.topPaths).map(namedCount),
    topCommands: arr(o.topCommands).map(namedCount),
    denials: arr(o.denials).map((d) => {
      const x = obj(d);
      return {
        id: str(x.id),
        agentId: str(x.agentId),
        summary: str(x.summary),
        reason: str(x.reason),
        decidedBy: str(x.decidedBy),
        decidedAt: str(x.decidedAt),
      };
    }),
    reasonsRedacted: bool(o.reasonsRedacted),
  };
}
export function timelinePage(v: unknown): TimelinePage {
  const o = obj(v);
  return {
    items: arr(o.items).map((it) => {
      const i = obj(it);
      return {
        ...summary(it),
        verdict: str(i.verdict),
        decided_by: str(i.decided_by),
        reason: str(i.reason),
        token: tokenCheck(i.token),
      };
    }),
    next: str(o.next),
  };
}

export function eventViews(v: unknown): EventView[] {
  return arr(v).map((e) => {
    const o = obj(e);
    return { id: num(o.id), at: time(o.at), type: str(o.type), description: str(o.description) };
  });
}

export function exportResult(v: unknown): ExportResult {
  const o = obj(v);
  return { path: str(o.path), count: num(o.count) };
}

// ---- Rules, budgets and the pause ----

// An effect that is not plainly "allow" reads as deny: a rule is never
// shown as letting through what it might not.
function effect(v: unknown): RuleEffect {
  return v === 'allow' ? 'allow' : 'deny';
}

/** An RFC 3339 time, or empty for none (Go's zero time included). */
function optTime(v: unknown): string {
  const t = time(v);
  return t === '' || t.startsWith('0001-01-01') ? '' : t;
}

function ruleView(v: unknown): RuleView {
  const o = obj(v);
  return {
    id: str(o.id),
    effect: effect(o.effect),
    description: str(o.description) || `Rule ${str(o.id)} (no description came with it)`,
    builtin: bool(o.builtin),
    session: bool(o.session),
    once: bool(o.once),
    spent: bool(o.spent),
    expired: bool(o.expired),
    created_by: str(o.created_by),
    created_at: optTime(o.created_at),
    expires_at: optTime(o.expires_at),
    uses: Math.max(0, num(o.uses)),
    last_used: optTime(o.last_used),
  };
}

/** A count of a budget: a whole number, 0 (no limit) when missing or negative. */
function count(v: unknown): number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : 0;
}

export function budget(v: unknown): Budget {
  const o = obj(v);
  return { writes: count(o.writes), deletes: count(o.deletes), bytes: count(o.bytes) };
}

function roleInfo(v: unknown): RoleInfo {
  const o = obj(v);
  return { role: str(o.role), name: str(o.name) || str(o.role), description: str(o.description) };
}

/**
 * A rules file waiting for review. Without the hash of what was shown it
 * cannot be accepted: it comes with an error, which disables Accept.
 */
function pendingRules(v: unknown): PendingRules {
  const o = obj(v);
  const sha256 = str(o.sha256);
  const error = str(o.error) || (sha256 === '' ? 'The change came without its hash, so it cannot be accepted.' : '');
  return {
    sha256,
    added: strs(o.added),
    removed: strs(o.removed),
    budgets_changed: bool(o.budgets_changed),
    error,
    text: str(o.text),
  };
}

export function policyState(v: unknown): PolicyState {
  const o = obj(v);
  const budgets: Record<string, Budget> = {};
  for (const [agent, b] of Object.entries(obj(o.budgets))) budgets[agent] = budget(b);
  const st: PolicyState = {
    rules: arr(o.rules).map(ruleView),
    budgets,
    roles: arr(o.roles).map(roleInfo),
    paused: bool(o.paused),
    paused_at: optTime(o.paused_at),
    problem: str(o.problem),
    version: num(o.version),
    accepted_at: optTime(o.accepted_at),
    accepted_by: str(o.accepted_by),
  };
  if (o.pending !== null && typeof o.pending === 'object') st.pending = pendingRules(o.pending);
  return st;
}

export function rememberPreview(v: unknown): RememberPreview {
  const o = obj(v);
  return {
    effect: effect(obj(o.rule).effect),
    description: str(o.description),
    matches: arr(o.matches).map(summary),
  };
}
