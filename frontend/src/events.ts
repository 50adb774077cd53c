// Subscriptions to backend events. Each one returns its unsubscribe; batches
// go to the stores whole, so a burst of events costs one update per store.
import type { Backend } from './api';
import type { Stores } from './stores';

/** Feeds queue event batches to the stores until the returned function is called. */
export function subscribeQueueEvents(backend: Backend, stores: Stores): () => void {
  return backend.onQueueEvents((batch) => {
    stores.queue.getState().applyBatch(batch);
    stores.detail.getState().applyBatch(batch);
    stores.preview.getState().applyBatch(batch);
    stores.history.getState().applyBatch(batch);
    stores.historyDetail.getState().applyBatch(batch);
    stores.historyPreview.getState().applyBatch(batch);
  });
}
