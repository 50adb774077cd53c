package sheet

import (
	"archive/zip"
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"countersign/backend/proposal"
)

// The benchmarks compare two workbooks of rows × 20 columns where about 1% of
// the cells differ: an id, a name (unique text), a category (repeated text),
// a date, 15 numbers and a row total (a formula with its cached value). The
// files are generated once per process with excelize's StreamWriter and kept
// in a temporary directory.
//
//	go test -run '^$' -bench . ./backend/sheet
//	COUNTERSIGN_BENCH_LONG=1 go test -run '^$' -bench 1M -timeout 30m ./backend/sheet

var (
	benchDir     string
	benchDirOnce sync.Once
	benchFiles   sync.Map // rows -> *benchPair
	peerNsPerOp  sync.Map // rows -> float64
)

type benchPair struct {
	once     sync.Once
	old, new string
	changed  int
	err      error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

func benchWorkbooks(b *testing.B, rows int) (string, string, int) {
	return benchWorkbooksOf(b, rows, "stream", writeBenchBook)
}

func benchWorkbooksOf(b *testing.B, rows int, kind string, write func(string, int, *int) error) (string, string, int) {
	b.Helper()
	benchDirOnce.Do(func() {
		var err error
		if benchDir, err = os.MkdirTemp("", "countersign-sheet-bench-"); err != nil {
			b.Fatal(err)
		}
	})
	v, _ := benchFiles.LoadOrStore(kind+strconv.Itoa(rows), &benchPair{})
	p := v.(*benchPair)
	p.once.Do(func() {
		start := time.Now()
		p.old = filepath.Join(benchDir, fmt.Sprintf("old-%s-%d.xlsx", kind, rows))
		p.new = filepath.Join(benchDir, fmt.Sprintf("new-%s-%d.xlsx", kind, rows))
		if p.err = write(p.old, rows, nil); p.err != nil {
			return
		}
		p.changed = 0
		p.err = write(p.new, rows, &p.changed)
		b.Logf("generated two %d-row workbooks (%s) in %v", rows, kind, time.Since(start).Round(time.Millisecond))
	})
	if p.err != nil {
		b.Fatal(p.err)
	}
	return p.old, p.new, p.changed
}

var benchCategories = []string{"north", "south", "east", "west", "online", "retail", "wholesale", "export"}

// benchRow is one generated row of the benchmark data.
type benchRow struct {
	id        int
	name, cat string
	day       int
	nums      [15]float64
	sum       float64
}

// benchRows generates the rows; with changed != nil it makes the "new"
// version, changing about 1% of the cells and counting them.
func benchRows(rows int, changed *int, emit func(r int, row *benchRow) error) error {
	rng := rand.New(rand.NewPCG(1, 2))
	change := rand.New(rand.NewPCG(3, 4))
	var br benchRow
	for r := 2; r <= rows+1; r++ {
		for i := range br.nums {
			br.nums[i] = float64(rng.IntN(100000)) / 100
		}
		br.id, br.name, br.cat, br.day = r-1, fmt.Sprintf("Customer %07d", r-1), benchCategories[rng.IntN(len(benchCategories))], 40000+rng.IntN(5000)
		if changed != nil {
			for c := 0; c < 19; c++ {
				if change.IntN(100) != 0 {
					continue
				}
				*changed++
				switch {
				case c == 0:
					br.id += 1000000
				case c == 1:
					br.name += " (renamed)"
				case c == 2:
					br.cat = "changed"
				case c == 3:
					br.day++
				default:
					br.nums[c-4] += 1
				}
			}
		}
		br.sum = 0
		for _, n := range br.nums {
			br.sum += n
		}
		if err := emit(r, &br); err != nil {
			return err
		}
	}
	return nil
}

// writeBenchBook writes the benchmark workbook with excelize's StreamWriter
// (text as inline strings, as the StreamWriter writes it).
func writeBenchBook(path string, rows int, changed *int) error {
	f := excelize.NewFile()
	defer f.Close()
	date, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		return err
	}
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	header := make([]any, 20)
	for c := range header {
		header[c] = "col" + strconv.Itoa(c+1)
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	vals := make([]any, 20)
	err = benchRows(rows, changed, func(r int, br *benchRow) error {
		vals[0], vals[1], vals[2] = br.id, br.name, br.cat
		vals[3] = excelize.Cell{StyleID: date, Value: br.day}
		for i, n := range br.nums {
			vals[4+i] = n
		}
		vals[19] = excelize.Cell{Formula: fmt.Sprintf("SUM(E%d:S%d)", r, r), Value: br.sum}
		cell, _ := excelize.CoordinatesToCellName(1, r)
		return sw.SetRow(cell, vals)
	})
	if err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.SaveAs(path)
}

// writeBenchBookSST writes the same data as Excel saves it: text in the
// shared string table, the sheet's dimension filled in, a shared formula
// for the row totals. It writes the parts itself, streaming.
func writeBenchBookSST(path string, rows int, changed *int) error {
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	defer out.Close()
	zw := zip.NewWriter(out)
	part := func(name, body string) error {
		w, err := zw.Create(name)
		if err == nil {
			_, err = io.WriteString(w, body)
		}
		return err
	}
	index := map[string]int{}
	var table []string
	sst := func(s string) int {
		i, ok := index[s]
		if !ok {
			i = len(table)
			index[s] = i
			table = append(table, s)
		}
		return i
	}
	w, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	fmt.Fprintf(bw, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+"\n"+`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:T%d"/><sheetData><row r="1">`, rows+1)
	for c := 1; c <= 20; c++ {
		fmt.Fprintf(bw, `<c r="%s1" t="s"><v>%d</v></c>`, columnName(c), sst("col"+strconv.Itoa(c)))
	}
	bw.WriteString(`</row>`)
	err = benchRows(rows, changed, func(r int, br *benchRow) error {
		fmt.Fprintf(bw, `<row r="%d" spans="1:20"><c r="A%d"><v>%d</v></c><c r="B%d" t="s"><v>%d</v></c><c r="C%d" t="s"><v>%d</v></c><c r="D%d" s="1"><v>%d</v></c>`,
			r, r, br.id, r, sst(br.name), r, sst(br.cat), r, br.day)
		for i, n := range br.nums {
			fmt.Fprintf(bw, `<c r="%s%d"><v>%s</v></c>`, columnName(5+i), r, strconv.FormatFloat(n, 'f', -1, 64))
		}
		sum := strconv.FormatFloat(br.sum, 'f', -1, 64)
		if r == 2 {
			fmt.Fprintf(bw, `<c r="T2"><f t="shared" ref="T2:T%d" si="0">SUM(E2:S2)</f><v>%s</v></c></row>`, rows+1, sum)
		} else {
			fmt.Fprintf(bw, `<c r="T%d"><f t="shared" si="0"/><v>%s</v></c></row>`, r, sum)
		}
		return nil
	})
	if err != nil {
		return err
	}
	bw.WriteString(`</sheetData></worksheet>`)
	if err := bw.Flush(); err != nil {
		return err
	}
	w, err = zw.Create("xl/sharedStrings.xml")
	if err != nil {
		return err
	}
	bw = bufio.NewWriterSize(w, 1<<20)
	fmt.Fprintf(bw, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+"\n"+`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" uniqueCount="%d">`, len(table))
	for _, s := range table {
		bw.WriteString("<si><t>")
		bw.Write(escapeText(nil, s))
		bw.WriteString("</t></si>")
	}
	bw.WriteString("</sst>")
	if err := bw.Flush(); err != nil {
		return err
	}
	const ns = `xmlns="http://schemas.openxmlformats.org/package/2006/relationships"`
	for _, p := range [][2]string{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>` +
			`<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships ` + ns + `><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships ` + ns + `><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>` +
			`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/styles.xml", `<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>`},
	} {
		if err := part(p[0], p[1]); err != nil {
			return err
		}
	}
	return zw.Close()
}

// peakMeter samples the heap in use while an operation runs.
type peakMeter struct {
	stop   chan struct{}
	done   chan struct{}
	peak   uint64
	before uint64
}

func heapInUse() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64() + s[1].Value.Uint64()
}

func startPeakMeter() *peakMeter {
	runtime.GC()
	m := &peakMeter{stop: make(chan struct{}), done: make(chan struct{}), before: heapInUse()}
	m.peak = m.before
	go func() {
		defer close(m.done)
		t := time.NewTicker(500 * time.Microsecond)
		defer t.Stop()
		for {
			select {
			case <-m.stop:
				return
			case <-t.C:
				m.peak = max(m.peak, heapInUse())
			}
		}
	}()
	return m
}

func (m *peakMeter) finish() uint64 {
	close(m.stop)
	<-m.done
	return max(m.peak, heapInUse())
}

// resetPeakRSS resets the kernel's high-water mark of this process's
// resident memory (Linux 4.0+); peakRSS reads it. Both report false
// elsewhere.
func resetPeakRSS() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

func peakRSS() (uint64, bool) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10, err == nil
		}
	}
	return 0, false
}

const mb = 1 << 20

// BenchmarkPeerExcelizeRows is the baseline: both workbooks read with
// excelize's row iterator, one after the other, values only.
func BenchmarkPeerExcelizeRows(b *testing.B) {
	oldPath, newPath, _ := benchWorkbooks(b, 100000)
	benchPeer(b, 100000, oldPath, newPath)
}

// freeAndReset hands memory the generation used back to the system, then
// resets the peak resident size, so the figure measures the benchmark.
func freeAndReset() {
	runtime.GC()
	debug.FreeOSMemory()
	resetPeakRSS()
}

func benchPeer(b *testing.B, rows int, paths ...string) {
	freeAndReset()
	m := startPeakMeter()
	b.ResetTimer()
	for range b.N {
		for _, p := range paths {
			f, err := excelize.OpenFile(p)
			if err != nil {
				b.Fatal(err)
			}
			rs, err := f.Rows("Sheet1")
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for rs.Next() {
				cols, err := rs.Columns()
				if err != nil {
					b.Fatal(err)
				}
				n += len(cols)
			}
			rs.Close()
			f.Close()
			if n < rows*20 {
				b.Fatalf("read %d cells", n)
			}
		}
	}
	b.StopTimer()
	peak := m.finish()
	peerNsPerOp.Store(rows, float64(b.Elapsed().Nanoseconds())/float64(b.N))
	b.ReportMetric(float64(peak)/mb, "peak-heap-MB")
	if rss, ok := peakRSS(); ok {
		b.ReportMetric(float64(rss)/mb, "max-rss-MB")
	}
}

// BenchmarkDiff100k is the cell-level comparison of two 100,000-row ×
// 20-column workbooks with about 1% of the cells changed.
func BenchmarkDiff100k(b *testing.B) {
	oldPath, newPath, changed := benchWorkbooks(b, 100000)
	benchDiff(b, 100000, oldPath, newPath, changed, nil)
}

func benchDiff(b *testing.B, rows int, oldPath, newPath string, changed int, progress func(Progress)) {
	freeAndReset()
	m := startPeakMeter()
	b.ResetTimer()
	var cs *ChangeSet
	for range b.N {
		old, err := OpenFile(oldPath, Options{})
		if err != nil {
			b.Fatal(err)
		}
		new, err := OpenFile(newPath, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if cs, err = Diff(context.Background(), old, new, Options{Progress: progress}); err != nil {
			b.Fatal(err)
		}
		old.Close()
		new.Close()
	}
	b.StopTimer()
	peak := m.finish()
	// Every changed input cell, plus the row totals whose cached value moved.
	if cs.Totals.Cells < changed {
		b.Fatalf("found %d changed cells, generated %d", cs.Totals.Cells, changed)
	}
	b.ReportMetric(float64(peak)/mb, "peak-heap-MB")
	if rss, ok := peakRSS(); ok {
		b.ReportMetric(float64(rss)/mb, "max-rss-MB")
	}
	b.ReportMetric(float64(cs.Totals.Cells), "changed-cells")
	if peer, ok := peerNsPerOp.Load(rows); ok {
		b.ReportMetric(peer.(float64)/(float64(b.Elapsed().Nanoseconds())/float64(b.N)), "x-faster-than-peer")
	}
}

// BenchmarkDiff100kSharedStrings is the same comparison on files laid out
// as Excel saves them: shared strings and a shared formula.
func BenchmarkDiff100kSharedStrings(b *testing.B) {
	oldPath, newPath, changed := benchWorkbooksOf(b, 100000, "sst", writeBenchBookSST)
	benchDiff(b, 100000, oldPath, newPath, changed, nil)
}

// BenchmarkDiff1M is the 1,000,000-row case, run only with
// COUNTERSIGN_BENCH_LONG=1. It prints progress, then shows that a comparison
// stops promptly when cancelled.
func BenchmarkDiff1M(b *testing.B) {
	if os.Getenv("COUNTERSIGN_BENCH_LONG") != "1" {
		b.Skip("set COUNTERSIGN_BENCH_LONG=1 to run the 1,000,000-row case")
	}
	oldPath, newPath, changed := benchWorkbooks(b, 1000000)
	if _, ok := peerNsPerOp.Load(1000000); !ok && os.Getenv("COUNTERSIGN_BENCH_PEER") == "1" {
		b.Run("peer", func(b *testing.B) { benchPeer(b, 1000000, oldPath, newPath) })
	}
	var last time.Time
	progress := func(p Progress) {
		if time.Since(last) > 2*time.Second {
			last = time.Now()
			fmt.Fprintf(os.Stderr, "  progress: %s %d rows, %.0f%%\n", p.Sheet, p.Rows, 100*p.Fraction)
		}
	}
	b.Run("diff", func(b *testing.B) { benchDiff(b, 1000000, oldPath, newPath, changed, progress) })
	b.Run("diff-shared-strings", func(b *testing.B) {
		o, n, c := benchWorkbooksOf(b, 1000000, "sst", writeBenchBookSST)
		benchDiff(b, 1000000, o, n, c, progress)
	})

	// Cancel a comparison half a second in.
	old, err := OpenFile(oldPath, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer old.Close()
	new, err := OpenFile(newPath, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer new.Close()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(500*time.Millisecond, cancel)
	start := time.Now()
	_, err = Diff(ctx, old, new, Options{})
	if !errors.Is(err, context.Canceled) {
		b.Fatalf("cancelled comparison returned %v", err)
	}
	fmt.Fprintf(os.Stderr, "  cancelled after 500ms: returned in %v\n", time.Since(start).Round(time.Millisecond))
}

// BenchmarkPreviewUpdate100k previews ten cell edits of the 100,000-row
// workbook: one pass over it, reading the edited cells and every formula.
func BenchmarkPreviewUpdate100k(b *testing.B) {
	oldPath, _, _ := benchWorkbooksOf(b, 100000, "sst", writeBenchBookSST)
	wb, err := OpenFile(oldPath, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer wb.Close()
	cells := make([]proposal.CellEdit, 10)
	for i := range cells {
		cells[i] = proposal.CellEdit{Sheet: "Sheet1", Cell: fmt.Sprintf("F%d", 2+i*9000), Value: "1"}
	}
	freeAndReset()
	m := startPeakMeter()
	b.ResetTimer()
	var cs *ChangeSet
	for range b.N {
		if cs, err = PreviewUpdate(context.Background(), wb, cells, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(m.finish())/mb, "peak-heap-MB")
	if cs.Totals.Dependents != 10 {
		b.Fatalf("dependents %d, want the 10 row totals", cs.Totals.Dependents)
	}
}

// BenchmarkApply100k writes the 100,000-row workbook with ten cells edited.
func BenchmarkApply100k(b *testing.B) {
	oldPath, _, _ := benchWorkbooksOf(b, 100000, "sst", writeBenchBookSST)
	wb, err := OpenFile(oldPath, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer wb.Close()
	cells := make([]proposal.CellEdit, 10)
	for i := range cells {
		cells[i] = proposal.CellEdit{Sheet: "Sheet1", Cell: fmt.Sprintf("F%d", 2+i*9000), Value: "1"}
	}
	freeAndReset()
	m := startPeakMeter()
	b.ResetTimer()
	for range b.N {
		if err := Apply(context.Background(), wb, cells, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(m.finish())/mb, "peak-heap-MB")
}

// BenchmarkWindowFirstScreen100k reads the first 50 rows × 20 columns of the
// 100,000-row sheet, as the grid's first screen.
func BenchmarkWindowFirstScreen100k(b *testing.B) {
	oldPath, _, _ := benchWorkbooksOf(b, 100000, "sst", writeBenchBookSST)
	wb, err := OpenFile(oldPath, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer wb.Close()
	b.ResetTimer()
	for range b.N {
		g, err := Window(context.Background(), wb, WindowQuery{Sheet: "Sheet1", FirstRow: 1, Rows: 50, FirstCol: 1, Cols: 20})
		if err != nil || len(g.Cells) != 1000 {
			b.Fatal(err, len(g.Cells))
		}
	}
}
