package diff

import (
	"bytes"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
)

// testCase is one before/after pair.
type testCase struct {
	name                 string
	path                 string // as given to Compute
	old, new             []byte
	oldExists, newExists bool
	// ordinary marks a realistic edit of source code, used to compare
	// changed-line counts with git's.
	ordinary bool
}

var (
	goFilesOnce sync.Once
	goFiles     []string
)

// sourceFiles picks n Go files of the Go distribution, deterministically:
// every k-th of the sorted non-test files between 2 and 60 KB.
func sourceFiles(t testing.TB, n int) []string {
	goFilesOnce.Do(func() {
		root := runtime.GOROOT()
		if out, err := exec.Command("go", "env", "GOROOT").Output(); err == nil {
			root = strings.TrimSpace(string(out))
		}
		src := filepath.Join(root, "src")
		filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if d.IsDir() {
				if d.Name() == "testdata" || d.Name() == "vendor" {
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return nil
			}
			if info, err := d.Info(); err == nil && info.Size() >= 2<<10 && info.Size() <= 60<<10 {
				goFiles = append(goFiles, p)
			}
			return nil
		})
		slices.Sort(goFiles)
	})
	if len(goFiles) < n {
		t.Skipf("need %d Go source files from GOROOT, found %d", n, len(goFiles))
	}
	out := make([]string, n)
	step := len(goFiles) / n
	for i := range out {
		out[i] = goFiles[i*step]
	}
	return out
}

func splitKeep(b []byte) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			out = append(out, b)
			break
		}
		out = append(out, b[:i+1])
		b = b[i+1:]
	}
	return out
}

// mutate applies ops random line edits to src. With ordinaryOnly the edits
// are the kind people make to code: inserts, deletes, replacements.
func mutate(r *rand.Rand, src []byte, ops int, ordinaryOnly bool) []byte {
	lines := splitKeep(src)
	pick := func() []byte {
		if len(lines) > 0 && r.IntN(3) > 0 {
			return slices.Clone(lines[r.IntN(len(lines))])
		}
		return fmt.Appendf(nil, "\tx%d := compute(%d) // generated\n", r.IntN(1000), r.IntN(1000))
	}
	kinds := 3
	if !ordinaryOnly {
		kinds = 8
	}
	for range ops {
		at := 0
		if len(lines) > 0 {
			at = r.IntN(len(lines) + 1)
		}
		k := 1 + r.IntN(6)
		switch r.IntN(kinds) {
		case 0: // insert
			var ins [][]byte
			for range k {
				ins = append(ins, pick())
			}
			lines = slices.Insert(lines, at, ins...)
		case 1: // delete
			lines = slices.Delete(lines, at, min(at+k, len(lines)))
		case 2: // replace, sometimes just a word
			for i := at; i < min(at+k, len(lines)); i++ {
				if r.IntN(2) == 0 {
					lines[i] = bytes.Replace(lines[i], []byte("e"), []byte("E"), 1)
				} else {
					lines[i] = pick()
				}
			}
		case 3: // move a block
			end := min(at+k*3, len(lines))
			block := slices.Clone(lines[at:end])
			lines = slices.Delete(lines, at, end)
			to := 0
			if len(lines) > 0 {
				to = r.IntN(len(lines) + 1)
			}
			lines = slices.Insert(lines, to, block...)
		case 4: // some lines to CRLF
			for i := at; i < min(at+k, len(lines)); i++ {
				if l := lines[i]; bytes.HasSuffix(l, []byte("\n")) && !bytes.HasSuffix(l, []byte("\r\n")) {
					lines[i] = append(slices.Clone(l[:len(l)-1]), '\r', '\n')
				}
			}
		case 5: // drop the final newline
			if n := len(lines); n > 0 {
				lines[n-1] = bytes.TrimSuffix(lines[n-1], []byte("\n"))
			}
		case 6: // duplicate a block in place
			end := min(at+k, len(lines))
			lines = slices.Insert(lines, end, slices.Clone(lines[at:end])...)
		case 7: // white space only
			for i := at; i < min(at+k, len(lines)); i++ {
				lines[i] = append([]byte("  "), lines[i]...)
			}
		}
	}
	// A line without "\n" must stay last.
	var out []byte
	for i, l := range lines {
		out = append(out, l...)
		if i < len(lines)-1 && !bytes.HasSuffix(l, []byte("\n")) {
			out = append(out, '\n')
		}
	}
	return out
}

func toCRLFBytes(b []byte) []byte {
	return bytes.ReplaceAll(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
}

// generatedCases edits real Go source files with seeded random edits.
func generatedCases(t testing.TB, files, perFile int) []testCase {
	var cs []testCase
	r := rand.New(rand.NewPCG(2024, 7))
	for fi, f := range sourceFiles(t, files) {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		base := filepath.Base(f)
		for v := range perFile {
			c := testCase{
				name:      fmt.Sprintf("g%02d_%d_%s", fi, v, base),
				oldExists: true, newExists: true,
				old: src,
			}
			c.path = "src/" + c.name
			switch v % 6 {
			case 0, 1, 2: // ordinary edits
				c.new = mutate(r, src, 1+r.IntN(8), true)
				c.ordinary = true
			case 3: // anything goes
				c.new = mutate(r, src, 1+r.IntN(10), false)
			case 4: // the whole file to CRLF, plus edits
				c.new = toCRLFBytes(mutate(r, src, 1+r.IntN(3), true))
			case 5: // old already edited and without final newline
				c.old = bytes.TrimSuffix(mutate(r, src, 2, false), []byte("\n"))
				c.new = mutate(r, c.old, 1+r.IntN(6), false)
			}
			cs = append(cs, c)
		}
	}
	return cs
}

func rep(s string, n int) []byte { return bytes.Repeat([]byte(s), n) }

func numbered(n int, format string) []byte {
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, format, i)
	}
	return b.Bytes()
}

// edgeCases are the shapes a preview must get right.
func edgeCases() []testCase {
	mod := func(name string, old, new []byte) testCase {
		return testCase{name: name, path: "edge/" + name, old: old, new: new, oldExists: true, newExists: true}
	}
	long := rep("0123456789abcdef", 10<<20/16)
	longChanged := slices.Clone(long)
	longChanged[5<<20] = 'X'
	blocks := numbered(300, "block %d line\n")
	bl := splitKeep(blocks)
	var reordered []byte
	for b := 9; b >= 0; b-- {
		for _, l := range bl[b*30 : (b+1)*30] {
			reordered = append(reordered, l...)
		}
	}
	cs := []testCase{
		{name: "new", path: "edge/new.txt", new: []byte("a\nb\n"), newExists: true},
		{name: "new_no_newline", path: "edge/new_nonl.txt", new: []byte("a\nb"), newExists: true},
		{name: "new_empty", path: "edge/new_empty.txt", newExists: true},
		{name: "deleted", path: "edge/deleted.txt", old: []byte("a\nb\n"), oldExists: true},
		{name: "deleted_empty", path: "edge/deleted_empty.txt", oldExists: true},
		{name: "deleted_crlf_no_newline", path: "edge/deleted_crlf.txt", old: []byte("a\r\nb"), oldExists: true},
		mod("empty_to_text", nil, []byte("a\n")),
		mod("text_to_empty", []byte("a\nb\n"), nil),
		mod("identical", []byte("same\n"), []byte("same\n")),
		mod("add_final_newline", []byte("a\nb"), []byte("a\nb\n")),
		mod("drop_final_newline", []byte("a\nb\n"), []byte("a\nb")),
		mod("both_no_newline", []byte("a\nb\nc"), []byte("a\nB\nc")),
		mod("last_changed_no_newline", []byte("a\nb\nc"), []byte("a\nb\nC")),
		mod("single_line_no_newline", []byte("x"), []byte("y")),
		mod("to_crlf", numbered(50, "line %d\n"), toCRLFBytes(numbered(50, "line %d\n"))),
		mod("from_crlf", toCRLFBytes(numbered(50, "line %d\n")), numbered(50, "line %d\n")),
		mod("crlf_edit", []byte("a\r\nb\r\nc\r\n"), []byte("a\r\nB\r\nc\r\n")),
		mod("lone_cr", []byte("a\rb\nc\n"), []byte("a\rB\nc\n")),
		mod("every_line_changed", numbered(1000, "old %d\n"), numbered(1000, "new %d\n")),
		mod("reordered_blocks", blocks, reordered),
		mod("blank_lines", rep("\n", 40), rep("\n", 37)),
		mod("repeated_lines", rep("x\ny\n", 500), append(rep("x\ny\n", 250), rep("y\nx\n", 250)...)),
		mod("diff_syntax_in_content", []byte("--- a\n+++ b\n@@ -1 +1 @@\n\\ No newline at end of file\n"), []byte("--- a\n++++ b\n@@ -1 +1 @@\n\\ No newline\n")),
		mod("hunks_merge_at_6", numbered(40, "%d\n"), bytes.Replace(bytes.Replace(numbered(40, "%d\n"), []byte("\n10\n"), []byte("\nX\n"), 1), []byte("\n17\n"), []byte("\nY\n"), 1)),
		mod("hunks_split_at_7", numbered(40, "%d\n"), bytes.Replace(bytes.Replace(numbered(40, "%d\n"), []byte("\n10\n"), []byte("\nX\n"), 1), []byte("\n18\n"), []byte("\nY\n"), 1)),
		mod("unicode", []byte("héllo wörld\n日本語\n"), []byte("héllo world\n日本語です\n")),
		mod("one_10MB_line", long, longChanged),
		{name: "path_with_space", path: "edge/with space.txt", old: []byte("a\n"), new: []byte("b\n"), oldExists: true, newExists: true},
		{name: "path_unicode", path: "edge/naïve-ß.txt", old: []byte("a\n"), new: []byte("b\n"), oldExists: true, newExists: true},
	}
	for i := range cs {
		cs[i].name = "edge_" + cs[i].name
	}
	return cs
}
