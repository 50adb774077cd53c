package sheet

import (
	"fmt"
	"strconv"
	"strings"
)

// Grid limits of the .xlsx format.
const (
	maxRows = 1048576
	maxCols = 16384
)

type refKind uint8

const (
	refCell refKind = iota // A1
	refArea                // A1:B9
	refCols                // A:C
	refRows                // 1:3
)

// Absolute-part flags of a reference.
const (
	absC1 = 1 << iota
	absR1
	absC2
	absR2
)

// formulaRef is one reference found in a formula's text.
type formulaRef struct {
	start, end int32  // byte span in the text, after any sheet prefix
	sheet      string // first sheet, "" for the formula's own sheet
	sheet2     string // last sheet of a 3-D reference (Jan:Dec!A1)
	external   bool   // a reference into another workbook ([1]Sheet1!A1)
	kind       refKind
	abs        uint8
	c1, r1     int32
	c2, r2     int32 // equal to c1, r1 for a single cell
}

// nameUse is a defined name used by a formula.
type nameUse struct {
	sheet string // the sheet prefix of Sheet1!Name, "" otherwise
	name  string
}

// formulaTemplate is a formula's text with its references located, so that
// the formula can be shifted (for the cells of a shared formula) and its
// dependencies listed without parsing it again.
type formulaTemplate struct {
	text    string
	refs    []formulaRef
	names   []nameUse
	dynamic bool // INDIRECT, OFFSET, table or external references: dependencies not fully known
}

// FormulaError reports a formula that does not parse.
type FormulaError struct {
	Formula string
	Pos     int
	Reason  string
}

func (e *FormulaError) Error() string {
	return fmt.Sprintf("formula %q: %s at position %d", clip(e.Formula), e.Reason, e.Pos+1)
}

// maxFormulaRefs bounds the references kept for one formula.
const maxFormulaRefs = 4096

// parseFormula locates the references in a formula (without its leading
// "="). It fails only on text no spreadsheet would accept: an unterminated
// string, quoted name or bracket, or unbalanced parentheses.
func parseFormula(f string) (*formulaTemplate, error) {
	t := &formulaTemplate{text: f}
	fail := func(i int, reason string) (*formulaTemplate, error) {
		return nil, &FormulaError{Formula: f, Pos: i, Reason: reason}
	}
	depth := 0
	n := len(f)
	for i := 0; i < n; {
		c := f[i]
		switch {
		case c == '"':
			j, ok := skipQuoted(f, i, '"')
			if !ok {
				return fail(i, "unterminated string")
			}
			i = j
		case c == '\'':
			j, ok := skipQuoted(f, i, '\'')
			if !ok {
				return fail(i, "unterminated quoted sheet name")
			}
			if j >= n || f[j] != '!' {
				return fail(j, "a quoted name must be followed by '!'")
			}
			prefix := strings.ReplaceAll(f[i+1:j-1], "''", "'")
			i = t.refAfterPrefix(f, j+1, prefix)
		case c == '[':
			j, ok := skipBrackets(f, i)
			if !ok {
				return fail(i, "unterminated '['")
			}
			// [1]Sheet1!A1 or [1]!Name: another workbook.
			k := j
			for k < n && isWordByte(f[k]) {
				k++
			}
			if k < n && f[k] == '!' {
				i = t.refAfterPrefix(f, k+1, "["+f[i+1:j-1]+"]"+f[j:k])
				continue
			}
			t.dynamic = true // a structured (table) reference
			i = j
		case c == '{':
			j := i + 1
			for j < n && f[j] != '}' {
				if f[j] == '"' {
					k, ok := skipQuoted(f, j, '"')
					if !ok {
						return fail(j, "unterminated string")
					}
					j = k
					continue
				}
				j++
			}
			if j >= n {
				return fail(i, "unterminated array constant")
			}
			i = j + 1
		case c == '#':
			i = skipError(f, i)
		case c == '(':
			depth++
			i++
		case c == ')':
			depth--
			if depth < 0 {
				return fail(i, "unbalanced ')'")
			}
			i++
		case isWordByte(c):
			j := i
			for j < n && isWordByte(f[j]) {
				j++
			}
			word := f[i:j]
			switch {
			case isNumberStart(c) && !isRowRangeAt(f, i):
				i = skipNumber(f, i)
			case j < n && f[j] == '(':
				switch strings.ToUpper(strings.TrimPrefix(strings.TrimPrefix(word, "_xlfn."), "_xlws.")) {
				case "INDIRECT", "OFFSET":
					t.dynamic = true
				}
				i = j
			case j < n && f[j] == '!':
				i = t.refAfterPrefix(f, j+1, word)
			case j+1 < n && f[j] == ':' && isWordByte(f[j+1]):
				// Jan:Dec!A1 (a 3-D prefix) or an ordinary range A1:B2.
				k := j + 1
				for k < n && isWordByte(f[k]) {
					k++
				}
				if k < n && f[k] == '!' {
					i = t.refAfterPrefix(f, k+1, f[i:k])
					continue
				}
				i = t.refAt(f, i, "", false)
			default:
				i = t.refAt(f, i, "", false)
			}
		default:
			i++
		}
		if len(t.refs) > maxFormulaRefs {
			return fail(i, "too many references")
		}
	}
	if depth != 0 {
		return fail(n, "unbalanced '('")
	}
	return t, nil
}

// refAfterPrefix reads the reference or name after "prefix!" at i.
func (t *formulaTemplate) refAfterPrefix(f string, i int, prefix string) int {
	external := strings.Contains(prefix, "[")
	if i < len(f) && f[i] == '#' {
		return skipError(f, i)
	}
	return t.refAt(f, i, prefix, external)
}

// refAt reads a reference (A1, $A$1, A1:B9, A:A, 1:1) or a name at i.
func (t *formulaTemplate) refAt(f string, i int, prefix string, external bool) int {
	n := len(f)
	j := i
	for j < n && isWordByte(f[j]) {
		j++
	}
	if j == i {
		return i + 1
	}
	sheet, sheet2 := prefix, ""
	if !external {
		if k := strings.IndexByte(prefix, ':'); k > 0 {
			sheet, sheet2 = prefix[:k], prefix[k+1:]
		}
	}
	word := f[i:j]
	p1, ok1 := parseRefPart(word)
	if j+1 < n && f[j] == ':' {
		k := j + 1
		for k < n && isWordByte(f[k]) {
			k++
		}
		p2, ok2 := parseRefPart(f[j+1 : k])
		if ok1 && ok2 && p1.kind == p2.kind && !(k < n && f[k] == '(') {
			r := formulaRef{start: int32(i), end: int32(k), sheet: sheet, sheet2: sheet2, external: external,
				c1: p1.col, r1: p1.row, c2: p2.col, r2: p2.row}
			switch p1.kind {
			case partCell:
				r.kind = refArea
			case partCol:
				r.kind, r.r1, r.r2 = refCols, 1, maxRows
			case partRow:
				r.kind, r.c1, r.c2 = refRows, 1, maxCols
			}
			r.abs = p1.abs(absC1, absR1) | p2.abs(absC2, absR2)
			if r.c1 > r.c2 {
				r.c1, r.c2 = r.c2, r.c1
			}
			if r.r1 > r.r2 {
				r.r1, r.r2 = r.r2, r.r1
			}
			t.refs = append(t.refs, r)
			return k
		}
	}
	if ok1 && p1.kind == partCell && !(j < n && f[j] == '(') {
		r := formulaRef{start: int32(i), end: int32(j), sheet: sheet, sheet2: sheet2, external: external,
			kind: refCell, c1: p1.col, r1: p1.row, c2: p1.col, r2: p1.row, abs: p1.abs(absC1, absR1) | p1.abs(absC2, absR2)}
		t.refs = append(t.refs, r)
		if j < n && f[j] == '#' { // A1# (spill range): depends on at least A1
			t.dynamic = true
			j++
		}
		return j
	}
	if j < n && f[j] == '(' {
		return j
	}
	if j < n && f[j] == '[' {
		t.dynamic = true // Table1[Column]
		return j
	}
	if isName(word) {
		if external {
			t.dynamic = true
		} else {
			t.names = append(t.names, nameUse{sheet: sheet, name: word})
		}
	}
	return j
}

type partKind uint8

const (
	partCell partKind = iota
	partCol
	partRow
)

type refPart struct {
	kind           partKind
	col, row       int32
	colAbs, rowAbs bool
}

func (p refPart) abs(colFlag, rowFlag uint8) uint8 {
	var a uint8
	if p.colAbs {
		a |= colFlag
	}
	if p.rowAbs {
		a |= rowFlag
	}
	return a
}

// parseRefPart reads $A$1, A1, $A, A, $1 or 1.
func parseRefPart(w string) (refPart, bool) {
	var p refPart
	i := 0
	if i < len(w) && w[i] == '$' {
		p.colAbs = true
		i++
	}
	ls := i
	col := 0
	for i < len(w) && i-ls < 4 && isLetter(w[i]) {
		col = col*26 + int(upper(w[i])-'A'+1)
		i++
	}
	letters := i - ls
	if letters > 3 || letters > 0 && col > maxCols {
		return p, false
	}
	if letters == 0 {
		// A row: $1 or 1 (the '$' read above belongs to the row).
		p.rowAbs, p.colAbs = p.colAbs, false
		row, ok := parseRow(w[i:])
		if !ok {
			return p, false
		}
		p.kind, p.row = partRow, int32(row)
		return p, true
	}
	p.col = int32(col)
	if i == len(w) {
		p.kind = partCol
		return p, true
	}
	if w[i] == '$' {
		p.rowAbs = true
		i++
	}
	row, ok := parseRow(w[i:])
	if !ok {
		return p, false
	}
	p.kind, p.row = partCell, int32(row)
	return p, true
}

func parseRow(s string) (int, bool) {
	if len(s) == 0 || len(s) > 7 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, n >= 1 && n <= maxRows
}

func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }

func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 32
	}
	return c
}

func isWordByte(c byte) bool {
	return isLetter(c) || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '$' || c == '\\' || c == '?' || c >= 0x80
}

func isNumberStart(c byte) bool { return c >= '0' && c <= '9' || c == '.' }

// isRowRangeAt reports a row range such as 1:3 or 2:$5 at i.
func isRowRangeAt(f string, i int) bool {
	j := i
	for j < len(f) && f[j] >= '0' && f[j] <= '9' {
		j++
	}
	if j == i || j >= len(f) || f[j] != ':' {
		return false
	}
	k := j + 1
	if k < len(f) && f[k] == '$' {
		k++
	}
	return k < len(f) && f[k] >= '0' && f[k] <= '9'
}

// isName reports whether w can be a defined name (not a number, TRUE/FALSE,
// or a reference).
func isName(w string) bool {
	if w == "" || isNumberStart(w[0]) {
		return false
	}
	switch strings.ToUpper(w) {
	case "TRUE", "FALSE":
		return false
	}
	return true
}

func skipQuoted(f string, i int, q byte) (int, bool) {
	j := i + 1
	for {
		k := strings.IndexByte(f[j:], q)
		if k < 0 {
			return len(f), false
		}
		j += k + 1
		if j < len(f) && f[j] == q {
			j++
			continue
		}
		return j, true
	}
}

func skipBrackets(f string, i int) (int, bool) {
	depth := 0
	for j := i; j < len(f); j++ {
		switch f[j] {
		case '\'':
			j++ // an escaped character inside a structured reference
		case '[':
			depth++
		case ']':
			depth--
			if depth == 0 {
				return j + 1, true
			}
		}
	}
	return len(f), false
}

func skipError(f string, i int) int {
	j := i + 1
	for j < len(f) && (isLetter(f[j]) || f[j] == '/' || f[j] == '_' || f[j] >= '0' && f[j] <= '9') {
		j++
	}
	if j < len(f) && (f[j] == '!' || f[j] == '?') {
		j++
	}
	return j
}

func skipNumber(f string, i int) int {
	j := i
	for j < len(f) && (f[j] >= '0' && f[j] <= '9' || f[j] == '.') {
		j++
	}
	if j < len(f) && (f[j] == 'E' || f[j] == 'e') {
		k := j + 1
		if k < len(f) && (f[k] == '+' || f[k] == '-') {
			k++
		}
		if k < len(f) && f[k] >= '0' && f[k] <= '9' {
			for k < len(f) && f[k] >= '0' && f[k] <= '9' {
				k++
			}
			j = k
		}
	}
	for j < len(f) && isWordByte(f[j]) { // a malformed number: skip the word
		j++
	}
	return j
}

// shifted returns r moved by (dRow, dCol), as the cells of a shared formula
// see the master's references; ok is false when it leaves the grid (#REF!).
func (r formulaRef) shifted(dRow, dCol int32) (formulaRef, bool) {
	if dRow == 0 && dCol == 0 {
		return r, true
	}
	if r.kind != refRows {
		if r.abs&absC1 == 0 {
			r.c1 += dCol
		}
		if r.abs&absC2 == 0 {
			r.c2 += dCol
		}
	}
	if r.kind != refCols {
		if r.abs&absR1 == 0 {
			r.r1 += dRow
		}
		if r.abs&absR2 == 0 {
			r.r2 += dRow
		}
	}
	if r.c1 < 1 || r.c2 > maxCols || r.r1 < 1 || r.r2 > maxRows || r.c1 > maxCols || r.r1 > maxRows || r.c2 < 1 || r.r2 < 1 {
		return r, false
	}
	return r, true
}

// appendShifted appends the formula as it reads in the cell (dRow, dCol)
// away from the one the template was written for.
func (t *formulaTemplate) appendShifted(dst []byte, dRow, dCol int32) []byte {
	if dRow == 0 && dCol == 0 {
		return append(dst, t.text...)
	}
	last := int32(0)
	for _, r := range t.refs {
		dst = append(dst, t.text[last:r.start]...)
		last = r.end
		if r.external {
			dst = append(dst, t.text[r.start:r.end]...)
			continue
		}
		s, ok := r.shifted(dRow, dCol)
		if !ok {
			dst = append(dst, "#REF!"...)
			continue
		}
		dst = s.appendA1(dst)
	}
	return append(dst, t.text[last:]...)
}

// appendA1 writes the reference part (without sheet prefix) in A1 style.
func (r formulaRef) appendA1(dst []byte) []byte {
	col := func(dst []byte, c int32, abs bool) []byte {
		if abs {
			dst = append(dst, '$')
		}
		return appendColumn(dst, int(c))
	}
	row := func(dst []byte, n int32, abs bool) []byte {
		if abs {
			dst = append(dst, '$')
		}
		return strconv.AppendInt(dst, int64(n), 10)
	}
	switch r.kind {
	case refCell:
		dst = col(dst, r.c1, r.abs&absC1 != 0)
		return row(dst, r.r1, r.abs&absR1 != 0)
	case refArea:
		dst = col(dst, r.c1, r.abs&absC1 != 0)
		dst = row(dst, r.r1, r.abs&absR1 != 0)
		dst = append(dst, ':')
		dst = col(dst, r.c2, r.abs&absC2 != 0)
		return row(dst, r.r2, r.abs&absR2 != 0)
	case refCols:
		dst = col(dst, r.c1, r.abs&absC1 != 0)
		dst = append(dst, ':')
		return col(dst, r.c2, r.abs&absC2 != 0)
	default:
		dst = row(dst, r.r1, r.abs&absR1 != 0)
		dst = append(dst, ':')
		return row(dst, r.r2, r.abs&absR2 != 0)
	}
}

// appendColumn writes a column number as letters (1 = A).
func appendColumn(dst []byte, c int) []byte {
	var buf [4]byte
	i := len(buf)
	for c > 0 {
		c--
		i--
		buf[i] = byte('A' + c%26)
		c /= 26
	}
	return append(dst, buf[i:]...)
}

func columnName(c int) string { return string(appendColumn(nil, c)) }

// cellName writes a cell address such as B7.
func cellName(row, col int) string {
	b := appendColumn(make([]byte, 0, 10), col)
	return string(strconv.AppendInt(b, int64(row), 10))
}

// parseCellName reads a single cell address (B7 or $B$7).
func parseCellName(s string) (row, col int, ok bool) {
	p, ok := parseRefPart(s)
	if !ok || p.kind != partCell {
		return 0, 0, false
	}
	return int(p.row), int(p.col), true
}

// parseRange reads "A1:C3" or "A1" as a rectangle.
func parseRange(s string) (r1, c1, r2, c2 int, ok bool) {
	a, b, two := strings.Cut(s, ":")
	r1, c1, ok = parseCellName(a)
	if !ok {
		return
	}
	if !two {
		return r1, c1, r1, c1, true
	}
	r2, c2, ok = parseCellName(b)
	if r1 > r2 {
		r1, r2 = r2, r1
	}
	if c1 > c2 {
		c1, c2 = c2, c1
	}
	return
}
