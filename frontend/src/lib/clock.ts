// A shared clock for relative times: one timer per interval, however many
// components read it, and none once nobody does.
import { useCallback, useSyncExternalStore } from 'react';

interface Ticker {
  now: number;
  listeners: Set<() => void>;
  timer: ReturnType<typeof setInterval> | undefined;
}

const tickers = new Map<number, Ticker>();

function ticker(intervalMs: number): Ticker {
  let t = tickers.get(intervalMs);
  if (!t) {
    t = { now: Date.now(), listeners: new Set(), timer: undefined };
    tickers.set(intervalMs, t);
  }
  return t;
}

function subscribe(intervalMs: number, listener: () => void): () => void {
  const t = ticker(intervalMs);
  t.listeners.add(listener);
  if (t.timer === undefined) {
    // Refresh only a stale reading: changing the snapshot on every
    // (re)subscription would make each subscriber render again.
    if (Date.now() - t.now >= intervalMs) t.now = Date.now();
    t.timer = setInterval(() => {
      t.now = Date.now();
      for (const l of t.listeners) l();
    }, intervalMs);
  }
  return () => {
    t.listeners.delete(listener);
    if (t.listeners.size === 0 && t.timer !== undefined) {
      clearInterval(t.timer);
      t.timer = undefined;
    }
  };
}

/** The current time in ms, updated every intervalMs while mounted. */
export function useNow(intervalMs: number): number {
  // Stable functions: a new subscribe on every render makes React unsubscribe
  // and subscribe again after each commit.
  const sub = useCallback((l: () => void) => subscribe(intervalMs, l), [intervalMs]);
  const snapshot = useCallback(() => ticker(intervalMs).now, [intervalMs]);
  return useSyncExternalStore(sub, snapshot);
}
