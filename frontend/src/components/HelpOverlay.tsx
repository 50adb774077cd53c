import { useRef } from 'react';
import { useFocusWhileOpen } from './useFocusWhileOpen';

export const SHORTCUTS: ReadonlyArray<readonly [keys: readonly string[], what: string]> = [
  [['j', '↓'], 'Next request or history entry'],
  [['k', '↑'], 'Previous request or history entry'],
  [['Home', 'End'], 'First / last loaded row (in the list)'],
  [['h'], 'Switch between Requests and History'],
  [['i'], 'Open Insights (again: back to Requests)'],
  [['r'], 'Open Rules (again: back to Requests)'],
  [['a'], 'Approve the selected request'],
  [['d'], 'Deny the selected request (asks for a reason)'],
  [['m'], 'Remember the next decision as a rule (choose what it covers and for how long)'],
  [['s'], 'Switch diffs between unified and side by side'],
  [['n', 'p'], 'Next / previous changed cell of a spreadsheet'],
  [['u'], 'Undo the selected history entry (asks before overwriting later changes)'],
  [['Shift+R'], 'Redo the selected history entry'],
  [['/'], 'Search the history (Esc clears the search, then leaves it)'],
  [['Space'], 'Tick or untick the focused action or change'],
  [['Enter'], 'Send the denial (in the reason box)'],
  [['Shift+Enter'], 'New line in the reason'],
  [['Esc'], 'Cancel or close'],
  [['?'], 'Show or hide this help'],
  [['Ctrl+Q'], 'Quit Countersign'],
];

/** The list of keyboard shortcuts, as a modal dialog. */
export function HelpOverlay({ onClose }: { onClose(): void }) {
  const ref = useRef<HTMLDivElement>(null);
  useFocusWhileOpen(ref);
  return (
    <div className="overlay" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        className="help"
        role="dialog"
        aria-modal="true"
        aria-labelledby="help-title"
        tabIndex={-1}
        ref={ref}
        onKeyDown={(e) => {
          // Keep Tab inside the dialog: its only control is Close.
          if (e.key === 'Tab') {
            e.preventDefault();
            ref.current?.querySelector('button')?.focus();
          }
        }}
      >
        <h2 id="help-title">Keyboard shortcuts</h2>
        <table className="shortcuts">
          <tbody>
            {SHORTCUTS.map(([keys, what]) => (
              <tr key={what}>
                <td>
                  {keys.map((k, i) => (
                    <span key={k}>
                      {i > 0 && <span className="muted"> or </span>}
                      <kbd>{k}</kbd>
                    </span>
                  ))}
                </td>
                <td>{what}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted">
          Shortcuts are off while you type in a text box. In the details pane, ↑ and ↓ scroll; j and k still move.
        </p>
        <div className="help-actions">
          <button type="button" className="btn" onClick={onClose}>
            Close
          </button>
        </div>
      </div>
    </div>
  );
}
