package sheet

import (
	"bytes"
	"errors"
	"io"
	"strconv"
)

// valKind is the kind of value a cell holds (for a formula: its cached
// result).
type valKind uint8

const (
	vNone   valKind = iota // no value (or a formula without a cached result)
	vNumber                // t="n" or no t
	vString                // t="s", "inlineStr" or "str"
	vBool                  // t="b"
	vError                 // t="e"
	vDate                  // t="d": an ISO 8601 text
)

// fKind is the kind of formula a cell holds.
type fKind uint8

const (
	fNone      fKind = iota
	fNormal          // <f>text</f>
	fShared          // a shared formula's master or one of its cells
	fArray           // <f t="array" ref="...">
	fDataTable       // <f t="dataTable" ...>
)

type span struct{ off, n uint32 }

// cell is one <c> of a row, with its strings in the row's arena.
type cell struct {
	col    int32
	style  int32
	vk     valKind
	fk     fKind
	val    span
	ftext  span
	tmpl   *formulaTemplate // fShared: the master's template; the cell is (dr, dc) away from it
	dr, dc int32
	si     int32 // fShared: the group
	master bool  // fShared: the cell that defines the group
}

// row is one <row> of a sheet: cells in ascending column order.
type row struct {
	num   int32
	cells []cell
	arena []byte
}

func (r *row) bytes(s span) []byte { return r.arena[s.off : s.off+s.n] }

// empty reports a cell without value and formula (formatting alone does not
// count; neither does an empty string).
func (c *cell) empty() bool { return c.fk == fNone && (c.vk == vNone || c.val.n == 0) }

func (r *row) reset(num int32) {
	r.num = num
	r.cells = r.cells[:0]
	if cap(r.arena) > 1<<20 {
		r.arena = nil
	}
	r.arena = r.arena[:0]
}

// appendSpan appends b to the arena and returns where it went.
func (r *row) appendSpan(b []byte) span {
	off := len(r.arena)
	r.arena = append(r.arena, b...)
	return span{uint32(off), uint32(len(b))}
}

// Limits on one sheet's structure.
const (
	maxRowBytes      = 4 << 20  // the text of one row
	maxMasterBytes   = 16 << 20 // the text of one sheet's shared-formula masters
	maxMerges        = 100000
	maxFormulaRanges = 100000
)

type rect struct{ r1, c1, r2, c2 int32 }

func (r rect) contains(row, col int32) bool {
	return row >= r.r1 && row <= r.r2 && col >= r.c1 && col <= r.c2
}

type sharedMaster struct {
	row, col int32
	tmpl     *formulaTemplate
}

// sheetReader streams one worksheet part row by row.
type sheetReader struct {
	wb  *Workbook
	sh  *sheetInfo
	rc  io.ReadCloser
	sc  *xmlScanner
	sst *sharedStrings

	state     int // 0 before <sheetData>, 1 inside, 2 after
	lastRow   int32
	masters   map[int32]sharedMaster
	masterLen int
	// arrays lists the ranges of array formulas and data tables, which a
	// sheet.update may not cut into.
	arrays    []rect
	dimension string
	merges    []string
	moreMerge bool
	protected bool
	rows      int64
	scratch   []byte
	// fStart and fEnd locate the last cell's <f> element in the scanner's
	// tee buffer, for the patcher.
	fStart, fEnd int
}

// openSheet opens a sheet and reads up to its first row. A sheet without
// cells (a chart sheet, a missing part) yields no rows. The caller holds
// wb.mu.
func (wb *Workbook) openSheet(sh *sheetInfo) (*sheetReader, error) {
	r := &sheetReader{wb: wb, sh: sh, sst: wb.strings(), masters: map[int32]sharedMaster{}, state: 2}
	if sh.Kind == "chartsheet" {
		return r, nil // a chart has no cells
	}
	if sh.part == "" {
		return nil, damaged("sheet %q has no part with its cells", clip(sh.Name))
	}
	rc, err := wb.pkg.open(sh.part)
	if errors.Is(err, errNoPart) {
		return nil, damaged("sheet %q has no part with its cells (%s is missing)", clip(sh.Name), clip(sh.part))
	}
	if err != nil {
		return nil, err
	}
	r.rc, r.sc, r.state = rc, newScanner(rc), 0
	for r.state == 0 {
		err := r.sc.next()
		if err == io.EOF {
			r.state = 2
			break
		}
		if err != nil {
			r.close()
			return nil, err
		}
		switch {
		case r.sc.isStart("dimension"):
			if r.dimension, _, err = r.sc.attrString("ref"); err != nil {
				r.close()
				return nil, err
			}
		case r.sc.isStart("sheetData"):
			r.state = 1
			if r.sc.empty {
				if err := r.sc.nextInside(); err != nil {
					r.close()
					return nil, err
				}
				r.state = 2
			}
		}
	}
	return r, nil
}

func (r *sheetReader) close() {
	if r.rc != nil {
		r.rc.Close()
		r.rc = nil
	}
}

// dimensionRows is the last row the sheet's <dimension> claims, 0 if none.
func (r *sheetReader) dimensionRows() int64 {
	_, b, _ := cutRange(r.dimension)
	if _, row, ok := splitCellRef(b); ok {
		return int64(row)
	}
	return 0
}

func cutRange(s string) (a, b string, two bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == ':' {
			return s[:i], s[i+1:], true
		}
	}
	return s, s, false
}

// next reads the next row into dst; it returns false after the last one.
func (r *sheetReader) next(dst *row) (bool, error) {
	for r.state == 1 {
		if err := r.sc.nextInside(); err != nil {
			if err == io.EOF {
				err = damaged("sheet %q ends inside its cell data", clip(r.sh.Name))
			}
			return false, err
		}
		switch r.sc.kind {
		case tokStart:
			if string(r.sc.local()) != "row" {
				if err := r.sc.skipElement(); err != nil {
					return false, err
				}
				continue
			}
			if err := r.readRow(dst); err != nil {
				return false, err
			}
			r.rows++
			r.wb.rowsRead.Add(1)
			return true, nil
		case tokEnd:
			r.state = 2
		}
	}
	return false, nil
}

// finish reads what follows the cells (merged ranges, protection) and closes
// the part.
func (r *sheetReader) finish() error {
	defer r.close()
	if r.sc == nil {
		return nil
	}
	for r.state == 1 {
		var scratch row
		if _, err := r.next(&scratch); err != nil {
			return err
		}
	}
	for {
		err := r.sc.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch {
		case r.sc.isStart("mergeCell"):
			ref, _, err := r.sc.attrString("ref")
			if err != nil {
				return err
			}
			if len(r.merges) < maxMerges {
				r.merges = append(r.merges, ref)
			} else {
				r.moreMerge = true
			}
		case r.sc.isStart("sheetProtection"):
			v, ok, err := r.sc.attrString("sheet")
			if err != nil {
				return err
			}
			r.protected = ok && (v == "1" || v == "true")
		}
	}
}

func (r *sheetReader) readRow(dst *row) error {
	sc := r.sc
	num := r.lastRow + 1
	if v, ok, err := sc.attrInt("r"); err != nil {
		return err
	} else if ok {
		num = int32(v)
		if v < 1 || v > maxRows {
			return damaged("sheet %q has a row numbered %d", clip(r.sh.Name), v)
		}
	}
	if num <= r.lastRow {
		return damaged("sheet %q lists row %d after row %d", clip(r.sh.Name), num, r.lastRow)
	}
	if num > maxRows {
		return damaged("sheet %q has more than %d rows", clip(r.sh.Name), maxRows)
	}
	r.lastRow = num
	dst.reset(num)
	if sc.empty {
		return sc.nextInside()
	}
	lastCol := int32(0)
	for {
		if err := sc.nextInside(); err != nil {
			return err
		}
		switch sc.kind {
		case tokStart:
			if string(sc.local()) != "c" {
				if err := sc.skipElement(); err != nil {
					return err
				}
				continue
			}
			col, err := r.readCell(dst, lastCol)
			if err != nil {
				return err
			}
			lastCol = col
			if len(dst.arena) > maxRowBytes {
				return &TooLargeError{What: "row " + strconv.Itoa(int(num)) + " of sheet " + strconv.Quote(clip(r.sh.Name)), Limit: maxRowBytes, Unit: "bytes"}
			}
		case tokEnd:
			return nil
		}
	}
}

// fastCellRef reads a cell's r attribute: letters then digits, no "$".
func fastCellRef(b []byte) (col, row int32, ok bool) {
	i := 0
	for i < len(b) && i < 4 && isLetter(b[i]) {
		col = col*26 + int32(upper(b[i])-'A'+1)
		i++
	}
	if i == 0 || i > 3 || col > maxCols || i == len(b) || len(b)-i > 7 {
		return 0, 0, false
	}
	for ; i < len(b); i++ {
		if b[i] < '0' || b[i] > '9' {
			return 0, 0, false
		}
		row = row*10 + int32(b[i]-'0')
	}
	return col, row, row >= 1 && row <= maxRows
}

// splitCellRef splits "B7" into column 2 and row 7.
func splitCellRef(s string) (col, row int, ok bool) {
	row, col, ok = parseCellName(s)
	return col, row, ok && (len(s) == 0 || s[0] != '$')
}

func (r *sheetReader) readCell(dst *row, lastCol int32) (int32, error) {
	sc := r.sc
	r.fStart, r.fEnd = -1, -1
	c := cell{col: lastCol + 1}
	var tbuf [16]byte
	var t []byte
	for i := 0; ; {
		name, value, next, ok := nextAttr(sc.attrs, i)
		if !ok {
			break
		}
		i = next
		switch string(localName(name)) {
		case "r":
			col, rowNum, ok := fastCellRef(value)
			if !ok || rowNum != dst.num {
				return 0, damaged("sheet %q has a cell %q in row %d", clip(r.sh.Name), clip(string(value)), dst.num)
			}
			c.col = col
		case "t":
			t = append(tbuf[:0], value...)
		case "s":
			v, err := atoi(bytes.TrimSpace(value))
			if err != nil || v < 0 {
				return 0, damaged("sheet %q has a cell with the style %q", clip(r.sh.Name), clip(string(value)))
			}
			c.style = int32(v)
		}
	}
	if c.col <= lastCol || c.col > maxCols {
		return 0, damaged("sheet %q lists cell %s out of order", clip(r.sh.Name), cellName(int(dst.num), int(c.col)))
	}
	var (
		hasV, hasIS     bool
		vSpan, isSpan   span
		fType, fRef     string
		fSI             = -1
		hasF            bool
		fSpan           span
		dtR1, dtR2      string
		fOrdinalVisited bool
	)
	if !sc.empty {
		for depth := 1; depth > 0; {
			if err := sc.nextInside(); err != nil {
				return 0, err
			}
			if sc.kind == tokEnd {
				depth--
				continue
			}
			if sc.kind != tokStart {
				continue
			}
			switch string(sc.local()) {
			case "v":
				sp, err := r.readText(dst)
				if err != nil {
					return 0, err
				}
				hasV, vSpan = true, sp
			case "f":
				if fOrdinalVisited {
					if err := sc.skipElement(); err != nil {
						return 0, err
					}
					continue
				}
				fOrdinalVisited = true
				if sc.tee != nil {
					r.fStart = len(*sc.tee) - len(sc.raw())
				}
				for i := 0; ; {
					name, value, next, ok := nextAttr(sc.attrs, i)
					if !ok {
						break
					}
					i = next
					switch string(localName(name)) {
					case "t":
						switch string(value) { // the usual spellings without allocating
						case "shared":
							fType = "shared"
						case "array":
							fType = "array"
						case "normal":
							fType = "normal"
						default:
							fType = string(value)
						}
					case "ref":
						b, err := decodeText(nil, value, false)
						if err != nil {
							return 0, err
						}
						fRef = string(b)
					case "si":
						v, err := atoi(bytes.TrimSpace(value))
						if err != nil {
							return 0, damaged("sheet %q has a shared formula index %q", clip(r.sh.Name), clip(string(value)))
						}
						fSI = v
					case "r1":
						dtR1 = string(value)
					case "r2":
						dtR2 = string(value)
					}
				}
				sp, err := r.readText(dst)
				if err != nil {
					return 0, err
				}
				hasF, fSpan = true, sp
				if sc.tee != nil {
					r.fEnd = len(*sc.tee)
				}
			case "is":
				sp, err := r.readInline(dst)
				if err != nil {
					return 0, err
				}
				hasIS, isSpan = true, sp
			default:
				if err := sc.skipElement(); err != nil {
					return 0, err
				}
			}
		}
	} else if err := sc.nextInside(); err != nil {
		return 0, err
	}

	// The value.
	switch string(t) {
	case "s":
		if hasV {
			idx, err := atoi(bytes.TrimSpace(dst.bytes(vSpan)))
			if err != nil {
				return 0, damaged("cell %s of sheet %q has the shared string index %q", cellName(int(dst.num), int(c.col)), clip(r.sh.Name), clip(string(dst.bytes(vSpan))))
			}
			off := len(dst.arena)
			if dst.arena, err = r.sst.appendString(dst.arena, idx); err != nil {
				return 0, err
			}
			c.vk, c.val = vString, span{uint32(off), uint32(len(dst.arena) - off)}
		}
	case "inlineStr":
		switch {
		case hasIS:
			c.vk, c.val = vString, isSpan
		case hasV:
			c.vk, c.val = vString, vSpan
		}
	default:
		if hasV {
			c.val = vSpan
			switch string(t) {
			case "", "n":
				c.vk = vNumber
			case "b":
				c.vk = vBool
			case "e":
				c.vk = vError
			case "d":
				c.vk = vDate
			default: // "str" and anything unknown
				c.vk = vString
			}
		}
	}

	// The formula.
	if hasF {
		if err := r.resolveFormula(dst, &c, fType, fRef, fSI, fSpan, dtR1, dtR2); err != nil {
			return 0, err
		}
	}
	dst.cells = append(dst.cells, c)
	return c.col, nil
}

func (r *sheetReader) resolveFormula(dst *row, c *cell, fType, fRef string, si int, text span, dtR1, dtR2 string) error {
	at := func() string { return cellName(int(dst.num), int(c.col)) }
	switch fType {
	case "", "normal":
		if text.n > 0 {
			c.fk, c.ftext = fNormal, text
		}
	case "shared":
		if si < 0 {
			return damaged("cell %s of sheet %q has a shared formula without an index", at(), clip(r.sh.Name))
		}
		if fRef != "" && text.n > 0 {
			tmpl, err := parseFormula(string(dst.bytes(text)))
			if err != nil {
				return &UnsupportedError{Reason: "the formula in " + at() + " of sheet " + strconv.Quote(clip(r.sh.Name)) + " cannot be read: " + err.Error(), Err: err}
			}
			if old, ok := r.masters[int32(si)]; ok {
				r.masterLen -= templateCost(old.tmpl)
			}
			r.masterLen += templateCost(tmpl)
			if r.masterLen > maxMasterBytes {
				return &TooLargeError{What: "the shared formulas of sheet " + strconv.Quote(clip(r.sh.Name)), Limit: maxMasterBytes, Unit: "bytes"}
			}
			r.masters[int32(si)] = sharedMaster{row: dst.num, col: c.col, tmpl: tmpl}
			c.fk, c.ftext, c.tmpl, c.si, c.master = fShared, text, tmpl, int32(si), true
			return nil
		}
		m, ok := r.masters[int32(si)]
		if !ok {
			if text.n > 0 { // a writer that repeats the text in every cell
				c.fk, c.ftext = fNormal, text
				return nil
			}
			return unsupported("cell %s of sheet %q uses shared formula %d before the cell that defines it; Countersign cannot preview it", at(), clip(r.sh.Name), si)
		}
		c.fk, c.tmpl, c.dr, c.dc, c.si = fShared, m.tmpl, dst.num-m.row, c.col-m.col, int32(si)
		off := len(dst.arena)
		dst.arena = m.tmpl.appendShifted(dst.arena, c.dr, c.dc)
		c.ftext = span{uint32(off), uint32(len(dst.arena) - off)}
	case "array", "dataTable":
		if fType == "array" {
			c.fk, c.ftext = fArray, text
		} else {
			c.fk = fDataTable
			off := len(dst.arena)
			dst.arena = append(dst.arena, "TABLE("...)
			dst.arena = append(dst.arena, dtR1...)
			dst.arena = append(dst.arena, ',')
			dst.arena = append(dst.arena, dtR2...)
			dst.arena = append(dst.arena, ')')
			c.ftext = span{uint32(off), uint32(len(dst.arena) - off)}
		}
		ref := fRef
		if ref == "" {
			ref = at()
		}
		if r1, c1, r2, c2, ok := parseRange(ref); ok && len(r.arrays) < maxFormulaRanges {
			r.arrays = append(r.arrays, rect{int32(r1), int32(c1), int32(r2), int32(c2)})
		}
	default:
		return unsupported("cell %s of sheet %q has a formula of the unknown type %q", at(), clip(r.sh.Name), clip(fType))
	}
	return nil
}

// templateCost estimates the memory a kept formula template takes.
func templateCost(t *formulaTemplate) int {
	return 64 + len(t.text) + 64*len(t.refs) + 48*len(t.names)
}

// readText reads the text of the current element into the row's arena.
func (r *sheetReader) readText(dst *row) (span, error) {
	sc := r.sc
	off := len(dst.arena)
	if sc.empty {
		return span{uint32(off), 0}, sc.nextInside()
	}
	for depth := 1; depth > 0; {
		if err := sc.nextInside(); err != nil {
			return span{}, err
		}
		switch sc.kind {
		case tokStart:
			depth++
		case tokEnd:
			depth--
		case tokText:
			if depth == 1 {
				var err error
				if dst.arena, err = decodeText(dst.arena, sc.text, sc.cdata); err != nil {
					return span{}, err
				}
				if len(dst.arena) > maxRowBytes {
					return span{}, &TooLargeError{What: "a row of sheet " + strconv.Quote(clip(r.sh.Name)), Limit: maxRowBytes, Unit: "bytes"}
				}
			}
		}
	}
	return span{uint32(off), uint32(len(dst.arena) - off)}, nil
}

// readInline reads an inline string (<is>): its <t> and <r><t> text, not
// its phonetic runs.
func (r *sheetReader) readInline(dst *row) (span, error) {
	sc := r.sc
	text := r.scratch[:0]
	if !sc.empty {
		depth, inT, skip := 1, false, 0
		for depth > 0 {
			if err := sc.nextInside(); err != nil {
				return span{}, err
			}
			switch sc.kind {
			case tokStart:
				depth++
				name := string(sc.local())
				switch {
				case skip > 0:
					skip++
				case name == "rPh" || name == "phoneticPr" || name == "extLst":
					skip = 1
				case name == "t":
					inT = true
				}
			case tokEnd:
				depth--
				if skip > 0 {
					skip--
				} else if string(sc.local()) == "t" {
					inT = false
				}
			case tokText:
				if inT && skip == 0 {
					var err error
					if text, err = decodeText(text, sc.text, sc.cdata); err != nil {
						return span{}, err
					}
					if len(text) > maxRowBytes {
						return span{}, &TooLargeError{What: "a row of sheet " + strconv.Quote(clip(r.sh.Name)), Limit: maxRowBytes, Unit: "bytes"}
					}
				}
			}
		}
	} else if err := sc.nextInside(); err != nil {
		return span{}, err
	}
	r.scratch = text
	off := len(dst.arena)
	dst.arena = unescapeOOXML(dst.arena, text)
	return span{uint32(off), uint32(len(dst.arena) - off)}, nil
}
