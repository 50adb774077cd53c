// The selected proposal in full, and the decision on it. It follows the
// queue's selection, keeps a small cache so that moving back and forth is
// instant, and is the only place that calls Approve and Deny. An approved
// proposal is carried out a moment later: events say how that went, for the
// proposal shown and for the last one decided here. With Remember on, the
// decision is saved as a rule once it is recorded.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type {
  ApiError,
  Backend,
  ProposalView,
  QueueEvent,
  RememberLifetime,
  RememberPreview,
  RememberScope,
  RuleEffect,
  Status,
} from '../api';
import { REMEMBER_SCOPES, toApiError } from '../api';
import { failureText, statusLabel } from '../lib/labels';
import { LRU } from '../lib/lru';
import { isAfterApproval, isSubmitted } from '../lib/queueModel';
import { approvalPlan, previewGate, type PreviewStore } from './preview';
import type { QueueStore } from './queue';
import { fetchShown, retryShown } from './shown';

const CACHE_SIZE = 64;
const SEEN_SIZE = 256;

export type Verb = 'approve' | 'deny';

export interface Decided {
  id: string;
  summary: string;
  verb: Verb;
  /** Where it got after the decision (executing, executed, failed…), once known. */
  status?: Status;
  /** Why carrying it out failed, and what happened to the files. */
  problem?: string;
  /** The rule saved from it, in plain words. */
  rule?: string;
}

/** The rule the next decision would be remembered as. */
export interface RememberChoice {
  on: boolean;
  scope: RememberScope;
  lifetime: RememberLifetime;
}

export const REMEMBER_DEFAULT: RememberChoice = { on: false, scope: 'this-file', lifetime: '1h' };

/** The preview of the rule for the chosen scope, lifetime and effect. */
export interface RememberShown {
  key: string;
  loading: boolean;
  preview: RememberPreview | null;
  /** Why there is no preview (the scope does not fit, say). */
  error: string | null;
}

export interface DetailState {
  id: string | null;
  view: ProposalView | null;
  loading: boolean;
  error: ApiError | null;
  /** A status learnt after loading (from an event or a refused decision). */
  liveStatus: Status | null;
  /** The backend no longer knows this proposal: nothing to decide. */
  vanished: boolean;
  deciding: Verb | null;
  decisionError: string | null;
  denyOpen: boolean;
  /**
   * Approve was pressed while some preview could not be made: the person is
   * asked once more before it is recorded.
   */
  confirmOpen: boolean;
  /** The last decision made here, for the status line. */
  lastDecided: Decided | null;
  remember: RememberChoice;
  /**
   * For the shown proposal, by scope: '' when it fits, otherwise why not;
   * missing while not known yet.
   */
  scopes: Partial<Record<RememberScope, string>>;
  rememberShown: RememberShown | null;
  /** A decision was recorded but its rule was not saved: why, until dismissed. */
  rememberError: string | null;

  load(id: string | null): Promise<void>;
  retry(): Promise<void>;
  applyBatch(batch: readonly QueueEvent[]): void;
  /**
   * Approves what is selected (everything, or part through ApproveSelection).
   * When a preview is missing it first asks for confirmation; confirmed
   * approves anyway.
   */
  approve(confirmed?: boolean): Promise<void>;
  closeConfirm(): void;
  openDeny(): void;
  closeDeny(): void;
  deny(reason: string): Promise<void>;
  dismissDecisionError(): void;
  /** Opens or closes Remember for the shown proposal. */
  toggleRemember(): void;
  setRememberScope(scope: RememberScope): void;
  setRememberLifetime(lifetime: RememberLifetime): void;
  dismissRememberError(): void;
}

export type DetailStore = StoreApi<DetailState>;

/** Whether the selected proposal can still be decided. */
export function canDecide(s: Pick<DetailState, 'view' | 'liveStatus' | 'deciding' | 'vanished'>): boolean {
  if (!s.view || s.deciding || s.vanished) return false;
  return (s.liveStatus ?? s.view.proposal.status) === 'pending';
}

/** Why Approve is refused while agents are paused. */
export const PAUSED_MESSAGE = 'All agents are paused: resume them (Rules tab) before approving anything.';

/** An error's words without the Go package prefix ("policy: …"). */
function plain(e: ApiError): string {
  return (e.message || e.code).replace(/^policy: /, '');
}

/**
 * isPaused says whether every agent is paused, in which case approving is
 * refused here before the backend refuses it.
 */
export function createDetailStore(
  backend: Backend,
  queue: QueueStore,
  preview?: PreviewStore,
  isPaused: () => boolean = () => false,
): DetailStore {
  const cache = new LRU<string, ProposalView>(CACHE_SIZE);
  // Remember previews of the shown proposal, by scope, lifetime and effect.
  let previews = new Map<string, RememberShown>();
  // The last status events gave, for the proposals they were about lately.
  const seen = new LRU<string, Status>(SEEN_SIZE);
  const remember = (v: ProposalView): void => cache.set(v.proposal.id, v);
  const prefetching = new Set<string>();

  const store = createStore<DetailState>()((set, get) => {
    function prefetchNeighbour(id: string): void {
      const { model } = queue.getState();
      const i = model.ids.indexOf(id);
      const next = i >= 0 ? model.ids[i + 1] : undefined;
      if (!next || cache.has(next) || prefetching.has(next)) return;
      prefetching.add(next);
      backend
        .get(next)
        .then((v) => {
          if (v.proposal.status === 'pending') remember(v);
        })
        .catch(() => undefined)
        .finally(() => prefetching.delete(next));
    }

    async function decide(verb: Verb, reason: string): Promise<void> {
      const s = get();
      const { id, view } = s;
      if (!id || !view || !canDecide(s)) return;
      const plan = verb === 'approve' && preview ? approvalPlan(preview.getState(), id) : { kind: 'all' as const };
      if (plan.kind === 'none') {
        set({ decisionError: 'Nothing is selected. Tick what to approve, or deny the request.' });
        return;
      }
      // What to remember is fixed when the decision is made.
      const r = s.remember;
      const rem = r.on && !s.scopes[r.scope] ? { scope: r.scope, lifetime: r.lifetime } : null;
      set({ deciding: verb, decisionError: null, confirmOpen: false });
      try {
        if (verb === 'deny') await backend.deny(id, reason);
        else if (plan.kind === 'part') await backend.approveSelection(id, plan.selection);
        else await backend.approve(id);
      } catch (e) {
        if (get().id !== id) return;
        await refused(id, toApiError(e));
        return;
      }
      cache.delete(id);
      preview?.getState().forget(id);
      // Its events may have come before the answer did: start from them.
      const known = seen.get(id);
      const decided: Decided = { id, summary: view.proposal.summary, verb };
      if (known && known !== 'pending') decided.status = known;
      set({ deciding: null, denyOpen: false, lastDecided: decided });
      if (known === 'failed') void explainFailure(id);
      queue.getState().removeDecided([id], true);
      // Only a decision the backend recorded (so never an expired request) is remembered.
      if (rem) await saveRule(id, verb, rem.scope, rem.lifetime);
    }

    // The decision stands whatever happens here: a rule that could not be
    // saved is said so, apart from the decision.
    async function saveRule(id: string, verb: Verb, scope: RememberScope, lifetime: RememberLifetime): Promise<void> {
      try {
        const rule = await backend.remember(id, scope, lifetime);
        const last = get().lastDecided;
        if (last?.id === id) set({ lastDecided: { ...last, rule: rule || 'a rule' } });
      } catch (e) {
        const done = verb === 'approve' ? 'Approved' : 'Denied';
        set({ rememberError: `${done}, and that decision stands, but the rule was not saved: ${plain(toApiError(e))}` });
      }
    }

    function effect(): RuleEffect {
      return get().denyOpen ? 'deny' : 'allow';
    }

    function previewKey(id: string, scope: RememberScope, lifetime: RememberLifetime, eff: RuleEffect): string {
      return `${id}|${scope}|${lifetime}|${eff}`;
    }

    async function fetchPreview(id: string, scope: RememberScope, lifetime: RememberLifetime, eff: RuleEffect): Promise<RememberShown> {
      const key = previewKey(id, scope, lifetime, eff);
      const have = previews.get(key);
      if (have && !have.loading) return have;
      let shown: RememberShown;
      try {
        shown = { key, loading: false, preview: await backend.previewRemember(id, scope, lifetime, eff), error: null };
      } catch (e) {
        shown = { key, loading: false, preview: null, error: plain(toApiError(e)) };
      }
      previews.set(key, shown);
      return shown;
    }

    // Fills in which scopes fit the shown proposal (the first time) and the
    // preview of the chosen one.
    async function refreshRemember(): Promise<void> {
      const s = get();
      if (!s.remember.on || !s.id || !s.view) return;
      const id = s.id;
      const eff = effect();
      const { lifetime } = s.remember;
      if (Object.keys(s.scopes).length === 0) {
        set({ rememberShown: { key: previewKey(id, s.remember.scope, lifetime, eff), loading: true, preview: null, error: null } });
        const all = await Promise.all(REMEMBER_SCOPES.map((sc) => fetchPreview(id, sc, lifetime, eff)));
        if (get().id !== id || !get().remember.on) return;
        const scopes: Partial<Record<RememberScope, string>> = {};
        REMEMBER_SCOPES.forEach((sc, i) => (scopes[sc] = all[i]!.preview ? '' : (all[i]!.error ?? 'not available')));
        const chosen = get().remember.scope;
        const scope = scopes[chosen] === '' ? chosen : (REMEMBER_SCOPES.find((sc) => scopes[sc] === '') ?? chosen);
        set({ scopes, remember: { ...get().remember, scope } });
      }
      const now = get();
      const key = previewKey(id, now.remember.scope, now.remember.lifetime, effect());
      const cached = previews.get(key);
      if (cached && !cached.loading) {
        set({ rememberShown: cached });
        return;
      }
      set({ rememberShown: { key, loading: true, preview: null, error: null } });
      const shown = await fetchPreview(id, now.remember.scope, now.remember.lifetime, effect());
      if (get().id === id && get().rememberShown?.key === shown.key) set({ rememberShown: shown });
    }

    // A decision was refused: say why in words, and learn the real status.
    async function refused(id: string, err: ApiError): Promise<void> {
      if (err.code === 'conflict' || err.code === 'not_found') {
        let status: Status | null = null;
        if (err.code === 'conflict') {
          try {
            const fresh = await backend.get(id);
            status = fresh.proposal.status;
            if (get().id === id) set({ view: fresh });
          } catch {
            // Keep the message below without a status.
          }
        }
        if (get().id !== id) return;
        const message =
          err.code === 'not_found'
            ? 'This request no longer exists.'
            : status && status !== 'pending'
              ? `Someone else already decided this: ${statusLabel(status).toLowerCase()}.`
              : status === 'pending'
                ? `Not recorded: ${err.message || 'the request cannot be decided now.'}`
                : `This request can no longer be decided${err.message ? `: ${err.message}` : '.'}`;
        set({
          deciding: null,
          denyOpen: false,
          decisionError: message,
          liveStatus: status && status !== 'pending' ? status : get().liveStatus,
          vanished: err.code === 'not_found',
        });
        cache.delete(id);
        if (status !== 'pending') queue.getState().removeDecided([id], false);
        return;
      }
      set({
        deciding: null,
        decisionError: err.code === 'invalid' ? `Refused: ${err.message}` : `The decision was not recorded: ${err.message}`,
      });
    }

    async function reloadShown(id: string): Promise<void> {
      try {
        const view = await backend.get(id);
        if (get().id !== id || get().deciding !== null) return;
        set({ view, liveStatus: view.proposal.status });
      } catch {
        // The banner keeps the status the event gave.
      }
    }

    async function explainFailure(id: string): Promise<void> {
      let problem: string;
      try {
        problem = failureText((await backend.get(id)).execution?.result) ?? 'no reason was recorded';
      } catch (e) {
        problem = `the reason could not be read: ${toApiError(e).message}`;
      }
      const last = get().lastDecided;
      if (last?.id === id) set({ lastDecided: { ...last, problem } });
    }

    return {
      id: null,
      view: null,
      loading: false,
      error: null,
      liveStatus: null,
      vanished: false,
      deciding: null,
      decisionError: null,
      denyOpen: false,
      confirmOpen: false,
      lastDecided: null,
      remember: REMEMBER_DEFAULT,
      scopes: {},
      rememberShown: null,
      rememberError: null,

      async load(id) {
        if (id === get().id && (get().view || get().loading)) return;
        const cached = id ? cache.get(id) : undefined;
        set({
          id,
          view: cached ?? null,
          loading: id !== null && !cached,
          error: null,
          liveStatus: null,
          vanished: false,
          deciding: null,
          decisionError: null,
          denyOpen: false,
          confirmOpen: false,
          // Remember is asked for each request anew.
          remember: REMEMBER_DEFAULT,
          scopes: {},
          rememberShown: null,
        });
        previews = new Map();
        if (!id) return;
        if (cached) {
          prefetchNeighbour(id);
          return;
        }
        const keep = (v: ProposalView) => {
          if (v.proposal.status === 'pending') remember(v);
        };
        if (await fetchShown(backend, id, get, set, keep)) prefetchNeighbour(id);
      },

      retry: () => retryShown(get, set),

      applyBatch(batch) {
        const current = get().id;
        const last = get().lastDecided;
        let status: Status | null = null;
        let executed = false;
        let lastStatus: Status | null = null;
        for (const e of batch) {
          if (isSubmitted(e)) continue;
          cache.delete(e.proposal_id);
          seen.set(e.proposal_id, e.status);
          if (e.proposal_id === current) {
            status = e.status;
            executed ||= isAfterApproval(e);
          }
          if (last && e.proposal_id === last.id && e.status !== 'pending') lastStatus = e.status;
        }
        if (status && status !== 'pending' && get().deciding === null) {
          set({ liveStatus: status, denyOpen: false, confirmOpen: false });
        }
        // The banner says how the execution went: read its result.
        if (executed && current) void reloadShown(current);
        if (last && lastStatus && lastStatus !== last.status) {
          set({ lastDecided: { ...last, status: lastStatus } });
          if (lastStatus === 'failed') void explainFailure(last.id);
        }
      },

      approve(confirmed = false) {
        const s = get();
        if (!s.id || !canDecide(s)) return Promise.resolve();
        if (isPaused()) {
          set({ decisionError: PAUSED_MESSAGE, confirmOpen: false });
          return Promise.resolve();
        }
        if (!confirmed && preview) {
          if (previewGate(preview.getState(), s.id) !== null) {
            set({ confirmOpen: true, denyOpen: false, decisionError: null });
            return Promise.resolve();
          }
        }
        return decide('approve', '');
      },

      closeConfirm() {
        set({ confirmOpen: false });
      },

      openDeny() {
        if (!canDecide(get())) return;
        set({ denyOpen: true, confirmOpen: false, decisionError: null });
        void refreshRemember();
      },

      closeDeny() {
        if (!get().denyOpen) return;
        set({ denyOpen: false });
        void refreshRemember();
      },

      deny: (reason) => decide('deny', reason.trim()),

      dismissDecisionError() {
        set({ decisionError: null });
      },

      toggleRemember() {
        const s = get();
        if (!s.remember.on && !canDecide(s)) return;
        set({ remember: { ...s.remember, on: !s.remember.on } });
        void refreshRemember();
      },

      setRememberScope(scope) {
        const s = get();
        if (s.scopes[scope]) return;
        set({ remember: { ...s.remember, scope } });
        void refreshRemember();
      },

      setRememberLifetime(lifetime) {
        set({ remember: { ...get().remember, lifetime } });
        void refreshRemember();
      },

      dismissRememberError() {
        set({ rememberError: null });
      },
    };
  });

  queue.subscribe((s, prev) => {
    if (s.selectedId !== prev.selectedId) void store.getState().load(s.selectedId);
  });
  // The confirmation was only for a preview still on its way: once it has
  // arrived whole, the person decides with the normal buttons again.
  preview?.subscribe((p) => {
    const { id, confirmOpen } = store.getState();
    if (confirmOpen && id && previewGate(p, id) === null) store.setState({ confirmOpen: false });
  });
  return store;
}

