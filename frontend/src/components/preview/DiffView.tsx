import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useMemo, useRef } from 'react';
import type { ApiError, DiffLine, DiffResult } from '../../api';
import { buildRows, EXPAND_CHUNK, gapRanges, segments, spansToUtf16, type DiffMode, type Row } from '../../lib/diffModel';
import { formatBytes } from '../../lib/truncate';
import { Revealed } from '../Revealed';

/** Characters of one line drawn at most; the rest is counted. */
const MAX_LINE_CHARS = 20_000;
/**
 * Row heights before they are measured, as styles.css draws them: a line
 * that does not wrap, a hunk header, an "unchanged lines" row. Close guesses
 * keep the scroll height from shifting as rows are measured on the way down.
 */
const ROW_ESTIMATE = { line: 20, pair: 20, hunk: 30, gap: 24 } as const;

/** A PreviewLines answer as the store keeps it. */
export type LinesState = { state: 'loading' } | { state: 'ready'; lines: string[] } | { state: 'error'; error: ApiError };

/** Where the unchanged lines between hunks come from (old lines from..to). */
export interface LinesSource {
  slot(from: number, to: number): LinesState | undefined;
  request(from: number, to: number): void;
}

/** The range a click on a gap row fetches: its first EXPAND_CHUNK lines. */
function nextChunk(row: { from: number; to: number }): { from: number; to: number } {
  return { from: row.from, to: Math.min(row.to, row.from + EXPAND_CHUNK - 1) };
}

interface Props {
  diff: DiffResult;
  /** The path as the agent named it (the diff's own path is resolved). */
  path: string | undefined;
  mode: DiffMode;
  onMode: (mode: DiffMode) => void;
  /** One tick per hunk when hunks can be kept one by one; else null. */
  keep: boolean[] | null;
  /** The whole action is left out. */
  excluded?: boolean;
  onToggleHunk?: (hunk: number) => void;
  /** Makes the "unchanged lines" rows expandable; without it they only count. */
  lines?: LinesSource | undefined;
}

/** A file's change: header, notes, and the hunks, virtualized. */
export function DiffView({ diff, path, mode, onMode, keep, excluded = false, onToggleHunk, lines }: Props) {
  const created = !diff.old_exists && diff.new_exists;
  const deleted = diff.old_exists && !diff.new_exists;
  return (
    <div className={`diff${excluded ? ' diff-excluded' : ''}`}>
      <div className="diff-head">
        {created && <span className="badge badge-add">new file</span>}
        {deleted && <span className="badge badge-del">deleted</span>}
        {diff.binary && <span className="badge">binary</span>}
        <span className="diff-path" title={diff.path}>
          <Revealed text={path ?? diff.path} inline />
        </span>
        <span className="diff-size">{sizeText(diff)}</span>
        {!diff.binary && (
          <span className="diff-counts" aria-label={`${diff.added} lines added, ${diff.deleted} lines deleted`}>
            <span className="count-add">+{diff.added.toLocaleString()}</span>{' '}
            <span className="count-del">−{diff.deleted.toLocaleString()}</span>
          </span>
        )}
        {!diff.binary && diff.hunks.length > 0 && <ModeSwitch mode={mode} onMode={onMode} />}
      </div>
      {diff.truncated && (
        <p className="diff-banner diff-banner-warn" role="note">
          <strong>Truncated.</strong> The change is too long to show in full: the lines below stop before its end. The
          counts above cover all of it.
        </p>
      )}
      {diff.coarse && (
        <p className="diff-banner" role="note">
          <strong>Coarse diff.</strong> The file is large, so some regions are shown as whole blocks removed and added
          rather than line by line. What is shown is still exactly what changes.
        </p>
      )}
      {diff.binary ? (
        <p className="binary-summary">{diff.binary_summary || 'Binary content: no line view.'}</p>
      ) : diff.hunks.length === 0 ? (
        <p className="meta-line">No change: the content is the same as the file's.</p>
      ) : (
        <DiffBody diff={diff} mode={mode} keep={keep} excluded={excluded} onToggleHunk={onToggleHunk} lines={lines} />
      )}
    </div>
  );
}

function sizeText(d: DiffResult): string {
  if (!d.old_exists) return formatBytes(d.new_size);
  if (!d.new_exists) return formatBytes(d.old_size);
  if (d.old_size === d.new_size) return formatBytes(d.new_size);
  return `${formatBytes(d.old_size)} → ${formatBytes(d.new_size)}`;
}

export function ModeSwitch({ mode, onMode }: { mode: DiffMode; onMode: (m: DiffMode) => void }) {
  return (
    <span className="mode-switch" role="group" aria-label="Diff layout" aria-keyshortcuts="s">
      <button type="button" aria-pressed={mode === 'unified'} onClick={() => onMode('unified')}>
        Unified
      </button>
      <button type="button" aria-pressed={mode === 'split'} onClick={() => onMode('split')}>
        Side by side
      </button>
      <kbd aria-hidden="true" title="Press s to switch">
        s
      </kbd>
    </span>
  );
}

function DiffBody({
  diff,
  mode,
  keep,
  excluded,
  onToggleHunk,
  lines,
}: {
  diff: DiffResult;
  mode: DiffMode;
  keep: boolean[] | null;
  excluded: boolean;
  onToggleHunk: ((hunk: number) => void) | undefined;
  lines: LinesSource | undefined;
}) {
  // The unchanged lines fetched so far of each gap, from its top: the answers
  // for consecutive chunks, up to the first one not there (yet).
  const revealed = useMemo(() => {
    if (!lines) return undefined;
    return gapRanges(diff.hunks).map((g) => {
      const out: string[] = [];
      for (let at = g.from; at <= g.to; ) {
        const c = nextChunk({ from: at, to: g.to });
        const slot = lines.slot(c.from, c.to);
        if (slot?.state !== 'ready' || slot.lines.length === 0) break;
        out.push(...slot.lines.slice(0, c.to - c.from + 1));
        at += Math.min(slot.lines.length, c.to - c.from + 1);
      }
      return out;
    });
  }, [diff.hunks, lines]);
  const rows = useMemo(() => buildRows(diff, mode, revealed && ((h) => revealed[h])), [diff, mode, revealed]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => ROW_ESTIMATE[rows[i]?.t ?? 'line'],
    // Rows drawn beyond the view on each side. Every row drawn is laid out
    // in the frame it enters: when the view jumps (the scrollbar dragged
    // through a 100,000-line diff), fewer of them keep frames short.
    overscan: 8,
    // Lets the first rows render before layout is measured (and in tests).
    initialRect: { width: 800, height: 600 },
  });
  const hunks = diff.hunks.length;
  return (
    <div
      className={`diff-scroll diff-${mode}`}
      ref={scrollRef}
      tabIndex={0}
      role="region"
      aria-label={`Changes to ${diff.path}, ${mode === 'split' ? 'side by side' : 'unified'}`}
    >
      <div className="diff-inner" style={{ height: v.getTotalSize() }}>
        {v.getVirtualItems().map((item) => {
          const row = rows[item.index]!;
          const off = excluded || (keep !== null && keep[row.hunk] === false);
          return (
            <div
              key={item.key}
              data-index={item.index}
              ref={v.measureElement}
              className={`drow drow-${row.t}${off ? ' drow-off' : ''}`}
              style={{ transform: `translateY(${item.start}px)` }}
            >
              <RowView row={row} hunks={hunks} keep={keep} excluded={excluded} onToggleHunk={onToggleHunk} lines={lines} />
            </div>
          );
        })}
      </div>
    </div>
  );
}

function RowView({
  row,
  hunks,
  keep,
  excluded,
  onToggleHunk,
  lines,
}: {
  row: Row;
  hunks: number;
  keep: boolean[] | null;
  excluded: boolean;
  onToggleHunk: ((hunk: number) => void) | undefined;
  lines: LinesSource | undefined;
}) {
  switch (row.t) {
    case 'gap':
      return <GapRow row={row} lines={lines} />;
    case 'hunk': {
      const label = `Change ${row.hunk + 1} of ${hunks}`;
      const kept = keep?.[row.hunk] ?? true;
      return (
        <span className="hunk-head">
          {keep && onToggleHunk ? (
            <label className="check">
              <input
                type="checkbox"
                checked={kept && !excluded}
                onChange={() => onToggleHunk(row.hunk)}
                aria-label={`Keep change ${row.hunk + 1} of ${hunks}`}
              />
              <span>{label}</span>
            </label>
          ) : (
            <span>{label}</span>
          )}
          <span className="hunk-range">{row.header}</span>
          {keep && !kept && <span className="badge badge-off">left out</span>}
        </span>
      );
    }
    case 'line':
      return <UnifiedLine line={row.line} />;
    case 'pair':
      return (
        <>
          <Side line={row.pair.left} side="old" />
          <Side line={row.pair.right} side="new" />
        </>
      );
  }
}

function GapRow({ row, lines }: { row: Extract<Row, { t: 'gap' }>; lines: LinesSource | undefined }) {
  const count = (
    <>
      ⋯ {row.count.toLocaleString()} unchanged {row.count === 1 ? 'line' : 'lines'}
    </>
  );
  if (!lines) return <span className="gap">{count}</span>;
  const c = nextChunk(row);
  const slot = lines.slot(c.from, c.to);
  const more = row.count > EXPAND_CHUNK;
  return (
    <>
      <button
        type="button"
        className="gap gap-button"
        onClick={() => lines.request(c.from, c.to)}
        aria-busy={slot?.state === 'loading' || undefined}
        title={more ? `Show lines ${c.from.toLocaleString()}–${c.to.toLocaleString()}` : 'Show these lines'}
      >
        {count}
        {more && <span className="gap-more"> · expand {EXPAND_CHUNK.toLocaleString()} more</span>}
        {slot?.state === 'loading' && <span className="gap-more"> · loading…</span>}
      </button>
      {slot?.state === 'error' && (
        <span className="gap-error" role="alert">
          Could not load these lines: {slot.error.message}. Click to try again.
        </span>
      )}
    </>
  );
}

const sign = { context: ' ', add: '+', del: '−' } as const;

const UnifiedLine = memo(function UnifiedLine({ line }: { line: DiffLine }) {
  return (
    <span className={`dline dline-${line.kind}`}>
      <span className="ln-no">{line.old || ''}</span>
      <span className="ln-no">{line.new || ''}</span>
      <span className="ln-sign" aria-label={line.kind === 'context' ? undefined : line.kind === 'add' ? 'added' : 'removed'}>
        {sign[line.kind]}
      </span>
      <LineText line={line} />
    </span>
  );
});

function Side({ line, side }: { line: DiffLine | undefined; side: 'old' | 'new' }) {
  if (!line) return <span className={`dline dline-empty dline-${side}`} aria-hidden="true" />;
  const kind = line.kind;
  return (
    <span className={`dline dline-${kind} dline-${side}`}>
      <span className="ln-no">{(side === 'old' ? line.old : line.new) || ''}</span>
      <span className="ln-sign" aria-label={kind === 'context' ? undefined : kind === 'add' ? 'added' : 'removed'}>
        {sign[kind]}
      </span>
      <LineText line={line} />
    </span>
  );
}

/** A line's text with its changed words marked and hidden characters shown. */
export const LineText = memo(function LineText({ line }: { line: DiffLine }) {
  const long = line.text.length > MAX_LINE_CHARS;
  const text = long ? line.text.slice(0, MAX_LINE_CHARS) : line.text;
  const parts = useMemo(() => segments(text, spansToUtf16(text, line.spans)), [text, line.spans]);
  return (
    <span className="ln-text">
      {parts.map((p, i) =>
        p.changed ? (
          <mark key={i} className={`word word-${line.kind}`}>
            <Revealed text={p.text} />
          </mark>
        ) : (
          <Revealed key={i} text={p.text} />
        ),
      )}
      {long && <span className="note"> … {(line.text.length - MAX_LINE_CHARS).toLocaleString()} more characters</span>}
      {line.no_newline && (
        <span className="eol-mark" title="No newline at end of file">
          ⊘ no newline at end
        </span>
      )}
    </span>
  );
});
