package hook

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"countersign/backend/gateway/gatewaytest"
)

// trivialMain is the peer: a Go program that reads its stdin and prints a
// fixed answer, as small as a hook can be.
const trivialMain = `package main

import (
	"io"
	"os"
)

func main() {
	io.Copy(io.Discard, os.Stdin)
	os.Stdout.WriteString("{\"hookSpecificOutput\":{\"hookEventName\":\"PreToolUse\",\"permissionDecision\":\"allow\",\"permissionDecisionReason\":\"ok\"}}\n")
}
`

func goBuild(b *testing.B, dir, out string, args ...string) {
	b.Helper()
	cmd := exec.Command("go", append([]string{"build", "-o", out}, args...)...)
	cmd.Dir = dir
	if o, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, o)
	}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// BenchmarkHookProcess measures `countersign hook claude-code` from process
// start to answer, with a person who approves at once (the queue decides
// every proposal as soon as it is announced), against starting a trivial Go
// binary in the same run: for `go build .` (no GUI tags) and for the
// window-less countersign-agent. Set COUNTERSIGN_BENCH_DESKTOP_BIN to a
// desktop build (make build) to measure it too: it links WebKitGTK.
func BenchmarkHookProcess(b *testing.B) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		b.Fatal(err)
	}
	root := filepath.Dir(strings.TrimSpace(string(out)))
	dir := b.TempDir()
	bin := filepath.Join(dir, "countersign")
	goBuild(b, root, bin, ".")
	lean := filepath.Join(dir, "countersign-agent")
	goBuild(b, root, lean, "./backend/cmd/countersign-agent")
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(trivialMain), 0o600); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module trivial\n\ngo 1.26\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	trivial := filepath.Join(dir, "trivial")
	goBuild(b, dir, trivial, ".")

	env := gatewaytest.Start(b, gatewaytest.Options{Decide: gatewaytest.Approve})
	tok := env.AddAgent(b, "claude-code")
	ws := b.TempDir()
	in := []byte(payload("PreToolUse", ws, "Write", map[string]any{"file_path": filepath.Join(ws, "a.md"), "content": "# A\n"}))
	environ := append(os.Environ(), "COUNTERSIGN_DATA_DIR="+env.DataDir, "COUNTERSIGN_TOKEN="+tok)

	runOnce := func(path string, args ...string) time.Duration {
		cmd := exec.CommandContext(context.Background(), path, args...)
		cmd.Env = environ
		cmd.Stdin = bytes.NewReader(in)
		var stdout bytes.Buffer
		cmd.Stdout = &stdout
		t0 := time.Now()
		if err := cmd.Run(); err != nil {
			b.Fatalf("%s: %v", path, err)
		}
		d := time.Since(t0)
		if !bytes.Contains(stdout.Bytes(), []byte(`"permissionDecision":"allow"`)) {
			b.Fatalf("%s answered %s", path, stdout.Bytes())
		}
		return d
	}
	desktop := os.Getenv("COUNTERSIGN_BENCH_DESKTOP_BIN")
	// Warm the page cache and the connection paths.
	runOnce(bin, "hook", "claude-code")
	runOnce(lean, "hook", "claude-code")
	runOnce(trivial)
	if desktop != "" {
		runOnce(desktop, "hook", "claude-code")
	}

	var hook, agent, peer, gui []time.Duration
	b.ResetTimer()
	for range b.N {
		hook = append(hook, runOnce(bin, "hook", "claude-code"))
		agent = append(agent, runOnce(lean, "hook", "claude-code"))
		peer = append(peer, runOnce(trivial))
		if desktop != "" {
			gui = append(gui, runOnce(desktop, "hook", "claude-code"))
		}
	}
	b.StopTimer()
	h, p := median(hook), median(peer)
	b.ReportMetric(float64(h.Microseconds())/1000, "hook-median-ms")
	b.ReportMetric(float64(p.Microseconds())/1000, "trivial-median-ms")
	b.ReportMetric(float64(h)/float64(p), "x-trivial")
	a := median(agent)
	b.ReportMetric(float64(a.Microseconds())/1000, "agent-bin-median-ms")
	b.ReportMetric(float64(a)/float64(p), "agent-bin-x-trivial")
	if desktop != "" {
		g := median(gui)
		b.ReportMetric(float64(g.Microseconds())/1000, "desktop-hook-median-ms")
		b.ReportMetric(float64(g)/float64(p), "desktop-x-trivial")
	}
}

// BenchmarkHookInProcess is the same answer without the process: payload
// parsing, discovery, submission, the wait and the JSON out.
func BenchmarkHookInProcess(b *testing.B) {
	env := gatewaytest.Start(b, gatewaytest.Options{Decide: gatewaytest.Approve})
	tok := env.AddAgent(b, "claude-code")
	ws := b.TempDir()
	in := payload("PreToolUse", ws, "Write", map[string]any{"file_path": filepath.Join(ws, "a.md"), "content": "# A\n"})
	cfg := Config{DataDir: env.DataDir, Token: tok}
	b.ResetTimer()
	for range b.N {
		var out bytes.Buffer
		ClaudeCode(context.Background(), cfg, strings.NewReader(in), &out)
		if !bytes.Contains(out.Bytes(), []byte(`"allow"`)) {
			b.Fatal(out.String())
		}
	}
}
