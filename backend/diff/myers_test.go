package diff

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

func lcsLen(a, b []int32) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for i := range a {
		for j := range b {
			if a[i] == b[j] {
				cur[j+1] = prev[j] + 1
			} else {
				cur[j+1] = max(cur[j], prev[j+1])
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

type pair struct{ i, j int }

// checkMatching fails unless kept pairs equal elements in increasing order.
func checkMatching(t *testing.T, a, b []int32, kept []pair) {
	t.Helper()
	byI := map[int]int{}
	for _, p := range kept {
		if a[p.i] != b[p.j] {
			t.Fatalf("kept unequal pair %v", p)
		}
		if _, dup := byI[p.i]; dup {
			t.Fatalf("line %d kept twice", p.i)
		}
		byI[p.i] = p.j
	}
	last := -1
	for i := range a {
		if j, ok := byI[i]; ok {
			if j <= last {
				t.Fatalf("pairs cross")
			}
			last = j
		}
	}
}

// TestMyersIsMinimal checks that, with budget to spare, myers keeps a
// longest common subsequence, and that what it keeps is a common
// subsequence.
func TestMyersIsMinimal(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	var scratch myersScratch
	for iter := range 3000 {
		alpha := int32(1 + r.IntN(6))
		a := make([]int32, r.IntN(40))
		b := make([]int32, r.IntN(40))
		for i := range a {
			a[i] = r.Int32N(alpha)
		}
		for i := range b {
			b[i] = r.Int32N(alpha)
		}
		var kept []pair
		_, _, unfinished := myers(a, b, 1<<40, 0, func(i, j int) { kept = append(kept, pair{i, j}) }, &scratch)
		if unfinished != nil {
			t.Fatal("ran out of an unlimited budget")
		}
		checkMatching(t, a, b, kept)
		// Settling early keeps a valid matching, if not a longest one.
		var approx []pair
		myers(a, b, 1<<40, 1+r.IntN(3), func(i, j int) { approx = append(approx, pair{i, j}) }, &scratch)
		checkMatching(t, a, b, approx)
		if want := lcsLen(a, b); len(kept) != want {
			t.Fatalf("case %d: kept %d, longest common subsequence is %d\na=%v\nb=%v", iter, len(kept), want, a, b)
		}
	}
}

func TestMyersBudget(t *testing.T) {
	a := make([]int32, 2000)
	b := make([]int32, 2000)
	for i := range a {
		a[i] = int32(i % 7)
		b[i] = int32(i % 11)
	}
	var scratch myersScratch
	for _, limit := range []int64{0, 100, 10_000, 100_000} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			spent, _, unfinished := myers(a, b, limit, 0, func(int, int) {}, &scratch)
			if len(unfinished) == 0 {
				t.Fatalf("finished within %d", limit)
			}
			// One snake step may overshoot by at most the lines of a box.
			if spent > limit+int64(len(a)+len(b))*4 {
				t.Errorf("spent %d of %d", spent, limit)
			}
		})
	}
}
