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

/** One row of the pending queue. */
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
  action_count: number;
  kinds: string[];
}

export interface Page {
  items: Summary[];
  total: number;
  offset: number;
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
}

export interface Info {
  version: string;
  data_dir: string;
  demo: boolean;
  user: string;
  pending: number;
  keys: KeyStatus;
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
  | (string & {});

export interface QueueEvent {
  type: QueueEventType;
  proposal_id: string;
  status: Status;
  at: string;
  summary?: Summary;
}
