import { useEffect, useId, useRef, type KeyboardEvent } from 'react';
import type { Conflict } from '../api';
import { clip, type Caps } from '../lib/truncate';
import { CodeBlock } from './CodeBlock';
import { useFocusWhileOpen } from './useFocusWhileOpen';
import { Revealed } from './Revealed';
import { Value } from './Value';

/** Conflicting files listed at most; the rest are counted. */
export const MAX_CONFLICTS = 50;
const DIFF_CAPS: Caps = { maxLines: 400, maxBytes: 64 * 1024 };

interface Props {
  verb: 'undo' | 'redo';
  /** The proposal's summary. */
  summary: string;
  conflicts: Conflict[];
  busy: boolean;
  onOverwrite(): void;
  onCancel(): void;
}

/**
 * Undo or Redo was refused because files changed since Countersign wrote
 * them, and nothing was changed. Lists each file with what Countersign left,
 * what is there now and the difference, and asks: overwrite those changes,
 * or leave them (Esc). Modal: focus starts on Cancel, stays inside, and goes
 * back where it was when the dialog closes.
 */
export function ConflictDialog({ verb, summary, conflicts, busy, onOverwrite, onCancel }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const id = useId();
  useFocusWhileOpen(cancelRef);
  // While the buttons are disabled, focus stays in the dialog.
  useEffect(() => {
    if (busy) ref.current?.focus();
  }, [busy]);

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      if (!busy) onCancel();
    } else if (e.key === 'Tab') {
      // Keep Tab inside the dialog.
      const focusable = Array.from(
        ref.current?.querySelectorAll<HTMLElement>('button:not(:disabled), [tabindex="0"]') ?? [],
      );
      if (focusable.length === 0) return;
      const i = focusable.indexOf(document.activeElement as HTMLElement);
      const next = e.shiftKey ? (i <= 0 ? focusable.length - 1 : i - 1) : i === focusable.length - 1 ? 0 : i + 1;
      e.preventDefault();
      focusable[next]?.focus();
    }
  }

  const n = conflicts.length;
  const shown = conflicts.slice(0, MAX_CONFLICTS);
  const files = n === 1 ? '1 file' : `${n.toLocaleString()} files`;
  const doing = verb === 'undo' ? 'Undoing' : 'Redoing';
  const since = verb === 'undo' ? 'carried this out' : 'undid this';
  return (
    <div className="overlay" onMouseDown={(e) => e.target === e.currentTarget && !busy && onCancel()}>
      <div
        ref={ref}
        className="dialog conflict-dialog"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-text`}
        aria-busy={busy}
        tabIndex={-1}
        onKeyDown={onKeyDown}
      >
        <h2 id={`${id}-title`}>
          {files} changed since Countersign {since}
        </h2>
        <p id={`${id}-text`}>
          <strong>Nothing was changed.</strong> {doing} <q>
            <Revealed text={clip(summary, 200)} inline />
          </q> now would
          replace {n === 1 ? 'the change' : 'the changes'} below with what Countersign {verb === 'undo' ? 'kept from before' : 'wrote'}.
        </p>
        <ol className="conflicts" aria-label="Changed files">
          {shown.map((c, i) => (
            <li key={i} className="conflict">
              <Value text={c.path} className="path conflict-path" max={400} />
              <dl className="fields">
                <dt>Countersign left</dt>
                <dd>
                  <Revealed text={clip(c.expected, 300)} />
                </dd>
                <dt>Now there</dt>
                <dd>
                  <Revealed text={clip(c.found, 300)} />
                </dd>
              </dl>
              {c.diff ? (
                <CodeBlock text={c.diff} caps={DIFF_CAPS} tone="patch" label={`Changes to ${clip(c.path, 200)} since Countersign wrote it`} />
              ) : (
                <p className="meta-line">No text difference to show.</p>
              )}
            </li>
          ))}
        </ol>
        {n > shown.length && (
          <p className="note" role="note">
            …and {(n - shown.length).toLocaleString()} more files.
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" className="btn btn-danger" disabled={busy} onClick={onOverwrite}>
            {busy ? 'Overwriting…' : 'Overwrite these changes'}
          </button>
          <button type="button" className="btn" ref={cancelRef} disabled={busy} onClick={onCancel}>
            Cancel <kbd aria-hidden="true">Esc</kbd>
          </button>
        </div>
      </div>
    </div>
  );
}
