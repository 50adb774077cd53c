package sheet

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"

	kflate "github.com/klauspost/compress/flate"

	"countersign/backend/proposal"
)

// Apply writes to w the workbook wb with a sheet.update's cells applied, as
// PreviewUpdate shows them. Only the edited sheets are rewritten, and in them
// only the edited cells (plus what keeps the sheet consistent: the cells of a
// shared formula whose defining cell is overwritten get their formula written
// out, and the <dimension> grows to cover new cells). Every other part is
// copied through compressed, byte for byte. Formulas are stored without "="
// and without a cached value; the calculation chain is dropped and the
// workbook is marked to recalculate fully when opened, so the spreadsheet app
// computes every formula. Text is written as inline strings, so the shared
// string table is not rewritten.
//
// On error, what was written to w is not a workbook; write to a temporary
// file and rename it only after Apply (and, if wanted, VerifyApplied)
// succeeds.
func Apply(ctx context.Context, wb *Workbook, cells []proposal.CellEdit, w io.Writer) error {
	wb.mu.Lock()
	defer wb.mu.Unlock()
	edits, err := parseEdits(wb, cells, wb.opts.MaxEdits)
	if err != nil {
		return err
	}
	byPart := map[string]*sheetInfo{}
	for sh := range edits {
		if sh.part == "" || wb.pkg.files[normPart(sh.part)] == nil {
			return &EditError{Index: edits[sh][0].index, Sheet: sh.Name, Cell: cellName(int(edits[sh][0].row), int(edits[sh][0].col)),
				Reason: "the sheet has no cell data part to edit"}
		}
		byPart[normPart(sh.part)] = sh
	}
	dropCalc := len(cells) > 0 && wb.calcPart != ""
	calcPart := normPart(wb.calcPart)

	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return kflate.NewWriter(out, kflate.DefaultCompression)
	})
	for _, f := range wb.pkg.zr.File {
		if err := ctx.Err(); err != nil {
			return err
		}
		name := normPart(f.Name)
		var patch func([]byte) ([]byte, error)
		switch {
		case dropCalc && name == calcPart:
			continue
		case name == normPart(wb.part) && len(cells) > 0:
			patch = setFullCalcOnLoad
		case dropCalc && name == "[content_types].xml":
			patch = func(b []byte) ([]byte, error) { return removeContentType(b, "/"+wb.calcPart) }
		case dropCalc && name == normPart(relsPartOf(wb.part)):
			patch = func(b []byte) ([]byte, error) { return removeRelationship(b, wb.part, wb.calcPart) }
		}
		if sh := byPart[name]; sh != nil {
			out, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: f.Modified})
			if err != nil {
				return err
			}
			if err := wb.patchSheet(ctx, sh, edits[sh], out); err != nil {
				return err
			}
			continue
		}
		if patch != nil {
			b, err := wb.pkg.readSmall(f.Name, maxSmallPart)
			if err != nil {
				return err
			}
			if b, err = patch(b); err != nil {
				return err
			}
			out, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: f.Modified})
			if err != nil {
				return err
			}
			if _, err := out.Write(b); err != nil {
				return err
			}
			continue
		}
		if err := zw.Copy(f); err != nil {
			return err
		}
	}
	if err := zw.SetComment(wb.pkg.zr.Comment); err != nil {
		return err
	}
	return zw.Close()
}

// patchSheet copies a worksheet part, with the edits applied, to w.
func (wb *Workbook) patchSheet(ctx context.Context, sh *sheetInfo, es []edit, w io.Writer) error {
	rc, err := wb.pkg.open(sh.part)
	if err != nil {
		return err
	}
	defer rc.Close()
	p := &patcher{
		sr:    &sheetReader{wb: wb, sh: sh, sc: newScanner(rc), sst: wb.strings(), masters: map[int32]sharedMaster{}, state: 1},
		out:   bufio.NewWriterSize(w, 64<<10),
		edits: es,
		broke: map[int32]bool{},
	}
	if err := p.run(ctx); err != nil {
		return err
	}
	return p.out.Flush()
}

type patcher struct {
	sr       *sheetReader
	out      *bufio.Writer
	edits    []edit
	ei       int
	prefix   string // namespace prefix of the sheet's elements, with its colon
	inserted bool   // a row was inserted, so later rows need explicit numbers
	broke    map[int32]bool
	tee      []byte
	scratch  row
	buf      []byte
}

func (p *patcher) write(b []byte) { p.out.Write(b) }

func (p *patcher) run(ctx context.Context) error {
	sc := p.sr.sc
	state := 0
	for rows := 0; ; {
		err := sc.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		switch state {
		case 0:
			switch {
			case sc.isStart("dimension"):
				p.write(p.dimension(sc.raw()))
				continue
			case sc.isStart("sheetData"):
				p.prefix = prefixOf(sc.name)
				state = 1
				if sc.empty {
					p.write([]byte("<" + p.prefix + "sheetData>"))
					p.newRows(maxRows + 1)
					p.write([]byte("</" + p.prefix + "sheetData>"))
					if err := sc.nextInside(); err != nil {
						return err
					}
					state = 2
					continue
				}
			}
			p.write(sc.raw())
		case 1:
			switch {
			case sc.isStart("row"):
				rows++
				if rows&1023 == 0 {
					if err := ctx.Err(); err != nil {
						return err
					}
				}
				if err := p.row(); err != nil {
					return err
				}
			case sc.isEnd("sheetData"):
				p.newRows(maxRows + 1)
				p.write(sc.raw())
				state = 2
			default:
				p.write(sc.raw())
			}
		default:
			p.write(sc.raw())
		}
	}
	if state != 2 {
		return damaged("sheet %q has no complete cell data", clip(p.sr.sh.Name))
	}
	if p.ei != len(p.edits) {
		return errors.New("sheet: internal error: edits left unwritten")
	}
	return nil
}

func prefixOf(qname []byte) string {
	if i := bytes.LastIndexByte(qname, ':'); i >= 0 {
		return string(qname[:i+1])
	}
	return ""
}

// dimension widens <dimension ref> to cover the edited cells.
func (p *patcher) dimension(tag []byte) []byte {
	ref, ok := attrRaw(tagAttrs(tag), "ref")
	if !ok {
		return tag
	}
	r1, c1, r2, c2, ok := parseRange(string(ref))
	if !ok {
		return tag
	}
	grow := false
	for _, e := range p.edits {
		if e.clear {
			continue
		}
		if int(e.row) < r1 || int(e.row) > r2 || int(e.col) < c1 || int(e.col) > c2 {
			r1, r2 = min(r1, int(e.row)), max(r2, int(e.row))
			c1, c2 = min(c1, int(e.col)), max(c2, int(e.col))
			grow = true
		}
	}
	if !grow {
		return tag
	}
	return setAttr(tag, "ref", cellName(r1, c1)+":"+cellName(r2, c2))
}

// newRows writes the rows the edits create before row number before.
func (p *patcher) newRows(before int32) {
	for p.ei < len(p.edits) && p.edits[p.ei].row < before {
		start := p.ei
		num := p.edits[start].row
		for p.ei < len(p.edits) && p.edits[p.ei].row == num {
			p.ei++
		}
		p.buf = p.buf[:0]
		for i := start; i < p.ei; i++ {
			p.buf = appendNewCell(p.buf, p.prefix, &p.edits[i], 0, false)
		}
		if len(p.buf) == 0 {
			continue // only clears of cells that do not exist
		}
		p.inserted = true
		p.write([]byte(fmt.Sprintf("<%srow r=\"%d\">", p.prefix, num)))
		p.write(p.buf)
		p.write([]byte("</" + p.prefix + "row>"))
	}
}

// row copies one <row>, applying its edits.
func (p *patcher) row() error {
	sr, sc := p.sr, p.sr.sc
	num := sr.lastRow + 1
	v, hasR, err := sc.attrInt("r")
	if err != nil {
		return err
	}
	if hasR {
		num = int32(v)
	}
	if num <= sr.lastRow || num < 1 || num > maxRows {
		return damaged("sheet %q lists row %d after row %d", clip(sr.sh.Name), num, sr.lastRow)
	}
	sr.lastRow = num
	p.newRows(num)
	start := p.ei
	for p.ei < len(p.edits) && p.edits[p.ei].row == num {
		p.ei++
	}
	es := p.edits[start:p.ei]
	tag := append([]byte(nil), sc.raw()...)
	if !hasR && p.inserted {
		tag = insertAttr(tag, "r", strconv.Itoa(int(num)))
	}
	if len(es) > 0 {
		tag = removeAttr(tag, "spans")
	}
	if sc.empty {
		if err := sc.nextInside(); err != nil {
			return err
		}
		if len(es) == 0 {
			p.write(tag)
			return nil
		}
		p.buf = p.buf[:0]
		for i := range es {
			p.buf = appendNewCell(p.buf, p.prefix, &es[i], 0, false)
		}
		if len(p.buf) == 0 {
			p.write(tag)
			return nil
		}
		p.write(openTag(tag))
		p.write(p.buf)
		p.write([]byte("</" + prefixOf(sc.name) + "row>"))
		return nil
	}
	p.write(tag)
	edited := len(es) > 0
	lastCol, ei := int32(0), 0
	for {
		if err := sc.nextInside(); err != nil {
			return err
		}
		switch sc.kind {
		case tokStart:
			if string(sc.local()) != "c" {
				p.tee = append(p.tee[:0], sc.raw()...)
				sc.tee = &p.tee
				err := sc.skipElement()
				sc.tee = nil
				if err != nil {
					return err
				}
				p.write(p.tee)
				continue
			}
			_, hasCellRef := sc.attr("r")
			p.tee = append(p.tee[:0], sc.raw()...)
			sc.tee = &p.tee
			p.scratch.reset(num)
			col, err := sr.readCell(&p.scratch, lastCol)
			sc.tee = nil
			if err != nil {
				return err
			}
			lastCol = col
			c := &p.scratch.cells[len(p.scratch.cells)-1]
			if c.fk == fArray || c.fk == fDataTable {
				if err := p.checkArray(sr.arrays[len(sr.arrays)-1]); err != nil {
					return err
				}
			}
			for ei < len(es) && es[ei].col < col {
				p.write(appendNewCell(p.buf[:0], p.prefix, &es[ei], 0, false))
				ei++
			}
			if ei < len(es) && es[ei].col == col {
				e := &es[ei]
				ei++
				_, keep, _ := editCell(&row{}, &p.scratch, c, e)
				if !keep {
					if c.fk == fShared && c.master {
						p.broke[c.si] = true
					}
					p.write(appendNewCell(p.buf[:0], p.prefix, e, c.style, true))
					continue
				}
			}
			cellXML := p.tee
			if c.fk == fShared && !c.master && p.broke[c.si] && sr.fStart >= 0 && sr.fEnd >= sr.fStart {
				// The group's defining cell is gone: write this cell's
				// formula out.
				f := make([]byte, 0, len(cellXML)+32)
				f = append(f, cellXML[:sr.fStart]...)
				f = append(f, "<"+p.prefix+"f>"...)
				f = escapeText(f, string(p.scratch.bytes(c.ftext)))
				f = append(f, "</"+p.prefix+"f>"...)
				f = append(f, cellXML[sr.fEnd:]...)
				cellXML = f
			}
			if edited && !hasCellRef {
				cellXML = insertAttr(cellXML, "r", cellName(int(num), int(col)))
			}
			p.write(cellXML)
		case tokEnd:
			for ; ei < len(es); ei++ {
				p.write(appendNewCell(p.buf[:0], p.prefix, &es[ei], 0, false))
			}
			p.write(sc.raw())
			return nil
		default:
			p.write(sc.raw())
		}
	}
}

// checkArray refuses edits inside an array formula or data table's range.
func (p *patcher) checkArray(a rect) error {
	for _, e := range p.edits {
		if a.contains(e.row, e.col) {
			return &EditError{Index: e.index, Sheet: p.sr.sh.Name, Cell: cellName(int(e.row), int(e.col)),
				Reason: fmt.Sprintf("the cell is part of the array formula or data table %s, which changes only as a whole", rangeName(a))}
		}
	}
	return nil
}

// appendNewCell writes the <c> an edit leaves. replacing says an existing
// cell is overwritten: a clear then keeps the cell's formatting.
func appendNewCell(dst []byte, prefix string, e *edit, style int32, replacing bool) []byte {
	if e.clear && (!replacing || style == 0) {
		return dst
	}
	dst = append(dst, '<')
	dst = append(dst, prefix...)
	dst = append(dst, `c r="`...)
	dst = append(dst, cellName(int(e.row), int(e.col))...)
	dst = append(dst, '"')
	if style != 0 {
		dst = append(dst, ` s="`...)
		dst = strconv.AppendInt(dst, int64(style), 10)
		dst = append(dst, '"')
	}
	open := func(name string) { dst = append(dst, "<"+prefix+name+">"...) }
	closeTag := func(name string) { dst = append(dst, "</"+prefix+name+">"...) }
	switch {
	case e.clear:
		return append(dst, "/>"...)
	case e.formula != "":
		dst = append(dst, '>')
		open("f")
		dst = escapeText(dst, e.formula)
		closeTag("f")
	case e.vk == vNumber:
		dst = append(dst, '>')
		open("v")
		dst = append(dst, e.value...)
		closeTag("v")
	case e.vk == vBool:
		dst = append(dst, ` t="b">`...)
		open("v")
		dst = append(dst, e.value...)
		closeTag("v")
	default:
		dst = append(dst, ` t="inlineStr">`...)
		open("is")
		dst = append(dst, "<"+prefix+`t xml:space="preserve">`...)
		dst = escapeText(dst, escapeOOXML(e.value))
		closeTag("t")
		closeTag("is")
	}
	closeTag("c")
	return dst
}

// Raw tag editing.

// tagAttrs returns the attribute bytes of a raw start tag.
func tagAttrs(tag []byte) []byte {
	a, b := tagAttrBounds(tag)
	return tag[a:b]
}

func tagAttrBounds(tag []byte) (int, int) {
	i := 1
	for i < len(tag) && !isSpace(tag[i]) && tag[i] != '/' && tag[i] != '>' {
		i++
	}
	end := len(tag) - 1
	if end > i && tag[end-1] == '/' {
		end--
	}
	if end < i {
		return i, i
	}
	return i, end
}

// insertAttr adds name="value" right after the tag's name.
func insertAttr(tag []byte, name, value string) []byte {
	i := 1
	for i < len(tag) && !isSpace(tag[i]) && tag[i] != '/' && tag[i] != '>' {
		i++
	}
	out := make([]byte, 0, len(tag)+len(name)+len(value)+4)
	out = append(out, tag[:i]...)
	out = append(out, ' ')
	out = append(out, name...)
	out = append(out, `="`...)
	out = escapeText(out, value)
	out = append(out, '"')
	return append(out, tag[i:]...)
}

// attrSpan finds the byte span of attribute name (the whole name="value",
// with the space before it).
func attrSpan(tag []byte, name string) (int, int, bool) {
	off, end := tagAttrBounds(tag)
	attrs := tag[off:end]
	i := 0
	for i < len(attrs) {
		for i < len(attrs) && isSpace(attrs[i]) {
			i++
		}
		ns := i
		for i < len(attrs) && attrs[i] != '=' && !isSpace(attrs[i]) {
			i++
		}
		n := attrs[ns:i]
		for i < len(attrs) && attrs[i] != '"' && attrs[i] != '\'' {
			i++
		}
		if i >= len(attrs) {
			return 0, 0, false
		}
		q := attrs[i]
		j := bytes.IndexByte(attrs[i+1:], q)
		if j < 0 {
			return 0, 0, false
		}
		i += j + 2
		if string(n) == name {
			s := ns
			for s > 0 && isSpace(attrs[s-1]) {
				s--
			}
			return off + s, off + i, true
		}
	}
	return 0, 0, false
}

func removeAttr(tag []byte, name string) []byte {
	s, e, ok := attrSpan(tag, name)
	if !ok {
		return tag
	}
	return append(tag[:s:s], tag[e:]...)
}

func setAttr(tag []byte, name, value string) []byte {
	return insertAttr(removeAttr(tag, name), name, value)
}

// openTag turns <x .../> into <x ...>.
func openTag(tag []byte) []byte {
	if n := len(tag); n >= 2 && tag[n-2] == '/' {
		out := append([]byte(nil), tag[:n-2]...)
		for len(out) > 0 && isSpace(out[len(out)-1]) {
			out = out[:len(out)-1]
		}
		return append(out, '>')
	}
	return tag
}

// setFullCalcOnLoad sets <calcPr fullCalcOnLoad="1"/> in workbook.xml,
// adding the element in its schema place when it is missing.
func setFullCalcOnLoad(b []byte) ([]byte, error) {
	s := newBytesScanner(b)
	depth := 0
	prefix := ""
	after := map[string]bool{"oleSize": true, "customWorkbookViews": true, "pivotCaches": true, "smartTagPr": true,
		"smartTagTypes": true, "webPublishing": true, "fileRecoveryPr": true, "webPublishObjects": true, "extLst": true}
	for {
		err := s.next()
		if err == io.EOF {
			return nil, damaged("the workbook part has no <workbook> element")
		}
		if err != nil {
			return nil, err
		}
		switch s.kind {
		case tokStart:
			depth++
			if depth == 1 {
				prefix = prefixOf(s.name)
			}
			if depth == 2 && string(s.local()) == "calcPr" {
				at, n := int(s.offset()), len(s.raw())
				tag := setAttr(append([]byte(nil), s.raw()...), "fullCalcOnLoad", "1")
				return splice(b, at, at+n, tag), nil
			}
			if depth == 2 && after[string(s.local())] {
				at := int(s.offset())
				return splice(b, at, at, []byte("<"+prefix+`calcPr fullCalcOnLoad="1"/>`)), nil
			}
		case tokEnd:
			if depth == 1 {
				at := int(s.offset())
				return splice(b, at, at, []byte("<"+prefix+`calcPr fullCalcOnLoad="1"/>`)), nil
			}
			depth--
		}
	}
}

func splice(b []byte, from, to int, with []byte) []byte {
	out := make([]byte, 0, len(b)-(to-from)+len(with))
	out = append(out, b[:from]...)
	out = append(out, with...)
	return append(out, b[to:]...)
}

// removeContentType drops the <Override> for a part.
func removeContentType(b []byte, partName string) ([]byte, error) {
	return removeElement(b, func(s *xmlScanner) bool {
		if !s.isStart("Override") {
			return false
		}
		v, _, _ := s.attrString("PartName")
		return normPart(v) == normPart(partName)
	})
}

// removeRelationship drops the relationship of source pointing at target.
func removeRelationship(b []byte, source, target string) ([]byte, error) {
	return removeElement(b, func(s *xmlScanner) bool {
		if !s.isStart("Relationship") {
			return false
		}
		v, _, _ := s.attrString("Target")
		mode, _, _ := s.attrString("TargetMode")
		return mode != "External" && normPart(resolveTarget(source, v)) == normPart(target)
	})
}

// removeElement drops every element match selects.
func removeElement(b []byte, match func(*xmlScanner) bool) ([]byte, error) {
	s := newBytesScanner(b)
	out := make([]byte, 0, len(b))
	last := 0
	for {
		err := s.next()
		if err == io.EOF {
			return append(out, b[last:]...), nil
		}
		if err != nil {
			return nil, err
		}
		if s.kind == tokStart && match(s) {
			start := int(s.offset())
			if err := s.skipElement(); err != nil {
				return nil, err
			}
			end := int(s.offset()) + len(s.raw())
			out = append(out, b[last:start]...)
			last = end
		}
	}
}
