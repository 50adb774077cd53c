package sheet

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"countersign/backend/proposal"
)

// Excel's own limits on a cell.
const (
	maxCellChars    = 32767
	maxFormulaChars = 8192
)

// edit is one validated cell edit.
type edit struct {
	index    int
	sheet    *sheetInfo
	row, col int32
	clear    bool    // neither value nor formula: the cell is emptied
	vk       valKind // of the value; vNone for a formula
	value    string  // as written: "42", "TRUE" (for vBool "1"/"0" in the part)
	formula  string  // without "="
	tmpl     *formulaTemplate
}

// parseEdits validates edits against wb and groups them by sheet, each
// sheet's sorted by row and column.
//
// A value is written as a number when it reads as one in plain decimal
// notation (-12, 3.5, 1e-3; not 007, +1, 1,000, NaN or Inf), as a boolean
// when it is TRUE or FALSE in any case, and as text otherwise; a text that
// starts with "=" stays text. A formula may start with "=", which is dropped.
// Setting neither empties the cell (its formatting stays).
func parseEdits(wb *Workbook, cells []proposal.CellEdit, maxEdits int) (map[*sheetInfo][]edit, error) {
	if len(cells) > maxEdits {
		return nil, &TooLargeError{What: "the sheet.update", Limit: int64(maxEdits), Unit: "cell edits"}
	}
	out := map[*sheetInfo][]edit{}
	seen := map[cellKey]int{}
	for i, ce := range cells {
		fail := func(format string, args ...any) error {
			return &EditError{Index: i, Sheet: ce.Sheet, Cell: ce.Cell, Reason: fmt.Sprintf(format, args...)}
		}
		sh := wb.sheet(ce.Sheet)
		if sh == nil {
			return nil, fail("the workbook has no sheet named %q", ce.Sheet)
		}
		if sh.Kind != "worksheet" {
			return nil, fail("sheet %q is a %s, which has no cells", sh.Name, sh.Kind)
		}
		row, col, ok := parseCellName(strings.ReplaceAll(strings.TrimSpace(ce.Cell), "$", ""))
		if !ok {
			return nil, fail("%q is not a cell address such as B7", ce.Cell)
		}
		k := cellKey{int32(sh.index), int32(row), int32(col)}
		if j, dup := seen[k]; dup {
			return nil, fail("edit %d already changes this cell", j+1)
		}
		seen[k] = i
		e := edit{index: i, sheet: sh, row: int32(row), col: int32(col)}
		formula := strings.TrimSpace(ce.Formula)
		switch {
		case formula != "" && ce.Value != "":
			return nil, fail("an edit sets a value or a formula, not both")
		case formula != "":
			formula = strings.TrimPrefix(formula, "=")
			if formula == "" {
				return nil, fail("the formula is empty")
			}
			if utf8.RuneCountInString(formula) > maxFormulaChars {
				return nil, fail("the formula is longer than %d characters", maxFormulaChars)
			}
			if !validXMLChars([]byte(formula)) {
				return nil, fail("the formula holds characters a workbook cannot store")
			}
			t, err := parseFormula(formula)
			if err != nil {
				return nil, fail("%v", err)
			}
			e.formula, e.tmpl = formula, t
		case ce.Value != "":
			if utf8.RuneCountInString(ce.Value) > maxCellChars {
				return nil, fail("the value is longer than %d characters", maxCellChars)
			}
			if !utf8.ValidString(ce.Value) {
				return nil, fail("the value is not valid UTF-8")
			}
			if strings.ContainsRune(ce.Value, '\uFFFE') || strings.ContainsRune(ce.Value, '\uFFFF') {
				return nil, fail("the value holds characters a workbook cannot store")
			}
			e.vk, e.value = typeOfValue(ce.Value)
		default:
			e.clear = true
		}
		out[sh] = append(out[sh], e)
	}
	for _, es := range out {
		slices.SortFunc(es, func(a, b edit) int {
			if a.row != b.row {
				return int(a.row - b.row)
			}
			return int(a.col - b.col)
		})
	}
	return out, nil
}

// typeOfValue decides how an edit's value is stored.
func typeOfValue(v string) (valKind, string) {
	if isPlainNumber(v) {
		return vNumber, v
	}
	switch strings.ToUpper(v) {
	case "TRUE":
		return vBool, "1"
	case "FALSE":
		return vBool, "0"
	}
	return vString, v
}

// isPlainNumber accepts -?digits[.digits][e[+-]digits] with no leading zero
// (except "0" itself), finite as a float64.
func isPlainNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	start := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	intDigits := i - start
	if intDigits == 0 || intDigits > 1 && s[start] == '0' {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		d := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == d {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		d := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == d {
			return false
		}
	}
	if i != len(s) {
		return false
	}
	f, err := strconv.ParseFloat(s, 64)
	return err == nil && !math.IsInf(f, 0)
}

// parseNumber reads a number as stored in a cell.
func parseNumber(s string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return f, err == nil
}

// editCell builds the cell an edit leaves, on top of the cell that was there
// (nil if none), into the row's arena. keep reports that the edit asks for
// what the cell already holds, so the cell stays as it is.
func editCell(dst *row, base *row, old *cell, e *edit) (c cell, keep, remove bool) {
	if old != nil {
		switch {
		case e.formula != "" && (old.fk == fNormal || old.fk == fShared) && string(base.bytes(old.ftext)) == e.formula:
			return cell{}, true, false
		case e.clear && old.vk == vNone && old.fk == fNone:
			return cell{}, true, false
		}
	}
	c = cell{col: e.col}
	if old != nil {
		c.style = old.style
	}
	switch {
	case e.clear:
		return c, false, true
	case e.formula != "":
		c.fk, c.ftext, c.tmpl = fNormal, dst.appendSpan([]byte(e.formula)), e.tmpl
	default:
		c.vk, c.val = e.vk, dst.appendSpan([]byte(e.value))
	}
	return c, false, false
}

// overlay writes into dst the row base (nil for a row the sheet lacks) with
// the edits es (all in this row) applied.
func overlay(dst *row, base *row, num int32, es []edit) {
	dst.reset(num)
	var cells []cell
	if base != nil {
		cells = base.cells
	}
	i, j := 0, 0
	for i < len(cells) || j < len(es) {
		switch {
		case j >= len(es) || i < len(cells) && cells[i].col < es[j].col:
			dst.cells = append(dst.cells, copyCell(dst, base, &cells[i]))
			i++
		case i >= len(cells) || es[j].col < cells[i].col:
			if c, _, remove := editCell(dst, nil, nil, &es[j]); !remove {
				dst.cells = append(dst.cells, c)
			}
			j++
		default:
			c, keep, remove := editCell(dst, base, &cells[i], &es[j])
			switch {
			case keep:
				dst.cells = append(dst.cells, copyCell(dst, base, &cells[i]))
			case !remove:
				dst.cells = append(dst.cells, c)
			}
			i++
			j++
		}
	}
}

func copyCell(dst, src *row, c *cell) cell {
	out := *c
	out.val = dst.appendSpan(src.bytes(c.val))
	out.ftext = dst.appendSpan(src.bytes(c.ftext))
	return out
}

// editIndex indexes the cells edits touch.
func editIndex(edits map[*sheetInfo][]edit) *changeIndex {
	x := newChangeIndex(math.MaxInt)
	for sh, es := range edits {
		for _, e := range es {
			x.add(int32(sh.index), e.row, e.col)
		}
	}
	return x
}
