// The Rules tab: the person's rules and the built-in ones, the roles, the
// budgets, the pause, and a rules file changed outside Countersign that
// waits for review. Loaded when the tab opens and again whenever the backend
// says the policy changed; every change goes through the backend, and what
// is shown is what it answers afterwards.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ApiError, Backend, Budget, PolicyState } from '../api';
import { toApiError } from '../api';
import type { InfoStore } from './info';

/** What is being changed, so its button can say so and not be pressed twice. */
export type RulesBusy = 'pause' | 'resume' | 'role' | 'budget' | 'accept' | 'reject' | `revoke:${string}`;

export interface RulesState {
  phase: 'idle' | 'loading' | 'ready' | 'error';
  policy: PolicyState | null;
  /** Why loading failed. */
  error: ApiError | null;
  busy: RulesBusy | null;
  /** Why the last change was refused, in words, until dismissed. */
  actionError: string | null;
  /** What the last change did, in words (for the status line). */
  notice: string | null;
  /** Loads the policy; keeps what is shown while it reloads. */
  load(): Promise<void>;
  /** Reloads after the backend said the policy changed, if the tab was ever opened. */
  changed(): void;
  setPaused(paused: boolean): Promise<void>;
  revoke(id: string): Promise<void>;
  applyRole(role: string, workspace: string): Promise<void>;
  /** Sets an agent's budget ("" for every agent without its own); all zero removes it. */
  setBudget(agent: string, budget: Budget): Promise<void>;
  /** Accepts the rules file as shown (its hash), nothing newer. */
  acceptFile(): Promise<void>;
  rejectFile(): Promise<void>;
  dismissError(): void;
}

export type RulesStore = StoreApi<RulesState>;

/** An error's words without the Go package prefix ("policy: …"). */
export function plainMessage(e: ApiError): string {
  return (e.message || e.code).replace(/^policy: /, '');
}

/** How a budget reads: "20 writes, 5 deletes, 10 MB an hour"; "no limit" when all zero. */
export function budgetWords(b: Budget): string {
  const parts: string[] = [];
  if (b.writes > 0) parts.push(`${b.writes} ${b.writes === 1 ? 'write' : 'writes'}`);
  if (b.deletes > 0) parts.push(`${b.deletes} ${b.deletes === 1 ? 'delete' : 'deletes'}`);
  if (b.bytes > 0) parts.push(byteWords(b.bytes));
  return parts.length === 0 ? 'no limit' : `${parts.join(', ')} an hour`;
}

export function byteWords(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${+(n / 1024).toFixed(1)} KB`;
  if (n < 1024 * 1024 * 1024) return `${+(n / 1024 / 1024).toFixed(1)} MB`;
  return `${+(n / 1024 / 1024 / 1024).toFixed(1)} GB`;
}

/** The name of a budget's agent as shown: "" is every agent without its own. */
export function budgetAgentLabel(agent: string): string {
  return agent === '' ? 'Every other agent' : agent;
}

export function createRulesStore(backend: Backend, info?: InfoStore): RulesStore {
  let seq = 0;

  // The banner reads the pause from Info: keep it as fresh as the rules.
  function syncPause(paused: boolean): void {
    if (!info) return;
    const current = info.getState().info;
    if (current && current.paused !== paused) info.setState({ info: { ...current, paused } });
  }

  return createStore<RulesState>()((set, get) => {
    async function change(busy: RulesBusy, run: () => Promise<void>, notice: string): Promise<boolean> {
      if (get().busy) return false;
      set({ busy, actionError: null, notice: null });
      try {
        await run();
      } catch (e) {
        set({ busy: null, actionError: plainMessage(toApiError(e)) });
        return false;
      }
      set({ busy: null, notice });
      await get().load();
      return true;
    }

    return {
      phase: 'idle',
      policy: null,
      error: null,
      busy: null,
      actionError: null,
      notice: null,

      async load() {
        const mine = ++seq;
        set((s) => ({ phase: s.policy ? s.phase : 'loading', error: null }));
        try {
          const policy = await backend.policy();
          if (mine !== seq) return;
          set({ policy, phase: 'ready', error: null });
          syncPause(policy.paused);
        } catch (e) {
          if (mine === seq) set({ phase: 'error', error: toApiError(e) });
        }
      },

      changed() {
        if (get().phase !== 'idle') void get().load();
      },

      async setPaused(paused) {
        const ok = await change(
          paused ? 'pause' : 'resume',
          () => backend.setPaused(paused),
          paused ? 'All agents are paused.' : 'Agents are running again.',
        );
        if (ok) syncPause(paused);
      },

      async revoke(id) {
        await change(`revoke:${id}`, () => backend.revokeRule(id), 'The rule was revoked.');
      },

      async applyRole(role, workspace) {
        const folder = workspace.trim();
        if (!folder.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(folder)) {
          set({ actionError: 'Give the workspace as a full path to a folder, such as /home/you/projects/site.' });
          return;
        }
        const name = get().policy?.roles.find((r) => r.role === role)?.name ?? role;
        await change('role', () => backend.applyRole(role, folder), `${name} applied to ${folder}.`);
      },

      async setBudget(agent, budget) {
        const name = budgetAgentLabel(agent.trim());
        const removing = budget.writes === 0 && budget.deletes === 0 && budget.bytes === 0;
        await change(
          'budget',
          () => backend.setBudget(agent.trim(), budget),
          removing ? `Budget of ${name} removed.` : `Budget of ${name} set: ${budgetWords(budget)}.`,
        );
      },

      async acceptFile() {
        const pending = get().policy?.pending;
        if (!pending || pending.error) return;
        await change('accept', () => backend.acceptRulesFile(pending.sha256), 'The changed rules file was accepted.');
      },

      async rejectFile() {
        if (!get().policy?.pending) return;
        await change('reject', () => backend.rejectRulesFile(), 'The change was rejected: the rules file is as you accepted it.');
      },

      dismissError() {
        set({ actionError: null });
      },
    };
  });
}
