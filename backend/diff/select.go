package diff

import (
	"bytes"
	"errors"
	"fmt"
)

// ErrNotSelectable is returned by ApplySelected for a result whose hunks do
// not describe the whole change: binary, truncated, or made without context.
var ErrNotSelectable = errors.New("this preview cannot be approved hunk by hunk")

// ApplySelected returns old with only the hunks of r marked in keep applied,
// the others left as they were: what the person approves when they untick
// some hunks. keep has one entry per hunk of r. Selecting every hunk gives
// the new content of r, selecting none gives old back. It checks that every
// context and deleted line of a hunk matches old, so it never produces
// content from a stale result.
func ApplySelected(old []byte, r *Result, keep []bool) ([]byte, error) {
	if r == nil || r.Binary || r.Truncated {
		return nil, ErrNotSelectable
	}
	if len(keep) != len(r.Hunks) {
		return nil, fmt.Errorf("%d choices for %d hunks", len(keep), len(r.Hunks))
	}
	lines := splitKeepEnds(old)
	var out bytes.Buffer
	out.Grow(len(old))
	next := 0 // index into lines of the next old line not yet copied
	emit := func(l Line) {
		out.WriteString(l.Text)
		if !l.NoNewline {
			out.WriteByte('\n')
		}
	}
	for h, hk := range r.Hunks {
		start := hk.OldStart - 1
		if hk.OldLines == 0 {
			start = hk.OldStart // "-k,0": the hunk goes after line k
		}
		if start < next || start > len(lines) {
			return nil, fmt.Errorf("hunk %d starts at old line %d, out of order", h+1, hk.OldStart)
		}
		for ; next < start; next++ {
			out.Write(lines[next])
		}
		for _, l := range hk.Lines {
			switch l.Kind {
			case KindContext, KindDel:
				if next >= len(lines) || !sameLine(lines[next], l) {
					return nil, fmt.Errorf("hunk %d does not match the current content at old line %d", h+1, next+1)
				}
				if l.Kind == KindContext || !keep[h] {
					out.Write(lines[next])
				}
				next++
			case KindAdd:
				if keep[h] {
					emit(l)
				}
			}
		}
	}
	for ; next < len(lines); next++ {
		out.Write(lines[next])
	}
	return out.Bytes(), nil
}

// splitKeepEnds splits b into lines that keep their "\n".
func splitKeepEnds(b []byte) [][]byte {
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

func sameLine(raw []byte, l Line) bool {
	text := raw
	if n := len(text); n > 0 && text[n-1] == '\n' {
		if l.NoNewline {
			return false
		}
		text = text[:n-1]
	} else if !l.NoNewline {
		return false
	}
	return string(text) == l.Text
}
