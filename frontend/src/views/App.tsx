import { useEffect } from 'react';
import type { Backend } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { HelpOverlay } from '../components/HelpOverlay';
import { Loading } from '../components/Loading';
import { subscribeQueueEvents } from '../events';
import { StoresContext, useQueue, useStores, useUI, type Stores } from '../stores';
import { DetailPane } from './DetailPane';
import { EmptyState } from './EmptyState';
import { Header, tabId, VIEW_PANEL_ID } from './Header';
import { HistoryView } from './HistoryView';
import { InsightsView } from './InsightsView';
import { KeyBanner } from './KeyBanner';
import { PausedBanner } from './PausedBanner';
import { QueueList } from './QueueList';
import { RulesView } from './RulesView';
import { DecisionAnnouncer } from './StatusLine';
import { useShortcuts } from './useShortcuts';

/** The name of the performance mark set once the first page is on screen. */
export const FIRST_PAINT_MARK = 'countersign:first-page-painted';

export function App({ backend, stores }: { backend: Backend; stores: Stores }) {
  useEffect(() => {
    const unsubscribe = subscribeQueueEvents(backend, stores);
    // The tray or a notification's Open shows one request.
    const unselect = backend.onSelect((id) => {
      stores.ui.getState().setView('queue');
      stores.queue.getState().select(id);
    });
    void stores.info.getState().load();
    void stores.queue.getState().start();
    return () => {
      unsubscribe();
      unselect();
    };
  }, [backend, stores]);

  return (
    <StoresContext.Provider value={stores}>
      <Shell />
    </StoresContext.Provider>
  );
}

function Shell() {
  const stores = useStores();
  useShortcuts(stores);
  const phase = useQueue((s) => s.phase);
  const error = useQueue((s) => s.error);
  const total = useQueue((s) => s.model.total);
  const selectedId = useQueue((s) => s.selectedId);
  const helpOpen = useUI((s) => s.helpOpen);
  const view = useUI((s) => s.view);

  // Report the first painted page (rows or the empty state) once.
  useEffect(() => {
    if (phase !== 'ready') return;
    const raf = requestAnimationFrame(() => {
      setTimeout(() => {
        if (performance.getEntriesByName(FIRST_PAINT_MARK).length === 0) performance.mark(FIRST_PAINT_MARK);
        stores.info.getState().reportReady();
      }, 0);
    });
    return () => cancelAnimationFrame(raf);
  }, [phase, stores]);

  let main;
  if (view === 'history') {
    main = <HistoryView />;
  } else if (view === 'insights') {
    main = <InsightsView />;
  } else if (view === 'rules') {
    main = <RulesView />;
  } else if (phase === 'error' && error) {
    main = (
      <div className="center">
        <ErrorBox title="Could not load the queue." error={error} onRetry={() => void stores.queue.getState().retry()} />
      </div>
    );
  } else if (phase === 'loading') {
    main = <Loading what="Loading requests…" />;
  } else if (total === 0 && selectedId === null) {
    main = <EmptyState />;
  } else {
    main = (
      <div className="panes">
        <QueueList />
        <DetailPane />
      </div>
    );
  }

  return (
    <div className="app">
      <Header />
      <KeyBanner />
      <PausedBanner />
      <main className="app-main" id={VIEW_PANEL_ID} role="tabpanel" aria-labelledby={tabId(view)}>
        {main}
      </main>
      <DecisionAnnouncer />
      {helpOpen && <HelpOverlay onClose={() => stores.ui.getState().closeHelp()} />}
    </div>
  );
}
