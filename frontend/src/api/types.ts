// The shapes the UI works with. They mirror the Go types in backend/proposal,
// backend/queue and app, but are plain interfaces with nothing left untyped:
// api/ converts the generated Wails classes into these.

export type Risk = 'low' | 'medium' | 'high' | 'critical';

export type Status =
  | 'pending'
  | 'approved'
  | 'denied'
  | 'expired'
  | 'withdrawn'
  | 'executing'
  | 'executed'
  | 'failed'
  | 'reverted';

export type Verdict = 'approve' | 'approve-edited' | 'approve-part' | 'deny';

export type ActionKind =
  | 'file.write'
  | 'file.edit'
  | 'file.delete'
  | 'file.move'
  | 'dir.create'
  | 'sheet.update'
  | 'command.run'
  | 'net.request'
  | 'tool.call';

/** One row of the pending queue or of the history. */
export interface Summary {
  id: string;
  agent_id: string;
  summary: string;
  risk: Risk;
  status: Status;
  /** RFC 3339. */
  created_at: string;
  /** RFC 3339; the zero time (year 1) means it never expires. */
  expires_at: string;
  /** RFC 3339; the zero time (year 1) while pending. */
  decided_at: string;
  action_count: number;
  kinds: string[];
}

export interface Page {
  items: Summary[];
  /**
   * Pending: how many there are in all. History: offset plus the items, plus
   * one when more may follow (the history is not counted).
   */
  total: number;
  offset: number;
}

/** A page of the history read by cursor. */
export interface DecidedPage {
  items: Summary[];
  /** The cursor of the position after the last item; empty when nothing follows. */
  next: string;
}

export interface Edit {
  old: string;
  new: string;
  replace_all?: boolean;
}

export interface CellEdit {
  sheet: string;
  cell: string;
  value?: string;
  formula?: string;
}

export interface Action {
  /** A known ActionKind, or a kind this UI does not know yet. */
  kind: ActionKind | (string & {});
  path?: string;
  to?: string;
  content?: string;
  edits?: Edit[];
  cells?: CellEdit[];
  argv?: string[];
  dir?: string;
  timeout_sec?: number;
  writes?: string[];
  method?: string;
  url?: string;
  body?: string;
  tool?: string;
  /** Parsed JSON, whatever the agent sent. */
  input?: unknown;
}

export interface Decision {
  verdict: Verdict;
  reason?: string;
  decided_by: string;
  decided_at: string;
}

export interface Proposal {
  id: string;
  agent_id: string;
  summary: string;
  rationale?: string;
  workspace?: string;
  actions: Action[];
  status: Status;
  risk: Risk;
  created_at: string;
  expires_at: string;
  decision?: Decision;
}

export interface ProposalView {
  proposal: Proposal;
  risk_reasons: string[];
  /** Said before approval: what could not be undone once carried out. */
  not_undoable: string[];
  /** What carrying it out did, once it was. */
  execution?: ExecutionView;
  /** Whether the decision's intent token is genuine (absent before a decision). */
  token: TokenCheck;
}

/** Whether a decision's signed intent token verifies with Countersign's keys. */
export interface TokenCheck {
  present: boolean;
  verified: boolean;
  /** Why it does not verify. */
  problem: string;
  /** The verdict the token states. */
  decision: string;
}

// ---- Execution, undo and redo (backend/executor, app) ----

export type Outcome = 'executed' | 'failed' | 'reverted';

/** What one action did when carried out. */
export interface ActionResult {
  index: number;
  kind: string;
  /** Paths it changed. */
  changed: number;
  note?: string;
  exit_code?: number;
  http_status?: number;
  /** Agent-influenced output, capped by the backend; render as text only, clipped. */
  stdout?: string;
  stderr?: string;
  duration_ms?: number;
  error?: string;
}

export interface ExecutionResult {
  outcome: Outcome;
  error?: string;
  /** A target changed since it was approved, so nothing ran. */
  stale: boolean;
  /** What happened to the files when it failed. */
  rollback?: string;
  /** The agent carries the actions out itself; Countersign recorded the before-state. */
  agent_runs: boolean;
  /** Countersign stopped part-way and finished on its next start. */
  recovered: boolean;
  not_undoable: string[];
  actions: ActionResult[];
}

export type PathState = 'absent' | 'file' | 'dir';

export interface PathChange {
  path: string;
  before: PathState;
  after: PathState;
}

export interface ExecutionView {
  result?: ExecutionResult;
  /** The paths it changed, at most a few hundred; paths_total counts them all. */
  paths: PathChange[];
  paths_total: number;
  /** An execution, undo or redo is still running. */
  in_flight: boolean;
}

/** A file changed since Countersign last wrote it. */
export interface Conflict {
  path: string;
  /** What Countersign left there: "nothing", "a directory", "a file with SHA-256 …". */
  expected: string;
  found: string;
  /** Unified diff from what Countersign left to what is there now, for text. */
  diff?: string;
}

/** Undo's and Redo's answer: done, or refused because files changed since. */
export interface UndoOutcome {
  done: boolean;
  result?: ExecutionResult;
  conflicts: Conflict[];
}

/** One secret or piece of personal data in a proposal: where, and what kind; never the secret. */
export interface SecretFinding {
  /** Index of the action; -1 for the request's summary or rationale. */
  action: number;
  /** "content", "edit 2", "command line", "url", "body", "input", "cell S!B2", "summary", "rationale". */
  field: string;
  /** 1-based line within the field. */
  line: number;
  rule_id: string;
  /** In plain words: "an AWS access key". */
  description: string;
}

export interface SecretScan {
  findings: SecretFinding[];
  /** Not everything was read (too long, too many findings, or out of time). */
  truncated: boolean;
}

export interface Info {
  version: string;
  data_dir: string;
  demo: boolean;
  user: string;
  pending: number;
  keys: KeyStatus;
  /** Empty when agents can connect; otherwise why they cannot. */
  gateway: string;
  /** Every agent is paused: new requests are refused, waiting ones held, nothing can be approved. */
  paused: boolean;
}

/** Whether decisions can be signed, and how safely the key is kept. */
export interface KeyStatus {
  ok: boolean;
  key_id: string;
  weak: boolean;
  problem: string;
  advice: string;
}

export type QueueEventType =
  | 'proposal.submitted'
  | 'proposal.approved'
  | 'proposal.denied'
  | 'proposal.expired'
  | 'proposal.withdrawn'
  | 'proposal.executing'
  | 'proposal.executed'
  | 'proposal.failed'
  | 'proposal.reverted'
  | 'policy.changed'
  | (string & {});

/** The rules, the rules file waiting for review or the pause changed. */
export const POLICY_CHANGED = 'policy.changed';

export interface QueueEvent {
  type: QueueEventType;
  /** Empty only for POLICY_CHANGED, which is about no proposal. */
  proposal_id: string;
  status: Status;
  at: string;
  summary?: Summary;
}

// ---- Previews (backend/preview, backend/diff, backend/sheet) ----

export type PreviewKind = 'text' | 'binary' | 'sheet' | 'none' | 'error';

export type LineKind = 'context' | 'add' | 'del';

/** A changed stretch of a line: UTF-8 byte offsets into its text, [start, end). */
export interface ByteSpan {
  start: number;
  end: number;
}

export interface DiffLine {
  kind: LineKind;
  /** 1-based line numbers; 0 where the line does not exist on that side. */
  old: number;
  new: number;
  /** The last line of a file that does not end in a newline. */
  no_newline: boolean;
  text: string;
  spans: ByteSpan[];
}

export interface Hunk {
  old_start: number;
  old_lines: number;
  new_start: number;
  new_lines: number;
  header: string;
  lines: DiffLine[];
}

export interface DiffResult {
  path: string;
  old_exists: boolean;
  new_exists: boolean;
  binary: boolean;
  binary_summary: string;
  hunks: Hunk[];
  added: number;
  deleted: number;
  /** Exact, but some regions show more changed lines than the fewest possible. */
  coarse: boolean;
  /** The hunks stop before the end of the change. */
  truncated: boolean;
  old_sha256: string;
  new_sha256: string;
  old_size: number;
  new_size: number;
}

export type SheetCellType = 'number' | 'string' | 'bool' | 'error' | 'date' | '';

export interface CellValue {
  type: SheetCellType;
  value: string;
  display?: string;
  /** Without the leading "=". */
  formula?: string;
  array?: boolean;
  /** A formula without a cached result. */
  uncalculated?: boolean;
}

export type CellChangeKind = 'added' | 'removed' | 'modified';

export interface CellChange {
  cell: string;
  row: number;
  col: number;
  change: CellChangeKind;
  old?: CellValue;
  new?: CellValue;
  type_changed: boolean;
  formula_changed: boolean;
}

export interface RowSpan {
  first: number;
  last: number;
  label: string;
}

export type SheetStatus = 'modified' | 'added' | 'removed' | 'renamed';

export interface SheetChange {
  name: string;
  old_name?: string;
  status: SheetStatus;
  kind: string;
  cells: CellChange[];
  cells_changed: number;
  rows_added: RowSpan[];
  rows_removed: RowSpan[];
  cols_added: RowSpan[];
  cols_removed: RowSpan[];
  rows_added_count: number;
  rows_removed_count: number;
  cols_added_count: number;
  cols_removed_count: number;
  /** Last row and column holding something, for sizing a grid. */
  rows: number;
  cols: number;
  warnings: string[];
  truncated: boolean;
}

export interface CellRef {
  sheet: string;
  cell: string;
}

export interface Dependent {
  sheet: string;
  cell: string;
  row: number;
  col: number;
  formula: string;
  value: string;
  depends_on: CellRef[];
  depends_on_count: number;
}

export interface NameChange {
  name: string;
  scope?: string;
  change: CellChangeKind;
  old?: string;
  new?: string;
}

export interface SheetTotals {
  cells: number;
  sheets: number;
  rows_added: number;
  rows_removed: number;
  cols_added: number;
  cols_removed: number;
  sheets_added: number;
  sheets_removed: number;
  sheets_renamed: number;
  names: number;
  dependents: number;
}

export interface ChangeSet {
  format: string;
  summary: string;
  sheets: SheetChange[];
  names: NameChange[];
  dependents: Dependent[];
  notes: string[];
  totals: SheetTotals;
  truncated: boolean;
}

/** The preview of one action. */
export interface PreviewAction {
  index: number;
  kind: PreviewKind;
  path?: string;
  diff?: DiffResult;
  sheet?: ChangeSet;
  error?: string;
}

/**
 * What a past proposal's preview compares: "recorded", the states the
 * execution journal kept from before and after it was carried out (what was
 * approved); "now", the files as they are now (nothing was carried out).
 */
export type PreviewBasis = 'recorded' | 'now';

/** The previews of a proposal in the history. */
export interface PastPreview {
  basis: PreviewBasis;
  actions: PreviewAction[];
}

export interface WindowQuery {
  sheet: string;
  first_row: number;
  rows: number;
  first_col: number;
  cols: number;
}

export interface GridCell {
  row: number;
  col: number;
  cell: string;
  value?: CellValue;
  change?: CellChangeKind;
  old?: CellValue;
}

export interface Grid {
  sheet: string;
  first_row: number;
  rows: number;
  first_col: number;
  cols: number;
  cells: GridCell[];
  dimension: string;
  /** The sheet has no rows after this window. */
  end: boolean;
}

/** A partial approval: the actions kept and, of text actions, the hunks kept. */
export interface Selection {
  actions: number[];
  hunks: { action: number; keep: boolean[] }[];
}

/** The status changes the Insights dashboard counts, in order. */
export const INSIGHT_SERIES = ['proposed', 'approved', 'denied', 'executed', 'failed', 'reverted'] as const;
export type InsightSeries = (typeof INSIGHT_SERIES)[number];
export type InsightCounts = Record<InsightSeries, number>;

/** One day's or one agent's status changes. */
export interface InsightRow {
  name: string;
  counts: InsightCounts;
}

export interface NamedCount {
  name: string;
  count: number;
}

/** A denial with its reason, redacted by the backend or clipped. */
export interface InsightDenial {
  id: string;
  agentId: string;
  summary: string;
  reason: string;
  decidedBy: string;
  decidedAt: string;
}

/** The Insights dashboard's figures over [from, to). */
export interface Insights {
  from: string;
  to: string;
  /** Proposals created in the range, by their status now. */
  byStatus: Record<string, number>;
  totals: InsightCounts;
  agents: InsightRow[];
  /** One row per day, oldest first; name is YYYY-MM-DD. */
  days: InsightRow[];
  decided: number;
  decisionMedianMs: number;
  decisionP90Ms: number;
  autoApproved: number;
  rules: NamedCount[];
  topPaths: NamedCount[];
  topCommands: NamedCount[];
  denials: InsightDenial[];
  reasonsRedacted: boolean;
}

/** The history's filters and search; empty values do not filter. */
export interface TimelineFilters {
  agent: string;
  statuses: Status[];
  kinds: string[];
  risks: Risk[];
  /** RFC 3339 or empty: created at or after from, and before to. */
  from: string;
  to: string;
  /** A path: proposals touching it or anything under it. */
  path: string;
  /** Words searched in summaries, rationales, paths and reasons. */
  text: string;
}

export interface TimelineQuery extends TimelineFilters {
  /** The previous page's next; empty for the first page. */
  cursor: string;
  /** Rows to leave out after the cursor first (at most 2,000). */
  skip?: number;
  limit: number;
  /**
   * Only these proposals (at most 200; one page, no cursor): which of those
   * that just changed match the filters.
   */
  ids?: string[];
}

/** A proposal on the timeline, with its decision. */
export interface TimelineItem extends Summary {
  /** Empty while undecided, or expired without a decision. */
  verdict: string;
  decided_by: string;
  reason: string;
  /** Whether the decision's intent token verifies and names this proposal. */
  token: TokenCheck;
}

export interface TimelinePage {
  items: TimelineItem[];
  /** The cursor of the next page; empty after the last. */
  next: string;
}

/** One thing that happened to a proposal, in words. */
export interface EventView {
  id: number;
  /** RFC 3339. */
  at: string;
  type: string;
  description: string;
}

export type ExportFormat = 'jsonl' | 'csv';

/** What an export wrote; path is empty when the person cancelled. */
export interface ExportResult {
  path: string;
  count: number;
}

// ---- Rules, budgets and the pause (backend/core/policy.go, backend/policy) ----

export type RuleEffect = 'allow' | 'deny';

/** One rule as the Rules tab shows it. */
export interface RuleView {
  id: string;
  effect: RuleEffect;
  /** The rule in plain words. */
  description: string;
  /** Built in: it cannot be revoked. */
  builtin: boolean;
  /** Kept until Countersign quits. */
  session: boolean;
  /** Decides one request, then retires. */
  once: boolean;
  /** A once-rule that decided already. */
  spent: boolean;
  /** Past its expiry. */
  expired: boolean;
  created_by: string;
  /** RFC 3339, or empty. */
  created_at: string;
  /** RFC 3339, or empty: it does not expire. */
  expires_at: string;
  uses: number;
  /** RFC 3339, or empty: never used. */
  last_used: string;
}

/** An agent's hourly budget; 0 means no limit of that kind. */
export interface Budget {
  writes: number;
  deletes: number;
  bytes: number;
}

export interface RoleInfo {
  role: string;
  name: string;
  description: string;
}

/** The rules file as changed outside Countersign, waiting for the person. */
export interface PendingRules {
  /** Of the file as shown: accepting names it, so nothing else is applied. */
  sha256: string;
  /** Rules in plain words. */
  added: string[];
  removed: string[];
  budgets_changed: boolean;
  /** Why the file cannot be applied as it is; empty when it can. */
  error: string;
  /** The file, bounded by the backend; render as text only. */
  text: string;
}

export interface PolicyState {
  rules: RuleView[];
  /** By agent; the key "" is every agent without its own. */
  budgets: Record<string, Budget>;
  roles: RoleInfo[];
  paused: boolean;
  /** RFC 3339, or empty. */
  paused_at: string;
  pending?: PendingRules;
  /** Why the accepted rules cannot be applied; empty when they are. */
  problem: string;
  version: number;
  accepted_at: string;
  accepted_by: string;
}

/** What a remembered decision covers. */
export type RememberScope = 'this-file' | 'this-folder' | 'this-agent' | 'this-kind' | 'this-command-prefix';

export const REMEMBER_SCOPES: readonly RememberScope[] = [
  'this-file',
  'this-folder',
  'this-agent',
  'this-kind',
  'this-command-prefix',
];

/** How long a remembered decision lasts. */
export type RememberLifetime = 'once' | '15m' | '1h' | 'session' | 'until-revoked';

export const REMEMBER_LIFETIMES: readonly RememberLifetime[] = ['once', '15m', '1h', 'session', 'until-revoked'];

/** The rule remembering a decision would save, and the recent requests it would have decided. */
export interface RememberPreview {
  effect: RuleEffect;
  description: string;
  matches: Summary[];
}
