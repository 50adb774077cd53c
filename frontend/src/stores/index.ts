// The app's stores, built once with their dependencies, and the React hooks
// that read them. Components get stores from context so tests can pass
// their own.
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { Backend } from '../api';
import { createDetailStore, type DetailState, type DetailStore } from './detail';
import { createHistoryStore, type HistoryState, type HistoryStore } from './history';
import { createHistoryDetailStore, type HistoryDetailState, type HistoryDetailStore } from './historyDetail';
import { createInsightsStore, type InsightsState, type InsightsStore } from './insights';
import { createHistoryEventsStore, type HistoryEventsState, type HistoryEventsStore } from './historyEvents';
import { createInfoStore, type InfoState, type InfoStore } from './info';
import { createPreviewStore, type PreviewState, type PreviewStore } from './preview';
import { createQueueStore, type QueueState, type QueueStore } from './queue';
import { createRulesStore, type RulesState, type RulesStore } from './rules';
import { createSecretsStore, type SecretsState, type SecretsStore } from './secrets';
import { createUIStore, type UIState, type UIStore } from './ui';

export interface Stores {
  queue: QueueStore;
  detail: DetailStore;
  preview: PreviewStore;
  info: InfoStore;
  ui: UIStore;
  history: HistoryStore;
  historyDetail: HistoryDetailStore;
  historyEvents: HistoryEventsStore;
  secrets: SecretsStore;
  insights: InsightsStore;
  rules: RulesStore;
}

export function createStores(backend: Backend): Stores {
  const queue = createQueueStore(backend);
  const preview = createPreviewStore(backend, queue);
  const info = createInfoStore(backend);
  const detail = createDetailStore(backend, queue, preview, () => info.getState().info?.paused === true);
  const history = createHistoryStore(backend);
  const historyDetail = createHistoryDetailStore(backend, history);
  return {
    queue,
    detail,
    preview,
    info,
    ui: createUIStore(() => backend.quit()),
    history,
    historyDetail,
    historyEvents: createHistoryEventsStore(backend, historyDetail),
    secrets: createSecretsStore(backend, queue),
    insights: createInsightsStore(backend),
    rules: createRulesStore(backend, info),
  };
}

export const StoresContext = createContext<Stores | null>(null);

export function useStores(): Stores {
  const s = useContext(StoresContext);
  if (!s) throw new Error('StoresContext is missing');
  return s;
}

export function useQueue<T>(select: (s: QueueState) => T): T {
  return useStore(useStores().queue, select);
}

export function useDetail<T>(select: (s: DetailState) => T): T {
  return useStore(useStores().detail, select);
}

export function useInfo<T>(select: (s: InfoState) => T): T {
  return useStore(useStores().info, select);
}

export function useUI<T>(select: (s: UIState) => T): T {
  return useStore(useStores().ui, select);
}

export function usePreview<T>(select: (s: PreviewState) => T): T {
  return useStore(useStores().preview, select);
}

export function useHistory<T>(select: (s: HistoryState) => T): T {
  return useStore(useStores().history, select);
}

export function useHistoryDetail<T>(select: (s: HistoryDetailState) => T): T {
  return useStore(useStores().historyDetail, select);
}

export function useSecrets<T>(select: (s: SecretsState) => T): T {
  return useStore(useStores().secrets, select);
}

export function useInsights<T>(select: (s: InsightsState) => T): T {
  return useStore(useStores().insights, select);
}

export function useHistoryEvents<T>(select: (s: HistoryEventsState) => T): T {
  return useStore(useStores().historyEvents, select);
}

export function useRules<T>(select: (s: RulesState) => T): T {
  return useStore(useStores().rules, select);
}

/** Whether every agent is paused, as the backend last said. */
export function usePaused(): boolean {
  return useInfo((s) => s.info?.paused === true);
}
