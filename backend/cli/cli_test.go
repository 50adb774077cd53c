package cli

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"countersign/backend/config"
)

func testDeps(t *testing.T, open func(WindowOptions) error) (Deps, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	var out, errb bytes.Buffer
	base := t.TempDir()
	return Deps{
		Version:    "1.2.3",
		Commit:     "abc",
		OpenWindow: open,
		Env:        config.Env{Getenv: func(string) string { return "" }, UserConfigDir: func() (string, error) { return base, nil }},
		Stdout:     &out,
		Stderr:     &errb,
	}, &out, &errb
}

func TestRun(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		openErr    error
		wantCode   int
		wantOut    string
		wantErr    string
		wantOpened bool
		wantDemo   bool
	}{
		{name: "version", args: []string{"version"}, wantCode: 0, wantOut: "countersign 1.2.3 (abc,"},
		{name: "help lists commands", args: []string{"--help"}, wantCode: 0, wantOut: "version"},
		{name: "bare command opens the window", args: nil, wantCode: 0, wantOpened: true},
		{name: "demo flag reaches the window", args: []string{"--demo"}, wantCode: 0, wantOpened: true, wantDemo: true},
		{name: "unknown command is a usage error", args: []string{"frobnicate"}, wantCode: 2, wantErr: "unknown command"},
		{name: "unknown flag is a usage error", args: []string{"--frob"}, wantCode: 2, wantErr: "unknown flag"},
		{name: "bridge flag absent from shipped builds", args: []string{"--bridge", "127.0.0.1:0"}, wantCode: 2, wantErr: "unknown flag"},
		{name: "window failure exits 1 with the reason", args: nil, openErr: errors.New("database is corrupt"), wantCode: 1, wantErr: "database is corrupt", wantOpened: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *WindowOptions
			d, out, errb := testDeps(t, func(o WindowOptions) error { got = &o; return tt.openErr })
			code := Run(d, tt.args)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.wantCode, errb.String())
			}
			if !strings.Contains(out.String(), tt.wantOut) {
				t.Errorf("stdout %q does not contain %q", out.String(), tt.wantOut)
			}
			if !strings.Contains(errb.String(), tt.wantErr) {
				t.Errorf("stderr %q does not contain %q", errb.String(), tt.wantErr)
			}
			if (got != nil) != tt.wantOpened {
				t.Fatalf("window opened = %v, want %v", got != nil, tt.wantOpened)
			}
			if got != nil && got.Demo != tt.wantDemo {
				t.Errorf("demo = %v, want %v", got.Demo, tt.wantDemo)
			}
		})
	}
}

func TestDataDirFlag(t *testing.T) {
	var got WindowOptions
	d, _, _ := testDeps(t, func(o WindowOptions) error { got = o; return nil })
	dir := filepath.Join(t.TempDir(), "d")
	if code := Run(d, []string{"--data-dir", dir}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if got.DataDir != dir {
		t.Errorf("data dir %q, want %q", got.DataDir, dir)
	}
}
