package sheet

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"
	"unicode/utf8"
)

// DiffCSV compares two RFC 4180 CSV texts (comma-separated, fields in double
// quotes where needed) cell by cell: record i is row i+1, field j column j+1.
// Values are compared as text; types are what a spreadsheet app would read
// (numbers, TRUE/FALSE, text) and shown for people. A UTF-8 byte order mark is
// ignored. Text that is not valid CSV or not UTF-8 gets an *UnsupportedError,
// so the caller can fall back to a text or binary diff. When the bytes differ
// but no cell does (quoting, line endings, a byte order mark), Notes says so.
func DiffCSV(ctx context.Context, old, new io.Reader, opts Options) (*ChangeSet, error) {
	d := newDiffer(ctx, nil, nil, opts)
	d.cs.Format = "csv"
	d.index = newChangeIndex(0)
	os, err := newCSVSource(old, "old", d.opts.MaxCSVRecordBytes)
	if err != nil {
		return nil, err
	}
	ns, err := newCSVSource(new, "new", d.opts.MaxCSVRecordBytes)
	if err != nil {
		return nil, err
	}
	st := &sheetState{d: d, mode: modeFull, newIdx: 0}
	st.added.limit, st.removed.limit = d.opts.MaxSpans, d.opts.MaxSpans
	st.sc = &SheetChange{Kind: "csv", Cells: []CellChange{}}
	pairs := newMergePairs(os, ns)
	var formulaLike []string
	formulaCount := 0
	for steps := 0; ; steps++ {
		if steps&255 == 0 {
			if err := ctx.Err(); err != nil {
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
		if n != nil {
			for k := range n.cells {
				if c := &n.cells[k]; c.vk == vString && looksLikeFormula(n.bytes(c.val)) {
					formulaCount++
					if len(formulaLike) < 5 {
						formulaLike = append(formulaLike, cellName(int(n.num), int(c.col)))
					}
				}
			}
		}
		d.rowsDone++
		if d.rowsDone&4095 == 0 {
			d.report("")
		}
	}
	sc := st.sc
	sc.Status = SheetModified
	st.spansInto(sc, maxCols)
	sc.CellsChanged, sc.Rows, sc.Cols = st.changed, int(st.lastRow), int(st.lastCol)
	t := &d.cs.Totals
	t.Cells, t.RowsAdded, t.RowsRemoved, t.ColsAdded, t.ColsRemoved = st.changed, sc.RowsAddedCount, sc.RowsRemovedCount, sc.ColsAddedCount, sc.ColsRemovedCount
	if st.changed > 0 {
		t.Sheets = 1
	}
	d.cs.Truncated = sc.Truncated
	if st.changed > 0 || sc.RowsAddedCount+sc.RowsRemovedCount+sc.ColsAddedCount+sc.ColsRemovedCount > 0 {
		d.cs.Sheets = append(d.cs.Sheets, *sc)
	}
	if os.bom != ns.bom {
		d.cs.Notes = append(d.cs.Notes, map[bool]string{true: "a UTF-8 byte order mark is added", false: "the UTF-8 byte order mark is removed"}[ns.bom])
	}
	if a, b := os.lineEnd(), ns.lineEnd(); a != "" && b != "" && a != b {
		d.cs.Notes = append(d.cs.Notes, fmt.Sprintf("line endings change from %s to %s", a, b))
	}
	if st.changed == 0 && !bytes.Equal(os.sum(), ns.sum()) && len(d.cs.Notes) == 0 {
		d.cs.Notes = append(d.cs.Notes, "the text changes (quoting or spacing) but every cell reads the same")
	}
	if formulaCount > 0 {
		d.cs.Notes = append(d.cs.Notes, fmt.Sprintf("%d cells start with =, +, - or @ (%s); a spreadsheet app opening the file may run them as formulas",
			formulaCount, strings.Join(formulaLike, ", ")))
	}
	d.summarise()
	return d.cs, nil
}

// looksLikeFormula reports text a spreadsheet app would treat as a formula
// (a number such as -3 is not one).
func looksLikeFormula(b []byte) bool {
	if len(b) < 2 {
		return false
	}
	switch b[0] {
	case '=', '@':
		return true
	case '+', '-':
		return !isPlainNumber(string(b[1:]))
	}
	return false
}

// csvSource reads CSV records as rows.
type csvSource struct {
	cr   *csv.Reader
	in   *csvInput
	side string
	num  int32
	r    row
	bom  bool
}

func newCSVSource(r io.Reader, side string, maxRecord int) (*csvSource, error) {
	in := &csvInput{r: r, h: sha256.New(), max: int64(maxRecord)}
	// Look at the first bytes for a byte order mark.
	head := make([]byte, 3)
	n, err := io.ReadFull(r, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, err
	}
	head = head[:n]
	in.h.Write(head)
	s := &csvSource{in: in, side: side}
	if bytes.HasPrefix(head, []byte("\xEF\xBB\xBF")) {
		s.bom, head = true, nil
	}
	in.pending = head
	in.count(head)
	s.cr = csv.NewReader(in)
	s.cr.FieldsPerRecord = -1
	s.cr.ReuseRecord = true
	return s, nil
}

func (s *csvSource) next() (*row, error) {
	s.in.recordStart = s.cr.InputOffset()
	rec, err := s.cr.Read()
	if err == io.EOF {
		return nil, nil
	}
	if err != nil {
		var tl *TooLargeError
		if errors.As(err, &tl) {
			return nil, tl
		}
		return nil, &UnsupportedError{Reason: fmt.Sprintf("the %s text is not valid CSV (%v)", s.side, err), Err: err}
	}
	if len(rec) > maxCols {
		return nil, &TooLargeError{What: fmt.Sprintf("record %d of the %s CSV", s.num+1, s.side), Limit: maxCols, Unit: "fields"}
	}
	s.num++
	if s.num > maxRows*4 {
		return nil, &TooLargeError{What: "the " + s.side + " CSV", Limit: maxRows * 4, Unit: "rows"}
	}
	s.r.reset(s.num)
	for j, f := range rec {
		if f == "" {
			continue
		}
		if !utf8.ValidString(f) || strings.IndexByte(f, 0) >= 0 {
			return nil, &UnsupportedError{Reason: fmt.Sprintf("the %s text is not UTF-8 text (record %d)", s.side, s.num)}
		}
		vk, _ := typeOfValue(f)
		c := cell{col: int32(j + 1), vk: vk, val: s.r.appendSpan([]byte(f))}
		s.r.cells = append(s.r.cells, c)
	}
	return &s.r, nil
}

func (s *csvSource) sum() []byte {
	io.Copy(io.Discard, s.in) // the rest, if reading stopped early
	return s.in.h.Sum(nil)
}

func (s *csvSource) lineEnd() string {
	switch {
	case s.in.crlf > 0 && s.in.lf == 0:
		return "CRLF"
	case s.in.lf > 0 && s.in.crlf == 0:
		return "LF"
	}
	return ""
}

// csvInput hashes the text, counts line ends and stops a record that grows
// past max bytes.
type csvInput struct {
	r           io.Reader
	h           hash.Hash
	pending     []byte
	read        int64
	recordStart int64
	max         int64
	crlf, lf    int
	lastCR      bool
}

func (in *csvInput) Read(b []byte) (int, error) {
	// encoding/csv reads through a 4 KB buffer, so a record's bytes are at
	// most that far ahead of its start.
	if in.read-in.recordStart > in.max+4096 {
		return 0, &TooLargeError{What: "a CSV record", Limit: in.max, Unit: "bytes"}
	}
	if len(in.pending) > 0 {
		n := copy(b, in.pending)
		in.pending = in.pending[n:]
		in.read += int64(n)
		return n, nil
	}
	n, err := in.r.Read(b)
	in.h.Write(b[:n])
	in.count(b[:n])
	in.read += int64(n)
	return n, err
}

func (in *csvInput) count(b []byte) {
	for i, c := range b {
		if c == '\n' {
			if i > 0 && b[i-1] == '\r' || i == 0 && in.lastCR {
				in.crlf++
			} else {
				in.lf++
			}
		}
	}
	if len(b) > 0 {
		in.lastCR = b[len(b)-1] == '\r'
	}
}
