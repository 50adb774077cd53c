package sheet

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"countersign/backend/errs"
	"countersign/backend/proposal"
)

// tallBook is a sheet of rows × 5 columns written with the StreamWriter.
func tallBook(t testing.TB, rows int, change func(r, c int) (any, bool)) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	must(t, err)
	vals := make([]any, 5)
	for r := 1; r <= rows; r++ {
		for c := range vals {
			vals[c] = r*10 + c
			if change != nil {
				if v, ok := change(r, c+1); ok {
					vals[c] = v
				}
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, r)
		must(t, sw.SetRow(cell, vals))
	}
	must(t, sw.Flush())
	var buf bytes.Buffer
	must(t, f.Write(&buf))
	// The StreamWriter leaves the sheet's dimension at A1; say what it is.
	return rewritePart(t, buf.Bytes(), "xl/worksheets/sheet1.xml", func(s string) string {
		return strings.Replace(s, `<dimension ref="A1"></dimension>`, fmt.Sprintf(`<dimension ref="A1:E%d"/>`, rows), 1)
	})
}

func gridLines(g *Grid) []string {
	var out []string
	for _, c := range g.Cells {
		line := c.Cell + " " + show(c.Value)
		if c.Change != "" {
			line += fmt.Sprintf(" [%s from %s]", c.Change, show(c.Old))
		}
		out = append(out, line)
	}
	return out
}

func TestWindowReadsOnlyWhatItShows(t *testing.T) {
	wb := open(t, tallBook(t, 20000, nil))
	tests := []struct {
		name     string
		q        WindowQuery
		want     []string
		maxRows  int64
		end      bool
		clampedR int
	}{
		{"the first screen", WindowQuery{Sheet: "Sheet1", FirstRow: 1, Rows: 2, FirstCol: 2, Cols: 2},
			[]string{"B1 number 11", "C1 number 12", "B2 number 21", "C2 number 22"}, 3, false, 2},
		{"further down", WindowQuery{Sheet: "Sheet1", FirstRow: 10000, Rows: 1, FirstCol: 5, Cols: 3},
			[]string{"E10000 number 100004"}, 10001, false, 1},
		{"past the end", WindowQuery{Sheet: "sheet1", FirstRow: 19999, Rows: 5, FirstCol: 1, Cols: 1},
			[]string{"A19999 number 199990", "A20000 number 200000"}, 20000, true, 5},
		{"too many rows asked", WindowQuery{Sheet: "Sheet1", FirstRow: 1, Rows: 1 << 30, FirstCol: 6, Cols: 1},
			nil, MaxWindowRows + 1, false, MaxWindowRows},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := wb.rowsRead.Load()
			g, err := Window(context.Background(), wb, tt.q)
			must(t, err)
			if d := cmp.Diff(gridLines(g), tt.want); d != "" {
				t.Errorf("cells (-got +want):\n%s", d)
			}
			if read := wb.rowsRead.Load() - before; read > tt.maxRows {
				t.Errorf("read %d rows for the window, want at most %d", read, tt.maxRows)
			}
			if g.End != tt.end || g.Rows != tt.clampedR || g.Dimension != "A1:E20000" {
				t.Errorf("end %v rows %d dimension %q", g.End, g.Rows, g.Dimension)
			}
		})
	}
}

func TestWindowMarksChanges(t *testing.T) {
	old := open(t, tallBook(t, 30, nil))
	new := open(t, tallBook(t, 30, func(r, c int) (any, bool) {
		if r == 3 && c == 2 {
			return "text", true
		}
		return nil, false
	}))
	g, err := WindowDiff(context.Background(), old, new, WindowQuery{Sheet: "Sheet1", FirstRow: 2, Rows: 2, FirstCol: 1, Cols: 2})
	must(t, err)
	want := []string{"A2 number 20", "B2 number 21", "A3 number 30", "B3 string text [modified from number 31]"}
	if d := cmp.Diff(gridLines(g), want); d != "" {
		t.Errorf("WindowDiff (-got +want):\n%s", d)
	}
	g, err = WindowUpdate(context.Background(), old, []proposal.CellEdit{{Sheet: "Sheet1", Cell: "A2"}, {Sheet: "Sheet1", Cell: "F3", Formula: "A3*2"}, {Sheet: "Sheet1", Cell: "B3", Value: "31"}},
		WindowQuery{Sheet: "Sheet1", FirstRow: 2, Rows: 2, FirstCol: 1, Cols: 6})
	must(t, err)
	want = []string{
		"A2 empty [removed from number 20]", "B2 number 21", "C2 number 22", "D2 number 23", "E2 number 24",
		"A3 number 30", "B3 number 31", "C3 number 32", "D3 number 33", "E3 number 34", "F3 =A3*2 uncalculated [added from empty]",
	}
	if d := cmp.Diff(gridLines(g), want); d != "" {
		t.Errorf("WindowUpdate (-got +want):\n%s", d)
	}
}

func TestProgressAndCancel(t *testing.T) {
	old := tallBook(t, 20000, nil)
	new := tallBook(t, 20000, func(r, c int) (any, bool) { return -r, r%100 == 0 && c == 1 })
	var seen []Progress
	cs := diffBytes(t, old, new, Options{Progress: func(p Progress) { seen = append(seen, p) }})
	if cs.Totals.Cells != 200 {
		t.Errorf("found %d changed cells, want 200", cs.Totals.Cells)
	}
	if len(seen) < 4 {
		t.Fatalf("progress reported %d times", len(seen))
	}
	for i, p := range seen {
		if p.Total != 20000 || p.Rows > p.Total || p.Fraction <= 0 || p.Fraction > 1 ||
			i > 0 && (p.Rows < seen[i-1].Rows || p.Fraction < seen[i-1].Fraction) {
			t.Errorf("progress %d: %+v", i, p)
		}
	}
	if last := seen[len(seen)-1]; last.Rows != 20000 || last.Fraction != 1 {
		t.Errorf("last progress %+v", last)
	}
	if mid := seen[len(seen)/2]; mid.Fraction < 0.2 || mid.Fraction > 0.8 {
		t.Errorf("progress half way: %+v", mid)
	}

	ctx, cancel := context.WithCancel(context.Background())
	ow, nw := open(t, old), open(t, new)
	calls := 0
	start := time.Now()
	_, err := Diff(ctx, ow, nw, Options{Progress: func(Progress) {
		if calls++; calls == 1 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled comparison returned %v", err)
	}
	if calls > 2 || time.Since(start) > 10*time.Second {
		t.Errorf("the comparison went on after the cancel: %d progress calls, %v", calls, time.Since(start))
	}
	// The workbooks stay usable.
	if _, err := Diff(context.Background(), ow, nw, Options{}); err != nil {
		t.Errorf("after a cancel: %v", err)
	}
}

// TestSmallMemoryGivesTheSameAnswer runs comparisons with a tiny memory
// budget, so shared strings spill to disk and dependents take a second pass,
// and expects the same change set as with the default budget.
func TestSmallMemoryGivesTheSameAnswer(t *testing.T) {
	build := func(change bool) []byte {
		return book(t, func(f *excelize.File) {
			for r := 1; r <= 400; r++ {
				v := fmt.Sprintf("text %d %s", r, strings.Repeat("x", r%50))
				if change && r%40 == 0 {
					v += " changed"
				}
				f.SetCellValue("Sheet1", fmt.Sprintf("A%d", r), v)
				f.SetCellValue("Sheet1", fmt.Sprintf("B%d", r), r)
			}
			// Forward references: these formulas come before what they read.
			f.SetCellFormula("Sheet1", "C1", "COUNTIF(A2:A400,\"*changed\")")
			f.SetCellFormula("Sheet1", "D1", "Totals!A1")
			f.NewSheet("Totals")
			f.SetCellFormula("Totals", "A1", "COUNTA(Sheet1!A:A)")
			f.SetCellFormula("Totals", "A2", "Sheet1!A40&Sheet1!A80")
		})
	}
	old, new := build(false), build(true)
	want := digest(diffBytes(t, old, new))
	small := Options{MemoryBytes: 512}
	ow, nw := open(t, old, small), open(t, new, small)
	cs, err := Diff(context.Background(), ow, nw, small)
	must(t, err)
	if d := cmp.Diff(digest(cs), want); d != "" {
		t.Errorf("with a small budget (-got +want):\n%s", d)
	}
	if ow.sst == nil || ow.sst.spill == nil {
		t.Errorf("the shared strings did not spill")
	}
	if len(want) < 10 {
		t.Errorf("expected changes and dependents, got %q", want)
	}
	must(t, ow.Close())
	must(t, nw.Close())
}

// TestConcurrentUse reads one workbook from several goroutines.
func TestConcurrentUse(t *testing.T) {
	wb := open(t, tallBook(t, 500, nil))
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g, err := Window(context.Background(), wb, WindowQuery{Sheet: "Sheet1", FirstRow: i*50 + 1, Rows: 10, FirstCol: 1, Cols: 5})
			if err != nil || len(g.Cells) != 50 {
				t.Errorf("window %d: %v, %d cells", i, err, len(g.Cells))
			}
			if _, err := PreviewUpdate(context.Background(), wb, []proposal.CellEdit{{Sheet: "Sheet1", Cell: "A1", Value: "x"}}, Options{}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
}

func TestWindowUnknownSheet(t *testing.T) {
	_, err := Window(context.Background(), open(t, book(t, base)), WindowQuery{Sheet: "Nope", Rows: 1, Cols: 1})
	if errs.CodeOf(err) != errs.CodeNotFound {
		t.Errorf("err = %v", err)
	}
}
