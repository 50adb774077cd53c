import { describe, expect, it } from 'vitest';
import type { DiffLine, Hunk } from '../api';
import { buildRows, gapChunks, gapRanges, gapsBefore, pairLines, segments, spansToUtf16 } from './diffModel';

/** Byte offsets of a substring, as the backend computes them. */
function byteSpan(text: string, sub: string): { start: number; end: number } {
  const i = text.indexOf(sub);
  const enc = new TextEncoder();
  const start = enc.encode(text.slice(0, i)).length;
  return { start, end: start + enc.encode(sub).length };
}

const marked = (text: string, spans: { start: number; end: number }[]) =>
  spansToUtf16(text, spans).map((r) => text.slice(r.start, r.end));

describe('spansToUtf16', () => {
  it('is the identity for ASCII', () => {
    expect(spansToUtf16('hello world', [{ start: 6, end: 11 }])).toEqual([{ start: 6, end: 11 }]);
  });

  it('counts accents as two bytes and one code unit', () => {
    const t = 'le café est ouvert';
    expect(marked(t, [byteSpan(t, 'est')])).toEqual(['est']);
    expect(marked(t, [byteSpan(t, 'café')])).toEqual(['café']);
    // Decomposed: e + combining acute (1 + 2 bytes, 2 code units).
    const d = 'cafe\u0301 noir';
    expect(marked(d, [byteSpan(d, 'noir')])).toEqual(['noir']);
  });

  it('counts an emoji as four bytes and two code units', () => {
    const t = 'opens 🎉 at 9 o’clock';
    expect(marked(t, [byteSpan(t, '🎉')])).toEqual(['🎉']);
    expect(marked(t, [byteSpan(t, '9')])).toEqual(['9']);
    expect(marked(t, [byteSpan(t, 'o’clock')])).toEqual(['o’clock']);
    // Two emoji and CJK in a row.
    const u = '👩‍💻 日本語 ok';
    expect(marked(u, [byteSpan(u, '日本語'), byteSpan(u, 'ok')])).toEqual(['日本語', 'ok']);
  });

  it('never splits a character and stops at the end', () => {
    const t = 'a🎉b';
    // 2..3 is inside the emoji (bytes 1..5): it grows to the whole emoji.
    expect(marked(t, [{ start: 2, end: 3 }])).toEqual(['🎉']);
    expect(spansToUtf16(t, [{ start: 5, end: 99 }])).toEqual([{ start: 3, end: 4 }]);
  });

  it('sorts, merges overlaps and drops empty ranges', () => {
    const t = 'abcdefgh';
    expect(
      spansToUtf16(t, [
        { start: 5, end: 7 },
        { start: 0, end: 2 },
        { start: 1, end: 3 },
        { start: 4, end: 4 },
      ]),
    ).toEqual([
      { start: 0, end: 3 },
      { start: 5, end: 7 },
    ]);
    expect(spansToUtf16('', [{ start: 0, end: 1 }])).toEqual([]);
  });
});

describe('segments', () => {
  it('splits text into marked and unmarked runs', () => {
    expect(segments('abcdef', [{ start: 1, end: 3 }])).toEqual([
      { text: 'a', changed: false },
      { text: 'bc', changed: true },
      { text: 'def', changed: false },
    ]);
    expect(segments('abc', [])).toEqual([{ text: 'abc', changed: false }]);
  });
});

function hunk(old_start: number, old_lines: number, new_start = old_start, new_lines = old_lines): Hunk {
  return { old_start, old_lines, new_start, new_lines, header: `@@ -${old_start},${old_lines} +${new_start},${new_lines} @@`, lines: [] };
}

describe('gapsBefore', () => {
  it('counts the unchanged lines before and between hunks', () => {
    // Lines 2-8 and 47-53: line 1 before, lines 9-46 between.
    expect(gapsBefore([hunk(2, 7), hunk(47, 7)])).toEqual([1, 38]);
  });

  it('is zero for hunks that start at the top or touch', () => {
    expect(gapsBefore([hunk(1, 4), hunk(5, 3)])).toEqual([0, 0]);
  });

  it('handles a hunk that only inserts ("-k,0" goes after line k)', () => {
    // Insert after line 10, then a hunk at 20-22: lines 1-10 and 11-19 are unchanged.
    expect(gapsBefore([hunk(10, 0, 11, 2), hunk(20, 3)])).toEqual([10, 9]);
    // A new file: nothing before.
    expect(gapsBefore([hunk(0, 0, 1, 3)])).toEqual([0]);
  });
});

describe('gapRanges', () => {
  it('maps the hidden old lines to new ones by the offset of the hunks before', () => {
    // -2,7 +2,9 (two lines added), then -47,7 +49,4 (three removed), then -80,1 +78,1.
    const hs = [hunk(2, 7, 2, 9), hunk(47, 7, 49, 4), hunk(80, 1, 78, 1)];
    expect(gapRanges(hs)).toEqual([
      { from: 1, to: 1, offset: 0 },
      { from: 9, to: 46, offset: 2 },
      { from: 54, to: 79, offset: -1 },
    ]);
    // The counts agree with gapsBefore.
    expect(gapRanges(hs).map((g) => g.to - g.from + 1)).toEqual(gapsBefore(hs));
  });

  it('counts a zero-length side from the line it goes after', () => {
    // Insert 2 after line 10: old 11 is new 13.
    expect(gapRanges([hunk(10, 0, 11, 2), hunk(20, 3, 22, 3)])).toEqual([
      { from: 1, to: 10, offset: 0 },
      { from: 11, to: 19, offset: 2 },
    ]);
    // Hunks that touch leave an empty range.
    const [, g] = gapRanges([hunk(1, 4), hunk(5, 3)]);
    expect(g!.to).toBeLessThan(g!.from);
  });

  it('splits a big gap into chunks of 5,000', () => {
    expect(gapChunks({ from: 3, to: 12_010 })).toEqual([
      { from: 3, to: 5002 },
      { from: 5003, to: 10_002 },
      { from: 10_003, to: 12_010 },
    ]);
  });

  it('shows revealed lines as context rows with both numbers, in both layouts', () => {
    const hs = [hunk(2, 1, 2, 3), hunk(10, 1, 12, 1)];
    const revealed = (h: number) => (h === 1 ? ['a', 'b'] : undefined);
    const rows = buildRows({ hunks: hs }, 'unified', revealed);
    const ctx = rows.filter((r) => r.t === 'line').map((r) => (r.t === 'line' ? [r.line.old, r.line.new, r.line.text, r.line.kind] : []));
    expect(ctx).toEqual([
      [3, 5, 'a', 'context'],
      [4, 6, 'b', 'context'],
    ]);
    const gaps = rows.filter((r) => r.t === 'gap');
    expect(gaps).toEqual([
      { t: 'gap', hunk: 0, count: 1, from: 1, to: 1, offset: 0 },
      { t: 'gap', hunk: 1, count: 5, from: 5, to: 9, offset: 2 },
    ]);
    const split = buildRows({ hunks: hs }, 'split', revealed).filter((r) => r.t === 'pair');
    expect(split.map((r) => (r.t === 'pair' ? [r.pair.left?.old, r.pair.right?.new] : []))).toEqual([
      [3, 5],
      [4, 6],
    ]);
    // All revealed: no gap row left.
    expect(buildRows({ hunks: hs }, 'unified', (h) => (h === 1 ? ['3', '4', '5', '6', '7', '8', '9'] : undefined)).filter((r) => r.t === 'gap')).toHaveLength(1);
  });
});

const line = (kind: DiffLine['kind'], n: number, text = `${kind} ${n}`): DiffLine => ({
  kind,
  old: kind === 'add' ? 0 : n,
  new: kind === 'del' ? 0 : n,
  no_newline: false,
  text,
  spans: [],
});

describe('pairLines', () => {
  it('puts unchanged lines on both sides and zips a deletion with the addition after it', () => {
    const c = line('context', 1);
    const d1 = line('del', 2);
    const d2 = line('del', 3);
    const a1 = line('add', 2);
    const a2 = line('add', 3);
    expect(pairLines([c, d1, d2, a1, a2])).toEqual([
      { left: c, right: c },
      { left: d1, right: a1 },
      { left: d2, right: a2 },
    ]);
  });

  it('lets the longer run continue alone', () => {
    const d = line('del', 2);
    const a1 = line('add', 2);
    const a2 = line('add', 3);
    const a3 = line('add', 4);
    expect(pairLines([d, a1, a2, a3])).toEqual([{ left: d, right: a1 }, { right: a2 }, { right: a3 }]);
    const d1 = line('del', 5);
    const d2 = line('del', 6);
    const c = line('context', 7);
    expect(pairLines([d1, d2, c])).toEqual([{ left: d1 }, { left: d2 }, { left: c, right: c }]);
  });

  it('does not pair an addition with a deletion that comes after it', () => {
    const a = line('add', 1);
    const d = line('del', 1);
    expect(pairLines([a, d])).toEqual([{ right: a }, { left: d }]);
  });
});

describe('buildRows', () => {
  it('lists gaps, hunk headers and lines in order', () => {
    const h1 = { ...hunk(2, 1), lines: [line('del', 2), line('add', 2)] };
    const h2 = { ...hunk(10, 1), lines: [line('context', 10)] };
    const unified = buildRows({ hunks: [h1, h2] }, 'unified').map((r) => r.t);
    expect(unified).toEqual(['gap', 'hunk', 'line', 'line', 'gap', 'hunk', 'line']);
    const split = buildRows({ hunks: [h1, h2] }, 'split').map((r) => r.t);
    expect(split).toEqual(['gap', 'hunk', 'pair', 'gap', 'hunk', 'pair']);
  });

  it('pairs 100,000 lines into 50,000 side-by-side rows (timed in diffModel.bench.ts)', () => {
    const lines = Array.from({ length: 100_000 }, (_, i) => line(i % 2 ? 'add' : 'del', i));
    expect(buildRows({ hunks: [{ ...hunk(1, 50_000), lines }] }, 'split')).toHaveLength(50_001);
  });
});
