// An in-memory Backend for store and component tests.
import type {
  Action,
  Backend,
  DiffLine,
  DiffResult,
  Hunk,
  Grid,
  Info,
  KeyStatus,
  Page,
  PreviewAction,
  ProposalView,
  QueueEvent,
  SecretScan,
  Selection,
  Summary,
  WindowQuery,
} from '../api';
import { ApiError } from '../api';

export function summary(n: number, over: Partial<Summary> = {}): Summary {
  return {
    id: `p${n}`,
    agent_id: 'agent',
    summary: `Proposal ${n}`,
    risk: 'low',
    status: 'pending',
    created_at: '2025-06-01T10:00:00Z',
    expires_at: '0001-01-01T00:00:00Z',
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
    if (!s && !d) throw new ApiError('not_found', `no proposal ${id}`);
    const base = s ?? summary(Number(id.slice(1)));
    return {
      proposal: {
        id,
        agent_id: base.agent_id,
        summary: base.summary,
        actions: this.actions.get(id) ?? [{ kind: 'file.write', path: 'a.txt', content: 'hi' }],
        status: d ? (d.verb === 'approve' ? 'approved' : 'denied') : 'pending',
        risk: base.risk,
        created_at: base.created_at,
        expires_at: base.expires_at,
      },
      risk_reasons: [],
    };
  }

  private async decide(id: string, verb: 'approve' | 'deny', reason: string): Promise<void> {
    this.calls.push(`${verb} ${id}${reason ? ` ${reason}` : ''}`);
    if (this.decideError) throw this.decideError;
    this.pending = this.pending.filter((p) => p.id !== id);
    this.decided.set(id, { verb, reason });
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

  async info(): Promise<Info> {
    return { version: 'test', data_dir: '/tmp', demo: false, user: 'tester', pending: this.pending.length, keys: this.keys, gateway: this.gateway };
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

