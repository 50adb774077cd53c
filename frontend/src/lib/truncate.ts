// Caps for agent-supplied text. Nothing an agent sends is rendered unbounded:
// every renderer cuts at a number of lines and of bytes and says so.

export interface Caps {
  maxLines: number;
  maxBytes: number;
}

export const CONTENT_CAPS: Caps = { maxLines: 2000, maxBytes: 200 * 1024 };
export const SNIPPET_CAPS: Caps = { maxLines: 400, maxBytes: 64 * 1024 };
export const INLINE_CAPS: Caps = { maxLines: 1, maxBytes: 2048 };

export interface Truncated {
  text: string;
  truncated: boolean;
  /** Lines in the whole input (a trailing newline does not start a line). */
  totalLines: number;
  /** Lines kept (the last one possibly cut short by the byte cap). */
  shownLines: number;
  /** UTF-8 bytes in the whole input. */
  totalBytes: number;
}

/** UTF-8 length of s without allocating. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

function countLines(s: string): number {
  if (s === '') return 0;
  let n = 1;
  let i = s.indexOf('\n');
  while (i !== -1) {
    if (i !== s.length - 1) n++;
    i = s.indexOf('\n', i + 1);
  }
  return n;
}

/** Index just past the UTF-8 byte budget, never splitting a surrogate pair. */
function cutAtBytes(s: string, end: number, maxBytes: number): number {
  let n = 0;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    let w = c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
    let pair = false;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < end) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        w = 4;
        pair = true;
      }
    }
    if (n + w > maxBytes) return i;
    n += w;
    if (pair) i++;
  }
  return end;
}

export function truncate(s: string, caps: Caps): Truncated {
  const totalLines = countLines(s);
  // Cheap upper bound first: most inputs are far below both caps.
  const quickFits = s.length * 3 <= caps.maxBytes && totalLines <= caps.maxLines;
  const totalBytes = utf8Length(s);
  if (quickFits || (totalBytes <= caps.maxBytes && totalLines <= caps.maxLines)) {
    return { text: s, truncated: false, totalLines, shownLines: totalLines, totalBytes };
  }
  // End of the maxLines-th line.
  let end = s.length;
  let seen = 0;
  let i = -1;
  while (seen < caps.maxLines) {
    i = s.indexOf('\n', i + 1);
    if (i === -1) break;
    seen++;
    if (seen === caps.maxLines) end = i;
  }
  end = cutAtBytes(s, end, caps.maxBytes);
  const text = s.slice(0, end);
  return { text, truncated: true, totalLines, shownLines: countLines(text), totalBytes };
}

/** For one-line labels (paths, names): at most maxChars, with an ellipsis. */
export function clip(s: string, maxChars = 500): string {
  if (s.length <= maxChars) return s;
  let end = maxChars;
  const c = s.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return `${s.slice(0, end)}…`;
}

/** Human byte sizes: "812 B", "14.2 KB", "3.0 MB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}
