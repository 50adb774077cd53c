import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStores } from '../stores';
import { decided, FakeBackend, flush, result, submitted, summary, textDiff } from '../test/fakeBackend';
import { App } from './App';

// jsdom does no layout: give elements a size so the virtual list renders rows.
const sizes = { offsetHeight: 720, offsetWidth: 400, clientHeight: 720, clientWidth: 400 };
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

async function mount(n: number) {
  const backend = new FakeBackend(n);
  const stores = createStores(backend);
  render(<App backend={backend} stores={stores} />);
  await act(flush);
  return { backend, stores };
}

// The list's rows (the history's filters have options of their own).
const rows = () => within(screen.getByRole('listbox'));
const titles = () => rows().getAllByRole('option').map((o) => o.querySelector('.row-summary')?.textContent);
const selected = () => rows().getByRole('option', { selected: true }).querySelector('.row-summary')?.textContent;
const press = async (key: string, target: Element | Window = window, init: Partial<KeyboardEventInit> = {}) => {
  await act(async () => {
    fireEvent.keyDown(target, { key, ...init });
    await flush();
  });
};

describe('App', () => {
  it('quits on Ctrl+Q, even from the reason box, and not on a plain q', async () => {
    const { backend } = await mount(2);
    await press('q');
    expect(backend.calls).not.toContain('quit');
    await press('d');
    await act(async () => {
      fireEvent.keyDown(screen.getByRole('textbox'), { key: 'q', ctrlKey: true });
      await flush();
    });
    expect(backend.calls.filter((c) => c === 'quit')).toHaveLength(1);
  });

  it('shows the request the tray or a notification asks for, from any view', async () => {
    const { backend, stores } = await mount(3);
    await press('h');
    expect(stores.ui.getState().view).toBe('history');
    await act(async () => {
      backend.select('p2');
      await flush();
    });
    expect(stores.ui.getState().view).toBe('queue');
    expect(selected()).toBe('Proposal 2');
  });

  it('shows the empty state when nothing waits', async () => {
    await mount(0);
    expect(screen.getByText('No requests waiting')).toBeTruthy();
  });

  it('reviews with the keyboard alone', async () => {
    const { backend } = await mount(3);
    expect(titles()).toEqual(['Proposal 0', 'Proposal 1', 'Proposal 2']);
    expect(selected()).toBe('Proposal 0');
    expect(document.activeElement).toBe(screen.getByRole('listbox'));

    await press('j');
    expect(selected()).toBe('Proposal 1');
    await press('a');
    expect(backend.calls).toContain('approve p1');
    expect(titles()).toEqual(['Proposal 0', 'Proposal 2']);
    expect(selected()).toBe('Proposal 2');

    await press('d');
    const box = screen.getByRole('textbox');
    expect(document.activeElement).toBe(box);
    // Shortcuts are off while typing.
    await press('a', box);
    expect(backend.calls.filter((c) => c.startsWith('approve'))).toHaveLength(1);
    fireEvent.change(box, { target: { value: 'wrong folder' } });
    await press('Enter', box);
    expect(backend.calls).toContain('deny p2 wrong folder');
    expect(selected()).toBe('Proposal 0');
  });

  it('ignores a held-down a', async () => {
    const { backend } = await mount(3);
    await act(async () => {
      fireEvent.keyDown(window, { key: 'a', repeat: true });
      await flush();
    });
    expect(backend.calls.filter((c) => c.startsWith('approve'))).toHaveLength(0);
  });

  it('puts a new proposal on top without moving the selection', async () => {
    const { backend } = await mount(2);
    await press('j');
    await act(async () => {
      backend.emit([submitted(summary(9, { summary: 'Fresh one' }))]);
      await flush();
    });
    expect(titles()[0]).toBe('Fresh one');
    expect(selected()).toBe('Proposal 1');
    expect(document.querySelector('.pending-count')?.textContent).toBe('3 pending');
  });

  it('opens and closes help with ? and Esc', async () => {
    await mount(1);
    await press('?');
    expect(screen.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeTruthy();
    await press('Escape');
    expect(screen.queryByRole('dialog', { name: 'Keyboard shortcuts' })).toBeNull();
  });
});

describe('History', () => {
  async function mountHistory(setup: (b: FakeBackend) => void) {
    const backend = new FakeBackend(1);
    setup(backend);
    const stores = createStores(backend);
    render(<App backend={backend} stores={stores} />);
    await act(flush);
    await press('h');
    return { backend, stores };
  }

  it('switches between the requests and the history with h and the tabs', async () => {
    const { backend } = await mountHistory((b) => b.history.push(decided(5), decided(6, 'reverted'), decided(7, 'denied')));
    expect(screen.getByRole('tab', { name: 'History' }).getAttribute('aria-selected')).toBe('true');
    expect(screen.getByRole('listbox').getAttribute('aria-label')).toBe('History, 3 in all');
    expect(titles()).toEqual(['Decided 5', 'Decided 6', 'Decided 7']);
    expect(rows().getAllByRole('option').map((o) => o.querySelector('.status')?.textContent)).toEqual(['Executed', 'Undone', 'Denied']);
    expect(selected()).toBe('Decided 5');
    await press('j');
    expect(selected()).toBe('Decided 6');
    expect(screen.getByRole('button', { name: /Redo/ }).hasAttribute('disabled')).toBe(false);
    expect(screen.getByRole('button', { name: /^Undo\b/ }).hasAttribute('disabled')).toBe(true);
    await press('h');
    expect(screen.getByRole('tab', { name: /Requests/ }).getAttribute('aria-selected')).toBe('true');
    expect(titles()).toEqual(['Proposal 0']);
    fireEvent.click(screen.getByRole('tab', { name: 'History' }));
    await act(flush);
    expect(selected()).toBe('Decided 6');
    expect(backend.calls.filter((c) => c.startsWith('decided'))).toHaveLength(1);
  });

  it('shows a past change as approved, and says when a preview compares with the file as it is now', async () => {
    const { backend } = await mountHistory((b) => {
      b.history.push(decided(5), decided(6, 'denied'));
      b.previews.set('p5', [{ index: 0, kind: 'text', diff: textDiff(1) }]);
      b.previews.set('p6', [{ index: 0, kind: 'text', diff: textDiff(1) }]);
    });
    const lines = () => [...document.querySelectorAll('.drow-line')].map((r) => r.textContent ?? '');
    expect(backend.calls).toContain('history preview p5');
    expect(document.querySelector('.actions')?.getAttribute('data-basis')).toBe('recorded');
    expect(document.querySelector('.preview-basis')?.textContent).toContain('as it was before and after it was carried out');
    expect(lines().some((l) => l.includes('old 10'))).toBe(true);
    expect(lines().some((l) => l.includes('new 10'))).toBe(true);
    await press('j');
    expect(document.querySelector('.actions')?.getAttribute('data-basis')).toBe('now');
    expect(document.querySelector('.preview-basis')?.textContent).toContain('compared with the file as it is now');
    fireEvent.click(screen.getByRole('button', { name: /Refresh preview/ }));
    await act(flush);
    expect(backend.calls.filter((c) => c === 'history preview p6')).toHaveLength(2);
    // Back to the one carried out: its recorded preview is not asked for again.
    await press('k');
    expect(backend.calls.filter((c) => c === 'history preview p5')).toHaveLength(1);
  });

  it('filters by several action kinds and risks at once', async () => {
    const { backend } = await mountHistory((b) =>
      b.history.push(
        decided(5, 'executed', { kinds: ['file.write'], risk: 'low' }),
        decided(6, 'executed', { kinds: ['command.run'], risk: 'high' }),
        decided(7, 'executed', { kinds: ['net.request'], risk: 'critical' }),
      ),
    );
    const kinds = screen.getByRole('button', { name: 'Action kind: Any action' });
    fireEvent.click(kinds);
    fireEvent.click(screen.getByRole('checkbox', { name: 'Run command' }));
    await act(flush);
    fireEvent.click(screen.getByRole('checkbox', { name: 'Network request' }));
    await act(flush);
    expect(titles()).toEqual(['Decided 6', 'Decided 7']);
    const last = backend.calls.filter((c) => c.startsWith('timeline')).at(-1)!;
    expect(last).toContain('"kinds":["command.run","net.request"]');
    // Esc closes the list; the button says what is chosen.
    await press('Escape', screen.getAllByRole('checkbox')[0]!);
    expect(screen.queryAllByRole('checkbox')).toHaveLength(0);
    expect(kinds.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(screen.getByRole('button', { name: 'Risk: Any risk' }));
    fireEvent.click(screen.getByRole('checkbox', { name: /critical/i }));
    fireEvent.click(screen.getByRole('checkbox', { name: /high/i }));
    await act(flush);
    expect(backend.calls.filter((c) => c.startsWith('timeline')).at(-1)).toContain('"risks":["critical","high"]');
    expect(titles()).toEqual(['Decided 6', 'Decided 7']);
    fireEvent.click(screen.getByRole('checkbox', { name: /high/i }));
    await act(flush);
    expect(titles()).toEqual(['Decided 7']);
  });

  it('says when nothing was decided yet', async () => {
    await mountHistory(() => undefined);
    expect(screen.getByText('Nothing decided yet')).toBeTruthy();
  });

  it('undoes with u and redoes with Shift+R, one press at a time', async () => {
    const { backend } = await mountHistory((b) => b.history.push(decided(5)));
    await act(async () => {
      fireEvent.keyDown(window, { key: 'u', repeat: true });
      await flush();
    });
    expect(backend.calls.filter((c) => c.startsWith('undo'))).toHaveLength(0);
    await press('u');
    expect(backend.calls).toContain('undo p5');
    expect(document.querySelector('.banner strong')?.textContent).toBe('Undone');
    expect(document.querySelector('.action-bar [role="status"]')?.textContent).toContain('Undone: Decided 5');
    // Plain r is not redo: it opens the Rules (and r again leaves them).
    await press('r');
    expect(backend.calls.filter((c) => c.startsWith('redo'))).toHaveLength(0);
    expect(screen.getByRole('tab', { selected: true }).textContent).toBe('Rules');
    await press('r');
    await press('h');
    await press('R', window, { shiftKey: true });
    expect(backend.calls).toContain('redo p5');
    expect(document.querySelector('.banner strong')?.textContent).toBe('Executed');
  });

  it('asks before overwriting files changed since: Esc leaves them, Overwrite forces', async () => {
    const { backend } = await mountHistory((b) => {
      b.history.push(decided(5));
      b.conflicts.set('p5', [
        {
          path: 'notes.txt',
          expected: 'a file with SHA-256 ab12',
          found: 'a file with SHA-256 cd34',
          diff: '--- notes.txt\n+++ notes.txt\n@@ -1 +1 @@\n-as Countersign left it\n+<b>edited</b> by hand\n',
        },
      ]);
    });
    await press('u');
    const dialog = screen.getByRole('alertdialog');
    expect(dialog.querySelector('h2')?.textContent).toBe('1 file changed since Countersign carried this out');
    expect(dialog.textContent).toContain('notes.txt');
    expect(dialog.textContent).toContain('a file with SHA-256 cd34');
    expect(dialog.querySelector('.ln-del')?.textContent).toBe('-as Countersign left it');
    // Agent-influenced text stays text.
    expect(dialog.querySelector('.ln-add')?.textContent).toBe('+<b>edited</b> by hand');
    expect(dialog.querySelector('b')).toBeNull();
    expect(document.activeElement?.textContent).toContain('Cancel');
    // Other shortcuts wait for the dialog.
    await press('j');
    await press('u');
    expect(backend.calls.filter((c) => c.startsWith('undo'))).toEqual(['undo p5']);
    await press('Escape', document.activeElement!);
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(backend.calls.filter((c) => c.startsWith('undo'))).toEqual(['undo p5']);

    await press('u');
    fireEvent.click(screen.getByRole('button', { name: 'Overwrite these changes' }));
    await act(flush);
    expect(backend.calls).toContain('undo p5 force');
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(document.querySelector('.banner strong')?.textContent).toBe('Undone');
  });

  it('shows what the execution did, output as clipped text, paths bounded', async () => {
    await mountHistory((b) => {
      b.history.push(decided(5));
      b.actions.set('p5', [{ kind: 'command.run', argv: ['make', 'test'] }]);
      b.executions.set('p5', {
        paths: Array.from({ length: 500 }, (_, i) => ({ path: `out/${i}.txt`, before: 'absent', after: 'file' })),
        paths_total: 600,
        in_flight: false,
        result: result('executed', {
          not_undoable: ['Action 1: this command declares no paths it may change, so what it does cannot be undone.'],
          actions: [{ index: 0, kind: 'command.run', changed: 0, exit_code: 0, stdout: '<img src=x onerror=alert(1)>\n'.repeat(3000) }],
        }),
      });
    });
    expect(screen.getByText('600 paths changed')).toBeTruthy();
    expect(document.querySelectorAll('.path-list li')).toHaveLength(200);
    expect(screen.getByText('…and 400 more.')).toBeTruthy();
    expect(screen.getByText(/Cannot be undone/)).toBeTruthy();
    expect(screen.getByText(/Exit code 0/)).toBeTruthy();
    const out = screen.getByLabelText('Action 1: Output (stdout)');
    expect(out.querySelector('img')).toBeNull();
    expect(out.querySelectorAll('.ln')).toHaveLength(1000);
    expect(screen.getByText(/Truncated: showing 1,000 of 3,000 lines/)).toBeTruthy();
  });

  it('warns before approval what could not be undone', async () => {
    const backend = new FakeBackend(1);
    backend.notUndoable.set('p0', ['Action 1: this command declares no paths it may change, so what it does cannot be undone.']);
    render(<App backend={backend} stores={createStores(backend)} />);
    await act(flush);
    const warning = screen.getByRole('region', { name: 'Cannot be undone:' });
    expect(warning.textContent).toContain('declares no paths');
  });

  it('lists h, u and Shift+R in the help', async () => {
    await mount(1);
    await press('?');
    const help = screen.getByRole('dialog', { name: 'Keyboard shortcuts' });
    for (const k of ['h', 'u', 'Shift+R']) expect(Array.from(help.querySelectorAll('kbd')).some((e) => e.textContent === k)).toBe(true);
  });

  it('filters by status, says when nothing matches, and / and Esc work the search', async () => {
    const { backend } = await mountHistory((b) => b.history.push(decided(5), decided(6, 'denied'), decided(7)));
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Denied' }));
      await flush();
    });
    expect(titles()).toEqual(['Decided 6']);
    expect(backend.calls.some((c) => c.startsWith('timeline'))).toBe(true);
    await press('/');
    const search = screen.getByRole('searchbox', { name: 'Search the history' });
    expect(document.activeElement).toBe(search);
    await act(async () => {
      fireEvent.change(search, { target: { value: 'zebra' } });
      await new Promise((r) => setTimeout(r, 300));
      await flush();
    });
    expect(screen.getByRole('heading', { name: 'No matches' })).toBeTruthy();
    await press('Escape', search);
    expect((search as HTMLInputElement).value).toBe('');
    await act(async () => {
      fireEvent.click(screen.getAllByRole('button', { name: 'Clear filters' })[0]!);
      await flush();
    });
    expect(titles()).toEqual(['Decided 5', 'Decided 6', 'Decided 7']);
  });
});

describe('KeyBanner', () => {
  it('says decisions are disabled when the key cannot be used, with the advice', async () => {
    const backend = new FakeBackend(1);
    backend.keys = { ok: false, key_id: '', weak: false, problem: 'no Secret Service on the session bus', advice: 'Start gnome-keyring.' };
    render(<App backend={backend} stores={createStores(backend)} />);
    await act(flush);
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('Decisions are disabled');
    expect(alert.textContent).toContain('no Secret Service');
    expect(alert.textContent).toContain('Start gnome-keyring.');
  });

  it('warns when the key is kept in a file', async () => {
    const backend = new FakeBackend(1);
    backend.keys = { ok: true, key_id: 'k', weak: true, problem: '', advice: '' };
    render(<App backend={backend} stores={createStores(backend)} />);
    await act(flush);
    expect(screen.getByText(/kept in a file/)).toBeTruthy();
  });

  it('says when agents cannot connect', async () => {
    const backend = new FakeBackend(1);
    backend.gateway = 'agents cannot connect: socket path is too long';
    render(<App backend={backend} stores={createStores(backend)} />);
    await act(flush);
    expect(screen.getByRole('alert').textContent).toContain('socket path is too long');
  });
});

describe('Rules', () => {
  it('opens with r, pauses from the switch, and then shows the banner on every view and disables Approve', async () => {
    const { backend } = await mount(1);
    await press('r');
    expect(screen.getByRole('tab', { selected: true }).textContent).toBe('Rules');
    expect(screen.getByText('No rules of your own yet: every request is asked.')).toBeTruthy();
    await act(async () => {
      fireEvent.click(screen.getByRole('switch', { name: 'Pause all agents' }));
      await flush();
    });
    expect(backend.calls).toContain('paused true');
    expect(screen.getByRole('switch').getAttribute('aria-checked')).toBe('true');
    await press('r');
    expect(screen.getByText('All agents are paused.')).toBeTruthy();
    const approve = screen.getByRole('button', { name: /^Approve/ }) as HTMLButtonElement;
    expect(approve.disabled).toBe(true);
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Resume agents' }));
      await flush();
    });
    expect(backend.calls).toContain('paused false');
    expect(screen.queryByText('All agents are paused.')).toBeNull();
  });

  it('approves with m then a: the keys still decide, and the rule is saved after', async () => {
    const { backend } = await mount(2);
    await press('m');
    expect(screen.getByRole('combobox', { name: 'What the rule covers' })).toBeTruthy();
    // Pressed where the focus is, as a person at the keyboard would.
    await press('a', document.activeElement ?? window);
    expect(backend.calls).toContain('remember p0 this-file 1h');
  });

  it('opens Remember with m and lists the scopes, those that do not fit disabled', async () => {
    const { backend } = await mount(1);
    backend.scopeErrors.set('this-command-prefix', 'the proposal runs no command');
    await press('m');
    const scope = screen.getByRole('combobox', { name: 'What the rule covers' }) as HTMLSelectElement;
    const off = [...scope.options].filter((o) => o.disabled).map((o) => o.textContent);
    expect(off).toEqual(['Commands starting like this one (not for this request: the proposal runs no command)']);
    expect(screen.getByText('Let agent this-file (1h)')).toBeTruthy();
    await press('Escape');
    expect(screen.queryByRole('combobox', { name: 'What the rule covers' })).toBeNull();
  });
});
