import { useMemo } from 'react';
import { formatBytes, truncate, type Caps } from '../lib/truncate';
import { reveal } from '../lib/visible';
import { Revealed } from './Revealed';

interface Props {
  text: string;
  caps: Caps;
  /** Accessible name, e.g. "Content of notes.txt". */
  label: string;
  /** patch: a unified diff, each line coloured by its +, - or @@. */
  tone?: 'plain' | 'del' | 'add' | 'patch';
}

/** The class of one line of a unified diff. */
export function patchLineClass(line: string): string {
  if (line.startsWith('+++') || line.startsWith('---') || line.startsWith('diff ') || line.startsWith('index ')) return 'ln ln-meta';
  if (line.startsWith('@@')) return 'ln ln-hunk';
  if (line.startsWith('+')) return 'ln ln-add';
  if (line.startsWith('-')) return 'ln ln-del';
  return 'ln';
}

/**
 * Agent-supplied text in monospace, never unbounded: it stops at the caps
 * and says what was left out. Long lines wrap rather than run off to the
 * right, so nothing is out of sight; line numbers tell a wrapped line from a
 * new one. Hidden characters are shown as markers. Nothing in it is ever
 * read as markup: every line is a text node.
 */
export function CodeBlock({ text, caps, label, tone = 'plain' }: Props) {
  const shown = useMemo(() => {
    const t = truncate(text, caps);
    const hidden = reveal(t.text).count;
    const lines = t.text === '' ? [] : t.text.split('\n');
    // A final newline ends the last line rather than starting an empty one.
    if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
    return { ...t, lines, hidden };
  }, [text, caps]);
  return (
    <div className={`code code-${tone}`}>
      {/* Focusable: a long block scrolls inside itself, by keyboard too. */}
      <pre aria-label={label} tabIndex={0}>
        {shown.lines.length === 0 ? (
          <span className="code-empty">(empty)</span>
        ) : (
          shown.lines.map((l, i) => (
            <span key={i} className={tone === 'patch' ? patchLineClass(l) : 'ln'}>
              <Revealed text={l} />
            </span>
          ))
        )}
      </pre>
      {(shown.truncated || shown.hidden > 0) && (
        <p className="note" role="note">
          {shown.truncated &&
            `Truncated: showing ${shown.shownLines.toLocaleString()} of ${shown.totalLines.toLocaleString()} lines (${formatBytes(shown.totalBytes)} in all).`}
          {shown.truncated && shown.hidden > 0 && ' '}
          {shown.hidden > 0 &&
            `${shown.hidden} hidden or control ${shown.hidden === 1 ? 'character is' : 'characters are'} marked in red.`}
        </p>
      )}
    </div>
  );
}
