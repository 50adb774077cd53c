// Makes characters that hide or reorder text visible. Agents (or content they
// pass along) can use bidirectional overrides, zero-width characters or
// control characters to make a path, an argument or a line of code read
// differently from what it is; in a review tool every such character is
// shown as a marker instead.

// C0 controls except tab and newline, DEL, C1 controls, zero-width and bidi
// formatting characters, line/paragraph separators, BOM, and the
// soft hyphen.
// eslint-disable-next-line no-control-regex
const hidden = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufeff\ufff9-\ufffb]/g;

function marker(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  return `⟨U+${code.toString(16).toUpperCase().padStart(4, '0')}⟩`;
}

export interface Revealed {
  text: string;
  /** How many characters were replaced by markers. */
  count: number;
}

/** Replaces hidden characters with ⟨U+XXXX⟩ markers (keeps \t and \n). */
export function reveal(s: string): Revealed {
  let count = 0;
  const text = s.replace(hidden, (ch) => {
    count++;
    return marker(ch);
  });
  return { text, count };
}

/** As reveal, also marking tabs and newlines: for single-line values. */
export function revealInline(s: string): Revealed {
  const r = reveal(s);
  let count = r.count;
  const text = r.text.replace(/[\t\n]/g, (ch) => {
    count++;
    return ch === '\t' ? '⟨tab⟩' : '⟨newline⟩';
  });
  return { text, count };
}

export type Part = string | { code: string };

const hiddenOne = new RegExp(hidden.source);

/**
 * Splits s into plain text and hidden characters, for renderers that style
 * the markers (so that a literal "⟨U+202E⟩" typed by an agent does not look
 * like one). Tabs and newlines are hidden only when inline is set.
 */
export function revealParts(s: string, inline = false): Part[] {
  const re = inline ? new RegExp(`${hidden.source}|[\\t\\n]`, 'g') : new RegExp(hidden.source, 'g');
  if (!(inline ? /[\t\n]/.test(s) || hiddenOne.test(s) : hiddenOne.test(s))) return [s];
  const parts: Part[] = [];
  let last = 0;
  for (const m of s.matchAll(re)) {
    const i = m.index ?? 0;
    if (i > last) parts.push(s.slice(last, i));
    const ch = m[0];
    const code =
      ch === '\t' ? 'tab' : ch === '\n' ? 'newline' : `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
    parts.push({ code });
    last = i + ch.length;
  }
  if (last < s.length) parts.push(s.slice(last));
  return parts;
}
