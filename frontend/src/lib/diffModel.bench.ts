// Speed of turning a large diff into virtual-list rows (run by make bench:
// `npx vitest bench --run`). Correctness of the same input is in the tests.
import { bench, describe } from 'vitest';
import type { DiffLine } from '../api';
import { buildRows } from './diffModel';

const lines: DiffLine[] = Array.from({ length: 100_000 }, (_, i) => ({
  kind: i % 2 ? 'add' : 'del',
  old: i % 2 ? 0 : i,
  new: i % 2 ? i : 0,
  no_newline: false,
  text: `line ${i}`,
  spans: [],
}));
const result = {
  hunks: [{ old_start: 1, old_lines: 50_000, new_start: 1, new_lines: 50_000, header: '@@ -1,50000 +1,50000 @@', lines }],
};

describe('buildRows, 100,000 changed lines', () => {
  bench('unified', () => {
    buildRows(result, 'unified');
  });
  bench('side by side', () => {
    buildRows(result, 'split');
  });
});
