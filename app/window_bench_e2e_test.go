//go:build e2e

package app_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"countersign/backend/core"
	"countersign/backend/proposal"
)

// treeRSS sums the resident memory of pid and all its descendants, in bytes.
func treeRSS(pid int) (int64, []string) {
	children := map[int][]int{}
	names := map[int]string{}
	rss := map[int]int64{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		s := string(stat)
		end := strings.LastIndexByte(s, ')')
		if end < 0 {
			continue
		}
		names[p] = s[strings.IndexByte(s, '(')+1 : end]
		f := strings.Fields(s[end+2:])
		ppid, _ := strconv.Atoi(f[1])
		children[ppid] = append(children[ppid], p)
		pages, _ := strconv.ParseInt(f[21], 10, 64)
		rss[p] = pages * int64(os.Getpagesize())
	}
	var total int64
	var parts []string
	stack := []int{pid}
	for len(stack) > 0 {
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		total += rss[p]
		if rss[p] > 0 {
			parts = append(parts, fmt.Sprintf("%s=%dMB", names[p], rss[p]>>20))
		}
		stack = append(stack, children[p]...)
	}
	sort.Strings(parts)
	return total, parts
}

// BenchmarkWindowColdStart starts the production binary on a database with
// 1,000 pending proposals and reports the time to the first painted queue and
// the memory of the whole process tree (app and WebKit) once idle.
func BenchmarkWindowColdStart(b *testing.B) {
	bin := os.Getenv("COUNTERSIGN_BIN")
	if bin == "" {
		b.Fatal("COUNTERSIGN_BIN must name the production binary")
	}
	tmp := b.TempDir()
	data := filepath.Join(tmp, "data")
	c, err := core.Open(core.Options{DataDir: data})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for i := 0; i < 1000; i++ {
		_, err := c.Queue.Submit(ctx, proposal.Proposal{AgentID: "bench", Summary: fmt.Sprintf("Pending change %d", i),
			Actions: []proposal.Action{{Kind: proposal.KindFileWrite, Path: fmt.Sprintf("/tmp/bench/f%d.txt", i), Content: "x\n"}}})
		if err != nil {
			b.Fatal(err)
		}
	}
	if err := c.Close(); err != nil {
		b.Fatal(err)
	}
	display := startXvfb(b)
	rt, err := os.MkdirTemp("", "csrt") // short: a Unix socket path has at most about 100 bytes
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(rt) })
	var paints []float64
	var mem int64
	var memParts []string
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var out syncBuffer
		cmd := exec.Command(bin, "--data-dir", data)
		cmd.Env = append(os.Environ(), "DISPLAY="+display, "XDG_RUNTIME_DIR="+rt, "XDG_CACHE_HOME="+filepath.Join(tmp, "cache"), "XDG_CONFIG_HOME="+filepath.Join(tmp, "config"))
		cmd.Stdout, cmd.Stderr = &out, &out
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		deadline := time.Now().Add(60 * time.Second)
		ms := -1.0
		for time.Now().Before(deadline) {
			s := out.String()
			if j := strings.Index(s, "first paint after "); j >= 0 {
				fmt.Sscanf(s[j:], "first paint after %f ms", &ms)
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if ms < 0 {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			b.Fatalf("no first paint within 60 s:\n%s", out.String())
		}
		paints = append(paints, ms)
		if i == 0 {
			b.StopTimer()
			time.Sleep(5 * time.Second) // idle
			mem, memParts = treeRSS(cmd.Process.Pid)
			b.StartTimer()
		}
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		_ = cmd.Wait()
	}
	sort.Float64s(paints)
	b.ReportMetric(paints[len(paints)/2], "first-paint-ms")
	b.ReportMetric(float64(mem)/(1<<20), "idle-MB")
	b.Logf("first paint (ms, sorted): %v; idle memory with 1,000 pending: %d MB (%s)", paints, mem>>20, strings.Join(memParts, " "))
}
