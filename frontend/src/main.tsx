import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { backend, logError } from './api';
import { createStores } from './stores';
import { App } from './views/App';
import './styles.css';

// Errors nothing else caught reach the app's log, where they can be seen.
window.addEventListener('error', (e) => logError(`ui: ${e.message} at ${e.filename}:${e.lineno}:${e.colno}\n${e.error instanceof Error ? (e.error.stack ?? '') : ''}`));
window.addEventListener('unhandledrejection', (e) => logError(`ui: unhandled rejection: ${String(e.reason)}`));

const stores = createStores(backend);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App backend={backend} stores={stores} />
  </StrictMode>,
);
