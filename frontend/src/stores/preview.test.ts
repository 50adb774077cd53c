import { beforeEach, describe, expect, it } from 'vitest';
import type { PreviewAction } from '../api';
import { ApiError } from '../api';
import { FakeBackend, flush, left, textDiff } from '../test/fakeBackend';
import { createStores } from '.';
import { approvalPlan, previewGate } from './preview';

async function started(n: number, setup?: (b: FakeBackend) => void) {
  const backend = new FakeBackend(n);
  setup?.(backend);
  const stores = createStores(backend);
  await stores.queue.getState().start();
  await flush();
  return { backend, stores, p: () => stores.preview.getState(), d: () => stores.detail.getState(), q: () => stores.queue.getState() };
}

function twoFiles(b: FakeBackend, id = 'p0'): void {
  b.actions.set(id, [
    { kind: 'file.write', path: 'a.txt', content: 'x' },
    { kind: 'file.write', path: 'b.txt', content: 'y' },
  ]);
  const previews: PreviewAction[] = [
    { index: 0, kind: 'text', path: '/ws/a.txt', diff: textDiff(2) },
    { index: 1, kind: 'text', path: '/ws/b.txt', diff: textDiff(1) },
  ];
  b.previews.set(id, previews);
}

beforeEach(() => localStorage.clear());

describe('preview store', () => {
  it('loads the preview of the selected proposal, with everything ticked', async () => {
    const { backend, p } = await started(2, twoFiles);
    expect(backend.calls).toContain('preview p0');
    expect(p().actions).toHaveLength(2);
    // Two hunks: chosen one by one. One hunk: the action is taken whole.
    expect(p().selection).toEqual({ actions: [true, true], hunks: [[true, true], null] });
    expect(approvalPlan(p(), 'p0')).toEqual({ kind: 'all' });
  });

  it('drops an answer for a proposal no longer selected, and caches', async () => {
    const { backend, p, q } = await started(3);
    let release!: () => void;
    backend.previewGate = new Promise((r) => (release = r));
    backend.previews.set('p1', [{ index: 0, kind: 'error', error: 'slow one' }]);
    q().move(1);
    await flush();
    expect(p().loading).toBe(true);
    backend.previewGate = null;
    q().move(1);
    await flush();
    release();
    await flush();
    expect(p().id).toBe('p2');
    expect(p().actions?.[0]?.kind).toBe('none');
    // Back to p0: from the cache, no new call.
    const calls = backend.calls.filter((c) => c === 'preview p0').length;
    q().selectIndex(0);
    await flush();
    expect(backend.calls.filter((c) => c === 'preview p0')).toHaveLength(calls);
    expect(p().actions).not.toBeNull();
  });

  it('approves a selection through ApproveSelection, and everything with plain Approve', async () => {
    const { backend, p, d } = await started(2, (b) => {
      twoFiles(b, 'p0');
      twoFiles(b, 'p1');
    });
    p().select({ type: 'hunk', action: 0, hunk: 1 });
    p().select({ type: 'action', index: 1 });
    await d().approve();
    await flush();
    expect(backend.selections).toEqual([{ id: 'p0', sel: { actions: [0], hunks: [{ action: 0, keep: [true, false] }] } }]);
    // The next one, untouched: a plain approval.
    expect(p().id).toBe('p1');
    await d().approve();
    expect(backend.calls).toContain('approve p1');
    expect(backend.selections).toHaveLength(1);
  });

  it('refuses to approve nothing', async () => {
    const { backend, p, d } = await started(1, twoFiles);
    p().select({ type: 'action', index: 0 });
    p().select({ type: 'action', index: 1 });
    expect(approvalPlan(p(), 'p0')).toEqual({ kind: 'none' });
    await d().approve();
    expect(d().decisionError).toMatch(/Nothing is selected/);
    expect(backend.calls.some((c) => c.startsWith('approve'))).toBe(false);
  });

  it('asks for confirmation when a preview could not be made', async () => {
    const { backend, d } = await started(1, (b) => {
      b.previews.set('p0', [{ index: 0, kind: 'error', error: 'old_string not found' }]);
    });
    await d().approve();
    expect(d().confirmOpen).toBe(true);
    expect(backend.calls.some((c) => c.startsWith('approve'))).toBe(false);
    await d().approve(true);
    expect(backend.calls).toContain('approve p0');
  });

  it('asks for confirmation while the preview loads, and stops asking when it arrives', async () => {
    const backend = new FakeBackend(1);
    let release!: () => void;
    backend.previewGate = new Promise((r) => (release = r));
    const stores = createStores(backend);
    await stores.queue.getState().start();
    await flush();
    expect(previewGate(stores.preview.getState(), 'p0')).toBe('loading');
    await stores.detail.getState().approve();
    expect(stores.detail.getState().confirmOpen).toBe(true);
    release();
    await flush();
    expect(stores.detail.getState().confirmOpen).toBe(false);
    expect(previewGate(stores.preview.getState(), 'p0')).toBeNull();
  });

  it('treats a failed preview as missing and can try again', async () => {
    const { backend, p } = await started(1, (b) => {
      b.failPreview = new ApiError('internal', 'disk error');
    });
    expect(p().error?.message).toBe('disk error');
    expect(previewGate(p(), 'p0')).toBe('error');
    backend.failPreview = null;
    await p().refresh();
    expect(p().error).toBeNull();
    expect(previewGate(p(), 'p0')).toBeNull();
  });

  it('forgets a cached preview when its proposal leaves the queue', async () => {
    const { backend, stores, p, q } = await started(2);
    q().move(1);
    await flush();
    stores.preview.getState().applyBatch([left('p0', 'expired')]);
    q().move(-1);
    await flush();
    expect(backend.calls.filter((c) => c === 'preview p0')).toHaveLength(2);
    expect(p().id).toBe('p0');
  });

  it('remembers the diff layout', async () => {
    const { p } = await started(1);
    expect(p().mode).toBe('unified');
    p().toggleMode();
    expect(p().mode).toBe('split');
    expect(localStorage.getItem('countersign.diffMode')).toBe('split');
    const again = await started(1);
    expect(again.p().mode).toBe('split');
  });

  it('steps through the changed cells of a spreadsheet, wrapping around', async () => {
    const cells = ['B2', 'D3', 'E5'].map((cell, i) => ({
      cell,
      row: i + 2,
      col: 2,
      change: 'modified' as const,
      type_changed: false,
      formula_changed: false,
    }));
    const { p } = await started(1, (b) => {
      b.previews.set('p0', [
        {
          index: 0,
          kind: 'sheet',
          sheet: {
            format: 'xlsx',
            summary: '3 cells in 1 sheet',
            sheets: [
              {
                name: 'Forecast',
                status: 'modified',
                kind: 'worksheet',
                cells,
                cells_changed: 3,
                rows_added: [],
                rows_removed: [],
                cols_added: [],
                cols_removed: [],
                rows_added_count: 0,
                rows_removed_count: 0,
                cols_added_count: 0,
                cols_removed_count: 0,
                rows: 5,
                cols: 5,
                warnings: [],
                truncated: false,
              },
            ],
            names: [],
            dependents: [],
            notes: [],
            totals: {
              cells: 3,
              sheets: 1,
              rows_added: 0,
              rows_removed: 0,
              cols_added: 0,
              cols_removed: 0,
              sheets_added: 0,
              sheets_removed: 0,
              sheets_renamed: 0,
              names: 0,
              dependents: 0,
            },
            truncated: false,
          },
        },
      ]);
    });
    p().stepChange(1);
    expect(p().cursors[0]).toEqual({ sheet: 0, change: 0 });
    p().stepChange(1);
    p().stepChange(1);
    p().stepChange(1);
    expect(p().cursors[0]?.change).toBe(0);
    p().stepChange(-1);
    expect(p().cursors[0]?.change).toBe(2);
  });
});
