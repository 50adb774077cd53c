import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useEffect, useLayoutEffect, useRef, type KeyboardEvent } from 'react';
import { Age } from '../components/Age';
import { ErrorBox } from '../components/ErrorBox';
import { KindChips } from '../components/KindChips';
import { RiskBadge } from '../components/RiskBadge';
import { clip } from '../lib/truncate';
import { revealInline } from '../lib/visible';
import { Revealed } from '../components/Revealed';
import { useQueue, useStores } from '../stores';

export const ROW_HEIGHT = 76;

export function rowDomId(id: string): string {
  return `row-${id}`;
}

/** The pending queue, virtualized: only the rows in view are in the DOM. */
export function QueueList() {
  const { queue } = useStores();
  const ids = useQueue((s) => s.model.ids);
  const total = useQueue((s) => s.model.total);
  const selectedId = useQueue((s) => s.selectedId);
  const moreError = useQueue((s) => s.moreError);
  const parentRef = useRef<HTMLDivElement>(null);

  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => parentRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 6,
    getItemKey: (i) => ids[i] ?? `placeholder-${i}`,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.length > 0 ? items[items.length - 1]!.index : 0;

  useEffect(() => {
    queue.getState().ensureLoaded(lastIndex);
  }, [queue, lastIndex, ids.length]);

  // Keep the rows in view where they are when rows come or go above them.
  const anchor = useRef<{ id: string; offset: number } | null>(null);
  useLayoutEffect(() => {
    const el = parentRef.current;
    if (!el) return;
    const a = anchor.current;
    if (a && el.scrollTop > 0) {
      const i = ids.indexOf(a.id);
      if (i >= 0) {
        const want = i * ROW_HEIGHT + a.offset;
        if (Math.abs(want - el.scrollTop) >= 1) el.scrollTop = want;
      }
    }
  }, [ids]);
  useEffect(() => {
    const el = parentRef.current;
    if (!el) return;
    const record = () => {
      const i = Math.floor(el.scrollTop / ROW_HEIGHT);
      const id = queue.getState().model.ids[i];
      anchor.current = id ? { id, offset: el.scrollTop - i * ROW_HEIGHT } : null;
    };
    record();
    el.addEventListener('scroll', record, { passive: true });
    return () => el.removeEventListener('scroll', record);
  }, [queue, ids]);

  // Start with keyboard focus on the list, unless the person already put it
  // somewhere.
  useEffect(() => {
    if (document.activeElement === document.body || document.activeElement === null) {
      parentRef.current?.focus({ preventScroll: true });
    }
  }, []);

  // Bring the selected row into view when the selection moves (not when
  // rows arrive: reading elsewhere in the list is not interrupted).
  useEffect(() => {
    if (selectedId === null) return;
    const i = queue.getState().model.ids.indexOf(selectedId);
    if (i >= 0) virtualizer.scrollToIndex(i, { align: 'auto' });
  }, [queue, selectedId, virtualizer]);

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    const q = queue.getState();
    if (e.key === 'Home') {
      e.preventDefault();
      q.selectIndex(0);
    } else if (e.key === 'End') {
      e.preventDefault();
      q.selectIndex(q.model.ids.length - 1);
    }
  }

  // A click selects and keeps keyboard focus on the list, so j/k and the
  // arrows carry on from there.
  const pick = useCallback(
    (id: string) => {
      queue.getState().select(id);
      parentRef.current?.focus({ preventScroll: true });
    },
    [queue],
  );

  const selectedRendered = selectedId !== null && items.some((v) => ids[v.index] === selectedId);

  return (
    <div className="queue">
      <div
        ref={parentRef}
        className="queue-scroll"
        role="listbox"
        tabIndex={0}
        aria-label={`Pending requests, ${total.toLocaleString()} in all`}
        aria-activedescendant={selectedRendered && selectedId ? rowDomId(selectedId) : undefined}
        onKeyDown={onKeyDown}
      >
        <div className="queue-inner" style={{ height: virtualizer.getTotalSize() }}>
          {items.map((v) => {
            const id = ids[v.index];
            return (
              <div
                key={v.key}
                className="row-slot"
                style={{ transform: `translateY(${v.start}px)`, height: ROW_HEIGHT }}
              >
                {id ? (
                  <Row id={id} index={v.index} total={total} selected={id === selectedId} onPick={pick} />
                ) : (
                  <div className="row row-placeholder" role="option" aria-selected={false} aria-disabled="true" aria-posinset={v.index + 1} aria-setsize={total}>
                    <span className="skeleton" />
                    <span className="skeleton skeleton-wide" />
                    <span className="sr-only">Loading…</span>
                  </div>
                )}
              </div>
            );
          })}
        </div>
      </div>
      {total === 0 && <p className="queue-empty">No other requests waiting.</p>}
      {moreError && (
        <div className="queue-footer">
          <ErrorBox title="Could not load more requests." error={moreError} onRetry={() => queue.getState().retryMore()} />
        </div>
      )}
    </div>
  );
}

interface RowProps {
  id: string;
  index: number;
  total: number;
  selected: boolean;
  onPick(id: string): void;
}

const Row = memo(function Row({ id, index, total, selected, onPick }: RowProps) {
  const s = useQueue((st) => st.model.byId.get(id));
  if (!s) return null;
  const summary = revealInline(s.summary).text;
  const agent = revealInline(s.agent_id).text;
  return (
    <div
      id={rowDomId(id)}
      className={`row${selected ? ' row-selected' : ''} row-risk-${s.risk}`}
      role="option"
      aria-selected={selected}
      aria-posinset={index + 1}
      aria-setsize={total}
      onMouseDown={(e) => e.preventDefault()}
      onClick={() => onPick(id)}
    >
      <div className="row-top">
        <span className="row-agent" title={clip(agent, 1000)}>
          <Revealed text={clip(s.agent_id, 120)} inline />
        </span>
        <Age at={s.created_at} />
      </div>
      <div className="row-summary" title={clip(summary, 2000)}>
        <Revealed text={clip(s.summary, 300)} inline />
      </div>
      <div className="row-bottom">
        <RiskBadge risk={s.risk} />
        <KindChips kinds={s.kinds} count={s.action_count} />
      </div>
    </div>
  );
});
