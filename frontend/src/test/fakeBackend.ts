// An in-memory Backend for store and component tests.
import type { Backend, Info, KeyStatus, Page, ProposalView, QueueEvent, Summary } from '../api';
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
  keys: KeyStatus = { ok: true, key_id: 'test-key', weak: false, problem: '', advice: '' };
  listeners = new Set<(b: QueueEvent[]) => void>();
  failList: ApiError | null = null;
  decideError: ApiError | null = null;
  failGet: ApiError | null = null;
  decided = new Map<string, { verb: 'approve' | 'deny'; reason: string }>();
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
        actions: [{ kind: 'file.write', path: 'a.txt', content: 'hi' }],
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

  async info(): Promise<Info> {
    return { version: 'test', data_dir: '/tmp', demo: false, user: 'tester', pending: this.pending.length, keys: this.keys };
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
