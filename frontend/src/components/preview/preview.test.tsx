import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApiError, type DiffResult } from '../../api';
import { createStores } from '../../stores';
import { FakeBackend, diffLine, flush, textDiff } from '../../test/fakeBackend';
import { App } from '../../views/App';
import { DiffView } from './DiffView';

// jsdom does no layout: give elements a size so the virtual lists render rows.
const sizes = { offsetHeight: 720, offsetWidth: 900, clientHeight: 720, clientWidth: 900 };
const saved: Record<string, PropertyDescriptor | undefined> = {};
beforeAll(() => {
  for (const [k, v] of Object.entries(sizes)) {
    saved[k] = Object.getOwnPropertyDescriptor(HTMLElement.prototype, k);
    Object.defineProperty(HTMLElement.prototype, k, { configurable: true, get: () => v });
  }
});
afterAll(() => {
  for (const [k, d] of Object.entries(saved)) if (d) Object.defineProperty(HTMLElement.prototype, k, d);
});

const bytes = (s: string) => new TextEncoder().encode(s).length;

function emojiDiff(): DiffResult {
  const oldText = 'the café opens at 8';
  const newText = 'the café opens at 9 🎉';
  const at = bytes('the café opens at ');
  return textDiff(0, {
    hunks: [
      {
        old_start: 5,
        old_lines: 1,
        new_start: 5,
        new_lines: 1,
        header: '@@ -5,1 +5,1 @@',
        lines: [
          { ...diffLine('del', 5, oldText), spans: [{ start: at, end: at + 1 }] },
          { ...diffLine('add', 5, newText), spans: [{ start: at, end: bytes(newText) }] },
        ],
      },
      { ...textDiff(1).hunks[0]!, old_start: 40, new_start: 40, header: '@@ -40,1 +40,1 @@' },
    ],
  });
}

describe('DiffView', () => {
  it('marks the changed words, counts the hidden lines and ticks hunks', () => {
    const onToggle = vi.fn();
    render(
      <DiffView diff={emojiDiff()} path="a.txt" mode="unified" onMode={() => undefined} keep={[true, false]} onToggleHunk={onToggle} />,
    );
    const marks = document.querySelectorAll('mark');
    expect([...marks].map((m) => [m.className, m.textContent])).toEqual([
      ['word word-del', '8'],
      ['word word-add', '9 🎉'],
    ]);
    expect([...document.querySelectorAll('.gap')].map((g) => g.textContent)).toEqual([
      '⋯ 4 unchanged lines',
      '⋯ 34 unchanged lines',
    ]);
    const second = screen.getByLabelText('Keep change 2 of 2') as HTMLInputElement;
    expect(second.checked).toBe(false);
    expect(screen.getByText('left out')).toBeTruthy();
    fireEvent.click(screen.getByLabelText('Keep change 1 of 2'));
    expect(onToggle).toHaveBeenCalledWith(0);
  });

  it('shows side by side with the deleted line next to the added one', () => {
    render(<DiffView diff={emojiDiff()} path="a.txt" mode="split" onMode={() => undefined} keep={null} />);
    const pair = document.querySelector('.drow-pair')!;
    expect(pair.querySelector('.dline-old')?.textContent).toContain('the café opens at 8');
    expect(pair.querySelector('.dline-new')?.textContent).toContain('9 🎉');
    // No ticks offered.
    expect(screen.queryByRole('checkbox')).toBeNull();
  });

  it('says when the diff is truncated or coarse, and summarizes binary files', () => {
    const { unmount } = render(
      <DiffView diff={textDiff(1, { truncated: true, coarse: true })} path="a.txt" mode="unified" onMode={() => undefined} keep={null} />,
    );
    expect(screen.getByText('Truncated.')).toBeTruthy();
    expect(screen.getByText('Coarse diff.')).toBeTruthy();
    unmount();
    render(
      <DiffView
        diff={textDiff(0, { binary: true, binary_summary: 'Binary file changes: 10 B → 12 B' })}
        path="logo.png"
        mode="unified"
        onMode={() => undefined}
        keep={null}
      />,
    );
    expect(screen.getByText('Binary file changes: 10 B → 12 B')).toBeTruthy();
    expect(screen.queryByRole('group', { name: 'Diff layout' })).toBeNull();
  });

  it('marks a new file and switches layout with the buttons', () => {
    const onMode = vi.fn();
    render(
      <DiffView diff={textDiff(1, { old_exists: false })} path="new.txt" mode="unified" onMode={onMode} keep={null} />,
    );
    expect(screen.getByText('new file')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Side by side' }));
    expect(onMode).toHaveBeenCalledWith('split');
  });
});

describe('expanding unchanged lines', () => {
  async function mount(mode: 'unified' | 'split', setup: (b: FakeBackend) => void = () => undefined) {
    const backend = new FakeBackend(1);
    backend.actions.set('p0', [{ kind: 'file.write', path: 'a.txt', content: 'x' }]);
    // Hunks at old 10 and 30; the second one's new lines are 2 further down.
    const [h1, h2] = textDiff(2).hunks;
    backend.previews.set('p0', [
      { index: 0, kind: 'text', diff: textDiff(0, { hunks: [{ ...h1!, new_lines: 3, header: '@@ -10,1 +10,3 @@' }, { ...h2!, new_start: 32 }] }) },
    ]);
    setup(backend);
    const stores = createStores(backend);
    stores.preview.getState().setMode(mode);
    render(<App backend={backend} stores={stores} />);
    await act(flush);
    return { backend, stores };
  }

  it('fetches the lines between hunks on click and shows them with both numbers', async () => {
    const { backend } = await mount('unified');
    const gap = screen.getByRole('button', { name: '⋯ 19 unchanged lines' });
    expect(gap.tagName).toBe('BUTTON');
    await act(async () => {
      fireEvent.click(gap);
      await flush();
    });
    expect(backend.calls).toContain('lines p0 0 11 29');
    // jsdom lays nothing out, so only the overscan rows are drawn: the first
    // lines fetched are among them.
    const row = [...document.querySelectorAll('.drow-line')].find((r) => r.textContent?.endsWith('line 12'));
    expect([...row!.querySelectorAll('.ln-no')].map((n) => n.textContent)).toEqual(['12', '14']);
    expect(screen.queryByRole('button', { name: '⋯ 19 unchanged lines' })).toBeNull();
    // The gap before the first hunk still waits, and maps 1:1.
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: '⋯ 9 unchanged lines' }));
      await flush();
    });
    expect(backend.calls).toContain('lines p0 0 1 9');
    const first = [...document.querySelectorAll('.drow-line')].find((r) => r.textContent?.endsWith('line 9'));
    expect([...first!.querySelectorAll('.ln-no')].map((n) => n.textContent)).toEqual(['9', '9']);
  });

  it('shows them side by side too, and an error on the separator', async () => {
    const { backend } = await mount('split', (b) => {
      b.failLines = new ApiError('not_found', 'file is gone');
    });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: '⋯ 19 unchanged lines' }));
      await flush();
    });
    expect(screen.getByRole('alert').textContent).toContain('file is gone');
    backend.failLines = null;
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: '⋯ 19 unchanged lines' }));
      await flush();
    });
    expect(backend.calls.filter((c) => c === 'lines p0 0 11 29')).toHaveLength(2);
    const pair = [...document.querySelectorAll('.drow-pair')].find((r) => r.textContent?.includes('line 11'));
    expect(pair!.querySelector('.dline-old .ln-no')?.textContent).toBe('11');
    expect(pair!.querySelector('.dline-new .ln-no')?.textContent).toBe('13');
  });
});

describe('partial approval in the window', () => {
  async function mount(setup: (b: FakeBackend) => void) {
    const backend = new FakeBackend(1);
    setup(backend);
    const stores = createStores(backend);
    render(<App backend={backend} stores={stores} />);
    await act(flush);
    return { backend, stores };
  }

  it('names what is selected on the Approve button and sends the selection', async () => {
    const { backend } = await mount((b) => {
      b.actions.set('p0', [
        { kind: 'file.write', path: 'a.txt', content: 'x' },
        { kind: 'file.write', path: 'b.txt', content: 'y' },
        { kind: 'file.delete', path: 'c.txt' },
      ]);
      b.previews.set('p0', [
        { index: 0, kind: 'text', diff: textDiff(2) },
        { index: 1, kind: 'text', diff: textDiff(1) },
        { index: 2, kind: 'text', diff: textDiff(1, { new_exists: false }) },
      ]);
    });
    const approve = () => screen.getByRole('button', { name: /^Approve/ });
    expect(approve().textContent).toMatch(/^Approvea$/);
    const list = screen.getByRole('list', { name: 'What each action touches' });
    expect(within(list).getAllByRole('listitem')).toHaveLength(3);
    // A deleted file is never split into hunks.
    expect(document.querySelectorAll('#action-2 .hunk-head input')).toHaveLength(0);
    fireEvent.click(screen.getByLabelText('Keep change 2 of 2'));
    expect(approve().textContent).toContain('Approve selected (1 of 2 changes)');
    fireEvent.click(within(list).getByLabelText(/Keep action 3/));
    expect(approve().textContent).toContain('Approve selected (2 of 3 actions)');
    await act(async () => {
      fireEvent.click(approve());
      await flush();
    });
    expect(backend.selections).toEqual([{ id: 'p0', sel: { actions: [0, 1], hunks: [{ action: 0, keep: [true, false] }] } }]);
  });

  it('shows a preview error in red and asks once more before approving', async () => {
    const { backend } = await mount((b) => {
      b.actions.set('p0', [{ kind: 'file.edit', path: 'a.txt', edits: [{ old: 'x', new: 'y' }] }]);
      b.previews.set('p0', [{ index: 0, kind: 'error', error: 'old_string not found' }]);
    });
    expect(document.querySelector('.preview-error')?.textContent).toContain('old_string not found');
    // The request as sent is still there.
    expect(screen.getByLabelText('Replacement 1: text removed')).toBeTruthy();
    await act(async () => {
      fireEvent.keyDown(window, { key: 'a' });
      await flush();
    });
    expect(screen.getByRole('alertdialog')).toBeTruthy();
    expect(backend.calls.some((c) => c.startsWith('approve'))).toBe(false);
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: /without a preview/ }));
      await flush();
    });
    expect(backend.calls).toContain('approve p0');
  });

  it('collapses the previews of a large proposal until opened', async () => {
    await mount((b) => {
      b.actions.set(
        'p0',
        Array.from({ length: 7 }, (_, i) => ({ kind: 'file.write', path: `f${i}.txt`, content: 'x' })),
      );
      b.previews.set(
        'p0',
        Array.from({ length: 7 }, (_, i) => ({ index: i, kind: 'text' as const, diff: textDiff(1) })),
      );
    });
    expect(document.querySelectorAll('.diff')).toHaveLength(0);
    const shows = screen.getAllByRole('button', { name: 'Show' });
    expect(shows).toHaveLength(7);
    fireEvent.click(shows[2]!);
    expect(document.querySelectorAll('.diff')).toHaveLength(1);
    expect(document.querySelector('#action-2 .diff')).not.toBeNull();
  });
});
