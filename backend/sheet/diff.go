package sheet

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"countersign/backend/proposal"
)

// Diff compares two workbooks cell by cell: old is the file as it is, new the
// file a file.write would leave.
func Diff(ctx context.Context, old, new *Workbook, opts Options) (*ChangeSet, error) {
	unlock := lockBoth(old, new)
	defer unlock()
	d := newDiffer(ctx, old, new, opts)
	return d.run()
}

// PreviewUpdate computes what a sheet.update's cells would change in wb, by
// comparing wb with the edits overlaid on it.
func PreviewUpdate(ctx context.Context, wb *Workbook, cells []proposal.CellEdit, opts Options) (*ChangeSet, error) {
	wb.mu.Lock()
	defer wb.mu.Unlock()
	d := newDiffer(ctx, wb, wb, opts)
	edits, err := parseEdits(wb, cells, d.opts.MaxEdits)
	if err != nil {
		return nil, err
	}
	d.edits = edits
	return d.run()
}

// ErrApplyMismatch is matched by the error VerifyApplied returns when the
// written workbook is not the previewed one.
var ErrApplyMismatch = errors.New("the written workbook differs from the preview")

// VerifyApplied checks that after (the workbook Apply wrote) holds exactly
// before with the cells applied, as PreviewUpdate shows them: it compares the
// overlay with after, cell by cell, and returns an error wrapping
// ErrApplyMismatch that names the first difference.
func VerifyApplied(ctx context.Context, before, after *Workbook, cells []proposal.CellEdit, opts Options) error {
	unlock := lockBoth(before, after)
	defer unlock()
	d := newDiffer(ctx, before, after, opts)
	edits, err := parseEdits(before, cells, d.opts.MaxEdits)
	if err != nil {
		return err
	}
	d.overlayOld, d.verify = edits, true
	d.opts.MaxCells = 1
	cs, err := d.run()
	if err != nil {
		return err
	}
	for _, sc := range cs.Sheets {
		if sc.Status != SheetModified {
			return fmt.Errorf("%w: sheet %q is %s", ErrApplyMismatch, sc.Name, sc.Status)
		}
		if len(sc.Cells) > 0 {
			c := sc.Cells[0]
			return fmt.Errorf("%w: %s!%s reads %s, the preview shows %s", ErrApplyMismatch, sc.Name, c.Cell, describe(c.New), describe(c.Old))
		}
		if sc.CellsChanged > 0 || len(sc.MergesAdded)+len(sc.MergesRemoved) > 0 || sc.Visibility != nil {
			return fmt.Errorf("%w: sheet %q differs", ErrApplyMismatch, sc.Name)
		}
	}
	if len(cs.Names) > 0 {
		return fmt.Errorf("%w: defined name %q differs", ErrApplyMismatch, cs.Names[0].Name)
	}
	return nil
}

func describe(v *CellValue) string {
	switch {
	case v == nil:
		return "empty"
	case v.Formula != "":
		return fmt.Sprintf("=%s (cached %q)", v.Formula, v.Value)
	}
	return fmt.Sprintf("%s %q", v.Type, v.Value)
}

func lockBoth(a, b *Workbook) func() {
	a.mu.Lock()
	if a != b {
		b.mu.Lock()
	}
	return func() {
		if a != b {
			b.mu.Unlock()
		}
		a.mu.Unlock()
	}
}

type differ struct {
	ctx      context.Context
	opts     Options
	old, new *Workbook
	edits    map[*sheetInfo][]edit // a sheet.update preview; nil for Diff
	// overlayOld, for VerifyApplied, puts edits on the old side of a Diff.
	overlayOld map[*sheetInfo][]edit
	verify     bool

	cs       *ChangeSet
	listed   int
	keys     *sheetKeys
	index    *changeIndex
	deps     *depCollector
	resolver *resolver

	rowsDone  int64
	rowsTotal int64
	// Bytes of sheet XML to read, and what the packages had expanded before.
	bytesTotal int64
	bytesStart int64

	// Dependents: formulas whose references cover only cells compared
	// already are resolved as they are read ("settled"); the others wait
	// in deps until the end.
	order    map[int32]int // sheet key -> position in the comparison order
	current  int           // position of the pair being compared
	settled  []depItem
	depCount int
}

// depItem is a dependent with its place in the workbook, for ordering.
type depItem struct {
	sheet, row, col int32
	dep             Dependent
}

func newDiffer(ctx context.Context, old, new *Workbook, opts Options) *differ {
	o := opts.withDefaults()
	return &differ{ctx: ctx, opts: o, old: old, new: new, cs: &ChangeSet{Format: "xlsx", Sheets: []SheetChange{}}}
}

// pairing is a sheet of the old workbook matched with one of the new.
type pairing struct {
	old, new *sheetInfo
	renamed  bool
}

func (d *differ) run() (*ChangeSet, error) {
	pairs, err := d.matchSheets()
	if err != nil {
		return nil, err
	}
	d.keys = &sheetKeys{byName: map[string]int32{}}
	for _, s := range d.new.sheets {
		d.keys.add(s.Name)
	}
	for _, p := range pairs {
		if p.new == nil {
			d.keys.add(p.old.Name)
		}
	}
	d.index = newChangeIndex(int(d.opts.MemoryBytes / 8))
	d.deps = &depCollector{budget: d.opts.MemoryBytes / 2}
	d.resolver = newResolver(d.new, d.keys)
	if d.edits != nil {
		d.deps.prefilter = editIndex(d.edits)
	}
	for _, p := range pairs {
		if p.old != nil && d.old != d.new || p.old != nil && p.new == nil {
			d.bytesTotal += d.old.pkg.partSize(p.old.part)
		}
		if p.new != nil && p.new.part != "" {
			d.bytesTotal += d.new.pkg.partSize(p.new.part)
		}
		n := int64(0)
		if p.new != nil {
			n = d.declaredRows(d.new, p.new)
		} else {
			n = d.declaredRows(d.old, p.old)
		}
		if n < 0 || d.rowsTotal < 0 {
			d.rowsTotal = -1 // unknown
		} else {
			d.rowsTotal += n
		}
	}
	d.bytesTotal += d.old.pkg.partSize(d.old.sstPart)
	if d.new != d.old {
		d.bytesTotal += d.new.pkg.partSize(d.new.sstPart)
	}
	d.bytesStart = d.expanded()

	d.order = map[int32]int{}
	for i, p := range pairs {
		name := ""
		if p.new != nil {
			name = p.new.Name
		} else {
			name = p.old.Name
		}
		if k, ok := d.keys.lookup(name); ok {
			d.order[k] = i
		}
	}
	for i, p := range pairs {
		d.current = i
		sc, err := d.compareSheet(p)
		if err != nil {
			return nil, err
		}
		if sc != nil {
			d.cs.Sheets = append(d.cs.Sheets, *sc)
		}
	}
	d.current = len(pairs)
	if !d.verify {
		if err := d.dependents(pairs); err != nil {
			return nil, err
		}
	}
	d.compareNames()
	if d.old.date1904 != d.new.date1904 {
		d.cs.Notes = append(d.cs.Notes, "the workbook's date system changes (1900 and 1904 count days from different dates), so every date moves")
	}
	if d.resolver.dynamic > 0 {
		d.cs.Notes = append(d.cs.Notes, fmt.Sprintf("%d formulas use INDIRECT, OFFSET, table references or other workbooks; Countersign does not trace what they depend on", d.resolver.dynamic))
	}
	d.summarise()
	d.bytesTotal = 0 // done: report a whole
	d.report("")
	return d.cs, nil
}

// declaredRows is the number of rows a sheet's <dimension> claims, -1 when
// it claims none.
func (d *differ) declaredRows(wb *Workbook, sh *sheetInfo) int64 {
	sr, err := wb.openSheet(sh)
	if err != nil {
		return -1
	}
	defer sr.close()
	if sr.dimension == "" && sr.sc != nil {
		return -1
	}
	return sr.dimensionRows()
}

// matchSheets pairs sheets by name (exactly, then ignoring case), then pairs
// what is left over when the content shows a rename. Pairs come in the new
// workbook's order, then removed sheets in the old workbook's order.
func (d *differ) matchSheets() ([]pairing, error) {
	if d.edits != nil {
		out := make([]pairing, len(d.new.sheets))
		for i, s := range d.new.sheets {
			out[i] = pairing{old: s, new: s}
		}
		return out, nil
	}
	oldFor := map[*sheetInfo]*sheetInfo{}
	used := map[*sheetInfo]bool{}
	for _, exact := range []bool{true, false} {
		for _, n := range d.new.sheets {
			if oldFor[n] != nil {
				continue
			}
			for _, o := range d.old.sheets {
				if !used[o] && (exact && o.Name == n.Name || !exact && strings.EqualFold(o.Name, n.Name)) {
					oldFor[n], used[o] = o, true
					break
				}
			}
		}
	}
	var added, removed []*sheetInfo
	for _, n := range d.new.sheets {
		if oldFor[n] == nil {
			added = append(added, n)
		}
	}
	for _, o := range d.old.sheets {
		if !used[o] {
			removed = append(removed, o)
		}
	}
	renamed := map[*sheetInfo]bool{}
	if len(added) > 0 && len(removed) > 0 {
		type cand struct {
			o, n *sheetInfo
			sim  float64
		}
		var cands []cand
		tried := 0
		for _, sameID := range []bool{true, false} {
			for _, n := range added {
				for _, o := range removed {
					if (o.sheetID == n.sheetID) != sameID || o.Kind != n.Kind || tried >= 16 {
						continue
					}
					tried++
					sim, err := d.similarity(o, n)
					if err != nil {
						return nil, err
					}
					if sim >= 0.9 {
						cands = append(cands, cand{o, n, sim})
					}
				}
			}
		}
		slices.SortStableFunc(cands, func(a, b cand) int {
			switch {
			case a.sim > b.sim:
				return -1
			case a.sim < b.sim:
				return 1
			}
			return 0
		})
		for _, c := range cands {
			if oldFor[c.n] == nil && !used[c.o] {
				oldFor[c.n], used[c.o], renamed[c.n] = c.o, true, true
			}
		}
	}
	var out []pairing
	for _, n := range d.new.sheets {
		out = append(out, pairing{old: oldFor[n], new: n, renamed: renamed[n] || oldFor[n] != nil && oldFor[n].Name != n.Name})
	}
	for _, o := range d.old.sheets {
		if !used[o] {
			out = append(out, pairing{old: o})
		}
	}
	return out, nil
}

// similarity is the share of non-empty cells two sheets have in common.
func (d *differ) similarity(o, n *sheetInfo) (float64, error) {
	st, err := d.runSheet(pairing{old: o, new: n}, modeCount, nil)
	if err != nil {
		return 0, err
	}
	most := max(st.oldCells, st.newCells)
	if most == 0 {
		return 1, nil
	}
	return 1 - float64(st.changed)/float64(most), nil
}

type runMode uint8

const (
	modeFull  runMode = iota // compare, list, index, collect formulas
	modeCount                // count changes only
	modeDeps                 // visit the new side's formulas only
)

// sheetState accumulates one sheet pair's comparison.
type sheetState struct {
	d        *differ
	mode     runMode
	key      int32 // sheet key of the changed cells
	newIdx   int   // position of the new sheet, -1 if none
	sc       *SheetChange
	changed  int
	oldCells int64
	newCells int64
	oldCols  bitset
	newCols  bitset
	added    spanList
	removed  spanList
	lastRow  int32
	lastCol  int32
	oldLastR int32
	oldLastC int32
	oldMerge []string
	newMerge []string
	oldProt  bool
	moreMerg bool // a side has more merged ranges than are kept
	arrays   []rect
	visit    visitFunc
}

// compareSheet compares one pair and returns its SheetChange, nil when
// nothing changed.
func (d *differ) compareSheet(p pairing) (*SheetChange, error) {
	st, err := d.runSheet(p, modeFull, nil)
	if err != nil {
		return nil, err
	}
	sc := st.sc
	switch {
	case p.old == nil:
		sc.Status = SheetAdded
		d.cs.Totals.SheetsAdded++
	case p.new == nil:
		sc.Status = SheetRemoved
		d.cs.Totals.SheetsRemoved++
	case p.renamed:
		sc.Status, sc.OldName = SheetRenamed, p.old.Name
		d.cs.Totals.SheetsRenamed++
	default:
		sc.Status = SheetModified
	}
	if p.old != nil && p.new != nil && p.old.Visibility != p.new.Visibility {
		sc.Visibility = &Change{Old: p.old.Visibility, New: p.new.Visibility}
	}
	if p.old == nil || p.new == nil {
		// The whole sheet comes or goes: its rows and columns are not news.
		st.added, st.removed = spanList{}, spanList{}
		st.oldCols, st.newCols = bitset{}, bitset{}
		st.oldMerge, st.newMerge = nil, nil
	}
	st.spansInto(sc, maxCols)
	sc.MergesAdded, sc.MergesRemoved = setDiff(st.newMerge, st.oldMerge, d.opts.MaxSpans), setDiff(st.oldMerge, st.newMerge, d.opts.MaxSpans)
	if st.moreMerg {
		sc.Truncated = true
	}
	sc.CellsChanged = st.changed
	sc.Rows, sc.Cols = int(st.lastRow), int(st.lastCol)
	if p.new == nil {
		sc.Rows, sc.Cols = int(st.oldLastR), int(st.oldLastC)
	}
	if d.edits != nil && p.new != nil {
		if err := d.checkEdits(p.new, st, sc); err != nil {
			return nil, err
		}
	}
	if sc.Truncated {
		d.cs.Truncated = true
	}
	t := &d.cs.Totals
	t.Cells += st.changed
	if st.changed > 0 {
		t.Sheets++
	}
	if sc.Visibility != nil {
		t.Visibility++
	}
	t.Merges += len(sc.MergesAdded) + len(sc.MergesRemoved)
	t.RowsAdded += sc.RowsAddedCount
	t.RowsRemoved += sc.RowsRemovedCount
	t.ColsAdded += sc.ColsAddedCount
	t.ColsRemoved += sc.ColsRemovedCount
	if sc.Status == SheetModified && st.changed == 0 && sc.Visibility == nil && len(sc.MergesAdded)+len(sc.MergesRemoved) == 0 && len(sc.Warnings) == 0 {
		return nil, nil
	}
	return sc, nil
}

// checkEdits refuses edits that cut into an array formula or data table and
// warns about edits a person would not see.
func (d *differ) checkEdits(sh *sheetInfo, st *sheetState, sc *SheetChange) error {
	es := d.edits[sh]
	if len(es) == 0 {
		return nil
	}
	for _, e := range es {
		for _, a := range st.arrays {
			if a.contains(e.row, e.col) {
				return &EditError{Index: e.index, Sheet: sh.Name, Cell: cellName(int(e.row), int(e.col)),
					Reason: fmt.Sprintf("the cell is part of the array formula or data table %s, which changes only as a whole", rangeName(a))}
			}
		}
	}
	if st.oldProt {
		sc.Warnings = append(sc.Warnings, "the sheet is protected; the spreadsheet app would not let a person make these edits")
	}
	for _, m := range st.oldMerge {
		r1, c1, r2, c2, ok := parseRange(m)
		if !ok {
			continue
		}
		for _, e := range es {
			if e.row >= int32(r1) && e.row <= int32(r2) && e.col >= int32(c1) && e.col <= int32(c2) && (e.row != int32(r1) || e.col != int32(c1)) && !e.clear {
				sc.Warnings = append(sc.Warnings, fmt.Sprintf("%s is inside the merged range %s, so the sheet does not show its value", cellName(int(e.row), int(e.col)), m))
			}
		}
	}
	if len(sc.Warnings) > d.opts.MaxSpans {
		sc.Warnings = sc.Warnings[:d.opts.MaxSpans]
	}
	return nil
}

func rangeName(r rect) string {
	if r.r1 == r.r2 && r.c1 == r.c2 {
		return cellName(int(r.r1), int(r.c1))
	}
	return cellName(int(r.r1), int(r.c1)) + ":" + cellName(int(r.r2), int(r.c2))
}

// visitFunc receives a new-side formula cell in a second pass; the
// resolver's rects hold its rectangles.
type visitFunc func(sheetIdx int, rowNum int32, r *row, c *cell) error

// runSheet reads one sheet pair through to the end.
func (d *differ) runSheet(p pairing, mode runMode, visit visitFunc) (*sheetState, error) {
	st := &sheetState{d: d, mode: mode, newIdx: -1, visit: visit}
	st.added.limit, st.removed.limit = d.opts.MaxSpans, d.opts.MaxSpans
	kind, name := "worksheet", ""
	switch {
	case p.new != nil:
		st.newIdx, kind, name = p.new.index, p.new.Kind, p.new.Name
		if d.keys != nil {
			st.key, _ = d.keys.lookup(p.new.Name)
		}
	case p.old != nil:
		kind, name = p.old.Kind, p.old.Name
		if d.keys != nil {
			st.key, _ = d.keys.lookup(p.old.Name)
		}
	}
	st.sc = &SheetChange{Name: name, Kind: kind, Cells: []CellChange{}}

	ctx, cancel := context.WithCancel(d.ctx)
	defer cancel()
	var pairs pairIter
	var pfs []*prefetcher
	var readers []*sheetReader
	open := func(wb *Workbook, sh *sheetInfo) (rowSource, *sheetReader, error) {
		if sh == nil {
			return emptySource{}, nil, nil
		}
		sr, err := wb.openSheet(sh)
		if err != nil {
			return nil, nil, err
		}
		pf := prefetch(ctx, sr)
		pfs = append(pfs, pf)
		readers = append(readers, sr)
		return pf, sr, nil
	}
	defer func() {
		cancel()
		for _, pf := range pfs {
			pf.wait()
		}
	}()
	var oldR, newR *sheetReader
	if d.edits != nil {
		src, sr, err := open(d.old, p.old)
		if err != nil {
			return nil, err
		}
		oldR, newR = sr, sr
		pairs = newOverlayPairs(src, d.edits[p.new])
	} else {
		var os, ns rowSource
		var err error
		if mode != modeDeps {
			if os, oldR, err = open(d.old, p.old); err != nil {
				return nil, err
			}
			if es := d.overlayOld[p.old]; p.old != nil && len(es) > 0 {
				os = overlaySource{newOverlayPairs(os, es)}
			}
		} else {
			os = emptySource{}
		}
		if ns, newR, err = open(d.new, p.new); err != nil {
			return nil, err
		}
		pairs = newMergePairs(os, ns)
	}
	for steps := 0; ; steps++ {
		if steps&255 == 0 {
			if err := d.ctx.Err(); err != nil {
				return nil, err
			}
		}
		o, n, err := pairs.next()
		if err != nil {
			return nil, err
		}
		if o == nil && n == nil {
			break
		}
		if err := st.compareRows(o, n); err != nil {
			return nil, err
		}
		if mode != modeCount {
			d.rowsDone++
			if d.rowsDone&4095 == 0 {
				d.report(name)
			}
		}
	}
	// All rows are read, so each prefetcher has finished its sheet.
	for _, pf := range pfs {
		pf.wait()
	}
	if oldR != nil {
		st.oldMerge, st.oldProt, st.arrays = oldR.merges, oldR.protected, oldR.arrays
		st.moreMerg = oldR.moreMerge
	}
	if newR != nil {
		st.newMerge = newR.merges
		st.moreMerg = st.moreMerg || newR.moreMerge
	}
	return st, nil
}

func (d *differ) report(sheet string) {
	if d.opts.Progress != nil {
		total := d.rowsTotal
		if d.rowsDone > total {
			total = 0 // the sheets declared less than they hold: unknown
		}
		frac := 1.0
		if d.bytesTotal > 0 {
			frac = min(1, float64(d.expanded()-d.bytesStart)/float64(d.bytesTotal))
		}
		d.opts.Progress(Progress{Sheet: sheet, Rows: d.rowsDone, Total: total, Fraction: frac})
	}
}

// expanded is what the packages have expanded to so far.
func (d *differ) expanded() int64 {
	n := int64(0)
	if d.old != nil {
		n += d.old.pkg.expanded.Load()
	}
	if d.new != nil && d.new != d.old {
		n += d.new.pkg.expanded.Load()
	}
	return n
}

// compareRows compares one row of each side (either may be nil).
func (st *sheetState) compareRows(o, n *row) error {
	d := st.d
	num := int32(0)
	var oc, nc []cell
	if o != nil {
		num, oc = o.num, o.cells
	}
	if n != nil {
		num, nc = n.num, n.cells
	}
	if st.mode == modeDeps {
		for k := range nc {
			if c := &nc[k]; c.fk != fNone {
				if err := st.visitFormula(n, c); err != nil {
					return err
				}
			}
		}
		return nil
	}
	same := o == n
	oAny, nAny := false, false
	i, j := 0, 0
	for i < len(oc) || j < len(nc) {
		var a, b *cell
		switch {
		case same:
			a, b = &oc[i], &nc[j]
			i++
			j++
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
		ae, be := a == nil || a.empty(), b == nil || b.empty()
		if !ae {
			oAny = true
			st.oldCells++
			st.oldCols.set(a.col)
			st.oldLastC = max(st.oldLastC, a.col)
		}
		if !be {
			nAny = true
			st.newCells++
			st.newCols.set(b.col)
			st.lastCol = max(st.lastCol, b.col)
			if b.fk != fNone && st.mode == modeFull {
				if err := st.visitFormula(n, b); err != nil {
					return err
				}
			}
		}
		if same || ae && be {
			continue
		}
		if !ae && !be && d.sameCell(o, a, n, b) {
			continue
		}
		st.record(num, o, a, ae, n, b, be)
	}
	if nAny {
		st.lastRow = num
	}
	if oAny {
		st.oldLastR = num
	}
	if st.mode == modeFull {
		if nAny && !oAny {
			st.added.add(num)
		}
		if oAny && !nAny {
			st.removed.add(num)
		}
	}
	return nil
}

// visitFormula resolves a new-side formula cell now if its references are
// settled, or keeps it for the end.
func (st *sheetState) visitFormula(r *row, c *cell) error {
	d := st.d
	if st.newIdx < 0 {
		return nil
	}
	rects, err := d.resolver.cellRects(st.newIdx, r.num, r, c)
	if err != nil || len(rects) == 0 {
		return err
	}
	settled := d.isSettled(rects, r.num, c.col)
	if st.visit != nil { // the second pass: only what the first one kept
		if settled {
			return nil
		}
		return st.visit(st.newIdx, r.num, r, c)
	}
	if settled {
		d.addDependent(&d.settled, st.newIdx, r.num, c.col, rects, r.bytes(c.ftext), r.bytes(c.val), c.vk)
		return nil
	}
	d.deps.visit(st.newIdx, r.num, r, c, rects)
	return nil
}

// isSettled reports whether every rectangle lies in cells the comparison
// has passed: sheets compared before this one, rows above this one, or
// cells left of this one in its row.
func (d *differ) isSettled(rects []depRect, rowNum, col int32) bool {
	for _, r := range rects {
		o, ok := d.order[r.sheet]
		switch {
		case !ok || o < d.current:
		case o > d.current:
			return false
		case r.r2 < rowNum, r.r2 == rowNum && r.c2 < col:
		default:
			return false
		}
	}
	return true
}

// addDependent counts a formula that covers changed cells and lists it.
func (d *differ) addDependent(list *[]depItem, sheetIdx int, rowNum, col int32, rects []depRect, formula, value []byte, vk valKind) {
	if d.index.full {
		return
	}
	count, cells := d.index.query(rects, d.opts.MaxDependsOn)
	if count == 0 {
		return
	}
	d.depCount++
	if len(*list) >= d.opts.MaxDependents {
		return
	}
	dep := Dependent{Sheet: d.new.sheets[sheetIdx].Name, Cell: cellName(int(rowNum), int(col)), Row: int(rowNum), Col: int(col),
		Formula: string(formula), DependsOnCount: count, DependsOn: make([]CellRef, len(cells))}
	if vk != vNone {
		dep.Value = string(value)
	}
	for i, c := range cells {
		dep.DependsOn[i] = CellRef{Sheet: d.keys.names[c.sheet], Cell: cellName(int(c.row), int(c.col))}
	}
	*list = append(*list, depItem{int32(sheetIdx), rowNum, col, dep})
}

// record notes one changed cell.
func (st *sheetState) record(num int32, o *row, a *cell, ae bool, n *row, b *cell, be bool) {
	st.changed++
	if st.mode != modeFull {
		return
	}
	d := st.d
	col := int32(0)
	if a != nil {
		col = a.col
	} else {
		col = b.col
	}
	d.index.add(st.key, num, col)
	if d.listed >= d.opts.MaxCells {
		st.sc.Truncated = true
		return
	}
	d.listed++
	cc := CellChange{Cell: cellName(int(num), int(col)), Row: int(num), Col: int(col)}
	if !ae {
		cc.Old = d.old.cellValue(o, a)
	}
	if !be {
		cc.New = d.new.cellValue(n, b)
	}
	switch {
	case ae:
		cc.Change = CellAdded
	case be:
		cc.Change = CellRemoved
	default:
		cc.Change = CellModified
		cc.FormulaChanged = cc.Old.Formula != cc.New.Formula || cc.Old.Array != cc.New.Array
		cc.TypeChanged = cc.Old.Type != "" && cc.New.Type != "" && cc.Old.Type != cc.New.Type
	}
	st.sc.Cells = append(st.sc.Cells, cc)
}

// sameCell reports whether two non-empty cells hold the same type, value and
// formula.
func (d *differ) sameCell(o *row, a *cell, n *row, b *cell) bool {
	if formulaClass(a.fk) != formulaClass(b.fk) {
		return false
	}
	if a.fk != fNone && !bytes.Equal(o.bytes(a.ftext), n.bytes(b.ftext)) {
		return false
	}
	ta, tb := d.old.effectiveType(a), d.new.effectiveType(b)
	if ta != tb {
		return false
	}
	va, vb := o.bytes(a.val), n.bytes(b.val)
	if bytes.Equal(va, vb) {
		return true
	}
	switch {
	case a.vk == vNumber && b.vk == vNumber:
		fa, oka := parseNumber(string(va))
		fb, okb := parseNumber(string(vb))
		return oka && okb && fa == fb
	case a.vk == vBool && b.vk == vBool:
		return boolText(string(va)) == boolText(string(vb))
	}
	return false
}

// boolText is how a boolean cell reads: "1" and "true" are TRUE.
func boolText(v string) string {
	switch v {
	case "1", "true":
		return "TRUE"
	case "0", "false":
		return "FALSE"
	}
	return v
}

func formulaClass(k fKind) fKind {
	if k == fShared {
		return fNormal
	}
	return k
}

// effectiveType is what a person sees the value as.
func (wb *Workbook) effectiveType(c *cell) CellType {
	switch c.vk {
	case vNumber:
		if wb != nil && wb.styles.dateKind(c.style) != notDate {
			return TypeDate
		}
		return TypeNumber
	case vString:
		return TypeString
	case vBool:
		return TypeBool
	case vError:
		return TypeError
	case vDate:
		return TypeDate
	}
	return ""
}

// cellValue describes a cell for people. wb is nil for a CSV file.
func (wb *Workbook) cellValue(r *row, c *cell) *CellValue {
	v := &CellValue{Type: wb.effectiveType(c), Value: string(r.bytes(c.val))}
	switch c.vk {
	case vBool:
		v.Value = boolText(v.Value)
	case vNumber:
		if v.Type == TypeDate && wb != nil {
			v.Display = displayDate(v.Value, wb.styles.dateKind(c.style), wb.date1904)
		}
	case vNone:
		v.Value = ""
	}
	if c.fk != fNone {
		v.Formula = string(r.bytes(c.ftext))
		v.Array = c.fk == fArray
		v.Uncalculated = c.vk == vNone
	}
	return v
}

// dependents resolves the formulas kept for the end and lists the
// dependents in workbook order.
func (d *differ) dependents(pairs []pairing) error {
	var later []depItem
	if !d.deps.overflow {
		for _, e := range d.deps.entries {
			rects := d.deps.rects[e.rect0 : e.rect0+e.nrect]
			t := d.deps.text[e.text0:]
			d.addDependent(&later, int(e.sheet), e.row, e.col, rects, t[:e.ntext], t[e.ntext:e.ntext+e.nval], e.vk)
		}
	} else {
		// A second pass over the new side's formulas.
		for i, p := range pairs {
			if p.new == nil {
				continue
			}
			d.current = i
			_, err := d.runSheetVisit(p, func(sheetIdx int, rowNum int32, r *row, c *cell) error {
				d.addDependent(&later, sheetIdx, rowNum, c.col, d.resolver.rects, r.bytes(c.ftext), r.bytes(c.val), c.vk)
				return nil
			})
			if err != nil {
				return err
			}
		}
		d.current = len(pairs)
	}
	if d.index.full {
		d.cs.Notes = append(d.cs.Notes, "too many cells change to trace which formulas depend on them")
		return nil
	}
	all := append(d.settled, later...)
	slices.SortStableFunc(all, func(a, b depItem) int {
		switch {
		case a.sheet != b.sheet:
			return int(a.sheet - b.sheet)
		case a.row != b.row:
			return int(a.row - b.row)
		}
		return int(a.col - b.col)
	})
	if len(all) > d.opts.MaxDependents {
		all = all[:d.opts.MaxDependents]
	}
	for _, it := range all {
		d.cs.Dependents = append(d.cs.Dependents, it.dep)
	}
	d.cs.Totals.Dependents = d.depCount
	if d.depCount > len(d.cs.Dependents) {
		d.cs.Truncated = true
	}
	return nil
}

// runSheetVisit reads the new side of a pair, calling visit for each formula.
func (d *differ) runSheetVisit(p pairing, visit visitFunc) (*sheetState, error) {
	dynamic := d.resolver.dynamic
	defer func() { d.resolver.dynamic = dynamic }() // counted in the first pass
	return d.runSheet(p, modeDeps, visit)
}

// compareNames lists defined names added, removed or changed.
func (d *differ) compareNames() {
	if d.edits != nil {
		return
	}
	type key struct{ scope, name string }
	scopeName := func(wb *Workbook, scope int) string {
		if scope >= 0 && scope < len(wb.sheets) {
			return wb.sheets[scope].Name
		}
		return ""
	}
	oldNames := map[key]string{}
	var oldOrder []key
	for _, n := range d.old.names {
		k := key{scopeName(d.old, n.scope), n.name}
		oldNames[k] = n.value
		oldOrder = append(oldOrder, k)
	}
	seen := map[key]bool{}
	for _, n := range d.new.names {
		k := key{scopeName(d.new, n.scope), n.name}
		seen[k] = true
		old, ok := oldNames[k]
		switch {
		case !ok:
			d.cs.Names = append(d.cs.Names, NameChange{Name: k.name, Scope: k.scope, Change: CellAdded, New: n.value})
		case old != n.value:
			d.cs.Names = append(d.cs.Names, NameChange{Name: k.name, Scope: k.scope, Change: CellModified, Old: old, New: n.value})
		}
	}
	for _, k := range oldOrder {
		if !seen[k] {
			d.cs.Names = append(d.cs.Names, NameChange{Name: k.name, Scope: k.scope, Change: CellRemoved, Old: oldNames[k]})
		}
	}
	d.cs.Totals.Names = len(d.cs.Names)
}

// summarise writes the one-line summary.
func (d *differ) summarise() { d.cs.Summary = summary(d.cs.Totals) }

func summary(t Totals) string {
	var parts []string
	plural := func(n int, one, many string) string {
		if n == 1 {
			return "1 " + one
		}
		return fmt.Sprintf("%d %s", n, many)
	}
	if t.Cells > 0 {
		parts = append(parts, plural(t.Cells, "cell", "cells")+" in "+plural(t.Sheets, "sheet", "sheets"))
	}
	for _, x := range []struct {
		n         int
		one, many string
	}{
		{t.RowsAdded, "row added", "rows added"},
		{t.RowsRemoved, "row removed", "rows removed"},
		{t.ColsAdded, "column added", "columns added"},
		{t.ColsRemoved, "column removed", "columns removed"},
		{t.SheetsAdded, "sheet added", "sheets added"},
		{t.SheetsRemoved, "sheet removed", "sheets removed"},
		{t.SheetsRenamed, "sheet renamed", "sheets renamed"},
		{t.Visibility, "sheet shown or hidden", "sheets shown or hidden"},
		{t.Merges, "merged range added or removed", "merged ranges added or removed"},
		{t.Names, "defined name changed", "defined names changed"},
		{t.Dependents, "formula depends on changed cells", "formulas depend on changed cells"},
	} {
		if x.n > 0 {
			parts = append(parts, plural(x.n, x.one, x.many))
		}
	}
	if len(parts) == 0 {
		return "no changes"
	}
	return strings.Join(parts, ", ")
}

// setDiff lists the members of a missing from b, at most limit.
func setDiff(a, b []string, limit int) []string {
	in := make(map[string]bool, len(b))
	for _, s := range b {
		in[s] = true
	}
	var out []string
	for _, s := range a {
		if !in[s] && len(out) < limit {
			out = append(out, s)
		}
	}
	return out
}

// bitset marks columns 1..maxCols.
type bitset [maxCols/64 + 1]uint64

func (b *bitset) set(c int32)      { b[c>>6] |= 1 << (c & 63) }
func (b *bitset) has(c int32) bool { return b[c>>6]&(1<<(c&63)) != 0 }

// spanList collects ascending numbers as runs, listing at most limit runs.
type spanList struct {
	spans []Span
	count int
	limit int
	last  int32
	open  bool
}

func (s *spanList) add(n int32) {
	s.count++
	if s.open && n == s.last+1 {
		s.spans[len(s.spans)-1].Last = int(n)
		s.spans[len(s.spans)-1].Label = fmt.Sprintf("%d:%d", s.spans[len(s.spans)-1].First, n)
		s.last = n
		return
	}
	s.open = len(s.spans) < s.limit
	s.last = n
	if s.open {
		s.spans = append(s.spans, Span{First: int(n), Last: int(n), Label: fmt.Sprint(n)})
	}
}

func labelCols(spans []Span) []Span {
	for i := range spans {
		s := &spans[i]
		s.Label = columnName(s.First)
		if s.Last != s.First {
			s.Label += ":" + columnName(s.Last)
		}
	}
	return spans
}

// spansInto records the rows and columns that became used or unused on the
// sheet's change, columns scanned up to maxCols, each list capped at MaxSpans.
func (st *sheetState) spansInto(sc *SheetChange, maxCols int32) {
	sc.RowsAdded, sc.RowsAddedCount = st.added.spans, st.added.count
	sc.RowsRemoved, sc.RowsRemovedCount = st.removed.spans, st.removed.count
	var ca, cr spanList
	ca.limit, cr.limit = st.d.opts.MaxSpans, st.d.opts.MaxSpans
	for c := int32(1); c <= maxCols; c++ {
		o, n := st.oldCols.has(c), st.newCols.has(c)
		if n && !o {
			ca.add(c)
		}
		if o && !n {
			cr.add(c)
		}
	}
	sc.ColsAdded, sc.ColsAddedCount = labelCols(ca.spans), ca.count
	sc.ColsRemoved, sc.ColsRemovedCount = labelCols(cr.spans), cr.count
}
