import type { Action } from '../../api';
import { Value } from '../Value';
import { Target } from './FileActions';

const MAX_CELLS = 500;

/** A plain table of the cells to change; a spreadsheet preview can replace it. */
export function SheetUpdate({ action }: { action: Action }) {
  const cells = action.cells ?? [];
  const shown = cells.slice(0, MAX_CELLS);
  return (
    <>
      <Target label="Workbook" path={action.path} />
      <div className="table-wrap" tabIndex={0} role="region" aria-label="Cells to change">
        <table className="cells">
          <thead>
            <tr>
              <th scope="col">Sheet</th>
              <th scope="col">Cell</th>
              <th scope="col">Value</th>
              <th scope="col">Formula</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((c, i) => (
              <tr key={i}>
                <td>
                  <Value text={c.sheet} max={80} />
                </td>
                <td className="mono">
                  <Value text={c.cell} max={20} />
                </td>
                <td>{c.value !== undefined ? <Value text={c.value} max={200} /> : <span className="missing">—</span>}</td>
                <td className="mono">
                  {c.formula ? <Value text={c.formula.startsWith('=') ? c.formula : `=${c.formula}`} max={200} /> : <span className="missing">—</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {cells.length === 0 && <p className="meta-line">No cells listed.</p>}
      {cells.length > shown.length && (
        <p className="note" role="note">
          Truncated: showing {shown.length} of {cells.length.toLocaleString()} cells.
        </p>
      )}
    </>
  );
}
