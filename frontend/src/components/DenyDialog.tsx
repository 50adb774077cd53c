import { useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useFocusWhileOpen } from './useFocusWhileOpen';

export const MAX_REASON = 2000;

interface Props {
  busy: boolean;
  onSubmit(reason: string): void;
  onCancel(): void;
}

/**
 * The reason for a denial, which goes back to the agent. Enter denies,
 * Shift+Enter starts a new line, Esc cancels.
 */
export function DenyDialog({ busy, onSubmit, onCancel }: Props) {
  const [reason, setReason] = useState('');
  const ref = useRef<HTMLTextAreaElement>(null);
  const id = useId();

  // Give focus back where it was, unless it already moved on.
  useFocusWhileOpen(ref, true);

  function submit(e?: FormEvent) {
    e?.preventDefault();
    if (!busy) onSubmit(reason);
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.nativeEvent.isComposing) return;
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      submit();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      onCancel();
    }
  }

  return (
    <form className="deny-dialog" role="dialog" aria-labelledby={`${id}-label`} onSubmit={submit}>
      <label id={`${id}-label`} htmlFor={`${id}-reason`} className="deny-label">
        Why deny? <span className="muted">The agent sees this reason (optional, but it helps).</span>
      </label>
      <textarea
        id={`${id}-reason`}
        ref={ref}
        value={reason}
        maxLength={MAX_REASON}
        rows={3}
        placeholder="e.g. Don't touch files outside docs/"
        onChange={(e) => setReason(e.target.value)}
        onKeyDown={onKeyDown}
        disabled={busy}
      />
      <div className="deny-actions">
        <span className="hint">
          <kbd>Enter</kbd> deny ·{' '}
          <span className="hint-extra">
            <kbd>Shift</kbd>+<kbd>Enter</kbd> new line ·{' '}
          </span>
          <kbd>Esc</kbd> cancel
        </span>
        <button type="button" className="btn" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
        <button type="submit" className="btn btn-danger" disabled={busy}>
          {busy ? 'Denying…' : 'Deny'}
        </button>
      </div>
    </form>
  );
}
