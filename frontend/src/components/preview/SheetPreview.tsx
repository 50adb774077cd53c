import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef } from 'react';
import type { CellChange, ChangeSet, Grid, GridCell, SheetChange } from '../../api';
import { cellDescribe, cellShown, colName } from '../../lib/sheet';
import { clip } from '../../lib/truncate';
import { GRID_BLOCK, GRID_MAX_COLS, type GridSlot, type SheetCursor } from '../../stores/preview';
import { Revealed } from '../Revealed';

const MAX_LISTED = 500;

const byCell = new WeakMap<Grid, Map<string, GridCell>>();

/** A window's cells by "row:col", computed once per window. */
function cellsOf(g: Grid): Map<string, GridCell> {
  let m = byCell.get(g);
  if (!m) {
    m = new Map();
    for (const c of g.cells) m.set(`${c.row}:${c.col}`, c);
    byCell.set(g, m);
  }
  return m;
}
const MAX_DEPENDENTS = 200;
const ROW_H = 26;
const COL_W = 112;
const HEAD_W = 52;

export interface GridSource {
  /** The answer for a block of GRID_BLOCK rows of a sheet, if asked for. */
  slot(sheet: string, block: number): GridSlot | undefined;
  request(sheet: string, block: number, cols: number): void;
}

interface Props {
  changes: ChangeSet;
  cursor: SheetCursor;
  onSheet: (sheet: number) => void;
  onChange: (change: number) => void;
  /** Set for a sheet.update: the workbook can be shown as a grid. */
  grid?: GridSource;
}

/** A spreadsheet change: summary, formulas affected, per-sheet changes and grid. */
export function SheetPreview({ changes, cursor, onSheet, onChange, grid }: Props) {
  const sheetIndex = Math.min(cursor.sheet, Math.max(0, changes.sheets.length - 1));
  const sheet = changes.sheets[sheetIndex];
  const current = sheet && cursor.change >= 0 ? sheet.cells[cursor.change] : undefined;
  return (
    <div className="sheet-preview">
      <p className="sheet-summary">
        <strong>{changes.summary || 'No cell changes.'}</strong>
        {changes.format && <span className="badge">{changes.format}</span>}
      </p>
      {changes.truncated && (
        <p className="diff-banner diff-banner-warn" role="note">
          <strong>Truncated.</strong> Some changes are counted but not listed.
        </p>
      )}
      {changes.dependents.length > 0 && <Dependents changes={changes} />}
      {changes.names.length > 0 && (
        <div className="sheet-names">
          <strong>Defined names</strong>
          <ul className="plain-list">
            {changes.names.slice(0, 100).map((n, i) => (
              <li key={i}>
                <span className="mono">{clip(n.name, 100)}</span> {n.change}
                {n.old !== undefined && n.new !== undefined && (
                  <span className="mono">
                    : {clip(n.old, 200)} → {clip(n.new, 200)}
                  </span>
                )}
              </li>
            ))}
          </ul>
        </div>
      )}
      {changes.notes.length > 0 && (
        <ul className="sheet-notes">
          {changes.notes.slice(0, 20).map((n, i) => (
            <li key={i} className="note">
              {clip(n, 500)}
            </li>
          ))}
        </ul>
      )}
      {changes.sheets.length > 0 && (
        <div className="sheet-tabs" role="tablist" aria-label="Sheets with changes">
          {changes.sheets.map((s, i) => (
            <button
              key={i}
              type="button"
              role="tab"
              aria-selected={i === sheetIndex}
              className="sheet-tab"
              onClick={() => onSheet(i)}
            >
              <Revealed text={clip(s.name, 60)} inline />
              {s.status !== 'modified' && <span className={`badge badge-${s.status}`}>{s.status}</span>}
              <span className="muted">{s.cells_changed.toLocaleString()}</span>
            </button>
          ))}
        </div>
      )}
      {sheet && (
        <SheetPanel
          key={sheetIndex}
          sheet={sheet}
          current={current}
          change={cursor.change}
          onChange={onChange}
          grid={grid && sheet.status !== 'removed' ? grid : undefined}
        />
      )}
    </div>
  );
}

function Dependents({ changes }: { changes: ChangeSet }) {
  const n = changes.totals.dependents || changes.dependents.length;
  return (
    <section className="dependents" aria-label="Formulas that depend on changed cells">
      <p>
        <strong>
          ⚠ {n.toLocaleString()} {n === 1 ? 'formula depends' : 'formulas depend'} on cells that change.
        </strong>{' '}
        Their results will change too when the spreadsheet recalculates.
      </p>
      <ul>
        {changes.dependents.slice(0, MAX_DEPENDENTS).map((d, i) => (
          <li key={i}>
            <span className="mono dep-cell">
              {changes.sheets.length > 1 || d.sheet !== changes.sheets[0]?.name ? `${clip(d.sheet, 60)}!` : ''}
              {d.cell}
            </span>{' '}
            <span className="mono dep-formula">={clip(d.formula, 300)}</span>{' '}
            <span className="muted">
              depends on {d.depends_on.map((r) => r.cell).join(', ')}
              {d.depends_on_count > d.depends_on.length && ` and ${d.depends_on_count - d.depends_on.length} more`}
              {d.value !== '' && `; shows ${clip(d.value, 60)} now`}
            </span>
          </li>
        ))}
      </ul>
      {changes.dependents.length > MAX_DEPENDENTS && (
        <p className="note">Showing {MAX_DEPENDENTS} of {changes.dependents.length.toLocaleString()}.</p>
      )}
    </section>
  );
}

function spansText(label: string, count: number, spans: { label: string }[]): string | null {
  if (count === 0) return null;
  const list = spans
    .slice(0, 5)
    .map((s) => s.label)
    .join(', ');
  return `${count.toLocaleString()} ${label}${list ? ` (${list}${spans.length > 5 ? ', …' : ''})` : ''}`;
}

function SheetPanel({
  sheet,
  current,
  change,
  onChange,
  grid,
}: {
  sheet: SheetChange;
  current: CellChange | undefined;
  change: number;
  onChange: (change: number) => void;
  grid: GridSource | undefined;
}) {
  const n = sheet.cells.length;
  const structure = [
    spansText(sheet.rows_added_count === 1 ? 'row added' : 'rows added', sheet.rows_added_count, sheet.rows_added),
    spansText(sheet.rows_removed_count === 1 ? 'row removed' : 'rows removed', sheet.rows_removed_count, sheet.rows_removed),
    spansText(sheet.cols_added_count === 1 ? 'column added' : 'columns added', sheet.cols_added_count, sheet.cols_added),
    spansText(sheet.cols_removed_count === 1 ? 'column removed' : 'columns removed', sheet.cols_removed_count, sheet.cols_removed),
  ].filter((s): s is string => s !== null);
  const step = (d: number) => onChange(change < 0 ? (d > 0 ? 0 : n - 1) : (change + d + n) % n);
  return (
    <div className="sheet-panel" role="tabpanel">
      {sheet.status === 'renamed' && sheet.old_name && (
        <p className="meta-line">
          Renamed from <Revealed text={clip(sheet.old_name, 80)} inline />.
        </p>
      )}
      {sheet.status === 'removed' && <p className="warn-text">This sheet is removed, with everything on it.</p>}
      {structure.length > 0 && <p className="meta-line">{structure.join(' · ')}</p>}
      {sheet.warnings.map((w, i) => (
        <p key={i} className="note">
          {clip(w, 300)}
        </p>
      ))}
      {n > 0 && (
        <div className="change-nav">
          <button type="button" className="btn btn-small" onClick={() => step(-1)} aria-keyshortcuts="p">
            ◀ Previous <kbd aria-hidden="true">p</kbd>
          </button>
          <button type="button" className="btn btn-small" onClick={() => step(1)} aria-keyshortcuts="n">
            Next <kbd aria-hidden="true">n</kbd> ▶
          </button>
          <span className="change-pos" aria-live="polite">
            {current ? (
              <>
                Change {change + 1} of {n}: <span className="mono">{current.cell}</span>
              </>
            ) : (
              `${sheet.cells_changed.toLocaleString()} changed ${sheet.cells_changed === 1 ? 'cell' : 'cells'}`
            )}
          </span>
        </div>
      )}
      <div className={grid ? 'sheet-body sheet-body-grid' : 'sheet-body'}>
        {grid && <SheetGrid sheet={sheet} source={grid} current={current} onPick={(i) => onChange(i)} />}
        <ChangeList sheet={sheet} change={change} onChange={onChange} />
      </div>
    </div>
  );
}

function ChangeList({ sheet, change, onChange }: { sheet: SheetChange; change: number; onChange: (c: number) => void }) {
  const shown = sheet.cells.slice(0, MAX_LISTED);
  const listRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = listRef.current?.querySelector<HTMLElement>('.change-current');
    el?.scrollIntoView?.({ block: 'nearest' });
  }, [change]);
  if (sheet.cells.length === 0) return <p className="meta-line">No cells change on this sheet.</p>;
  return (
    <div className="change-list" ref={listRef} tabIndex={0} role="region" aria-label={`Changed cells of ${sheet.name}`}>
      <table className="cells">
        <thead>
          <tr>
            <th scope="col">Cell</th>
            <th scope="col">Before</th>
            <th scope="col">After</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((c, i) => (
            <tr
              key={i}
              className={`change-row change-${c.change}${i === change ? ' change-current' : ''}`}
              onClick={() => onChange(i)}
            >
              <td className="mono">
                <button type="button" className="link" onClick={() => onChange(i)} aria-current={i === change}>
                  {c.cell}
                </button>
              </td>
              <td className="cell-old">
                <CellText v={c.old} />
              </td>
              <td className="cell-new">
                <CellText v={c.new} />
                {c.type_changed && <span className="tag">type changes</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {(sheet.cells.length > shown.length || sheet.truncated) && (
        <p className="note">
          Showing {shown.length.toLocaleString()} of {sheet.cells_changed.toLocaleString()} changed cells.
        </p>
      )}
    </div>
  );
}

function CellText({ v }: { v: CellChange['old'] }) {
  if (!v) return <span className="missing">empty</span>;
  return (
    <span className={v.formula ? 'mono' : undefined}>
      <Revealed text={clip(cellDescribe(v), 300)} inline />
    </span>
  );
}

function SheetGrid({
  sheet,
  source,
  current,
  onPick,
}: {
  sheet: SheetChange;
  source: GridSource;
  current: CellChange | undefined;
  onPick: (change: number) => void;
}) {
  const { rows, cols } = useMemo(() => {
    let r = Math.max(sheet.rows, 1);
    let c = Math.max(sheet.cols, 1);
    for (const x of sheet.cells) {
      r = Math.max(r, x.row);
      c = Math.max(c, x.col);
    }
    return { rows: r, cols: Math.min(c, GRID_MAX_COLS) };
  }, [sheet]);
  const changeIndex = useMemo(() => {
    const m = new Map<string, number>();
    sheet.cells.forEach((c, i) => m.set(`${c.row}:${c.col}`, i));
    return m;
  }, [sheet]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({
    count: rows,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_H,
    overscan: 10,
    initialRect: { width: 800, height: 360 },
  });
  const items = v.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;
  const firstBlock = Math.floor(first / GRID_BLOCK);
  const lastBlock = Math.floor(last / GRID_BLOCK);
  useEffect(() => {
    for (let b = firstBlock; b <= lastBlock; b++) source.request(sheet.name, b, cols);
  }, [firstBlock, lastBlock, source, sheet.name, cols]);

  // The cells of the blocks in view, by "row:col".
  const slots: (GridSlot | undefined)[] = [];
  for (let b = firstBlock; b <= lastBlock; b++) slots.push(source.slot(sheet.name, b));
  const lookup = (r: number, c: number): GridCell | undefined => {
    const s = slots[Math.floor((r - 1) / GRID_BLOCK) - firstBlock];
    return s?.state === 'ready' ? cellsOf(s.grid).get(`${r}:${c}`) : undefined;
  };
  const failed = slots.find((s) => s?.state === 'error');

  // Bring the current change into view.
  useEffect(() => {
    if (!current) return;
    v.scrollToIndex(current.row - 1, { align: 'center' });
    const el = scrollRef.current;
    if (el) {
      // Scroll sideways only as far as needed to show the whole cell.
      const x = HEAD_W + (current.col - 1) * COL_W;
      if (x < el.scrollLeft + HEAD_W) el.scrollLeft = Math.max(0, x - HEAD_W);
      else if (x + COL_W > el.scrollLeft + el.clientWidth) el.scrollLeft = x + COL_W - el.clientWidth;
    }
  }, [current, v]);

  const width = HEAD_W + cols * COL_W;
  const colHeads = useMemo(() => Array.from({ length: cols }, (_, i) => colName(i + 1)), [cols]);
  return (
    <div className="sgrid-wrap">
      {failed?.state === 'error' && <p className="error-text">Could not read the workbook: {failed.error.message}</p>}
      <div
        className="sgrid-scroll"
        ref={scrollRef}
        tabIndex={0}
        role="region"
        aria-label={`Sheet ${sheet.name} with the changes applied`}
      >
        <div className="sgrid" style={{ width, height: ROW_H + v.getTotalSize() }}>
          <div className="sgrid-head" style={{ width }}>
            <span className="sgrid-corner" />
            {colHeads.map((c, i) => (
              <span key={i} className={`sgrid-colname${current && current.col === i + 1 ? ' sgrid-on' : ''}`}>
                {c}
              </span>
            ))}
          </div>
          {items.map((item) => {
            const r = item.index + 1;
            return (
              <div
                key={item.key}
                className="sgrid-row"
                style={{ transform: `translateY(${item.start + ROW_H}px)`, width }}
              >
                <span className={`sgrid-rowname${current && current.row === r ? ' sgrid-on' : ''}`}>{r}</span>
                {colHeads.map((_, ci) => {
                  const c = ci + 1;
                  const cell = lookup(r, c);
                  const ch = changeIndex.get(`${r}:${c}`);
                  const change = cell?.change;
                  const isCurrent = current !== undefined && current.row === r && current.col === c;
                  const text = cellShown(cell?.value);
                  const title = change
                    ? `${colName(c)}${r}: ${cellDescribe(cell?.old)} → ${cellDescribe(cell?.value)}`
                    : cell?.value?.formula
                      ? `${colName(c)}${r}: ${cellDescribe(cell.value)}`
                      : undefined;
                  return (
                    <span
                      key={c}
                      className={`sgrid-cell${change ? ` sgrid-${change}` : ''}${isCurrent ? ' sgrid-current' : ''}${
                        cell?.value?.type === 'number' ? ' sgrid-num' : ''
                      }`}
                      title={title}
                      data-cell={`${colName(c)}${r}`}
                      onClick={ch !== undefined ? () => onPick(ch) : undefined}
                    >
                      {cell?.value?.formula && text === '' ? (
                        <span className="sgrid-formula">={clip(cell.value.formula, 80)}</span>
                      ) : (
                        clip(text, 200)
                      )}
                    </span>
                  );
                })}
              </div>
            );
          })}
        </div>
      </div>
      {sheet.cols > GRID_MAX_COLS && (
        <p className="note">The grid shows the first {GRID_MAX_COLS} columns; the list has every change.</p>
      )}
    </div>
  );
}
