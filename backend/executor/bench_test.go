package executor_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"countersign/backend/executor"
	"countersign/backend/proposal"
)

// BenchmarkApplyUndo1000 applies and undoes a 1,000-file proposal (10 KB
// each: 500 files replaced, 500 created), with every file fsynced and
// journaled, and copies the same 1,000 files with `cp -r` in the same run as
// the peer. It reports milliseconds per apply, per undo and per copy, and
// the ratios.
func BenchmarkApplyUndo1000(b *testing.B) {
	h := newHarness(b)
	src := b.TempDir()
	var actions []proposal.Action
	for i := range 1000 {
		rel := fmt.Sprintf("d%02d/f%04d.txt", i%20, i)
		body := strings.Repeat(fmt.Sprintf("line of file %d, version 2\n", i), 10240/27)
		if i%2 == 0 {
			h.write(rel, strings.Repeat(fmt.Sprintf("line of file %d, version 1\n", i), 10240/27), 0o644)
		}
		actions = append(actions, proposal.Action{Kind: proposal.KindFileWrite, Path: rel, Content: body})
		p := filepath.Join(src, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	ctx := context.Background()
	var apply, undo, cp time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		p := h.submit(actions...)
		h.approve(p.ID)
		dst := filepath.Join(b.TempDir(), "copy")
		b.StartTimer()
		t0 := time.Now()
		res, err := h.c.Execute(ctx, p.ID)
		if err != nil || res.Outcome != executor.OutcomeExecuted {
			b.Fatalf("%+v %v", res, err)
		}
		t1 := time.Now()
		if _, err := h.c.Undo(ctx, p.ID, false); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		if out, err := exec.Command("cp", "-r", src, dst).CombinedOutput(); err != nil {
			b.Fatalf("cp: %v %s", err, out)
		}
		t3 := time.Now()
		apply, undo, cp = apply+t1.Sub(t0), undo+t2.Sub(t1), cp+t3.Sub(t2)
	}
	n := float64(b.N)
	b.ReportMetric(float64(apply.Milliseconds())/n, "apply-ms")
	b.ReportMetric(float64(undo.Milliseconds())/n, "undo-ms")
	b.ReportMetric(float64(cp.Milliseconds())/n, "cp-r-ms")
	b.ReportMetric(float64(apply)/float64(cp), "apply/cp")
	b.ReportMetric(float64(undo)/float64(cp), "undo/cp")
}
