package diff

import (
	"bytes"
	"fmt"
)

// Groups of changed lines can often slide: deleting the second of two equal
// lines is the same change as deleting the first. compact moves every group
// to the position git would choose, so previews read the way people are used
// to: groups merge when they touch, line up with a group on the other side
// when they can, and otherwise settle where the indentation suggests a block
// boundary (git's indent heuristic, with its published weights). Sliding never
// changes what the diff means, only where it is drawn, and it stops early if
// its work budget runs out.

// side is one file as compact sees it.
type side struct {
	t   *text
	ids []int32
	ch  []bool // ch[i+1] reports line i changed; sentinels at both ends
	n   int
}

func (s *side) changed(i int) bool { return s.ch[i+1] }

// group is a run of changed lines [start, end); empty groups sit above the
// unchanged line start.
type group struct{ start, end int }

func (s *side) first() group {
	g := group{}
	for s.changed(g.end) {
		g.end++
	}
	return g
}

func (s *side) next(g *group) bool {
	if g.end == s.n {
		return false
	}
	g.start = g.end + 1
	g.end = g.start
	for s.changed(g.end) {
		g.end++
	}
	return true
}

func (s *side) prev(g *group) bool {
	if g.start == 0 {
		return false
	}
	g.end = g.start - 1
	g.start = g.end
	for s.changed(g.start - 1) {
		g.start--
	}
	return true
}

func (s *side) slideDown(g *group) bool {
	if g.end >= s.n || s.ids[g.start] != s.ids[g.end] {
		return false
	}
	s.ch[g.start+1] = false
	s.ch[g.end+1] = true
	g.start++
	g.end++
	for s.changed(g.end) {
		g.end++
	}
	return true
}

func (s *side) slideUp(g *group) bool {
	if g.start == 0 || s.ids[g.start-1] != s.ids[g.end-1] {
		return false
	}
	g.start--
	g.end--
	s.ch[g.start+1] = true
	s.ch[g.end+1] = false
	for s.changed(g.start - 1) {
		g.start--
	}
	return true
}

// compact slides the groups of both files, first those of the old file,
// then those of the new one, as git does.
func (m *matcher) compact() error {
	a := &side{t: m.ta, ids: m.a, ch: m.chA, n: len(m.a)}
	b := &side{t: m.tb, ids: m.b, ch: m.chB, n: len(m.b)}
	work := m.maxCost
	if err := compactSide(a, b, &work); err != nil {
		return err
	}
	return compactSide(b, a, &work)
}

var errGroupSync = fmt.Errorf("%w: change groups out of step", ErrInternal)

func compactSide(x, o *side, work *int64) error {
	g, og := x.first(), o.first()
	for {
		if g.end != g.start {
			var size, earliestEnd int
			endMatchingOther := -1
			for {
				size = g.end - g.start
				endMatchingOther = -1
				for x.slideUp(&g) {
					if !o.prev(&og) {
						return errGroupSync
					}
					if *work--; *work < 0 {
						return nil
					}
				}
				earliestEnd = g.end
				if og.end > og.start {
					endMatchingOther = g.end
				}
				for x.slideDown(&g) {
					if !o.next(&og) {
						return errGroupSync
					}
					if og.end > og.start {
						endMatchingOther = g.end
					}
					if *work--; *work < 0 {
						return nil
					}
				}
				if size == g.end-g.start {
					break
				}
			}
			target := g.end
			switch {
			case g.end == earliestEnd:
				// The group cannot move.
			case endMatchingOther != -1:
				// Line up with the last group on the other side it can meet.
				target = endMatchingOther
			default:
				target = bestShift(x, g, size, earliestEnd)
				*work -= int64(g.end-target+1) * 64
			}
			for g.end > target {
				if !x.slideUp(&g) || !o.prev(&og) {
					return errGroupSync
				}
			}
			if target == endMatchingOther && og.end == og.start {
				return errGroupSync
			}
		}
		if !x.next(&g) {
			break
		}
		if !o.next(&og) {
			return errGroupSync
		}
		if *work < 0 {
			return nil
		}
	}
	if o.next(&og) {
		return errGroupSync
	}
	return nil
}

// Indent heuristic weights, as determined empirically for git by Michael
// Haggerty (diff-slider-tools). Smaller scores are better.
const (
	maxIndent          = 200
	maxBlanks          = 20
	maxSliding         = 100
	startOfFilePenalty = 1
	endOfFilePenalty   = 21
	totalBlankWeight   = -30
	postBlankWeight    = 6
	indentPenalty      = -4
	indentBlankPenalty = 10
	outdentPenalty     = 24
	outdentBlankPen    = 17
	dedentPenalty      = 23
	dedentBlankPenalty = 17
	indentWeight       = 60
)

// bestShift returns the end position, between earliestEnd and g.end, that
// puts the group's two boundaries where blocks most plausibly begin and end.
func bestShift(x *side, g group, size, earliestEnd int) int {
	lo := max(earliestEnd, g.end-size-1, g.end-maxSliding)
	best := -1
	var bestScore score
	for shift := lo; shift <= g.end; shift++ {
		var s score
		s.add(x.measure(shift))
		s.add(x.measure(shift - size))
		if best == -1 || s.cmp(bestScore) <= 0 {
			best, bestScore = shift, s
		}
	}
	return best
}

// indent is the width of a line's leading white space, tabs to 8 columns,
// capped at maxIndent; -1 for a blank line.
func indent(line []byte) int {
	n := 0
	for _, c := range line {
		switch c {
		case ' ':
			n++
		case '\t':
			n += 8 - n%8
		case '\n', '\r', '\v', '\f':
		default:
			return n
		}
		if n >= maxIndent {
			return maxIndent
		}
	}
	return -1
}

// split describes the place just above line i.
type split struct {
	endOfFile  bool
	indent     int // of line i, -1 if blank
	preBlank   int // blank lines right above
	preIndent  int // of the nearest non-blank line above, -1 if none
	postBlank  int // blank lines after line i
	postIndent int // of the nearest non-blank line after line i, -1 if none
}

func (x *side) measure(i int) split {
	var m split
	if i >= x.n {
		m.endOfFile = true
		m.indent = -1
	} else {
		m.indent = indent(x.t.line(i))
	}
	m.preIndent = -1
	for k := i - 1; k >= 0; k-- {
		if m.preIndent = indent(x.t.line(k)); m.preIndent != -1 {
			break
		}
		if m.preBlank++; m.preBlank == maxBlanks {
			m.preIndent = 0
			break
		}
	}
	m.postIndent = -1
	for k := i + 1; k < x.n; k++ {
		if m.postIndent = indent(x.t.line(k)); m.postIndent != -1 {
			break
		}
		if m.postBlank++; m.postBlank == maxBlanks {
			m.postIndent = 0
			break
		}
	}
	return m
}

type score struct{ effectiveIndent, penalty int }

func (s *score) add(m split) {
	if m.preIndent == -1 && m.preBlank == 0 {
		s.penalty += startOfFilePenalty
	}
	if m.endOfFile {
		s.penalty += endOfFilePenalty
	}
	postBlank := 0
	if m.indent == -1 {
		postBlank = 1 + m.postBlank
	}
	totalBlank := m.preBlank + postBlank
	s.penalty += totalBlankWeight*totalBlank + postBlankWeight*postBlank
	ind := m.indent
	if ind == -1 {
		ind = m.postIndent
	}
	blanks := totalBlank != 0
	s.effectiveIndent += ind
	switch {
	case ind == -1 || m.preIndent == -1 || ind == m.preIndent:
	case ind > m.preIndent:
		s.penalty += pick(blanks, indentBlankPenalty, indentPenalty)
	case m.postIndent != -1 && m.postIndent > ind:
		// Less indented than the line above and more below: a new block.
		s.penalty += pick(blanks, outdentBlankPen, outdentPenalty)
	default:
		// The end of a block.
		s.penalty += pick(blanks, dedentBlankPenalty, dedentPenalty)
	}
}

func (s score) cmp(t score) int {
	c := 0
	if s.effectiveIndent > t.effectiveIndent {
		c = 1
	} else if s.effectiveIndent < t.effectiveIndent {
		c = -1
	}
	return indentWeight*c + s.penalty - t.penalty
}

func pick(cond bool, yes, no int) int {
	if cond {
		return yes
	}
	return no
}

// change is one run of deleted lines a0..a1-1 replaced by added lines
// b0..b1-1; either run may be empty.
type change struct{ a0, a1, b0, b1 int }

// changes lists the changes in order and checks that every line pair left
// unchanged is byte-identical.
func (m *matcher) changes() ([]change, error) {
	count := 0
	if err := m.walk(true, func(change) { count++ }); err != nil {
		return nil, err
	}
	cs := make([]change, 0, count)
	m.walk(false, func(c change) { cs = append(cs, c) })
	return cs, nil
}

func (m *matcher) walk(check bool, f func(change)) error {
	n, k := len(m.a), len(m.b)
	i, j := 0, 0
	for i < n || j < k {
		if i < n && j < k && !m.chA[i+1] && !m.chB[j+1] {
			if check && !bytes.Equal(m.ta.line(i), m.tb.line(j)) {
				return fmt.Errorf("%w: old line %d and new line %d paired but differ", ErrInternal, i+1, j+1)
			}
			i++
			j++
			continue
		}
		c := change{a0: i, b0: j}
		for i < n && m.chA[i+1] {
			i++
		}
		for j < k && m.chB[j+1] {
			j++
		}
		c.a1, c.b1 = i, j
		if c.a0 == c.a1 && c.b0 == c.b1 {
			return fmt.Errorf("%w: unpaired unchanged line at old %d, new %d", ErrInternal, i+1, j+1)
		}
		f(c)
	}
	return nil
}
