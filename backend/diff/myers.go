package diff

// myersScratch is memory myers reuses from call to call.
type myersScratch struct {
	v     []int32
	stack []box
}

// box is a rectangle of the edit graph: lines a0..a1-1 of one sequence
// against b0..b1-1 of the other.
type box struct{ a0, a1, b0, b1 int }

// myers matches x against y with Myers' O(ND) algorithm in linear space
// (divide and conquer on the middle snake), calling keep for every matched
// pair, in no particular order. It spends at most limit units of work (one per
// diagonal step or line comparison) and returns what it spent and the boxes it
// left unfinished when the limit ran out; lines in those boxes are not kept.
//
// With heurD > 0, a search for the middle snake that needs more than heurD
// rounds settles for the furthest point it reached, as git does past its
// cost limit: the result stays a correct matching but may not be a longest
// one, and approx reports that this happened. With heurD == 0 and budget to
// spare the matching is a longest common subsequence.
func myers(x, y []int32, limit int64, heurD int, keep func(i, j int), scratch *myersScratch) (spent int64, approx bool, unfinished []box) {
	stack := append(scratch.stack[:0], box{0, len(x), 0, len(y)})
	defer func() { scratch.stack = stack[:0] }()
	for len(stack) > 0 {
		r := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for r.a0 < r.a1 && r.b0 < r.b1 && x[r.a0] == y[r.b0] {
			keep(r.a0, r.b0)
			r.a0++
			r.b0++
		}
		for r.a0 < r.a1 && r.b0 < r.b1 && x[r.a1-1] == y[r.b1-1] {
			r.a1--
			r.b1--
			keep(r.a1, r.b1)
		}
		spent += int64(r.a1-r.a0+r.b1-r.b0) + 1
		if r.a0 == r.a1 || r.b0 == r.b1 {
			continue
		}
		sx, sy, cost, res := middleSnake(x[r.a0:r.a1], y[r.b0:r.b1], limit-spent, heurD, scratch)
		spent += cost
		switch res {
		case snakeOverBudget:
			unfinished = append(unfinished, r)
			unfinished = append(unfinished, stack...)
			return spent, approx, unfinished
		case snakeApprox:
			approx = true
		}
		if sx < 0 {
			continue // nothing in common
		}
		stack = append(stack,
			box{r.a0 + sx, r.a1, r.b0 + sy, r.b1},
			box{r.a0, r.a0 + sx, r.b0, r.b0 + sy})
	}
	return spent, approx, nil
}

type snakeResult int

const (
	snakeFound snakeResult = iota
	snakeApprox
	snakeOverBudget
)

// middleSnake finds a point (sx, sy) through which a shortest edit script of
// a into b passes, strictly inside the graph so both halves are smaller. Both
// inputs are non-empty, and differ in their first and in their last element.
// sx < 0 means a and b have nothing in common. The search gives up when the
// work would exceed limit, and settles for the furthest point reached after
// heurD rounds if heurD > 0.
func middleSnake(a, b []int32, limit int64, heurD int, scratch *myersScratch) (sx, sy int, cost int64, res snakeResult) {
	n, m := len(a), len(b)
	maxD := (n + m + 1) / 2
	// Diagonals run from -reach to reach around off: all of them, or with
	// heurD set only a band around the middle, however large the box.
	reach := maxD
	if heurD > 0 {
		reach = min(reach, heurD+1)
	}
	off := reach + 1
	size := 2*reach + 3
	if cap(scratch.v) < 2*size {
		scratch.v = make([]int32, 2*size)
	}
	v1 := scratch.v[:size]
	v2 := scratch.v[size : 2*size]
	for i := range v1 {
		v1[i] = -1
		v2[i] = -1
	}
	cost = int64(size)
	v1[off+1] = 0
	v2[off+1] = 0
	delta := n - m
	front := delta&1 != 0
	var k1start, k1end, k2start, k2end int
	for d := 0; d < maxD; d++ {
		if cost > limit {
			return 0, 0, cost, snakeOverBudget
		}
		// The furthest valid points of this round, forward and reverse.
		fx, fy, rx, ry := -1, -1, -1, -1
		// Forward: furthest x on each diagonal k = x - y after d edits.
		for k1 := -d + k1start; k1 <= d-k1end; k1 += 2 {
			i := off + k1
			var x1 int
			if k1 == -d || (k1 != d && v1[i-1] < v1[i+1]) {
				x1 = int(v1[i+1])
			} else {
				x1 = int(v1[i-1]) + 1
			}
			y1 := x1 - k1
			s := x1
			for x1 < n && y1 < m && a[x1] == b[y1] {
				x1++
				y1++
			}
			cost += int64(x1-s) + 1
			v1[i] = int32(x1)
			switch {
			case x1 > n:
				k1end += 2 // ran off the right of the graph
			case y1 > m:
				k1start += 2 // ran off the bottom
			case front:
				j := off + delta - k1
				if j >= 0 && j < size && v2[j] != -1 && x1 >= n-int(v2[j]) {
					return checkSplit(x1, y1, n, m, cost, snakeFound)
				}
			}
			if x1 <= n && y1 <= m && x1+y1 > fx+fy {
				fx, fy = x1, y1
			}
		}
		// Reverse: the same from the end, on mirrored coordinates.
		for k2 := -d + k2start; k2 <= d-k2end; k2 += 2 {
			i := off + k2
			var x2 int
			if k2 == -d || (k2 != d && v2[i-1] < v2[i+1]) {
				x2 = int(v2[i+1])
			} else {
				x2 = int(v2[i-1]) + 1
			}
			y2 := x2 - k2
			s := x2
			for x2 < n && y2 < m && a[n-x2-1] == b[m-y2-1] {
				x2++
				y2++
			}
			cost += int64(x2-s) + 1
			v2[i] = int32(x2)
			switch {
			case x2 > n:
				k2end += 2
			case y2 > m:
				k2start += 2
			case !front:
				j := off + delta - k2
				if j >= 0 && j < size && v1[j] != -1 {
					x1 := int(v1[j])
					y1 := off + x1 - j
					if x1 >= n-x2 {
						return checkSplit(x1, y1, n, m, cost, snakeFound)
					}
				}
			}
			if x2 <= n && y2 <= m && x2+y2 > rx+ry {
				rx, ry = x2, y2
			}
		}
		if heurD > 0 && d >= heurD {
			if fx+fy >= rx+ry {
				return checkSplit(fx, fy, n, m, cost, snakeApprox)
			}
			return checkSplit(n-rx, m-ry, n, m, cost, snakeApprox)
		}
	}
	return -1, -1, cost, snakeFound
}

// checkSplit accepts a split point only if it makes progress; a point on the
// corner would loop, so it is reported as "nothing found" and the box is
// shown as a whole delete and insert (still exact).
func checkSplit(x, y, n, m int, cost int64, res snakeResult) (int, int, int64, snakeResult) {
	if x < 0 || y < 0 || x > n || y > m || (x == 0 && y == 0) || (x == n && y == m) {
		return -1, -1, cost, res
	}
	return x, y, cost, res
}
