import { fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { CommandRun } from './actions/CommandRun';
import { ActionCard } from './actions';
import { CodeBlock } from './CodeBlock';
import { DenyDialog } from './DenyDialog';
import { RiskBadge } from './RiskBadge';

describe('DenyDialog', () => {
  it('submits on Enter, keeps Shift+Enter as a new line', async () => {
    const onSubmit = vi.fn();
    render(<DenyDialog busy={false} onSubmit={onSubmit} onCancel={() => undefined} />);
    const box = screen.getByRole('textbox');
    expect(document.activeElement).toBe(box);
    await userEvent.type(box, 'not now{Shift>}{Enter}{/Shift}later');
    expect((box as HTMLTextAreaElement).value).toBe('not now\nlater');
    await userEvent.type(box, '{Enter}');
    expect(onSubmit).toHaveBeenCalledWith('not now\nlater');
  });

  it('cancels on Esc', () => {
    const onCancel = vi.fn();
    render(<DenyDialog busy={false} onSubmit={() => undefined} onCancel={onCancel} />);
    fireEvent.keyDown(screen.getByRole('textbox'), { key: 'Escape' });
    expect(onCancel).toHaveBeenCalled();
  });
});

describe('CodeBlock', () => {
  it('caps what it renders and says so', () => {
    const text = Array.from({ length: 3000 }, (_, i) => `row ${i}`).join('\n');
    const { container } = render(<CodeBlock text={text} caps={{ maxLines: 2000, maxBytes: 1 << 20 }} label="content" />);
    expect(container.querySelectorAll('.ln')).toHaveLength(2000);
    expect(screen.getByRole('note').textContent).toMatch(/Truncated: showing 2,000 of 3,000 lines/);
  });

  it('shows hidden characters as markers', () => {
    render(<CodeBlock text={'ok\u202Egnp.exe'} caps={{ maxLines: 10, maxBytes: 1000 }} label="content" />);
    expect(screen.getByLabelText('content').querySelector('.hidden-char')?.textContent).toBe('U+202E');
    expect(screen.getByRole('note').textContent).toMatch(/1 hidden or control character/);
  });
});

describe('CommandRun', () => {
  it('shows each argument in its own box, spaces included', () => {
    const { container } = render(<CommandRun action={{ kind: 'command.run', argv: ['rm', '-rf', 'my files', ''] }} />);
    const args = [...container.querySelectorAll('.arg-text')].map((e) => e.textContent);
    expect(args).toEqual(['rm', '-rf', 'my files', '(empty)']);
    expect(screen.getByText(/cannot be undone/)).toBeTruthy();
  });

  it('lists declared writes', () => {
    render(<CommandRun action={{ kind: 'command.run', argv: ['make'], writes: ['build/'] }} />);
    expect(screen.getByText('build/')).toBeTruthy();
    expect(screen.queryByText(/cannot be undone/)).toBeNull();
  });
});

describe('ActionCard', () => {
  it('renders a kind it does not know as raw, bounded JSON', () => {
    render(<ActionCard action={{ kind: 'file.chmod', path: 'x' }} index={0} count={1} />);
    expect(screen.getByText('Unknown action (file.chmod)')).toBeTruthy();
    expect(screen.getByLabelText('Raw action').textContent).toContain('"file.chmod"');
  });

  it('shows file edits as removed and added blocks', () => {
    const { container } = render(
      <ActionCard action={{ kind: 'file.edit', path: 'a.md', edits: [{ old: 'foo', new: 'bar' }] }} index={0} count={1} />,
    );
    expect(container.querySelector('.code-del')?.textContent).toContain('foo');
    expect(container.querySelector('.code-add')?.textContent).toContain('bar');
  });
});

describe('RiskBadge', () => {
  it('says the risk in words, not only in colour', () => {
    render(<RiskBadge risk="critical" />);
    expect(screen.getByText(/Critical/).closest('.risk')?.textContent).toContain('Critical risk');
  });
});
