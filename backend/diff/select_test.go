package diff

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

func linesOf(n int, f func(i int) string) []byte {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(f(i))
	}
	return []byte(b.String())
}

func TestApplySelected(t *testing.T) {
	old := linesOf(60, func(i int) string { return fmt.Sprintf("line %d\n", i) })
	tests := []struct {
		name string
		new  []byte
	}{
		{"three separate hunks", linesOf(60, func(i int) string {
			if i == 5 || i == 30 || i == 55 {
				return fmt.Sprintf("changed %d\n", i)
			}
			return fmt.Sprintf("line %d\n", i)
		})},
		{"insertions and deletions", append(append([]byte("new first\n"), old[len("line 0\n"):len(old)-len("line 59\n")]...), "tail without newline"...)},
		{"CRLF endings in one region", bytes.Replace(old, []byte("line 20\n"), []byte("line 20\r\n"), 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Compute("f.txt", old, tt.new, true, true, DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			n := len(r.Hunks)
			if n == 0 {
				t.Fatal("no hunks")
			}
			all, none := make([]bool, n), make([]bool, n)
			for i := range all {
				all[i] = true
			}
			if got, err := ApplySelected(old, r, all); err != nil || !bytes.Equal(got, tt.new) {
				t.Errorf("all hunks: err %v, equal %v", err, bytes.Equal(got, tt.new))
			}
			if got, err := ApplySelected(old, r, none); err != nil || !bytes.Equal(got, old) {
				t.Errorf("no hunks: err %v, equal %v", err, bytes.Equal(got, old))
			}
			// Each hunk alone changes exactly what that hunk shows.
			for h := range r.Hunks {
				one := make([]bool, n)
				one[h] = true
				got, err := ApplySelected(old, r, one)
				if err != nil {
					t.Fatalf("hunk %d alone: %v", h, err)
				}
				sub, err := Compute("f.txt", old, got, true, true, DefaultOptions())
				if err != nil {
					t.Fatal(err)
				}
				wantAdd, wantDel := 0, 0
				for _, l := range r.Hunks[h].Lines {
					switch l.Kind {
					case KindAdd:
						wantAdd++
					case KindDel:
						wantDel++
					}
				}
				if sub.Added != wantAdd || sub.Deleted != wantDel {
					t.Errorf("hunk %d alone: +%d -%d, want +%d -%d", h, sub.Added, sub.Deleted, wantAdd, wantDel)
				}
			}
		})
	}
}

func TestApplySelectedRandomSubsets(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for c := 0; c < 200; c++ {
		n := 20 + rng.IntN(200)
		old := linesOf(n, func(i int) string { return fmt.Sprintf("l%d\n", rng.IntN(n)) })
		lines := strings.SplitAfter(string(old), "\n")
		for k := 0; k < 1+rng.IntN(8); k++ {
			i := rng.IntN(len(lines))
			switch rng.IntN(3) {
			case 0:
				lines[i] = "edited\n"
			case 1:
				lines = append(lines[:i], lines[i+1:]...)
			default:
				lines = append(lines[:i], append([]string{"inserted\n"}, lines[i:]...)...)
			}
		}
		new := []byte(strings.Join(lines, ""))
		r, err := Compute("f", old, new, true, true, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		keep := make([]bool, len(r.Hunks))
		for i := range keep {
			keep[i] = rng.IntN(2) == 0
		}
		got, err := ApplySelected(old, r, keep)
		if err != nil {
			t.Fatalf("case %d: %v", c, err)
		}
		// Applying the rest of the hunks on top must give the new content:
		// the chosen subset and its complement together are the whole change.
		rest, err := Compute("f", got, new, true, true, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		all := make([]bool, len(rest.Hunks))
		for i := range all {
			all[i] = true
		}
		final, err := ApplySelected(got, rest, all)
		if err != nil || !bytes.Equal(final, new) {
			t.Fatalf("case %d: subset then rest does not reach the new content (err %v)", c, err)
		}
	}
}

func TestApplySelectedRefuses(t *testing.T) {
	old := []byte("a\nb\nc\n")
	r, err := Compute("f", old, []byte("a\nB\nc\n"), true, true, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ApplySelected([]byte("a\nX\nc\n"), r, []bool{true}); err == nil {
		t.Error("applied a result to content it was not computed from")
	}
	if _, err := ApplySelected(old, r, nil); err == nil {
		t.Error("accepted the wrong number of choices")
	}
	bin, err := Compute("f", []byte{0, 1}, []byte{0, 2}, true, true, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ApplySelected([]byte{0, 1}, bin, nil); !errors.Is(err, ErrNotSelectable) {
		t.Errorf("binary: got %v, want ErrNotSelectable", err)
	}
}
