// Subscriptions to backend events. Each one returns its unsubscribe; batches
// go to the stores whole, so a burst of events costs one update per store.
import { POLICY_CHANGED, type Backend } from './api';
import type { Stores } from './stores';

/** Feeds queue event batches to the stores until the returned function is called. */
export function subscribeQueueEvents(backend: Backend, stores: Stores): () => void {
  return backend.onQueueEvents((all) => {
    // A change of the rules or the pause is about no proposal: it goes to
    // the rules and to Info (the pause banner), not to the proposal stores.
    if (all.some((e) => e.type === POLICY_CHANGED)) {
      stores.rules.getState().changed();
      void stores.info.getState().load();
    }
    const batch = all.filter((e) => e.proposal_id !== '');
    if (batch.length === 0) return;
    stores.queue.getState().applyBatch(batch);
    stores.detail.getState().applyBatch(batch);
    stores.preview.getState().applyBatch(batch);
    stores.history.getState().applyBatch(batch);
    stores.historyDetail.getState().applyBatch(batch);
  });
}
