package diff

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// BenchmarkCompute measures Compute against its peer, git diff, on the same
// inputs in the same run:
//
//	go test -bench . -run '^$' ./backend/diff
//	COUNTERSIGN_BENCH_LONG=1 go test -bench . -run '^$' -timeout 1h ./backend/diff  # adds the 1M-line cases
//
// For each input, <input>/git times the whole process `git diff --no-index
// --no-color -U3 old new` (start-up included, output to /dev/null) and
// reports its peak RSS; <input>/ours times Compute in-process on the same
// bytes (output fully built, caps lifted so nothing is truncated) and
// reports:
//
//	ratio_to_git    ours ns/op / git ns/op (goal: <= 1)
//	peak_MB         an upper bound of our peak heap: both inputs plus every
//	                byte Compute allocates (as if nothing were freed)
//	mem_ratio       peak_MB / git's peak RSS (goal: <= 1.5)
//	rss_MB          peak RSS of a process that reads both files and runs
//	                Compute once, like git's: testdata/peakrss, a program
//	                that does only that, built for the run (the test binary
//	                itself would add its test harness, a few MB)
//	rss_ratio       rss_MB / git's peak RSS: whole process against whole
//	                process, the comparison the goal of 1.5 is about
//	changed         Added+Deleted; git_changed is git's --numstat sum
//	coarse          1 when Result.Coarse is set

type benchInput struct {
	name     string
	old, new []byte
	long     bool
}

var (
	benchOnce   sync.Once
	benchInputs []benchInput
	// gitNs and gitRSS hold the last measurement of each input's git run.
	gitNs  = map[string]float64{}
	gitRSS = map[string]float64{}
)

// benchLine returns line i of a synthetic source file: a quarter of the
// lines are the common ones of code (braces, blank lines, returns).
func benchLine(r *rand.Rand, i int) string {
	common := [...]string{"\n", "\t}\n", "}\n", "\t\treturn nil\n", "\t\t}\n", "\tif err != nil {\n", "\t\treturn err\n", "\treturn nil\n", "\t} else {\n", "// ---\n"}
	if r.IntN(100) < 25 {
		return common[r.IntN(len(common))]
	}
	return fmt.Sprintf("\tv%d := compute(%q, %d) // %x\n", i, "abcdefgh"[:1+r.IntN(7)], r.IntN(1000), r.Uint32())
}

func benchGen(n int, mode string) (old, new []byte) {
	r := rand.New(rand.NewPCG(uint64(n), 2))
	lines := make([]string, n)
	var a, b bytes.Buffer
	for i := range lines {
		lines[i] = benchLine(r, i)
		a.WriteString(lines[i])
	}
	switch mode {
	case "edit": // 1% of lines replaced, deleted or followed by a new line
		for i, l := range lines {
			if r.IntN(100) != 0 {
				b.WriteString(l)
				continue
			}
			switch r.IntN(3) {
			case 0:
				b.WriteString(benchLine(r, i+n))
			case 1:
				b.WriteString(l)
				b.WriteString(benchLine(r, i+2*n))
			}
		}
	case "crlf": // every line changed
		for _, l := range lines {
			b.WriteString(l[:len(l)-1] + "\r\n")
		}
	case "reorder": // blocks of 50 lines shuffled
		const bs = 50
		for _, p := range r.Perm((n + bs - 1) / bs) {
			for i := p * bs; i < min((p+1)*bs, n); i++ {
				b.WriteString(lines[i])
			}
		}
	}
	return a.Bytes(), b.Bytes()
}

func inputs() []benchInput {
	benchOnce.Do(func() {
		for _, s := range []struct {
			n    int
			mode string
		}{
			{10_000, "edit"}, {100_000, "edit"}, {1_000_000, "edit"},
			{100_000, "crlf"},
			{10_000, "reorder"}, {100_000, "reorder"}, {1_000_000, "reorder"},
		} {
			in := benchInput{name: s.mode + "_" + shortCount(s.n), long: s.n >= 1_000_000}
			if in.long && os.Getenv("COUNTERSIGN_BENCH_LONG") != "1" {
				continue
			}
			in.old, in.new = benchGen(s.n, s.mode)
			benchInputs = append(benchInputs, in)
		}
	})
	return benchInputs
}

func shortCount(n int) string {
	if n >= 1_000_000 {
		return strconv.Itoa(n/1_000_000) + "M"
	}
	return strconv.Itoa(n/1000) + "k"
}

func BenchmarkCompute(b *testing.B) {
	git, err := exec.LookPath("git")
	if err != nil {
		b.Skip("git not installed")
	}
	peakrss := buildPeakRSS(b)
	for _, in := range inputs() {
		dir := b.TempDir()
		oldPath, newPath := filepath.Join(dir, "old"), filepath.Join(dir, "new")
		if err := os.WriteFile(oldPath, in.old, 0o644); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(newPath, in.new, 0o644); err != nil {
			b.Fatal(err)
		}
		env := append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME="+dir, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "LC_ALL=C")
		gitChanged := gitNumstat(b, git, env, oldPath, newPath)

		b.Run(in.name+"/git", func(b *testing.B) {
			devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
			if err != nil {
				b.Fatal(err)
			}
			defer devnull.Close()
			args := []string{"diff", "--no-index", "--no-color", "-U3", oldPath, newPath}
			start := time.Now()
			for range b.N {
				cmd := exec.Command(git, args...)
				cmd.Env, cmd.Stdout = env, devnull
				runGit(b, cmd)
			}
			gitNs[in.name] = float64(time.Since(start).Nanoseconds()) / float64(b.N)
			b.StopTimer()
			if rss := gitPeakRSS(b, git, env, args, devnull); rss > 0 {
				gitRSS[in.name] = rss
				b.ReportMetric(rss, "rss_MB")
			}
			b.ReportMetric(float64(gitChanged), "changed")
		})

		b.Run(in.name+"/ours", func(b *testing.B) {
			o := DefaultOptions()
			o.MaxDiffLines = 1 << 30
			var r *Result
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			b.ResetTimer()
			start := time.Now()
			for range b.N {
				r, err = Compute("file.go", in.old, in.new, true, true, o)
				if err != nil {
					b.Fatal(err)
				}
			}
			ns := float64(time.Since(start).Nanoseconds()) / float64(b.N)
			b.StopTimer()
			runtime.ReadMemStats(&after)
			peak := float64(len(in.old)+len(in.new))/1e6 + float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/1e6
			b.ReportMetric(peak, "peak_MB")
			if g := gitNs[in.name]; g > 0 {
				b.ReportMetric(ns/g, "ratio_to_git")
			}
			if g := gitRSS[in.name]; g > 0 {
				b.ReportMetric(peak/g, "mem_ratio")
				if rss := childPeakRSS(b, peakrss, oldPath, newPath); rss > 0 {
					b.ReportMetric(rss, "rss_MB")
					b.ReportMetric(rss/g, "rss_ratio")
				}
			}
			b.ReportMetric(float64(r.Added+r.Deleted), "changed")
			b.ReportMetric(float64(gitChanged), "git_changed")
			if r.Coarse {
				b.ReportMetric(1, "coarse")
			}
			if r.Truncated {
				b.Fatal("truncated with the caps lifted")
			}
		})
	}
}

func runGit(b *testing.B, cmd *exec.Cmd) {
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
		b.Fatalf("git diff: %v", err)
	}
}

func gitNumstat(b *testing.B, git string, env []string, oldPath, newPath string) int {
	cmd := exec.Command(git, "diff", "--no-index", "--numstat", oldPath, newPath)
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout = &out
	runGit(b, cmd)
	f := strings.Fields(out.String())
	if len(f) < 2 {
		return 0
	}
	a, _ := strconv.Atoi(f[0])
	d, _ := strconv.Atoi(f[1])
	return a + d
}

// buildPeakRSS builds testdata/peakrss for the run.
func buildPeakRSS(b *testing.B) string {
	bin := filepath.Join(b.TempDir(), "peakrss")
	cmd := exec.Command("go", "build", "-o", bin, "./testdata/peakrss")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("building testdata/peakrss: %v\n%s", err, out)
	}
	return bin
}

// childPeakRSS runs peakrss on the pair under GNU time and returns its peak
// RSS in MB, or 0 if time is not installed.
func childPeakRSS(b *testing.B, peakrss, oldPath, newPath string) float64 {
	return peakRSS(b, peakrss, []string{oldPath, newPath}, os.Environ(), nil)
}

// gitPeakRSS runs git once under GNU time and returns its peak RSS in MB, or
// 0 if time is not installed. A child started directly from this process
// would report this process's own peak as well: Linux folds the parent's
// high-water mark into the child's when the child shares its memory until
// exec, as Go's process start does.
func gitPeakRSS(b *testing.B, git string, env, args []string, devnull *os.File) float64 {
	return peakRSS(b, git, args, env, devnull)
}

func peakRSS(b *testing.B, prog string, args, env []string, stdout *os.File) float64 {
	timeCmd, err := exec.LookPath("/usr/bin/time")
	if err != nil {
		return 0
	}
	out := filepath.Join(b.TempDir(), "rss")
	cmd := exec.Command(timeCmd, append([]string{"-f", "%M", "-o", out, prog}, args...)...)
	cmd.Env = env
	if stdout != nil {
		cmd.Stdout = stdout
	}
	runGit(b, cmd)
	kb, err := os.ReadFile(out)
	if err != nil {
		b.Fatal(err)
	}
	fields := strings.Fields(string(kb))
	if len(fields) == 0 {
		return 0
	}
	n, err := strconv.ParseFloat(fields[len(fields)-1], 64)
	if err != nil {
		b.Fatalf("GNU time output %q", kb)
	}
	return n * 1024 / 1e6
}
