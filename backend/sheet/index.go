package sheet

import (
	"slices"
	"sort"
)

// changeIndex holds the changed cells of a comparison by sheet and column,
// for the question "which changed cells does this reference cover?". Cells
// arrive in row-major order per sheet, so each column's rows stay sorted and
// the index can be asked at any time.
type changeIndex struct {
	sheets map[int32]*sheetChanges
	total  int
	limit  int
	full   bool // more than limit cells were added; queries are incomplete

	// Scratch space for queries.
	scratch []depRect
	rects   []rect
	iv      [][2]int32
	list    []cellKey
}

type sheetChanges struct {
	cols []int32           // columns with changes, ascending
	rows map[int32][]int32 // rows of each column, ascending
}

func newChangeIndex(limit int) *changeIndex {
	return &changeIndex{sheets: map[int32]*sheetChanges{}, limit: limit}
}

func (x *changeIndex) add(sheet, row, col int32) {
	if x.total >= x.limit {
		x.full = true
		return
	}
	x.total++
	s := x.sheets[sheet]
	if s == nil {
		s = &sheetChanges{rows: map[int32][]int32{}}
		x.sheets[sheet] = s
	}
	rows, ok := s.rows[col]
	if !ok {
		i, _ := slices.BinarySearch(s.cols, col)
		s.cols = slices.Insert(s.cols, i, col)
	}
	if n := len(rows); n > 0 && rows[n-1] >= row {
		// Out of order (not expected): keep the column sorted.
		i, found := slices.BinarySearch(rows, row)
		if !found {
			rows = slices.Insert(rows, i, row)
		}
	} else {
		rows = append(rows, row)
	}
	s.rows[col] = rows
}

// depRect is a referenced rectangle of one sheet.
type depRect struct {
	sheet int32
	rect
}

// hitsAny reports whether any rectangle covers a changed cell.
func (x *changeIndex) hitsAny(rs []depRect) bool {
	for _, r := range rs {
		s := x.sheets[r.sheet]
		if s == nil {
			continue
		}
		lo := sort.Search(len(s.cols), func(i int) bool { return s.cols[i] >= r.c1 })
		for i := lo; i < len(s.cols) && s.cols[i] <= r.c2; i++ {
			rows := s.rows[s.cols[i]]
			j := sort.Search(len(rows), func(k int) bool { return rows[k] >= r.r1 })
			if j < len(rows) && rows[j] <= r.r2 {
				return true
			}
		}
	}
	return false
}

// query counts the changed cells the rectangles cover (each once) and lists
// up to limit of them, ordered by sheet key, row and column.
func (x *changeIndex) query(rs []depRect, limit int) (int, []cellKey) {
	count := 0
	var listed []cellKey
	done := 0 // rectangles of sheets already counted are moved before done
	rs = append(x.scratch[:0], rs...)
	x.scratch = rs
	for done < len(rs) {
		// The sheet with the smallest key not yet counted.
		sh := rs[done].sheet
		for _, r := range rs[done:] {
			sh = min(sh, r.sheet)
		}
		rects := x.rects[:0]
		for i := done; i < len(rs); i++ {
			if rs[i].sheet == sh {
				rects = append(rects, rs[i].rect)
				rs[i], rs[done] = rs[done], rs[i]
				done++
			}
		}
		x.rects = rects
		s := x.sheets[sh]
		if s == nil {
			continue
		}
		sheetList := x.list[:0]
		for _, col := range s.cols {
			// Row intervals of the rectangles that cover this column, merged.
			iv := x.iv[:0]
			for _, r := range rects {
				if col >= r.c1 && col <= r.c2 {
					iv = append(iv, [2]int32{r.r1, r.r2})
				}
			}
			x.iv = iv
			if len(iv) == 0 {
				continue
			}
			iv = mergeIntervals(iv)
			// The first limit cells in row order are among the first limit
			// of each column.
			rows, inCol := s.rows[col], 0
			for _, in := range iv {
				a := sort.Search(len(rows), func(k int) bool { return rows[k] >= in[0] })
				b := sort.Search(len(rows), func(k int) bool { return rows[k] > in[1] })
				count += b - a
				for k := a; k < b && inCol < limit; k++ {
					sheetList = append(sheetList, cellKey{sh, rows[k], col})
					inCol++
				}
			}
		}
		x.list = sheetList
		slices.SortFunc(sheetList, func(a, b cellKey) int {
			if a.row != b.row {
				return int(a.row - b.row)
			}
			return int(a.col - b.col)
		})
		if n := min(len(sheetList), limit-len(listed)); n > 0 {
			listed = append(listed, sheetList[:n]...)
		}
	}
	return count, listed
}

type cellKey struct{ sheet, row, col int32 }

func mergeIntervals(iv [][2]int32) [][2]int32 {
	if len(iv) == 1 {
		return iv
	}
	slices.SortFunc(iv, func(a, b [2]int32) int { return int(a[0] - b[0]) })
	out := iv[:1]
	for _, in := range iv[1:] {
		last := &out[len(out)-1]
		if in[0] <= last[1]+1 {
			last[1] = max(last[1], in[1])
		} else {
			out = append(out, in)
		}
	}
	return out
}
