import { act, fireEvent, render, screen } from '@testing-library/react';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStores } from '../stores';
import { FakeBackend, flush, submitted, summary } from '../test/fakeBackend';
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

const titles = () => screen.getAllByRole('option').map((o) => o.querySelector('.row-summary')?.textContent);
const selected = () => screen.getByRole('option', { selected: true }).querySelector('.row-summary')?.textContent;
const press = async (key: string, target: Element | Window = window) => {
  await act(async () => {
    fireEvent.keyDown(target, { key });
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
