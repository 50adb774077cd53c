import { useEffect, useRef, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import type { ProposalView } from '../api';
import type { Shown } from '../stores/shown';
import { ErrorBox } from './ErrorBox';

/** A detail store, read only: the proposal it shows, and how to load it again. */
export type ShownStore = Pick<StoreApi<Shown & { retry(): Promise<void> }>, 'getState' | 'getInitialState' | 'subscribe'>;

interface Props {
  store: ShownStore;
  /** The pane's accessible name, e.g. "Request details". */
  label: string;
  /** Said when nothing is selected. */
  placeholder: string;
  /** Said when it could not be loaded. */
  errorTitle: string;
  /** The details of the loaded proposal. */
  children(view: ProposalView): ReactNode;
  /** Under the details once they are shown: the buttons. */
  bar: ReactNode;
}

/**
 * The right-hand pane: nothing selected, loading, could not load, or the
 * details in a scrollable area with a bar of buttons under them.
 */
export function DetailFrame({ store, label, placeholder, errorTitle, children, bar }: Props) {
  const id = useStore(store, (s) => s.id);
  const view = useStore(store, (s) => s.view);
  const loading = useStore(store, (s) => s.loading);
  const error = useStore(store, (s) => s.error);
  const scrollRef = useRef<HTMLDivElement>(null);

  // A new selection starts at its top.
  useEffect(() => {
    if (scrollRef.current) scrollRef.current.scrollTop = 0;
  }, [id]);

  const ready = view !== null && !loading && !error;
  let body;
  if (id === null) {
    body = <p className="detail-placeholder">{placeholder}</p>;
  } else if (error) {
    body = <ErrorBox title={errorTitle} error={error} onRetry={() => void store.getState().retry()} />;
  } else if (!ready) {
    body = (
      <div className="detail-loading" role="status">
        <span className="skeleton skeleton-title" />
        <span className="skeleton skeleton-wide" />
        <span className="skeleton" />
        <span className="sr-only">Loading…</span>
      </div>
    );
  } else {
    body = children(view);
  }

  return (
    <section className="detail" aria-label={label}>
      <div className="detail-scroll" ref={scrollRef} tabIndex={0} aria-label={`${label}, scrollable`}>
        {body}
      </div>
      {ready && bar}
    </section>
  );
}
