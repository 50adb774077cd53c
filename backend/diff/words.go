package diff

import (
	"unicode"
	"unicode/utf8"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// Word highlights pair the deleted and added lines of each change in order
// and mark, within each pair, the words that differ. They are a reading aid
// with small caps, never part of what is applied.
const (
	maxSpanLineBytes = 2000 // longer lines get no highlights
	maxSpanTokens    = 500  // more words than this: the changed middle is one span
	// Pairs that keep less than this fraction (1/n) of their visible
	// characters are unrelated lines; highlighting them would be noise.
	minKeptFraction = 4
	// Total line bytes highlighted per Result; later pairs get none.
	maxSpanBytes = 16 << 20
	// Work per pair and per Result for matching words, in the units of the
	// line matcher. A pair over its share keeps the partial match found.
	maxSpanPairCost = 50_000
	maxSpanCost     = 20_000_000
	// Pairs refined by go-diff per Result. go-diff builds a string per edit
	// and per bisection: cheap for an ordinary edit, but tens of megabytes of
	// garbage over 100,000 pairs while the whole Result is held. Past this
	// many pairs (a reordered or rewritten file) the words are matched with
	// the line matcher's Myers, which reuses its memory from pair to pair.
	maxGoDiffPairs = 4_000
)

func addSpans(hunks []Hunk) {
	budget := maxSpanBytes
	wd := wordDiffer{budget: maxSpanCost}
	n := 0
	eachPair(hunks, func(_, _ *Line) bool { n++; return true })
	if n <= maxGoDiffPairs {
		wd.dmp = diffmatchpatch.New()
		wd.dmp.DiffTimeout = 0 // deterministic: never a wall-clock cut-off
	}
	eachPair(hunks, func(del, add *Line) bool {
		budget -= len(del.Text) + len(add.Text)
		del.Spans, add.Spans = wd.spans(del.Text, add.Text)
		return budget > 0 && wd.budget > 0
	})
}

// eachPair calls fn with each deleted line and the added line it pairs with
// (a change's deleted and added lines pair in order), until fn returns false.
func eachPair(hunks []Hunk, fn func(del, add *Line) bool) {
	for h := range hunks {
		lines := hunks[h].Lines
		for i := 0; i < len(lines); {
			if lines[i].Kind != KindDel {
				i++
				continue
			}
			d0 := i
			for i < len(lines) && lines[i].Kind == KindDel {
				i++
			}
			a0 := i
			for i < len(lines) && lines[i].Kind == KindAdd {
				i++
			}
			for k := 0; k < min(a0-d0, i-a0); k++ {
				if !fn(&lines[d0+k], &lines[a0+k]) {
					return
				}
			}
		}
	}
}

type wordDiffer struct {
	budget int64 // work left for matching words
	ids    map[string]int32
	ta, tb []string
	ra, rb []int32 // token ids
	ca, cb []bool
	ms     myersScratch
	dmp    *diffmatchpatch.DiffMatchPatch // set: go-diff refines the words
	rr     [2][]rune
	slab   []Span // spans are carved from here, a chunk at a time
}

// spans returns the changed byte ranges of a and b.
func (w *wordDiffer) spans(a, b string) ([]Span, []Span) {
	if len(a) > maxSpanLineBytes || len(b) > maxSpanLineBytes {
		return nil, nil
	}
	// Common prefix and suffix, moved back to word boundaries on both sides.
	p := 0
	for p < len(a) && p < len(b) && a[p] == b[p] {
		p++
	}
	p = min(wordStart(a, p), wordStart(b, p))
	s := 0
	for s < len(a)-p && s < len(b)-p && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	s = min(len(a)-wordEnd(a, len(a)-s), len(b)-wordEnd(b, len(b)-s))
	am, bm := a[p:len(a)-s], b[p:len(b)-s]
	va, vb := visible(a), visible(b)
	kept := va - visible(am) // the shared prefix and suffix

	if am == "" || bm == "" {
		if kept*minKeptFraction < max(va, vb) {
			return nil, nil
		}
		return w.middle(p, am), w.middle(p, bm)
	}
	w.ta, w.tb = tokenize(w.ta[:0], am), tokenize(w.tb[:0], bm)
	if len(w.ta) > maxSpanTokens || len(w.tb) > maxSpanTokens {
		if kept*minKeptFraction < max(va, vb) {
			return nil, nil
		}
		return w.middle(p, am), w.middle(p, bm)
	}
	kept += w.diffTokens()
	if kept*minKeptFraction < max(va, vb) {
		return nil, nil
	}
	return w.collect(p, w.ta, w.ca), w.collect(p, w.tb, w.cb)
}

// carve returns room for n spans from the slab.
func (w *wordDiffer) carve(n int) []Span {
	if cap(w.slab)-len(w.slab) < n {
		w.slab = make([]Span, 0, max(n, 4096))
	}
	k := len(w.slab)
	w.slab = w.slab[:k+n]
	return w.slab[k : k : k+n]
}

func (w *wordDiffer) middle(off int, s string) []Span {
	if s == "" {
		return nil
	}
	return append(w.carve(1), Span{off, off + len(s)})
}

// collect turns changed tokens into spans, joining changed words separated
// only by white space.
func (w *wordDiffer) collect(off int, toks []string, changed []bool) []Span {
	n := 0
	for i := range toks {
		if changed[i] && (i == 0 || !changed[i-1]) && !(i > 1 && changed[i-2] && isSpaceToken(toks[i-1])) {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out := w.carve(n)
	pos := off
	for i, t := range toks {
		end := pos + len(t)
		if changed[i] {
			if k := len(out); k > 0 && (out[k-1].End == pos || (i > 1 && changed[i-2] && !changed[i-1] && isSpaceToken(toks[i-1]))) {
				out[k-1].End = end
			} else {
				out = append(out, Span{pos, end})
			}
		}
		pos = end
	}
	return out
}

// diffTokens matches w.ta against w.tb, sets w.ca and w.cb for changed
// tokens and returns the visible bytes of the tokens kept. Tokens are
// numbered and matched by go-diff for an ordinary diff (see maxGoDiffPairs),
// otherwise with the line matcher's Myers, which finds a longest common
// subsequence and reuses its memory from pair to pair: a preview with
// 100,000 changed pairs allocates nothing here per pair. Token counts are capped by
// maxSpanTokens; a pair gets at most maxSpanPairCost units of work and keeps
// the partial match found if it needs more.
func (w *wordDiffer) diffTokens() int {
	if w.ids == nil {
		w.ids = map[string]int32{}
	}
	clear(w.ids)
	number := func(dst []int32, toks []string) []int32 {
		dst = dst[:0]
		for _, t := range toks {
			id, ok := w.ids[t]
			if !ok {
				id = int32(len(w.ids))
				w.ids[t] = id
			}
			dst = append(dst, id)
		}
		return dst
	}
	w.ra, w.rb = number(w.ra, w.ta), number(w.rb, w.tb)
	w.ca, w.cb = setBools(w.ca, len(w.ta)), setBools(w.cb, len(w.tb))
	kept := 0
	if w.dmp != nil {
		return w.goDiffTokens()
	}
	spent, _, _ := myers(w.ra, w.rb, min(w.budget, maxSpanPairCost), 0, func(i, j int) {
		w.ca[i], w.cb[j] = false, false
		kept += visible(w.ta[i])
	}, &w.ms)
	w.budget -= max(spent, 1)
	return kept
}

// goDiffTokens is diffTokens by go-diff: each distinct token becomes one
// rune (of Unicode's Private Use Area: at most 2*maxSpanTokens ids, far below
// the 6,400 of the block, never a surrogate) and go-diff diffs the runes. The
// work is charged at its worst case, len(a) x len(b), capped per pair.
func (w *wordDiffer) goDiffTokens() int {
	for k, ids := range [2][]int32{w.ra, w.rb} {
		w.rr[k] = w.rr[k][:0]
		for _, id := range ids {
			w.rr[k] = append(w.rr[k], tokenRuneBase+rune(id))
		}
	}
	w.budget -= min(int64(len(w.ta))*int64(len(w.tb)), maxSpanPairCost)
	kept, i, j := 0, 0, 0
	for _, d := range w.dmp.DiffMainRunes(w.rr[0], w.rr[1], false) {
		n := utf8.RuneCountInString(d.Text)
		switch d.Type {
		case diffmatchpatch.DiffEqual:
			for k := 0; k < n; k++ {
				w.ca[i], w.cb[j] = false, false
				kept += visible(w.ta[i])
				i, j = i+1, j+1
			}
		case diffmatchpatch.DiffDelete:
			i += n
		case diffmatchpatch.DiffInsert:
			j += n
		}
	}
	return kept
}

// tokenRuneBase is the first rune of Unicode's Private Use Area.
const tokenRuneBase = 0xE000

// setBools returns b resized to n, every element true.
func setBools(b []bool, n int) []bool {
	if cap(b) < n {
		b = make([]bool, n)
	}
	b = b[:n]
	for i := range b {
		b[i] = true
	}
	return b
}

type class int

const (
	classWord class = iota
	classSpace
	classOther // punctuation, unspaced scripts and the rest: one rune per token
)

// unspaced are scripts written without spaces between words; each of their
// characters is a token of its own.
var unspaced = []*unicode.RangeTable{unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar}

func classOf(r rune) class {
	switch {
	case r < 0x80 && (r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'):
		return classWord
	case r >= 0x80 && unicode.IsOneOf(unspaced, r):
		return classOther
	case r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
		return classWord
	case r == ' ' || r == '\t' || (r > 0x7f && unicode.IsSpace(r)):
		return classSpace
	default:
		return classOther
	}
}

// tokenize splits s into words, runs of blanks, and single other runes.
func tokenize(dst []string, s string) []string {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		c := classOf(r)
		j := i + n
		if c != classOther {
			for j < len(s) {
				r2, n2 := utf8.DecodeRuneInString(s[j:])
				if classOf(r2) != c {
					break
				}
				j += n2
			}
		}
		dst = append(dst, s[i:j])
		i = j
	}
	return dst
}

func isSpaceToken(t string) bool {
	r, _ := utf8.DecodeRuneInString(t)
	return classOf(r) == classSpace
}

// wordStart moves p back to the nearest token boundary of s at or before
// it, so a shared prefix never ends inside a word.
func wordStart(s string, p int) int {
	if p >= len(s) {
		return len(s)
	}
	for p > 0 && !utf8.RuneStart(s[p]) {
		p--
	}
	if p == 0 {
		return 0
	}
	r, _ := utf8.DecodeRuneInString(s[p:])
	c := classOf(r)
	if c == classOther {
		return p
	}
	for p > 0 {
		r0, n0 := utf8.DecodeLastRuneInString(s[:p])
		if classOf(r0) != c {
			break
		}
		p -= n0
	}
	return p
}

// wordEnd moves e forward to the nearest token boundary of s at or after it,
// so a shared suffix never starts inside a word.
func wordEnd(s string, e int) int {
	if e <= 0 {
		return 0
	}
	for e < len(s) && !utf8.RuneStart(s[e]) {
		e++
	}
	if e >= len(s) {
		return len(s)
	}
	r0, _ := utf8.DecodeLastRuneInString(s[:e])
	c := classOf(r0)
	if c == classOther {
		return e
	}
	for e < len(s) {
		r, n := utf8.DecodeRuneInString(s[e:])
		if classOf(r) != c {
			break
		}
		e += n
	}
	return e
}

// visible counts the bytes of s that are not white space.
func visible(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\r':
		default:
			n++
		}
	}
	return n
}
