import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { backend } from './api';
import { createStores } from './stores';
import { App } from './views/App';
import './styles.css';

const stores = createStores(backend);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App backend={backend} stores={stores} />
  </StrictMode>,
);
