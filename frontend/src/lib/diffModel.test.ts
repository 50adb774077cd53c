import { describe, expect, it } from 'vitest';
import type { DiffLine, Hunk } from '../api';
import { buildRows, gapsBefore, pairLines, segments, spansToUtf16 } from './diffModel';

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

  it('builds 100,000 rows quickly', () => {
    const lines = Array.from({ length: 100_000 }, (_, i) => line(i % 2 ? 'add' : 'del', i));
    const t = performance.now();
    expect(buildRows({ hunks: [{ ...hunk(1, 50_000), lines }] }, 'split')).toHaveLength(50_001);
    expect(performance.now() - t).toBeLessThan(500);
  });
});
