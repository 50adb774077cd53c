package sheet

import (
	"context"
	"io"

	"countersign/backend/errs"
	"countersign/backend/proposal"
)

// WindowQuery asks for a viewport of a sheet: rows FirstRow.. and columns
// FirstCol.., 1-based. At most MaxWindowRows rows and MaxWindowCols columns
// are returned.
type WindowQuery struct {
	Sheet    string `json:"sheet"`
	OldSheet string `json:"old_sheet,omitempty"` // WindowDiff: the old side's name, when renamed
	FirstRow int    `json:"first_row"`
	Rows     int    `json:"rows"`
	FirstCol int    `json:"first_col"`
	Cols     int    `json:"cols"`
}

// Viewport limits.
const (
	MaxWindowRows = 2000
	MaxWindowCols = 512
)

// Grid is a viewport of a sheet.
type Grid struct {
	Sheet    string     `json:"sheet"`
	FirstRow int        `json:"first_row"`
	Rows     int        `json:"rows"`
	FirstCol int        `json:"first_col"`
	Cols     int        `json:"cols"`
	Cells    []GridCell `json:"cells"` // cells with a value, a formula or a change, row-major
	// Dimension is the range the sheet declares it uses ("A1:T100000"), a
	// hint for sizing the grid; "" when it declares none.
	Dimension string `json:"dimension,omitempty"`
	// End is set when the sheet has no rows after the window.
	End bool `json:"end"`
}

// GridCell is one cell of a viewport.
type GridCell struct {
	Row    int        `json:"row"`
	Col    int        `json:"col"`
	Cell   string     `json:"cell"`
	Value  *CellValue `json:"value,omitempty"` // nil when empty
	Change CellKind   `json:"change,omitempty"`
	Old    *CellValue `json:"old,omitempty"` // the old content of a changed cell
}

// Window reads a viewport of a sheet. It reads the sheet from its start to
// the last row of the window and no further, so the first screen of a large
// sheet is quick.
func Window(ctx context.Context, wb *Workbook, q WindowQuery) (*Grid, error) {
	wb.mu.Lock()
	defer wb.mu.Unlock()
	return window(ctx, nil, wb, q, nil)
}

// WindowDiff reads a viewport of new's sheet and marks each cell that differs
// from old's sheet of the same name (or q.OldSheet).
func WindowDiff(ctx context.Context, old, new *Workbook, q WindowQuery) (*Grid, error) {
	unlock := lockBoth(old, new)
	defer unlock()
	return window(ctx, old, new, q, nil)
}

// WindowUpdate reads a viewport of wb's sheet with a sheet.update's cells
// applied, marking the cells they change.
func WindowUpdate(ctx context.Context, wb *Workbook, cells []proposal.CellEdit, q WindowQuery) (*Grid, error) {
	wb.mu.Lock()
	defer wb.mu.Unlock()
	edits, err := parseEdits(wb, cells, wb.opts.MaxEdits)
	if err != nil {
		return nil, err
	}
	return window(ctx, wb, wb, q, edits)
}

func window(ctx context.Context, old, new *Workbook, q WindowQuery, edits map[*sheetInfo][]edit) (*Grid, error) {
	sh := new.sheet(q.Sheet)
	if sh == nil {
		return nil, errs.New(errs.CodeNotFound, "the workbook has no sheet named "+quote(q.Sheet))
	}
	g := newGrid(sh.Name, q)

	nr, err := new.openSheet(sh)
	if err != nil {
		return nil, err
	}
	defer nr.close()
	g.Dimension = nr.dimension
	var pairs pairIter
	switch {
	case edits != nil:
		pairs = newOverlayPairs(&readerSource{sr: nr}, edits[sh])
	case old != nil:
		var os rowSource = emptySource{}
		oldName := q.OldSheet
		if oldName == "" {
			oldName = q.Sheet
		}
		if osh := old.sheet(oldName); osh != nil {
			or, err := old.openSheet(osh)
			if err != nil {
				return nil, err
			}
			defer or.close()
			os = &readerSource{sr: or}
		}
		pairs = newMergePairs(os, &readerSource{sr: nr})
	default:
		pairs = newMergePairs(emptySource{}, &readerSource{sr: nr})
	}
	oldWB := old
	if oldWB == nil {
		oldWB = new
	}
	return g, fillGrid(ctx, g, pairs, oldWB, new, old != nil)
}

// fillGrid reads pairs of rows up to the window's last row and keeps the
// window's cells; with compare set it marks how each differs from the old
// side. The workbooks are nil for CSV.
func fillGrid(ctx context.Context, g *Grid, pairs pairIter, oldWB, newWB *Workbook, compare bool) error {
	lastRow, lastCol := int32(g.FirstRow+g.Rows-1), int32(g.FirstCol+g.Cols-1)
	d := differ{old: oldWB, new: newWB}
	for steps := 0; ; steps++ {
		if steps&255 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		o, n, err := pairs.next()
		if err != nil {
			return err
		}
		if o == nil && n == nil {
			g.End = true
			return nil
		}
		num := rowNum(o, n)
		if num > lastRow {
			return nil
		}
		if num < int32(g.FirstRow) {
			continue
		}
		var oc, nc []cell
		if o != nil && compare {
			oc = o.cells
		}
		if n != nil {
			nc = n.cells
		}
		i, j := 0, 0
		for i < len(oc) || j < len(nc) {
			var a, b *cell
			switch {
			case j >= len(nc) || i < len(oc) && oc[i].col < nc[j].col:
				a = &oc[i]
				i++
			case i >= len(oc) || nc[j].col < oc[i].col:
				b = &nc[j]
				j++
			default:
				a, b = &oc[i], &nc[j]
				i++
				j++
			}
			col := cellCol(a, b)
			if col < int32(g.FirstCol) || col > lastCol {
				continue
			}
			ae, be := a == nil || a.empty(), b == nil || b.empty()
			if ae && be {
				continue
			}
			gc := GridCell{Row: int(num), Col: int(col), Cell: cellName(int(num), int(col))}
			if !be {
				gc.Value = newWB.cellValue(n, b)
			}
			if compare && o != n {
				switch {
				case ae:
					gc.Change = CellAdded
				case be:
					gc.Change, gc.Old = CellRemoved, oldWB.cellValue(o, a)
				case !d.sameCell(o, a, n, b):
					gc.Change, gc.Old = CellModified, oldWB.cellValue(o, a)
				}
			}
			g.Cells = append(g.Cells, gc)
		}
	}
}

// WindowCSV reads a viewport of a CSV text; with old set, it marks each cell
// that differs from old (see DiffCSV).
func WindowCSV(ctx context.Context, old, new io.Reader, q WindowQuery, opts Options) (*Grid, error) {
	o := opts.withDefaults()
	g := newGrid("", q)
	ns, err := newCSVSource(new, "new", o.MaxCSVRecordBytes)
	if err != nil {
		return nil, err
	}
	var os rowSource = emptySource{}
	if old != nil {
		cs, err := newCSVSource(old, "old", o.MaxCSVRecordBytes)
		if err != nil {
			return nil, err
		}
		os = cs
	}
	return g, fillGrid(ctx, g, newMergePairs(os, ns), nil, nil, old != nil)
}

// newGrid clamps a query to the grid and the viewport limits.
func newGrid(sheet string, q WindowQuery) *Grid {
	q.FirstRow, q.FirstCol = min(max(q.FirstRow, 1), maxRows), min(max(q.FirstCol, 1), maxCols)
	q.Rows = min(max(q.Rows, 0), MaxWindowRows, maxRows-q.FirstRow+1)
	q.Cols = min(max(q.Cols, 0), MaxWindowCols, maxCols-q.FirstCol+1)
	return &Grid{Sheet: sheet, FirstRow: q.FirstRow, Rows: q.Rows, FirstCol: q.FirstCol, Cols: q.Cols, Cells: []GridCell{}}
}

func rowNum(o, n *row) int32 {
	if n != nil {
		return n.num
	}
	return o.num
}

func cellCol(a, b *cell) int32 {
	if a != nil {
		return a.col
	}
	return b.col
}

func quote(s string) string { return "\"" + clip(s) + "\"" }
