package diff

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var hunkHeader = regexp.MustCompile(`^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@$`)

// patchLine is one line of a parsed hunk.
type patchLine struct {
	op   byte   // ' ', '-' or '+'
	line []byte // with its "\n" unless marked "\ No newline at end of file"
}

type parsedHunk struct {
	oldStart, oldLines, newStart, newLines int
	header                                 string
	lines                                  []patchLine
}

// parseUnified reads a single-file unified diff as Compute writes it,
// strictly: the header lines in git's order, hunk counts that match their
// lines, and nothing else.
func parseUnified(unified string) (oldExists, newExists bool, hunks []parsedHunk, err error) {
	if unified == "" {
		return true, true, nil, nil
	}
	if !strings.HasSuffix(unified, "\n") {
		return false, false, nil, fmt.Errorf("diff does not end in a newline")
	}
	lines := strings.SplitAfter(unified, "\n")
	lines = lines[:len(lines)-1]
	k := 0
	next := func() string {
		if k >= len(lines) {
			return ""
		}
		k++
		return lines[k-1]
	}
	if !strings.HasPrefix(next(), "diff --git ") {
		return false, false, nil, fmt.Errorf("no diff --git line")
	}
	oldExists, newExists = true, true
	if k < len(lines) {
		switch lines[k] {
		case "new file mode 100644\n":
			oldExists = false
			k++
		case "deleted file mode 100644\n":
			newExists = false
			k++
		}
	}
	if k < len(lines) && strings.HasPrefix(lines[k], "index ") {
		k++
	}
	if k == len(lines) {
		return oldExists, newExists, nil, nil
	}
	minus, plus := next(), next()
	if !strings.HasPrefix(minus, "--- ") || !strings.HasPrefix(plus, "+++ ") {
		return false, false, nil, fmt.Errorf("bad file header %q %q", minus, plus)
	}
	if (minus == "--- /dev/null\n") == oldExists || (plus == "+++ /dev/null\n") == newExists {
		return false, false, nil, fmt.Errorf("/dev/null does not match the mode lines")
	}
	for k < len(lines) {
		h := strings.TrimSuffix(next(), "\n")
		m := hunkHeader.FindStringSubmatch(h)
		if m == nil {
			return false, false, nil, fmt.Errorf("bad hunk header %q", h)
		}
		num := func(s string) int {
			if s == "" {
				return 1
			}
			n, _ := strconv.Atoi(s)
			return n
		}
		ph := parsedHunk{oldStart: num(m[1]), oldLines: num(m[2]), newStart: num(m[3]), newLines: num(m[4]), header: h}
		for o, n := 0, 0; o < ph.oldLines || n < ph.newLines; {
			l := next()
			if l == "" {
				return false, false, nil, fmt.Errorf("hunk %q ends early", h)
			}
			switch l[0] {
			case ' ':
				o++
				n++
			case '-':
				o++
			case '+':
				n++
			default:
				return false, false, nil, fmt.Errorf("bad line %q in hunk %q", l, h)
			}
			if o > ph.oldLines || n > ph.newLines {
				return false, false, nil, fmt.Errorf("hunk %q has more lines than its header says", h)
			}
			pl := patchLine{op: l[0], line: []byte(l[1:])}
			if k < len(lines) && lines[k] == noNewlineMarker {
				k++
				pl.line = bytes.TrimSuffix(pl.line, []byte("\n"))
			}
			ph.lines = append(ph.lines, pl)
		}
		hunks = append(hunks, ph)
	}
	return oldExists, newExists, hunks, nil
}

// applyUnified applies a diff from Compute to old, more strictly than git or
// patch: every hunk must match exactly where its header says, with no offset
// and no fuzz, hunks must be in order, and counts must match.
func applyUnified(old []byte, unified string) ([]byte, error) {
	_, _, hunks, err := parseUnified(unified)
	if err != nil {
		return nil, err
	}
	src := splitKeep(old)
	var out []byte
	at := 0 // next line of src to copy
	delta := 0
	for _, h := range hunks {
		start := h.oldStart - 1
		if h.oldLines == 0 {
			start = h.oldStart
		}
		if start < at || start > len(src) {
			return nil, fmt.Errorf("hunk %q out of order or out of range", h.header)
		}
		for ; at < start; at++ {
			out = append(out, src[at]...)
		}
		wantNew := h.newStart - 1
		if h.newLines == 0 {
			wantNew = h.newStart
		}
		if got := start + delta; got != wantNew {
			return nil, fmt.Errorf("hunk %q: new start %d, expected %d", h.header, wantNew, got)
		}
		for _, l := range h.lines {
			switch l.op {
			case ' ', '-':
				if at >= len(src) || !bytes.Equal(src[at], l.line) {
					return nil, fmt.Errorf("hunk %q: line %d does not match", h.header, at+1)
				}
				at++
				if l.op == ' ' {
					out = append(out, l.line...)
				}
			case '+':
				out = append(out, l.line...)
			}
		}
		delta += h.newLines - h.oldLines
	}
	for ; at < len(src); at++ {
		out = append(out, src[at]...)
	}
	return out, nil
}

// checkResult verifies everything a Result promises about a text diff.
func checkResult(t testing.TB, c testCase, r *Result) {
	t.Helper()
	if r.Binary {
		return
	}
	oldExists, newExists, parsed, err := parseUnified(r.Unified)
	if err != nil {
		t.Fatalf("%s: %v\n%s", c.name, err, clip(r.Unified))
	}
	if r.Unified != "" && (oldExists != c.oldExists || newExists != c.newExists) {
		t.Errorf("%s: diff says exists %v/%v, want %v/%v", c.name, oldExists, newExists, c.oldExists, c.newExists)
	}
	// Hunks say the same as the text.
	if len(parsed) != len(r.Hunks) {
		t.Fatalf("%s: %d hunks in text, %d in Hunks", c.name, len(parsed), len(r.Hunks))
	}
	added, deleted := 0, 0
	for i, ph := range parsed {
		h := r.Hunks[i]
		got := []int{h.OldStart, h.OldLines, h.NewStart, h.NewLines}
		want := []int{ph.oldStart, ph.oldLines, ph.newStart, ph.newLines}
		if diff := cmp.Diff(got, want); diff != "" || h.Header != ph.header {
			t.Fatalf("%s: hunk %d numbers (-Hunks +text):\n%s %q", c.name, i, diff, h.Header)
		}
		if len(h.Lines) != len(ph.lines) {
			t.Fatalf("%s: hunk %d has %d lines in Hunks, %d in text", c.name, i, len(h.Lines), len(ph.lines))
		}
		oldNo, newNo := ph.oldStart, ph.newStart
		if ph.oldLines == 0 {
			oldNo++
		}
		if ph.newLines == 0 {
			newNo++
		}
		for j, pl := range ph.lines {
			l := h.Lines[j]
			op := map[LineKind]byte{KindContext: ' ', KindDel: '-', KindAdd: '+'}[l.Kind]
			text := string(pl.line)
			if !l.NoNewline {
				text = strings.TrimSuffix(text, "\n")
			}
			if op != pl.op || l.Text != text || l.NoNewline == bytes.HasSuffix(pl.line, []byte("\n")) {
				t.Fatalf("%s: hunk %d line %d: Hunks %q %q nonl=%v, text %q %q", c.name, i, j, l.Kind, l.Text, l.NoNewline, pl.op, pl.line)
			}
			wantOld, wantNew := 0, 0
			switch l.Kind {
			case KindContext:
				wantOld, wantNew = oldNo, newNo
				oldNo++
				newNo++
			case KindDel:
				wantOld = oldNo
				oldNo++
				deleted++
			case KindAdd:
				wantNew = newNo
				newNo++
				added++
			}
			if int(l.Old) != wantOld || int(l.New) != wantNew {
				t.Fatalf("%s: hunk %d line %d numbered %d/%d, want %d/%d", c.name, i, j, l.Old, l.New, wantOld, wantNew)
			}
			for _, s := range l.Spans {
				if s.Start < 0 || s.End > len(l.Text) || s.Start >= s.End || l.Kind == KindContext {
					t.Fatalf("%s: hunk %d line %d: bad span %+v on %q", c.name, i, j, s, l.Text)
				}
			}
		}
	}
	if r.Truncated {
		return
	}
	if added != r.Added || deleted != r.Deleted {
		t.Errorf("%s: counted +%d -%d, Result says +%d -%d", c.name, added, deleted, r.Added, r.Deleted)
	}
	got, err := applyUnified(c.old, r.Unified)
	if err != nil {
		t.Fatalf("%s: %v\n%s", c.name, err, clip(r.Unified))
	}
	if !bytes.Equal(got, c.new) {
		t.Fatalf("%s: applying the diff does not give the new content\n%s", c.name, clip(r.Unified))
	}
}

func clip(s string) string {
	if len(s) > 4000 {
		return s[:4000] + "\n[...]"
	}
	return s
}

func compute(t testing.TB, c testCase, o Options) *Result {
	t.Helper()
	r, err := Compute(c.path, c.old, c.new, c.oldExists, c.newExists, o)
	if err != nil {
		t.Fatalf("%s: %v", c.name, err)
	}
	return r
}

// TestInProcessApplier runs the applier the fuzz test relies on over every
// generated and edge case, so it stays honest.
func TestInProcessApplier(t *testing.T) {
	cases := append(generatedCases(t, 30, 6), edgeCases()...)
	for _, c := range cases {
		r := compute(t, c, DefaultOptions())
		checkResult(t, c, r)
	}
	// And it does refuse a wrong diff.
	c := edgeCases()[0]
	for _, c2 := range append(generatedCases(t, 30, 1)[:3], edgeCases()...) {
		if c2.name == "edge_hunks_merge_at_6" {
			c = c2
		}
	}
	r := compute(t, c, DefaultOptions())
	bad := strings.Replace(r.Unified, "-10\n", "-11\n", 1)
	if _, err := applyUnified(c.old, bad); err == nil {
		t.Errorf("applier accepted a hunk whose lines do not match")
	}
	shifted := strings.Replace(r.Unified, "@@ -8,", "@@ -9,", 1)
	if _, err := applyUnified(c.old, shifted); err == nil {
		t.Errorf("applier accepted a hunk at the wrong line")
	}
}
