package sheet

import (
	"strings"
)

// sheetKeys numbers the sheets formulas can refer to: the new workbook's
// sheets by position, then sheets only the old one has.
type sheetKeys struct {
	byName map[string]int32 // upper-case name
	names  []string
	exact  map[string]int32 // names as formulas spell them, to skip case folding
}

func (k *sheetKeys) add(name string) int32 {
	u := strings.ToUpper(name)
	if id, ok := k.byName[u]; ok {
		return id
	}
	id := int32(len(k.names))
	k.byName[u] = id
	k.names = append(k.names, name)
	return id
}

func (k *sheetKeys) lookup(name string) (int32, bool) {
	if id, ok := k.exact[name]; ok {
		return id, true
	}
	id, ok := k.byName[strings.ToUpper(name)]
	if ok && len(k.exact) < 4096 {
		if k.exact == nil {
			k.exact = map[string]int32{}
		}
		k.exact[name] = id
	}
	return id, ok
}

// resolver turns a formula cell's references into rectangles of sheets,
// following defined names of the workbook the formula is in.
type resolver struct {
	wb       *Workbook
	keys     *sheetKeys
	rects    []depRect
	dynamic  int // formulas with references that cannot be followed
	scratch  []depRect
	nameTmpl map[int]*formulaTemplate
}

func newResolver(wb *Workbook, keys *sheetKeys) *resolver {
	return &resolver{wb: wb, keys: keys, nameTmpl: map[int]*formulaTemplate{}}
}

const maxRectsPerFormula = 4096

// cellRects returns the rectangles the formula of cell c (on sheet sheetIdx
// of the resolver's workbook, at row) refers to. The slice is reused by the
// next call.
func (rv *resolver) cellRects(sheetIdx int, rowNum int32, r *row, c *cell) ([]depRect, error) {
	tmpl, dr, dc := c.tmpl, c.dr, c.dc
	if tmpl == nil {
		var err error
		if tmpl, err = parseFormula(string(r.bytes(c.ftext))); err != nil {
			// A formula Excel wrote but this parser cannot read: it depends
			// on cells nobody can name here.
			rv.dynamic++
			return nil, nil
		}
		dr, dc = 0, 0
	}
	if tmpl.dynamic {
		rv.dynamic++
	}
	rv.rects = rv.rects[:0]
	rv.addTemplate(tmpl, sheetIdx, dr, dc, 0)
	return rv.rects, nil
}

func (rv *resolver) addTemplate(t *formulaTemplate, sheetIdx int, dr, dc int32, depth int) {
	own := rv.wb.sheets[sheetIdx].Name
	for _, ref := range t.refs {
		if ref.external || len(rv.rects) >= maxRectsPerFormula {
			continue
		}
		s, ok := ref.shifted(dr, dc)
		if !ok {
			continue
		}
		rc := rect{s.r1, s.c1, s.r2, s.c2}
		if ref.sheet2 != "" {
			rv.add3D(ref.sheet, ref.sheet2, rc)
			continue
		}
		name := ref.sheet
		if name == "" {
			name = own
		}
		if key, ok := rv.keys.lookup(name); ok {
			rv.rects = append(rv.rects, depRect{key, rc})
		}
	}
	if depth >= 4 {
		return
	}
	for _, use := range t.names {
		idx := rv.findName(use, sheetIdx)
		if idx < 0 {
			continue
		}
		nt := rv.nameTemplate(idx)
		if nt == nil {
			continue
		}
		scope := sheetIdx
		if use.sheet != "" {
			if s := rv.wb.sheet(use.sheet); s != nil {
				scope = s.index
			}
		}
		if nt.dynamic && depth == 0 && !t.dynamic {
			rv.dynamic++
		}
		rv.addTemplate(nt, scope, 0, 0, depth+1)
	}
}

// add3D adds a rectangle on every sheet from first to last, by position.
func (rv *resolver) add3D(first, last string, rc rect) {
	a, b := rv.wb.sheet(first), rv.wb.sheet(last)
	if a == nil || b == nil {
		return
	}
	i, j := a.index, b.index
	if i > j {
		i, j = j, i
	}
	for k := i; k <= j && len(rv.rects) < maxRectsPerFormula; k++ {
		if key, ok := rv.keys.lookup(rv.wb.sheets[k].Name); ok {
			rv.rects = append(rv.rects, depRect{key, rc})
		}
	}
}

// findName finds the defined name a formula on sheetIdx means: a name
// scoped to the named (or the formula's) sheet first, then the workbook's.
func (rv *resolver) findName(use nameUse, sheetIdx int) int {
	scope := sheetIdx
	if use.sheet != "" {
		s := rv.wb.sheet(use.sheet)
		if s == nil {
			return -1
		}
		scope = s.index
	}
	global := -1
	for i, n := range rv.wb.names {
		if !strings.EqualFold(n.name, use.name) {
			continue
		}
		if n.scope == scope {
			return i
		}
		if n.scope < 0 && use.sheet == "" {
			global = i
		}
	}
	return global
}

func (rv *resolver) nameTemplate(i int) *formulaTemplate {
	if t, ok := rv.nameTmpl[i]; ok {
		return t
	}
	t, err := parseFormula(rv.wb.names[i].value)
	if err != nil {
		t = nil
	}
	rv.nameTmpl[i] = t
	return t
}

// depCollector keeps the new side's formula cells (their rectangles, text
// and cached value) while a comparison runs, within a memory budget; the
// dependents are those whose rectangles cover a changed cell, known only at
// the end. Past the budget it keeps nothing and the comparison makes a second
// pass over the formulas instead.
type depCollector struct {
	budget   int64
	used     int64
	overflow bool
	// prefilter, when set, holds every cell that can change (a sheet.update's
	// edits): formulas that cover none of them are not kept.
	prefilter *changeIndex
	entries   []depEntry
	rects     []depRect
	text      []byte
}

type depEntry struct {
	sheet    int32 // position in the new workbook
	row, col int32
	rect0    uint32
	nrect    uint32
	text0    uint32
	ntext    uint32
	nval     uint32
	vk       valKind
}

const depEntrySize = 40

func (d *depCollector) visit(sheetIdx int, rowNum int32, r *row, c *cell, rects []depRect) {
	if d.overflow || len(rects) == 0 {
		return
	}
	if d.prefilter != nil && !d.prefilter.hitsAny(rects) {
		return
	}
	ftext, val := r.bytes(c.ftext), r.bytes(c.val)
	d.used += depEntrySize + int64(len(rects))*20 + int64(len(ftext)+len(val))
	if d.used > d.budget || len(d.text)+len(ftext)+len(val) > 1<<31 {
		d.overflow = true
		d.entries, d.rects, d.text = nil, nil, nil
		return
	}
	e := depEntry{sheet: int32(sheetIdx), row: rowNum, col: c.col, rect0: uint32(len(d.rects)), nrect: uint32(len(rects)),
		text0: uint32(len(d.text)), ntext: uint32(len(ftext)), nval: uint32(len(val)), vk: c.vk}
	d.rects = append(d.rects, rects...)
	d.text = append(d.text, ftext...)
	d.text = append(d.text, val...)
	d.entries = append(d.entries, e)
}
