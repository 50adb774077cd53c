// Command peakrss reads two files and runs diff.Compute on them once, as
// `git diff --no-index` does: BenchmarkCompute measures its peak RSS as the
// whole-process peer of git's.
package main

import (
	"fmt"
	"os"

	"countersign/backend/diff"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: peakrss OLD NEW")
		os.Exit(2)
	}
	old, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	new, err := os.ReadFile(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	o := diff.DefaultOptions()
	o.MaxDiffLines = 1 << 30
	r, err := diff.Compute("file.go", old, new, true, true, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(len(r.Unified), len(r.Hunks), r.Added, r.Deleted)
}
