package diff

import (
	"math/bits"
	"slices"
)

// Tuning of the line matcher. Work is counted in units of roughly one line
// comparison and charged against Options.MaxCost.
const (
	// A region this small (lines on both sides) is first tried with Myers'
	// algorithm, which finds a longest common subsequence, within a budget
	// of tryCostPerLine units per line plus tryCostBase.
	tryMaxLines    = 20_000
	tryCostPerLine = 16
	tryCostBase    = 1 << 14
	// Lines occurring more often than this in a region are not used to split
	// it in the histogram step.
	maxChain = 64
)

// region is a part of the problem still to be matched. noTry marks a region
// whose first Myers attempt already ran out of budget.
type region struct {
	a0, a1, b0, b1 int
	noTry          bool
}

// matcher finds which lines are unchanged. It starts with every line marked
// changed and clears the marks of the lines it pairs; pairs are always equal
// lines and never cross.
type matcher struct {
	ta, tb   *text
	a, b     []int32 // line ids
	chA, chB []bool  // chA[i+1] reports line i of a changed; chA[0] and chA[len(a)+1] are false
	budget   int64   // work left
	maxCost  int64
	coarse   bool

	cntA, cntB []int32 // occurrences per id in the current region; zero between regions
	posB       []int32 // position in b of an id, valid where cntB is 1
	head       []int32 // histogram chains: first position per id, -1 between regions
	next       []int32
	stack      []region

	fa, fb, ia, ib []int32 // lines kept for Myers and their positions
	ms             myersScratch
	anchors, chain []anchor
	tails, prev    []int32
}

type anchor struct{ a, b int32 }

func newMatcher(ta, tb *text, maxCost int64) *matcher {
	a, b, nids := intern(ta, tb)
	m := &matcher{
		ta: ta, tb: tb, a: a, b: b,
		chA:     make([]bool, len(a)+2),
		chB:     make([]bool, len(b)+2),
		budget:  maxCost,
		maxCost: maxCost,
		cntA:    make([]int32, nids),
		cntB:    make([]int32, nids),
		posB:    make([]int32, nids),
	}
	for i := 1; i <= len(a); i++ {
		m.chA[i] = true
	}
	for i := 1; i <= len(b); i++ {
		m.chB[i] = true
	}
	return m
}

func (m *matcher) keep(i, j int) {
	m.chA[i+1] = false
	m.chB[j+1] = false
}

// spend charges n units and reports whether the budget allowed it.
func (m *matcher) spend(n int64) bool {
	if n > m.budget {
		m.budget = 0
		return false
	}
	m.budget -= n
	return true
}

func (m *matcher) run() {
	m.stack = append(m.stack[:0], region{0, len(m.a), 0, len(m.b), false})
	for len(m.stack) > 0 {
		r := m.stack[len(m.stack)-1]
		m.stack = m.stack[:len(m.stack)-1]
		for r.a0 < r.a1 && r.b0 < r.b1 && m.a[r.a0] == m.b[r.b0] {
			m.keep(r.a0, r.b0)
			r.a0++
			r.b0++
		}
		for r.a0 < r.a1 && r.b0 < r.b1 && m.a[r.a1-1] == m.b[r.b1-1] {
			r.a1--
			r.b1--
			m.keep(r.a1, r.b1)
		}
		if r.a0 == r.a1 || r.b0 == r.b1 {
			continue
		}
		if !m.spend(int64(r.a1 - r.a0 + r.b1 - r.b0)) {
			m.coarse = true
			continue
		}
		for _, id := range m.a[r.a0:r.a1] {
			m.cntA[id]++
		}
		for j := r.b0; j < r.b1; j++ {
			id := m.b[j]
			m.cntB[id]++
			m.posB[id] = int32(j)
		}
		m.solve(r)
		for _, id := range m.a[r.a0:r.a1] {
			m.cntA[id] = 0
		}
		for _, id := range m.b[r.b0:r.b1] {
			m.cntB[id] = 0
		}
	}
}

// solve matches one region whose occurrence counts are set, or splits it
// into smaller regions on the stack.
func (m *matcher) solve(r region) {
	if !m.common(r) {
		return // no line in common: all changed
	}
	n := r.a1 - r.a0 + r.b1 - r.b0
	chain := m.uniqueChain(r)
	switch {
	case len(chain) == 0 && (n <= tryMaxLines || !m.histogram(r)):
		// Only repeated lines in common: Myers, settling for a good split
		// where finding the best one would cost too much.
		m.filter(r)
		if len(m.runMyers(m.budget, heurRounds(n))) > 0 {
			m.coarse = true
		}
	case len(chain) == 0:
		// histogram split the region.
	case !r.noTry && n <= tryMaxLines && 2*len(chain) >= len(m.anchors):
		// A small region is tried with Myers first, for a minimal diff,
		// unless its unique lines show it was mostly reordered: then
		// anchoring on them works better. What Myers cannot finish within
		// its budget comes back to be anchored.
		limit := min(m.budget, int64(n)*tryCostPerLine+tryCostBase)
		m.filter(r)
		for _, u := range m.runMyers(limit, 0) {
			if u.a0 < u.a1 && u.b0 < u.b1 {
				m.stack = append(m.stack, region{int(m.ia[u.a0]), int(m.ia[u.a1-1]) + 1, int(m.ib[u.b0]), int(m.ib[u.b1-1]) + 1, true})
			}
		}
	default:
		// Keep the chain of unique lines and queue the gaps, from the end
		// so the stack pops them in file order.
		endA, endB := r.a1, r.b1
		for k := len(chain) - 1; k >= 0; k-- {
			x := chain[k]
			m.keep(int(x.a), int(x.b))
			m.push(int(x.a)+1, endA, int(x.b)+1, endB)
			endA, endB = int(x.a), int(x.b)
		}
		m.push(r.a0, endA, r.b0, endB)
	}
}

// common reports whether r has a line that occurs on both sides.
func (m *matcher) common(r region) bool {
	for _, id := range m.a[r.a0:r.a1] {
		if m.cntB[id] > 0 {
			return true
		}
	}
	return false
}

// filter collects the lines of r that occur on the other side of r: only
// those can be matched.
func (m *matcher) filter(r region) {
	if cap(m.fa) < r.a1-r.a0 {
		m.fa, m.ia = make([]int32, 0, r.a1-r.a0), make([]int32, 0, r.a1-r.a0)
	}
	if cap(m.fb) < r.b1-r.b0 {
		m.fb, m.ib = make([]int32, 0, r.b1-r.b0), make([]int32, 0, r.b1-r.b0)
	}
	m.fa, m.ia = m.fa[:0], m.ia[:0]
	for i := r.a0; i < r.a1; i++ {
		if id := m.a[i]; m.cntB[id] > 0 {
			m.fa = append(m.fa, id)
			m.ia = append(m.ia, int32(i))
		}
	}
	m.fb, m.ib = m.fb[:0], m.ib[:0]
	for j := r.b0; j < r.b1; j++ {
		if id := m.b[j]; m.cntA[id] > 0 {
			m.fb = append(m.fb, id)
			m.ib = append(m.ib, int32(j))
		}
	}
}

// runMyers runs Myers on the filtered lines and returns the unfinished boxes,
// in filtered coordinates.
func (m *matcher) runMyers(limit int64, heurD int) []box {
	ia, ib := m.ia, m.ib
	spent, approx, unfinished := myers(m.fa, m.fb, limit, heurD, func(i, j int) { m.keep(int(ia[i]), int(ib[j])) }, &m.ms)
	m.spend(spent)
	if approx {
		m.coarse = true
	}
	return unfinished
}

// uniqueChain pairs the lines that occur exactly once on each side of r
// (all of them are left in m.anchors) and returns the longest chain of pairs
// in the same order on both sides, as patience diff does.
func (m *matcher) uniqueChain(r region) []anchor {
	count := 0
	for _, id := range m.a[r.a0:r.a1] {
		if m.cntA[id] == 1 && m.cntB[id] == 1 {
			count++
		}
	}
	if cap(m.anchors) < count {
		m.anchors = make([]anchor, 0, count)
	}
	an := m.anchors[:0]
	for i := r.a0; i < r.a1; i++ {
		id := m.a[i]
		if m.cntA[id] == 1 && m.cntB[id] == 1 {
			an = append(an, anchor{int32(i), m.posB[id]})
		}
	}
	m.anchors = an
	if len(an) == 0 {
		return nil
	}
	m.spend(int64(len(an)) * int64(1+bits.Len(uint(len(an)))))
	// Longest increasing subsequence of b positions by patience sorting:
	// tails[p] is the anchor ending the best chain of length p+1 so far.
	tails := m.tails[:0]
	if cap(m.prev) < len(an) {
		m.prev = make([]int32, len(an))
	}
	prev := m.prev[:len(an)]
	for k, x := range an {
		lo, hi := 0, len(tails)
		for lo < hi {
			mid := int(uint(lo+hi) >> 1)
			if an[tails[mid]].b > x.b {
				hi = mid
			} else {
				lo = mid + 1
			}
		}
		prev[k] = -1
		if lo > 0 {
			prev[k] = tails[lo-1]
		}
		if lo == len(tails) {
			tails = append(tails, int32(k))
		} else {
			tails[lo] = int32(k)
		}
	}
	m.tails = tails
	if cap(m.chain) < len(tails) {
		m.chain = make([]anchor, 0, len(tails))
	}
	chain := m.chain[:0]
	for k := tails[len(tails)-1]; k >= 0; k = prev[k] {
		chain = append(chain, an[k])
	}
	slices.Reverse(chain)
	m.chain = chain
	return chain
}

func (m *matcher) push(a0, a1, b0, b1 int) {
	if a0 < a1 && b0 < b1 {
		m.stack = append(m.stack, region{a0, a1, b0, b1, false})
	}
}

// histogram splits r at its longest run of equal lines among those that
// occur least often in a (at most maxChain times), as JGit's histogram diff
// does. It reports whether it found one.
func (m *matcher) histogram(r region) bool {
	if m.head == nil {
		m.head = make([]int32, len(m.cntA))
		for i := range m.head {
			m.head[i] = -1
		}
	}
	if cap(m.next) < r.a1-r.a0 {
		m.next = make([]int32, r.a1-r.a0)
	}
	next := m.next[:r.a1-r.a0]
	for i := r.a1 - 1; i >= r.a0; i-- {
		id := m.a[i]
		if c := m.cntA[id]; c > 0 && c <= maxChain && m.cntB[id] > 0 {
			next[i-r.a0] = m.head[id]
			m.head[id] = int32(i)
		}
	}
	best := box{}
	bestCnt := int32(maxChain + 1)
	work := int64(0)
	for j := r.b0; j < r.b1 && work <= m.budget; {
		id := m.b[j]
		nextJ := j + 1
		for i := int(m.head[id]); i >= 0; {
			as, ae, bs, be := i, i+1, j, j+1
			cnt := m.cntA[id]
			for as > r.a0 && bs > r.b0 && m.a[as-1] == m.b[bs-1] {
				as--
				bs--
				cnt = min(cnt, m.cntA[m.a[as]])
			}
			for ae < r.a1 && be < r.b1 && m.a[ae] == m.b[be] {
				cnt = min(cnt, m.cntA[m.a[ae]])
				ae++
				be++
			}
			work += int64(ae-as) + 1
			if cnt < bestCnt || (cnt == bestCnt && ae-as > best.a1-best.a0) {
				best, bestCnt = box{as, ae, bs, be}, cnt
			}
			nextJ = max(nextJ, be)
			// Skip chain entries inside the run just measured.
			for i = int(next[i-r.a0]); i >= 0 && i < ae; i = int(next[i-r.a0]) {
			}
		}
		j = nextJ
	}
	for _, id := range m.a[r.a0:r.a1] {
		m.head[id] = -1
	}
	if !m.spend(work) {
		m.coarse = true
		return true // leave the region changed
	}
	if bestCnt > maxChain {
		return false
	}
	for k := 0; k < best.a1-best.a0; k++ {
		m.keep(best.a0+k, best.b0+k)
	}
	m.push(best.a1, r.a1, best.b1, r.b1)
	m.push(r.a0, best.a0, r.b0, best.b0)
	return true
}

// heurRounds is how many rounds a middle-snake search of a region of n
// lines may take before settling for the furthest point, as git's xdiff
// bounds it: the square root of n, and at least 256.
func heurRounds(n int) int {
	r := 1
	for r*r < n {
		r++
	}
	return max(r, 256)
}
