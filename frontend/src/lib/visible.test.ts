import { describe, expect, it } from 'vitest';
import { reveal, revealInline } from './visible';

describe('reveal', () => {
  it('shows bidi overrides and zero-width characters', () => {
    const r = reveal('invoice\u202Efdp.exe');
    expect(r.text).toBe('invoice⟨U+202E⟩fdp.exe');
    expect(r.count).toBe(1);
    expect(reveal('a\u200Bb').text).toBe('a⟨U+200B⟩b');
  });

  it('shows control characters but keeps tabs and newlines in blocks', () => {
    expect(reveal('a\tb\nc\u0007').text).toBe('a\tb\nc⟨U+0007⟩');
  });

  it('marks tabs and newlines in single-line values', () => {
    expect(revealInline('rm -rf\n/').text).toBe('rm -rf⟨newline⟩/');
  });

  it('leaves ordinary text alone', () => {
    expect(reveal('Grüße, 世界 😀').count).toBe(0);
  });
});
