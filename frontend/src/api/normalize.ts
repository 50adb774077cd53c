// Converts the loosely typed values the bindings return into the strict types
// of types.ts. Go encodes nil slices as null and omits empty fields; these
// functions make every array an array and every required string a string, so
// nothing downstream has to guess.
import type {
  Action,
  CellEdit,
  Decision,
  Edit,
  Info,
  KeyStatus,
  Page,
  Proposal,
  ProposalView,
  QueueEvent,
  Risk,
  Status,
  Summary,
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
    action_count: num(o.action_count),
    kinds: strs(o.kinds),
  };
}

export function page(v: unknown): Page {
  const o = obj(v);
  return { items: arr(o.items).map(summary), total: num(o.total), offset: num(o.offset) };
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

export function proposalView(v: unknown): ProposalView {
  const o = obj(v);
  return { proposal: proposal(o.proposal), risk_reasons: strs(o.risk_reasons) };
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
