import { describe, expect, it } from 'vitest';
import { clip, formatBytes, truncate, utf8Length } from './truncate';

describe('truncate', () => {
  it('leaves small text alone', () => {
    const t = truncate('a\nb\n', { maxLines: 10, maxBytes: 100 });
    expect(t).toEqual({ text: 'a\nb\n', truncated: false, totalLines: 2, shownLines: 2, totalBytes: 4 });
  });

  it('cuts at the line cap', () => {
    const text = Array.from({ length: 5000 }, (_, i) => `line ${i}`).join('\n');
    const t = truncate(text, { maxLines: 2000, maxBytes: 1 << 20 });
    expect(t.truncated).toBe(true);
    expect(t.shownLines).toBe(2000);
    expect(t.totalLines).toBe(5000);
    expect(t.text.endsWith('line 1999')).toBe(true);
  });

  it('cuts at the byte cap, counting UTF-8 bytes', () => {
    const t = truncate('é'.repeat(1000), { maxLines: 10, maxBytes: 101 });
    expect(t.truncated).toBe(true);
    expect(t.text).toBe('é'.repeat(50));
    expect(t.totalBytes).toBe(2000);
  });

  it('never splits a surrogate pair', () => {
    const t = truncate('😀'.repeat(10), { maxLines: 10, maxBytes: 10 });
    expect(t.text).toBe('😀😀');
  });

  it('handles a single enormous line', () => {
    const t = truncate('x'.repeat(1_000_000), { maxLines: 2000, maxBytes: 200 * 1024 });
    expect(t.text.length).toBe(200 * 1024);
    expect(t.totalLines).toBe(1);
  });
});

describe('helpers', () => {
  it('measures UTF-8', () => {
    expect(utf8Length('aé€😀')).toBe(1 + 2 + 3 + 4);
  });

  it('clips with an ellipsis', () => {
    expect(clip('abcdef', 3)).toBe('abc…');
    expect(clip('abc', 3)).toBe('abc');
  });

  it('formats sizes', () => {
    expect(formatBytes(812)).toBe('812 B');
    expect(formatBytes(14_540)).toBe('14.2 KB');
  });
});
