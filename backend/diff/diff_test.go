package diff

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestComputeUnified(t *testing.T) {
	tests := []struct {
		name                 string
		old, new             string
		oldExists, newExists bool
		want                 string
	}{
		{
			name: "one line changed", old: "a\nb\nc\n", new: "a\nB\nc\n", oldExists: true, newExists: true,
			want: "diff --git a/f.txt b/f.txt\n--- a/f.txt\n+++ b/f.txt\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n",
		},
		{
			name: "identical", old: "a\n", new: "a\n", oldExists: true, newExists: true,
			want: "",
		},
		{
			name: "new file", new: "x\ny\n", newExists: true,
			want: "diff --git a/f.txt b/f.txt\nnew file mode 100644\n--- /dev/null\n+++ b/f.txt\n@@ -0,0 +1,2 @@\n+x\n+y\n",
		},
		{
			name: "deleted file", old: "x\n", oldExists: true,
			want: "diff --git a/f.txt b/f.txt\ndeleted file mode 100644\n--- a/f.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n",
		},
		{
			name: "new empty file", newExists: true,
			want: "diff --git a/f.txt b/f.txt\nnew file mode 100644\nindex 0000000..e69de29\n",
		},
		{
			name: "deleted empty file", oldExists: true,
			want: "diff --git a/f.txt b/f.txt\ndeleted file mode 100644\nindex e69de29..0000000\n",
		},
		{
			name: "empty to text", old: "", new: "a\n", oldExists: true, newExists: true,
			want: "diff --git a/f.txt b/f.txt\n--- a/f.txt\n+++ b/f.txt\n@@ -0,0 +1 @@\n+a\n",
		},
		{
			name: "text to empty", old: "a\n", new: "", oldExists: true, newExists: true,
			want: "diff --git a/f.txt b/f.txt\n--- a/f.txt\n+++ b/f.txt\n@@ -1 +0,0 @@\n-a\n",
		},
		{
			name: "final newline added", old: "a\nb", new: "a\nb\n", oldExists: true, newExists: true,
			want: "diff --git a/f.txt b/f.txt\n--- a/f.txt\n+++ b/f.txt\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n",
		},
		{
			name: "final newline dropped", old: "a\nb\n", new: "a\nb", oldExists: true, newExists: true,
			want: "diff --git a/f.txt b/f.txt\n--- a/f.txt\n+++ b/f.txt\n@@ -1,2 +1,2 @@\n a\n-b\n+b\n\\ No newline at end of file\n",
		},
		{
			name: "unchanged last line without newline", old: "a\nb\nc", new: "A\nb\nc", oldExists: true, newExists: true,
			want: "diff --git a/f.txt b/f.txt\n--- a/f.txt\n+++ b/f.txt\n@@ -1,3 +1,3 @@\n-a\n+A\n b\n c\n\\ No newline at end of file\n",
		},
		{
			name: "crlf", old: "a\r\nb\r\n", new: "a\r\nB\r\n", oldExists: true, newExists: true,
			want: "diff --git a/f.txt b/f.txt\n--- a/f.txt\n+++ b/f.txt\n@@ -1,2 +1,2 @@\n a\r\n-b\r\n+B\r\n",
		},
		{
			name: "insertion in the middle has context on both sides",
			old:  "1\n2\n3\n4\n5\n6\n7\n8\n", new: "1\n2\n3\n4\nnew\n5\n6\n7\n8\n", oldExists: true, newExists: true,
			want: "diff --git a/f.txt b/f.txt\n--- a/f.txt\n+++ b/f.txt\n@@ -2,6 +2,7 @@\n 2\n 3\n 4\n+new\n 5\n 6\n 7\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Compute("f.txt", []byte(tt.old), []byte(tt.new), tt.oldExists, tt.newExists, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(r.Unified, tt.want); diff != "" {
				t.Errorf("unified (-got +want):\n%s", diff)
			}
			checkResult(t, testCase{name: tt.name, old: []byte(tt.old), new: []byte(tt.new), oldExists: tt.oldExists, newExists: tt.newExists}, r)
		})
	}
}

func TestHunksMergeLikeGNUDiff(t *testing.T) {
	lines := numbered(40, "%d\n")
	change := func(at ...int) []byte {
		ls := splitKeep(lines)
		var out []byte
		for i, l := range ls {
			for _, a := range at {
				if i == a {
					l = []byte("X\n")
				}
			}
			out = append(out, l...)
		}
		return out
	}
	for _, tt := range []struct {
		gap, hunks int
	}{{5, 1}, {6, 1}, {7, 2}} {
		t.Run(fmt.Sprintf("%d unchanged lines apart", tt.gap), func(t *testing.T) {
			r, err := Compute("f", lines, change(10, 11+tt.gap), true, true, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Hunks) != tt.hunks {
				t.Errorf("%d hunks, want %d:\n%s", len(r.Hunks), tt.hunks, r.Unified)
			}
		})
	}
}

func TestContextOption(t *testing.T) {
	cases := append(generatedCases(t, 10, 6), edgeCases()...)
	for _, context := range []int{1, 2, 5, 10} {
		t.Run(fmt.Sprint(context), func(t *testing.T) {
			for _, c := range cases {
				r := compute(t, c, Options{Context: context})
				checkResult(t, c, r)
				for _, h := range r.Hunks {
					lead := 0
					for lead < len(h.Lines) && h.Lines[lead].Kind == KindContext {
						lead++
					}
					if lead > context || (lead < context && h.OldStart > 1) {
						t.Fatalf("%s: hunk %q opens with %d context lines", c.name, h.Header, lead)
					}
				}
			}
		})
	}
}

func TestEdgeCases(t *testing.T) {
	for _, c := range edgeCases() {
		t.Run(c.name, func(t *testing.T) {
			r := compute(t, c, DefaultOptions())
			checkResult(t, c, r)
			if r.Coarse || r.Truncated || r.Binary {
				t.Errorf("coarse %v, truncated %v, binary %v", r.Coarse, r.Truncated, r.Binary)
			}
			switch c.name {
			case "edge_identical":
				if r.Unified != "" || r.Hunks == nil || len(r.Hunks) != 0 || r.Added+r.Deleted != 0 {
					t.Errorf("identical content gave a diff: %q", r.Unified)
				}
			case "edge_every_line_changed", "edge_to_crlf", "edge_from_crlf":
				n := len(splitKeep(c.old))
				if r.Added != n || r.Deleted != n {
					t.Errorf("+%d -%d, want +%d -%d", r.Added, r.Deleted, n, n)
				}
			case "edge_reordered_blocks":
				// Ten blocks of 30 lines in reverse order: one block stays,
				// nine move.
				if r.Added != 270 || r.Deleted != 270 {
					t.Errorf("+%d -%d, want +270 -270", r.Added, r.Deleted)
				}
			case "edge_one_10MB_line":
				if r.Added != 1 || r.Deleted != 1 || len(r.Hunks[0].Lines[0].Spans) != 0 {
					t.Errorf("+%d -%d, %d spans", r.Added, r.Deleted, len(r.Hunks[0].Lines[0].Spans))
				}
			}
			if r.OldExists != c.oldExists || r.NewExists != c.newExists || r.OldSize != int64(len(c.old)) || r.NewSize != int64(len(c.new)) {
				t.Errorf("exists/size fields wrong: %+v", r)
			}
			if c.oldExists != (r.OldSHA256 != "") || c.newExists != (r.NewSHA256 != "") {
				t.Errorf("hashes %q %q", r.OldSHA256, r.NewSHA256)
			}
		})
	}
}

func TestBinary(t *testing.T) {
	nulLate := append(bytes.Repeat([]byte("a"), binarySniffLen), 0)
	tests := []struct {
		name                 string
		old, new             []byte
		oldExists, newExists bool
		binary               bool
		unified, summary     string
	}{
		{
			name: "NUL byte", old: []byte("a\x00b"), new: []byte("a\x00c"), oldExists: true, newExists: true, binary: true,
			unified: "diff --git a/f.bin b/f.bin\nBinary files a/f.bin and b/f.bin differ\n",
			summary: "binary file, 3 bytes, SHA-256 " + sha256Hex([]byte("a\x00b")) + " -> binary file, 3 bytes, SHA-256 " + sha256Hex([]byte("a\x00c")),
		},
		{
			name: "new binary file", new: []byte{0, 1, 2}, newExists: true, binary: true,
			unified: "diff --git a/f.bin b/f.bin\nnew file mode 100644\nBinary files /dev/null and b/f.bin differ\n",
			summary: "new binary file, 3 bytes, SHA-256 " + sha256Hex([]byte{0, 1, 2}),
		},
		{
			name: "deleted binary file", old: []byte{0xff}, oldExists: true, binary: true,
			unified: "diff --git a/f.bin b/f.bin\ndeleted file mode 100644\nBinary files a/f.bin and /dev/null differ\n",
			summary: "deleted binary file, 1 bytes, SHA-256 " + sha256Hex([]byte{0xff}),
		},
		{
			name: "text becomes invalid UTF-8", old: []byte("caf\xc3\xa9\n"), new: []byte("caf\xe9\n"), oldExists: true, newExists: true, binary: true,
			unified: "diff --git a/f.bin b/f.bin\nBinary files a/f.bin and b/f.bin differ\n",
			summary: "binary file, 6 bytes, SHA-256 " + sha256Hex([]byte("caf\xc3\xa9\n")) + " -> binary file, 5 bytes, SHA-256 " + sha256Hex([]byte("caf\xe9\n")),
		},
		{
			name: "identical binary", old: []byte{0, 0}, new: []byte{0, 0}, oldExists: true, newExists: true, binary: true,
			summary: "binary file, 2 bytes, SHA-256 " + sha256Hex([]byte{0, 0}),
		},
		{
			name: "NUL after the first 8000 bytes is text", old: nulLate, new: append(slicesClone(nulLate), '\n'), oldExists: true, newExists: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Compute("f.bin", tt.old, tt.new, tt.oldExists, tt.newExists, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if r.Binary != tt.binary {
				t.Fatalf("Binary = %v, want %v", r.Binary, tt.binary)
			}
			if !tt.binary {
				checkResult(t, testCase{name: tt.name, old: tt.old, new: tt.new, oldExists: true, newExists: true}, r)
				return
			}
			if r.Unified != tt.unified || r.BinarySummary != tt.summary || len(r.Hunks) != 0 {
				t.Errorf("got unified %q summary %q, want %q %q", r.Unified, r.BinarySummary, tt.unified, tt.summary)
			}
		})
	}
}

func slicesClone(b []byte) []byte { return append([]byte(nil), b...) }

func TestComputeErrors(t *testing.T) {
	tests := []struct {
		name                 string
		path                 string
		old, new             []byte
		oldExists, newExists bool
		o                    Options
		want                 error
	}{
		{"empty path", "", nil, []byte("a"), true, true, Options{}, ErrInvalidInput},
		{"exists nowhere", "f", nil, nil, false, false, Options{}, ErrInvalidInput},
		{"content for a new file's old side", "f", []byte("a"), []byte("b"), false, true, Options{}, ErrInvalidInput},
		{"content for a deleted file's new side", "f", []byte("a"), []byte("b"), true, false, Options{}, ErrInvalidInput},
		{"negative option", "f", nil, nil, true, true, Options{Context: -1}, ErrInvalidInput},
		{"old too large", "f", make([]byte, 11), nil, true, true, Options{MaxInputBytes: 10}, ErrTooLarge},
		{"new too large", "f", nil, make([]byte, 11), true, true, Options{MaxInputBytes: 10}, ErrTooLarge},
		{"too many lines", "f", []byte("a\nb\nc"), nil, true, true, Options{MaxInputLines: 2}, ErrTooLarge},
		{"MaxInputBytes over 2 GiB", "f", nil, nil, true, true, Options{MaxInputBytes: 1 << 31}, ErrInvalidInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Compute(tt.path, tt.old, tt.new, tt.oldExists, tt.newExists, tt.o)
			if !errors.Is(err, tt.want) || r != nil {
				t.Fatalf("got %v, %v; want %v", r, err, tt.want)
			}
		})
	}
	_, err := Compute("f", make([]byte, 11), nil, true, true, Options{MaxInputBytes: 10})
	var tl *TooLargeError
	if !errors.As(err, &tl) || tl.Size != 11 || tl.Limit != 10 || tl.Side != "old" {
		t.Fatalf("got %#v", err)
	}
	if want := "file too large to preview, 11 bytes (old content; limit 10 bytes)"; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
	_, err = Compute("f", nil, []byte("1\n2\n3\n"), true, true, Options{MaxInputLines: 2})
	if want := "file too large to preview, 3 lines (new content; limit 2 lines)"; err == nil || err.Error() != want {
		t.Errorf("message %v, want %q", err, want)
	}
	// Binary content is not split into lines, so the line limit does not
	// apply to it.
	if _, err := Compute("f", nil, []byte("\x00\n\n\n"), true, true, Options{MaxInputLines: 2}); err != nil {
		t.Errorf("binary content: %v", err)
	}
}

func TestTruncated(t *testing.T) {
	old := numbered(1000, "line %d\n")
	var new []byte
	for i, l := range splitKeep(old) {
		if i%100 == 50 {
			l = []byte("changed\n")
		}
		new = append(new, l...)
	}
	full, err := Compute("f", old, new, true, true, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(full.Hunks) != 10 || full.Truncated {
		t.Fatalf("%d hunks, truncated %v", len(full.Hunks), full.Truncated)
	}
	for _, limit := range []int{1, 7, 8, 16, 20, 79, 80} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			r, err := Compute("f", old, new, true, true, Options{MaxDiffLines: limit})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, h := range r.Hunks {
				n += len(h.Lines)
			}
			wantTrunc := limit < 80
			if r.Truncated != wantTrunc || n != min(limit, 80) {
				t.Fatalf("truncated %v with %d lines", r.Truncated, n)
			}
			if r.Added != full.Added || r.Deleted != full.Deleted {
				t.Errorf("counts +%d -%d, want the full +%d -%d", r.Added, r.Deleted, full.Added, full.Deleted)
			}
			// Every hunk but the last is whole; the text is a well-formed
			// diff and is a prefix of the full one up to the cut hunk.
			for i, h := range r.Hunks[:len(r.Hunks)-1] {
				if diff := cmp.Diff(h, full.Hunks[i]); diff != "" {
					t.Fatalf("hunk %d differs from the full diff:\n%s", i, diff)
				}
			}
			checkResult(t, testCase{name: "truncated", old: old, new: new, oldExists: true, newExists: true}, r)
			if _, err := applyUnified(old, r.Unified); err != nil {
				t.Errorf("truncated diff does not apply: %v", err)
			}
		})
	}
}

func TestCoarseIsStillExact(t *testing.T) {
	// Few distinct lines in a scrambled order: no unique lines to anchor on,
	// and an edit distance too large for a tiny budget.
	var old, new []byte
	s := uint32(1)
	rnd := func() int { s = s*1664525 + 1013904223; return int(s >> 24) }
	for range 3000 {
		old = fmt.Appendf(old, "%d\n", rnd()%5)
		new = fmt.Appendf(new, "%d\n", rnd()%5)
	}
	c := testCase{name: "coarse", old: old, new: new, oldExists: true, newExists: true}
	c.path = "coarse.txt"
	r := compute(t, c, Options{MaxCost: 5000})
	if !r.Coarse {
		t.Errorf("a 5000-unit budget was enough for %d lines?", len(old)/2)
	}
	checkResult(t, c, r)
	r = compute(t, c, Options{})
	checkResult(t, c, r)

	// Whatever runs out first (matching, sliding), the diff stays exact.
	cases := append(generatedCases(t, 10, 6), edgeCases()...)
	for _, budget := range []int64{1, 10, 100, 1000, 10_000} {
		for _, c := range cases {
			checkResult(t, c, compute(t, c, Options{MaxCost: budget}))
		}
	}
}

func TestDeterministic(t *testing.T) {
	cases := append(generatedCases(t, 10, 6), edgeCases()...)
	first := make([]*Result, len(cases))
	for i, c := range cases {
		first[i] = compute(t, c, DefaultOptions())
	}
	var wg sync.WaitGroup
	errs := make(chan string, len(cases)*3)
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, c := range cases {
				r, err := Compute(c.path, c.old, c.new, c.oldExists, c.newExists, DefaultOptions())
				if err != nil {
					errs <- err.Error()
					continue
				}
				if diff := cmp.Diff(first[i], r); diff != "" {
					errs <- c.name + ":\n" + diff
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestSpans(t *testing.T) {
	tests := []struct {
		name       string
		old, new   string
		del, add   []Span
		delN, addN string // the highlighted text, for readability
	}{
		{name: "one word", old: "x := compute(1, total)", new: "x := compute(2, total)", del: []Span{{13, 14}}, add: []Span{{13, 14}}},
		{name: "whole words", old: "count += 1", new: "counter += 1", del: []Span{{0, 5}}, add: []Span{{0, 7}}},
		{name: "words joined across spaces", old: "a b c d e f", new: "a x y d e f", del: []Span{{2, 5}}, add: []Span{{2, 5}}},
		{name: "line ending", old: "line", new: "line\r", add: []Span{{4, 5}}},
		{name: "unrelated lines", old: "return nil", new: "for i := range xs {"},
		{name: "unspaced script", old: "日本語", new: "日本語です", add: []Span{{9, 15}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Compute("f", []byte(tt.old+"\n"), []byte(tt.new+"\n"), true, true, Options{})
			if err != nil {
				t.Fatal(err)
			}
			lines := r.Hunks[0].Lines
			if diff := cmp.Diff([][]Span{lines[0].Spans, lines[1].Spans}, [][]Span{tt.del, tt.add}); diff != "" {
				t.Errorf("spans (-got +want):\n%s", diff)
			}
		})
	}
	long := strings.Repeat("word ", maxSpanLineBytes/5+1)
	r, err := Compute("f", []byte(long+"a\n"), []byte(long+"b\n"), true, true, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s := r.Hunks[0].Lines[1].Spans; s != nil {
		t.Errorf("line over %d bytes got spans %v", maxSpanLineBytes, s)
	}
}

func TestJSONShape(t *testing.T) {
	r, err := Compute("f", []byte("a\nb"), []byte("a\nc"), true, true, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(r.Hunks[0])
	want := `{"old_start":1,"old_lines":2,"new_start":1,"new_lines":2,"header":"@@ -1,2 +1,2 @@","lines":[` +
		`{"kind":"context","old":1,"new":1,"text":"a"},` +
		`{"kind":"del","old":2,"no_newline":true,"text":"b"},` +
		`{"kind":"add","new":2,"no_newline":true,"text":"c"}]}`
	if diff := cmp.Diff(string(got), want); diff != "" {
		t.Errorf("JSON (-got +want):\n%s", diff)
	}
}

func TestQuotePath(t *testing.T) {
	for in, want := range map[string]string{
		"a/plain/path.go":  "a/plain/path.go",
		"a/with space":     "a/with space",
		"a/naïve":          `"a/na\303\257ve"`,
		"a/tab\there":      `"a/tab\there"`,
		"a/quote\"back\\":  `"a/quote\"back\\"`,
		"a/new\nline\x01":  `"a/new\nline\001"`,
		"a/del\x7f":        `"a/del\177"`,
		"a/-dash --- x.go": "a/-dash --- x.go",
	} {
		if got := quotePath(in); got != want {
			t.Errorf("quotePath(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestMatcherStrategies drives each way the matcher can take through a
// region, and checks that every one gives an exact diff.
func TestMatcherStrategies(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	uniq := func(n int, tag string) [][]byte {
		ls := make([][]byte, n)
		for i := range ls {
			ls[i] = fmt.Appendf(nil, "%s line %d %x\n", tag, i, r.Uint32())
		}
		return ls
	}
	join := func(parts ...[][]byte) []byte {
		var out []byte
		for _, p := range parts {
			for _, l := range p {
				out = append(out, l...)
			}
		}
		return out
	}
	edit := func(ls [][]byte, every int) [][]byte {
		out := slices.Clone(ls)
		for i := range out {
			if i%every == every/2 {
				out[i] = fmt.Appendf(nil, "edited %d %x\n", i, r.Uint32())
			}
		}
		return out
	}
	letters := func(n, alpha int) [][]byte {
		ls := make([][]byte, n)
		for i := range ls {
			ls[i] = []byte{byte('a' + r.IntN(alpha)), '\n'}
		}
		return ls
	}
	x := uniq(12_500, "x")
	xe := edit(x, 500)
	// Changed first and last lines leave no common prefix or suffix.
	xe[0], xe[len(xe)-1] = []byte("first\n"), []byte("last\n")
	y := uniq(5000, "y")
	tests := []struct {
		name     string
		old, new []byte
		coarse   bool
		changed  int // Added+Deleted, when known
	}{
		// No line occurs once, and the region is too large to try Myers
		// first: histogram splits on lines occurring twice.
		{"histogram", join(x, x), join(xe, xe), false, 2 * 2 * 27},
		// Few distinct lines and many changes: Myers settles for good
		// splits, as git does past its cost limit.
		{"bounded Myers", join(letters(6000, 5)), join(letters(6000, 5)), true, 0},
		// Unique lines in order, but too many changes for the first Myers
		// attempt: the region comes back and is anchored on unique lines.
		{"Myers attempt over budget", join(y), join(edit(y, 2)), false, 5000},
		// Unique lines mostly out of order: anchored without trying Myers.
		{"reordered", join(y[2500:], y[:2500]), join(y[:2500], y[2500:]), false, 5000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := testCase{name: tt.name, path: "f", old: tt.old, new: tt.new, oldExists: true, newExists: true}
			res := compute(t, c, DefaultOptions())
			checkResult(t, c, res)
			if res.Coarse != tt.coarse {
				t.Errorf("Coarse = %v, want %v", res.Coarse, tt.coarse)
			}
			if n := res.Added + res.Deleted; tt.changed > 0 && n != tt.changed {
				t.Errorf("%d changed lines, want %d", n, tt.changed)
			}
		})
	}
}
