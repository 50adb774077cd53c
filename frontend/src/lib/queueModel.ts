// The pending list as the UI holds it, and the pure functions that change it.
//
// The backend lists pending proposals newest first and pages through them by
// offset. The UI keeps a contiguous prefix of that list (ids, loaded from the
// top) and the total, so rows past the prefix are placeholders until their
// page arrives. Events keep the prefix in step with the backend: a submitted
// proposal goes on top, an event that takes one out of pending removes it,
// and events about what happened after approval (executing, executed,
// failed, reverted) are never about a pending proposal and change nothing. Every function here
// takes the whole batch at once and returns a new model only if something
// changed, so a burst costs one update, not one per event.
import type { Page, QueueEvent, Status, Summary } from '../api';

export interface QueueModel {
  /** Loaded pending ids, newest first: a prefix of the backend's list. */
  readonly ids: readonly string[];
  readonly byId: ReadonlyMap<string, Summary>;
  /** Pending proposals in all, loaded or not. */
  readonly total: number;
}

export const emptyModel: QueueModel = { ids: [], byId: new Map(), total: 0 };

/**
 * Ids that left the queue recently. It makes removals idempotent (the
 * event that follows our own decision must not count twice) and keeps a
 * stale page or a late "submitted" from bringing an id back.
 */
export class GoneSet {
  private readonly set = new Set<string>();
  constructor(private readonly limit = 20_000) {}
  has(id: string): boolean {
    return this.set.has(id);
  }
  add(id: string): void {
    if (this.set.has(id)) return;
    this.set.add(id);
    if (this.set.size > this.limit) {
      const oldest = this.set.values().next();
      if (!oldest.done) this.set.delete(oldest.value);
    }
  }
}

export interface BatchResult {
  model: QueueModel;
  /** Ids that were in the loaded prefix and left it. */
  removedLoaded: string[];
  /** Ids that left the queue without ever being loaded. */
  removedUnloaded: string[];
  /** Ids put on top, newest first. */
  inserted: string[];
  /** The new status of every id an event moved out of pending. */
  statuses: Map<string, Status>;
}

export function isSubmitted(e: QueueEvent): boolean {
  return e.type === 'proposal.submitted';
}

const afterApprovalTypes: ReadonlySet<string> = new Set([
  'proposal.executing',
  'proposal.executed',
  'proposal.failed',
  'proposal.reverted',
]);
const afterApprovalStatuses: ReadonlySet<Status> = new Set<Status>(['executing', 'executed', 'failed', 'reverted']);

/**
 * An event about a proposal that was approved earlier: it is being carried
 * out, was, failed, or was undone. Only approved proposals get there, so
 * such an event never concerns the pending queue.
 */
export function isAfterApproval(e: QueueEvent): boolean {
  return afterApprovalTypes.has(e.type) || afterApprovalStatuses.has(e.status);
}

/** Applies one batch of queue events, in order. */
export function applyBatch(model: QueueModel, batch: readonly QueueEvent[], gone: GoneSet): BatchResult {
  const added: Summary[] = [];
  const addedIds = new Set<string>();
  const remove = new Set<string>();
  const removedLoaded: string[] = [];
  const removedUnloaded: string[] = [];
  const statuses = new Map<string, Status>();

  for (const e of batch) {
    const id = e.proposal_id;
    if (isSubmitted(e)) {
      if (!e.summary || gone.has(id) || model.byId.has(id) || addedIds.has(id)) continue;
      added.push(e.summary.id === id ? e.summary : { ...e.summary, id });
      addedIds.add(id);
      continue;
    }
    if (isAfterApproval(e)) continue;
    statuses.set(id, e.status);
    if (gone.has(id)) continue;
    gone.add(id);
    if (addedIds.has(id)) {
      remove.add(id);
    } else if (model.byId.has(id)) {
      remove.add(id);
      removedLoaded.push(id);
    } else {
      removedUnloaded.push(id);
    }
  }

  if (added.length === 0 && remove.size === 0 && removedUnloaded.length === 0) {
    return { model, removedLoaded, removedUnloaded, inserted: [], statuses };
  }

  const byId = new Map(model.byId);
  const inserted: string[] = [];
  for (let i = added.length - 1; i >= 0; i--) {
    const s = added[i]!;
    if (remove.has(s.id)) continue;
    byId.set(s.id, s);
    inserted.push(s.id);
  }
  for (const id of removedLoaded) byId.delete(id);
  const kept = removedLoaded.length > 0 ? model.ids.filter((id) => !remove.has(id)) : model.ids;
  const ids = inserted.length > 0 ? inserted.concat(kept) : kept.slice();
  const total = Math.max(ids.length, model.total + inserted.length - removedLoaded.length - removedUnloaded.length);
  return { model: { ids, byId, total }, removedLoaded, removedUnloaded, inserted, statuses };
}

/** Removes ids the UI itself took out (after a decision). */
export function removeIds(model: QueueModel, ids: readonly string[], gone: GoneSet): QueueModel {
  const remove = new Set<string>();
  let unloaded = 0;
  for (const id of ids) {
    if (gone.has(id)) continue;
    gone.add(id);
    if (model.byId.has(id)) remove.add(id);
    else unloaded++;
  }
  if (remove.size === 0 && unloaded === 0) return model;
  const byId = new Map(model.byId);
  for (const id of remove) byId.delete(id);
  const next = model.ids.filter((id) => !remove.has(id));
  return { ids: next, byId, total: Math.max(next.length, model.total - remove.size - unloaded) };
}

/** What happened to the list while a page request was in flight. */
export interface PageContext {
  /** Events arrived meanwhile, so the page's total may be stale. */
  eventsSeen: boolean;
  /** Ids that left the queue meanwhile without being loaded. */
  removedUnloaded: ReadonlySet<string>;
}

/**
 * Appends a page fetched at offset === model.ids.length (as it was when
 * requested). Items already held or gone are skipped, which absorbs
 * proposals inserted on top meanwhile. A short page means the end of the
 * list: the total is brought down to what is loaded.
 */
export function appendPage(
  model: QueueModel,
  page: Page,
  limit: number,
  ctx: PageContext,
  gone: GoneSet,
): QueueModel {
  const fresh: Summary[] = [];
  for (const s of page.items) {
    if (model.byId.has(s.id) || gone.has(s.id) || ctx.removedUnloaded.has(s.id)) continue;
    fresh.push(s);
  }
  const byId = fresh.length > 0 ? new Map(model.byId) : model.byId;
  const ids = model.ids.slice();
  for (const s of fresh) {
    if (byId.has(s.id)) continue;
    (byId as Map<string, Summary>).set(s.id, s);
    ids.push(s.id);
  }
  // The page's total is the backend's count at some moment while the request
  // was in flight; if events arrived meanwhile, the local count (kept by the
  // events) is the better one, except for the first page, before which the
  // local count knew nothing.
  let total = !ctx.eventsSeen ? page.total : page.offset > 0 ? model.total : Math.max(page.total, model.total);
  if (page.items.length < limit) total = ids.length;
  total = Math.max(total, ids.length);
  return { ids, byId, total };
}

/** Index to select after the item at index was taken out of the list. */
export function nextIndexAfterRemoval(index: number, length: number): number {
  if (length === 0) return -1;
  return Math.min(Math.max(index, 0), length - 1);
}
