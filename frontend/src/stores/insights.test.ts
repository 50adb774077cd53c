import { describe, expect, it } from 'vitest';
import { ApiError } from '../api';
import { insights } from '../api/normalize';
import { FakeBackend } from '../test/fakeBackend';
import { createStores } from '.';

function setup() {
  const backend = new FakeBackend(0);
  const stores = createStores(backend);
  return { backend, stores, s: () => stores.insights.getState() };
}

describe('insights store', () => {
  it('loads the last 30 days by default, then the range asked for', async () => {
    const { backend, s } = setup();
    backend.insightsData = insights({ totals: { proposed: 4 } });
    expect(s().phase).toBe('idle');
    const p = s().load();
    expect(s().phase).toBe('loading');
    await p;
    expect(s().phase).toBe('ready');
    expect(s().data?.totals.proposed).toBe(4);
    await s().load(7);
    expect(s().days).toBe(7);
    expect(backend.calls.filter((c) => c.startsWith('insights'))).toEqual(['insights 30', 'insights 7']);
  });

  it('keeps the figures on screen while the same range reloads', async () => {
    const { backend, s } = setup();
    backend.insightsData = insights({ totals: { proposed: 1 } });
    await s().load();
    const p = s().load();
    expect(s().phase).toBe('ready');
    await p;
  });

  it('reports an error, and recovers on retry', async () => {
    const { backend, s } = setup();
    backend.failInsights = new ApiError('internal', 'disk on fire');
    await s().load();
    expect(s().phase).toBe('error');
    expect(s().error?.message).toBe('disk on fire');
    backend.failInsights = null;
    backend.insightsData = insights({});
    await s().load();
    expect(s().phase).toBe('ready');
    expect(s().error).toBeNull();
  });

  it('keeps only the answer to the latest request', async () => {
    const { backend, s } = setup();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const slow = insights({ totals: { proposed: 1 } });
    const fast = insights({ totals: { proposed: 2 } });
    const orig = backend.insights.bind(backend);
    backend.insights = async (days: number) => {
      if (days === 7) {
        await gate;
        return slow;
      }
      backend.insightsData = fast;
      return orig(days);
    };
    const first = s().load(7);
    await s().load(30);
    release();
    await first;
    expect(s().data?.totals.proposed).toBe(2);
    expect(s().days).toBe(30);
  });
});
