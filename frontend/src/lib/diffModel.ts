// Pure helpers for the diff view: word highlights in UTF-16 terms, the
// unchanged stretches between hunks, side-by-side pairing, and the flat list
// of rows the virtualized view renders.
import type { ByteSpan, DiffLine, DiffResult, Hunk } from '../api';

/** A range of a JS string, in UTF-16 code units: [start, end). */
export interface Range {
  start: number;
  end: number;
}

function utf8Width(cp: number): number {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/**
 * Converts byte ranges of the UTF-8 encoding of text (as the backend sends
 * them) into ranges of the JS string. A range never splits a character: one
 * that starts or ends inside it covers all of it. Offsets past the end stop
 * at the end; empty and inverted ranges are dropped; overlapping ones merge.
 */
export function spansToUtf16(text: string, spans: readonly ByteSpan[]): Range[] {
  if (spans.length === 0 || text === '') return [];
  const sorted = spans
    .filter((s) => s.end > s.start && s.start >= 0)
    .slice()
    .sort((a, b) => a.start - b.start);
  const out: Range[] = [];
  let byte = 0;
  let i = 0;
  // Walks forward to byte target: a start inside a character moves back to
  // the character's start (floor), an end inside one moves past it.
  const advanceTo = (target: number, floor: boolean): number => {
    while (i < text.length && byte < target) {
      const cp = text.codePointAt(i) ?? 0;
      const w = utf8Width(cp);
      if (floor && byte + w > target) break;
      byte += w;
      i += cp > 0xffff ? 2 : 1;
    }
    return i;
  };
  for (const s of sorted) {
    // Ranges are sorted, so the walk only goes forward; a range that starts
    // inside the previous one starts where that one ended, and merges.
    const start = advanceTo(s.start, true);
    const end = advanceTo(s.end, false);
    const last = out[out.length - 1];
    if (end <= start) continue;
    if (last && start <= last.end) last.end = Math.max(last.end, end);
    else out.push({ start, end });
  }
  return out;
}

export interface Segment {
  text: string;
  changed: boolean;
}

/** Splits text into runs, marking those inside ranges (from spansToUtf16). */
export function segments(text: string, ranges: readonly Range[]): Segment[] {
  if (ranges.length === 0) return [{ text, changed: false }];
  const out: Segment[] = [];
  let at = 0;
  for (const r of ranges) {
    if (r.start > at) out.push({ text: text.slice(at, r.start), changed: false });
    out.push({ text: text.slice(r.start, r.end), changed: true });
    at = r.end;
  }
  if (at < text.length) out.push({ text: text.slice(at), changed: false });
  return out;
}

/** The last old line a hunk covers (for "-k,0", the line it goes after). */
function oldEnd(h: Hunk): number {
  return h.old_lines === 0 ? h.old_start : h.old_start + h.old_lines - 1;
}

/** The first old line a hunk covers (for "-k,0", the line after k). */
function oldFirst(h: Hunk): number {
  return h.old_lines === 0 ? h.old_start + 1 : h.old_start;
}

/**
 * How many unchanged lines come before each hunk that the diff does not
 * show: before the first, the lines from the top of the file; before the
 * others, the lines since the previous hunk ended.
 */
export function gapsBefore(hunks: readonly Hunk[]): number[] {
  let prevEnd = 0;
  return hunks.map((h) => {
    const gap = Math.max(0, oldFirst(h) - prevEnd - 1);
    prevEnd = oldEnd(h);
    return gap;
  });
}

/** The last new line a hunk covers (for "+k,0", the line it goes after). */
function newEnd(h: Hunk): number {
  return h.new_lines === 0 ? h.new_start : h.new_start + h.new_lines - 1;
}

/** The unchanged old lines from..to (1-based, inclusive) the diff leaves out before a hunk. */
export interface GapRange {
  from: number;
  to: number;
  /** What to add to an old line number of the gap to get its new line number. */
  offset: number;
}

/**
 * Where each hunk's gap lies (empty when to < from) and how its old line
 * numbers map to new ones: before the first hunk the files agree (offset 0);
 * after a hunk, by what that hunk moved the lines that follow it, i.e.
 * prev.new_start+prev.new_lines − (prev.old_start+prev.old_lines), counted
 * from the line a zero-length side goes after.
 */
export function gapRanges(hunks: readonly Hunk[]): GapRange[] {
  let prevEnd = 0;
  let offset = 0;
  return hunks.map((h) => {
    const g = { from: prevEnd + 1, to: Math.max(prevEnd, oldFirst(h) - 1), offset };
    prevEnd = oldEnd(h);
    offset = newEnd(h) - oldEnd(h);
    return g;
  });
}

/** An unchanged line the diff left out, as a context line with both numbers. */
export function contextLine(old: number, offset: number, text: string): DiffLine {
  return { kind: 'context', old, new: old + offset, no_newline: false, text, spans: [] };
}

/** Lines fetched per PreviewLines call at most. */
export const EXPAND_CHUNK = 5000;

/** The old-line ranges a gap is fetched in, top down, EXPAND_CHUNK at a time. */
export function gapChunks(g: Pick<GapRange, 'from' | 'to'>): { from: number; to: number }[] {
  const out: { from: number; to: number }[] = [];
  for (let f = g.from; f <= g.to; f += EXPAND_CHUNK) out.push({ from: f, to: Math.min(g.to, f + EXPAND_CHUNK - 1) });
  return out;
}

/** One row of the side-by-side view. */
export interface Pair {
  left?: DiffLine;
  right?: DiffLine;
}

/**
 * Pairs a hunk's lines for the side-by-side view: an unchanged line sits on
 * both sides; a run of deleted lines followed by a run of added lines is
 * zipped, line by line, the longer run continuing alone.
 */
export function pairLines(lines: readonly DiffLine[]): Pair[] {
  const out: Pair[] = [];
  let i = 0;
  while (i < lines.length) {
    const l = lines[i]!;
    if (l.kind === 'context') {
      out.push({ left: l, right: l });
      i++;
      continue;
    }
    const dels: DiffLine[] = [];
    const adds: DiffLine[] = [];
    while (i < lines.length && lines[i]!.kind === 'del') dels.push(lines[i++]!);
    while (i < lines.length && lines[i]!.kind === 'add') adds.push(lines[i++]!);
    const n = Math.max(dels.length, adds.length);
    for (let k = 0; k < n; k++) {
      const p: Pair = {};
      if (k < dels.length) p.left = dels[k];
      if (k < adds.length) p.right = adds[k];
      out.push(p);
    }
  }
  return out;
}

export type DiffMode = 'unified' | 'split';

export type Row =
  /** Unchanged lines not shown: old lines from..to; offset maps them to new numbers. */
  | { t: 'gap'; hunk: number; count: number; from: number; to: number; offset: number }
  | { t: 'hunk'; hunk: number; header: string }
  | { t: 'line'; hunk: number; line: DiffLine }
  | { t: 'pair'; hunk: number; pair: Pair };

/**
 * The rows of a diff, flat, for a virtualized list. revealed(hunk) gives the
 * unchanged lines fetched so far of the gap before that hunk, from its top;
 * they are shown as context rows (hunk -1: part of no hunk) and the gap row
 * counts what is still hidden.
 */
export function buildRows(
  d: Pick<DiffResult, 'hunks'>,
  mode: DiffMode,
  revealed?: (hunk: number) => readonly string[] | undefined,
): Row[] {
  const rows: Row[] = [];
  const gaps = gapRanges(d.hunks);
  d.hunks.forEach((h, i) => {
    const g = gaps[i]!;
    const shown = g.to >= g.from ? (revealed?.(i) ?? []).slice(0, g.to - g.from + 1) : [];
    shown.forEach((text, k) => {
      const line = contextLine(g.from + k, g.offset, text);
      rows.push(mode === 'unified' ? { t: 'line', hunk: -1, line } : { t: 'pair', hunk: -1, pair: { left: line, right: line } });
    });
    const from = g.from + shown.length;
    if (g.to >= from) rows.push({ t: 'gap', hunk: i, count: g.to - from + 1, from, to: g.to, offset: g.offset });
    rows.push({ t: 'hunk', hunk: i, header: h.header });
    if (mode === 'unified') for (const line of h.lines) rows.push({ t: 'line', hunk: i, line });
    else for (const pair of pairLines(h.lines)) rows.push({ t: 'pair', hunk: i, pair });
  });
  return rows;
}
