import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useRef, type ComponentType, type KeyboardEvent } from 'react';

export const ROW_HEIGHT = 76;

export function rowDomId(id: string): string {
  return `row-${id}`;
}

export interface ListRowProps {
  id: string;
  index: number;
  /** For aria-setsize: the rows in all, or -1 when not known. */
  total: number;
  selected: boolean;
  onPick(id: string): void;
}

interface Props {
  /** Loaded ids, top first, from row start (a window of the list). */
  ids: readonly string[];
  /** The index of the first of ids; 0 when the list holds every row loaded. */
  start?: number;
  /** Rows in all: past the loaded ones are placeholders until their page arrives. */
  total: number;
  /** Whether total is the real count (else assistive tech is told it is unknown). */
  counted?: boolean;
  selectedId: string | null;
  /** The listbox's accessible name. */
  label: string;
  /** One row; memoized, since it is rendered for every row in view. */
  Row: ComponentType<ListRowProps>;
  /** The list's store as it is at this moment (its getState). */
  list(): ListState;
  /**
   * The group (a day, say) a loaded row belongs to, by its id, when the list
   * is grouped: the first row of each group is marked with its name, and the
   * group of the top row stays at the top while scrolling.
   */
  groupOf?(id: string): string;
}

/** What the list needs of its store. */
export interface ListState {
  /**
   * start: as Props; length (the rows known) defaults to ids.length; pinned:
   * the selected row's index when it is not among ids.
   */
  model: { ids: readonly string[]; start?: number; length?: number; pinned?: { id: string; index: number } | null };
  /** Makes sure rows up to index (the last in view; first, the first) are loaded, or being loaded. */
  ensureLoaded(index: number, first?: number): void;
  select(id: string): void;
  selectIndex(index: number): void;
}

/**
 * A list of proposals, virtualized: only the rows in view are in the DOM.
 * The keyboard moves the selection through the store (j/k globally, Home and
 * End here); this keeps the selected row in view and the rows in view where
 * they are when rows come or go above them.
 */
export function VirtualList(p: Props) {
  const { ids, start = 0, total, counted = true, selectedId, label, Row } = p;
  const idAt = (i: number): string | undefined => (i >= start ? ids[i - start] : undefined);
  const setSize = counted ? total : -1;
  const parentRef = useRef<HTMLDivElement>(null);
  // The latest store reader, so effects need not run again when it changes.
  const listRef = useRef(p.list);
  listRef.current = p.list;
  const list = useCallback(() => listRef.current(), []);

  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => parentRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 6,
    getItemKey: (i) => idAt(i) ?? `placeholder-${i}`,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.length > 0 ? items[items.length - 1]!.index : 0;
  const firstIndex = items.length > 0 ? items[0]!.index : 0;

  useEffect(() => {
    list().ensureLoaded(lastIndex, firstIndex);
  }, [list, lastIndex, firstIndex, ids.length, start]);

  // Keep the rows in view where they are when rows come or go above them.
  const anchor = useRef<{ id: string; offset: number } | null>(null);
  useLayoutEffect(() => {
    const el = parentRef.current;
    if (!el) return;
    const a = anchor.current;
    if (a && el.scrollTop > 0) {
      const w = ids.indexOf(a.id);
      const i = w >= 0 ? start + w : -1;
      if (i >= 0) {
        const want = i * ROW_HEIGHT + a.offset;
        if (Math.abs(want - el.scrollTop) >= 1) el.scrollTop = want;
      }
    }
  }, [ids, start]);
  useEffect(() => {
    const el = parentRef.current;
    if (!el) return;
    const record = () => {
      const i = Math.floor(el.scrollTop / ROW_HEIGHT);
      const m = list().model;
      const id = m.ids[i - (m.start ?? 0)];
      anchor.current = id ? { id, offset: el.scrollTop - i * ROW_HEIGHT } : null;
    };
    record();
    el.addEventListener('scroll', record, { passive: true });
    return () => el.removeEventListener('scroll', record);
  }, [list, ids, start]);

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
    const m = list().model;
    const w = m.ids.indexOf(selectedId);
    const i = w >= 0 ? (m.start ?? 0) + w : m.pinned?.id === selectedId ? m.pinned.index : -1;
    if (i >= 0) virtualizer.scrollToIndex(i, { align: 'auto' });
  }, [list, selectedId, virtualizer]);

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    if (e.key === 'Home') {
      e.preventDefault();
      list().selectIndex(0);
    } else if (e.key === 'End') {
      e.preventDefault();
      const m = list().model;
      list().selectIndex((m.length ?? m.ids.length) - 1);
    }
  }

  // A click selects and keeps keyboard focus on the list, so j/k and the
  // arrows carry on from there.
  const pick = useCallback(
    (id: string) => {
      list().select(id);
      parentRef.current?.focus({ preventScroll: true });
    },
    [list],
  );

  const selectedRendered = selectedId !== null && items.some((v) => idAt(v.index) === selectedId);
  const groupOf = p.groupOf;
  const topId = idAt(Math.floor((virtualizer.scrollOffset ?? 0) / ROW_HEIGHT));
  const topGroup = groupOf && topId ? groupOf(topId) : null;

  return (
    <>
      {groupOf && (
        <div className="group-band" aria-hidden="true">
          {topGroup}
        </div>
      )}
      <div
        ref={parentRef}
        className="queue-scroll"
        role="listbox"
        tabIndex={0}
        aria-label={label}
        aria-activedescendant={selectedRendered && selectedId ? rowDomId(selectedId) : undefined}
        onKeyDown={onKeyDown}
      >
        <div className="queue-inner" style={{ height: virtualizer.getTotalSize() }}>
          {items.map((v) => {
            const id = idAt(v.index);
            const prev = v.index > 0 ? idAt(v.index - 1) : undefined;
            const group = groupOf && id ? groupOf(id) : null;
            // The band above the list names the top row's group; a row that
            // starts another one says so on its top edge.
            const starts = group !== null && prev !== undefined && groupOf?.(prev) !== group;
            return (
              <div
                key={v.key}
                className={starts ? 'row-slot row-slot-group' : 'row-slot'}
                style={{ transform: `translateY(${v.start}px)`, height: ROW_HEIGHT }}
              >
                {starts && (
                  <span className="group-start" role="presentation">
                    {group}
                  </span>
                )}
                {id ? (
                  <Row id={id} index={v.index} total={setSize} selected={id === selectedId} onPick={pick} />
                ) : (
                  <div
                    className="row row-placeholder"
                    role="option"
                    aria-selected={false}
                    aria-disabled="true"
                    aria-posinset={v.index + 1}
                    aria-setsize={setSize}
                  >
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
    </>
  );
}
