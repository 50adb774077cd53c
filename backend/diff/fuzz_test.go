package diff

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzDiff feeds arbitrary before/after pairs through Compute under small
// caps: it must not panic, must not fail on valid arguments, and its diff
// must turn old into new under the strict in-process applier.
func FuzzDiff(f *testing.F) {
	f.Add([]byte("a\nb\nc\n"), []byte("a\nB\nc\n"), byte(0))
	f.Add([]byte(""), []byte("x"), byte(1))
	f.Add([]byte("x"), []byte(""), byte(2))
	f.Add([]byte("a\r\nb\r\n"), []byte("a\nb\n"), byte(3))
	f.Add([]byte("a\nb"), []byte("a\nb\n"), byte(4))
	f.Add(rep("x\ny\n", 50), append(rep("y\nx\n", 30), rep("x\n", 7)...), byte(5))
	f.Add([]byte("\x00bin"), []byte("\x00bon"), byte(6))
	f.Add([]byte("caf\xc3\xa9\n"), []byte("caf\xe9\n"), byte(7))
	f.Add([]byte("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n"), []byte("1\n2\nX\n4\n5\n6\n7\n8\nY\n10\n"), byte(8))
	f.Add([]byte("héllo wörld 日本語\n"), []byte("hello world 日本\n"), byte(9))
	f.Fuzz(func(t *testing.T, old, new []byte, flags byte) {
		o := Options{
			Context:       int(flags & 3),         // 0 means the default, 3
			MaxDiffLines:  int(flags>>2&3) * 8,    // 0 means the default
			MaxCost:       int64(flags>>4&3) * 50, // 0 means the default
			MaxInputBytes: 1 << 16,
		}
		oldExists, newExists := true, true
		switch {
		case flags&0xc0 == 0x40 && len(old) == 0:
			oldExists = false
		case flags&0xc0 == 0x80 && len(new) == 0:
			newExists = false
		}
		r, err := Compute("f.txt", old, new, oldExists, newExists, o)
		if err != nil {
			if errors.Is(err, ErrTooLarge) {
				return
			}
			t.Fatalf("Compute: %v", err)
		}
		c := testCase{name: "fuzz", old: old, new: new, oldExists: oldExists, newExists: newExists}
		checkResult(t, c, r)
		if r.Binary != ((oldExists && IsBinary(old)) || (newExists && IsBinary(new))) {
			t.Fatalf("Binary = %v", r.Binary)
		}
		if bytes.Equal(old, new) && oldExists == newExists && r.Unified != "" {
			t.Fatalf("identical content gave %q", r.Unified)
		}
		n := 0
		for _, h := range r.Hunks {
			n += len(h.Lines)
		}
		if limit := max(o.MaxDiffLines, 0); limit > 0 && n > limit {
			t.Fatalf("%d lines over the cap of %d", n, limit)
		}
	})
}
