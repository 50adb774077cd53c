// Small helpers for the spreadsheet preview.
import type { CellValue } from '../api';

/** 1 → "A", 26 → "Z", 27 → "AA". */
export function colName(n: number): string {
  let s = '';
  let k = Math.floor(n);
  while (k > 0) {
    const r = (k - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    k = Math.floor((k - 1) / 26);
  }
  return s;
}

/** What a cell shows: its display text, else its value. */
export function cellShown(v: CellValue | undefined): string {
  if (!v) return '';
  return v.display ?? v.value;
}

/** A cell's content in words, for titles and the change list: "=SUM(B5:D5) → 12", "48200", "(empty)". */
export function cellDescribe(v: CellValue | undefined): string {
  if (!v) return '(empty)';
  const shown = cellShown(v);
  if (v.formula) {
    const f = `=${v.formula}`;
    if (v.uncalculated) return `${f} (not yet calculated)`;
    return shown === '' ? f : `${f} → ${shown}`;
  }
  return shown === '' ? '(empty string)' : shown;
}
