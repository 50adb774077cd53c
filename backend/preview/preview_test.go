package preview

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/xuri/excelize/v2"

	"countersign/backend/proposal"
)

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestActionPreviews(t *testing.T) {
	ws := t.TempDir()
	write(t, filepath.Join(ws, "notes.txt"), "one\ntwo\nthree\n")
	write(t, filepath.Join(ws, "blob.bin"), "\x00\x01\x02")
	write(t, filepath.Join(ws, "dup.txt"), "x\nx\n")
	if err := os.Symlink("/etc/hostname", filepath.Join(ws, "link.txt")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		action  proposal.Action
		kind    Kind
		unified string // substring of the unified diff
		err     string // substring of Error
	}{
		{"write over a file", proposal.Action{Kind: proposal.KindFileWrite, Path: "notes.txt", Content: "one\nTWO\nthree\n"}, KindText, "-two\n+TWO\n", ""},
		{"write a new file", proposal.Action{Kind: proposal.KindFileWrite, Path: "new/file.md", Content: "hello\n"}, KindText, "--- /dev/null", ""},
		{"edit", proposal.Action{Kind: proposal.KindFileEdit, Path: "notes.txt", Edits: []proposal.Edit{{Old: "three", New: "3"}}}, KindText, "+3\n", ""},
		{"edit whose old string is missing", proposal.Action{Kind: proposal.KindFileEdit, Path: "notes.txt", Edits: []proposal.Edit{{Old: "four", New: "4"}}}, KindError, "", "not found"},
		{"edit that matches twice", proposal.Action{Kind: proposal.KindFileEdit, Path: "dup.txt", Edits: []proposal.Edit{{Old: "x", New: "y"}}}, KindError, "", "2"},
		{"edit of a missing file", proposal.Action{Kind: proposal.KindFileEdit, Path: "nope.txt", Edits: []proposal.Edit{{Old: "a", New: "b"}}}, KindError, "", "does not exist"},
		{"delete", proposal.Action{Kind: proposal.KindFileDelete, Path: "notes.txt"}, KindText, "+++ /dev/null", ""},
		{"binary", proposal.Action{Kind: proposal.KindFileWrite, Path: "blob.bin", Content: "\x00\x09"}, KindBinary, "Binary files", ""},
		{"symlink is not followed", proposal.Action{Kind: proposal.KindFileWrite, Path: "link.txt", Content: "x"}, KindError, "", "symbolic link"},
		{"directory", proposal.Action{Kind: proposal.KindFileDelete, Path: "new"}, KindError, "", "does not exist"},
		{"move has no content preview", proposal.Action{Kind: proposal.KindFileMove, Path: "notes.txt", To: "n2.txt"}, KindNone, "", ""},
		{"command has none", proposal.Action{Kind: proposal.KindCommandRun, Argv: []string{"ls"}}, KindNone, "", ""},
	}
	pv := New(Limits{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &proposal.Proposal{Workspace: ws, Actions: []proposal.Action{tt.action}}
			got := pv.Action(context.Background(), p, 0)
			if got.Kind != tt.kind {
				t.Fatalf("kind %q (error %q), want %q", got.Kind, got.Error, tt.kind)
			}
			if tt.unified != "" && (got.Diff == nil || !strings.Contains(got.Diff.Unified, tt.unified)) {
				t.Errorf("unified diff does not contain %q:\n%+v", tt.unified, got.Diff)
			}
			if !strings.Contains(got.Error, tt.err) {
				t.Errorf("error %q does not contain %q", got.Error, tt.err)
			}
		})
	}
}

func TestRefusesSpecialFilesWithoutBlocking(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no FIFOs")
	}
	ws := t.TempDir()
	fifo := filepath.Join(ws, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	pv := New(Limits{})
	for _, path := range []string{fifo, "/dev/zero", "/dev/null"} {
		p := &proposal.Proposal{Workspace: ws, Actions: []proposal.Action{{Kind: proposal.KindFileDelete, Path: path}}}
		got := pv.Action(context.Background(), p, 0)
		if got.Kind != KindError || !strings.Contains(got.Error, "not a regular file") {
			t.Errorf("%s: kind %q error %q, want a refusal", path, got.Kind, got.Error)
		}
	}
}

func TestTooLarge(t *testing.T) {
	ws := t.TempDir()
	write(t, filepath.Join(ws, "big.txt"), strings.Repeat("a", 2048))
	pv := New(Limits{MaxFileBytes: 1024})
	p := &proposal.Proposal{Workspace: ws, Actions: []proposal.Action{{Kind: proposal.KindFileDelete, Path: "big.txt"}}}
	if got := pv.Action(context.Background(), p, 0); !strings.Contains(got.Error, "too large") {
		t.Errorf("got %q, want too large", got.Error)
	}
}

func TestSelectedHunks(t *testing.T) {
	ws := t.TempDir()
	var b strings.Builder
	for i := 0; i < 40; i++ {
		b.WriteString("line\n")
	}
	old := b.String()
	write(t, filepath.Join(ws, "f.txt"), old)
	lines := strings.SplitAfter(old, "\n")
	lines[2], lines[30] = "first change\n", "second change\n"
	p := &proposal.Proposal{Workspace: ws, Actions: []proposal.Action{{Kind: proposal.KindFileWrite, Path: "f.txt", Content: strings.Join(lines, "")}}}
	a := New(Limits{}).Action(context.Background(), p, 0)
	if a.Kind != KindText || len(a.Diff.Hunks) != 2 {
		t.Fatalf("want 2 hunks, got %+v", a)
	}
	got, err := a.Selected([]bool{false, true})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(got), "first change") || !strings.Contains(string(got), "second change") {
		t.Errorf("selected content is wrong:\n%s", got)
	}
}

func TestSheetUpdate(t *testing.T) {
	ws := t.TempDir()
	f := excelize.NewFile()
	_ = f.SetCellValue("Sheet1", "A1", 10)
	_ = f.SetCellValue("Sheet1", "A2", 20)
	_ = f.SetCellFormula("Sheet1", "A3", "SUM(A1:A2)")
	if err := f.SaveAs(filepath.Join(ws, "b.xlsx")); err != nil {
		t.Fatal(err)
	}
	p := &proposal.Proposal{Workspace: ws, Actions: []proposal.Action{{Kind: proposal.KindSheetUpdate, Path: "b.xlsx",
		Cells: []proposal.CellEdit{{Sheet: "Sheet1", Cell: "A1", Value: "15"}}}}}
	got := New(Limits{}).Action(context.Background(), p, 0)
	if got.Kind != KindSheet || got.Sheet == nil {
		t.Fatalf("kind %q error %q, want a sheet preview", got.Kind, got.Error)
	}
	if got.Sheet.Totals.Cells != 1 {
		t.Errorf("changed cells %d, want 1", got.Sheet.Totals.Cells)
	}
	if got.Sheet.Totals.Dependents < 1 {
		t.Errorf("the SUM in A3 depends on A1 but no dependent was flagged: %+v", got.Sheet)
	}
	// A broken workbook is a clear error, not a crash.
	write(t, filepath.Join(ws, "broken.xlsx"), "PK\x03\x04 this is not a workbook")
	p.Actions[0].Path = "broken.xlsx"
	if got := New(Limits{}).Action(context.Background(), p, 0); got.Kind != KindError || got.Error == "" {
		t.Errorf("broken workbook: kind %q error %q", got.Kind, got.Error)
	}
}

func TestOldLines(t *testing.T) {
	ws := t.TempDir()
	write(t, filepath.Join(ws, "f.txt"), "a\nb\r\nc\nd")
	p := &proposal.Proposal{Workspace: ws, Actions: []proposal.Action{
		{Kind: proposal.KindFileWrite, Path: "f.txt", Content: "x"},
		{Kind: proposal.KindCommandRun, Argv: []string{"ls"}},
	}}
	pv := New(Limits{})
	got, err := pv.OldLines(p, 0, 2, 10)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "|") != "b\r|c|d" {
		t.Errorf("got %q", got)
	}
	for _, bad := range [][3]int{{1, 1, 2}, {0, 0, 1}, {0, 3, 2}, {5, 1, 1}} {
		if _, err := pv.OldLines(p, bad[0], bad[1], bad[2]); err == nil {
			t.Errorf("OldLines(%v) did not refuse", bad)
		}
	}
}

// TestRecorded: previews from recorded states compare those states, never
// the file on disk.
func TestRecorded(t *testing.T) {
	ws := t.TempDir()
	write(t, filepath.Join(ws, "notes.txt"), "what the disk holds now\n")
	book := func(v int) []byte {
		f := excelize.NewFile()
		_ = f.SetCellValue("Sheet1", "A1", v)
		b, err := f.WriteToBuffer()
		if err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	tests := []struct {
		name          string
		action        proposal.Action
		before, after State
		kind          Kind
		unified       string
	}{
		{"an edit", proposal.Action{Kind: proposal.KindFileEdit, Path: "notes.txt"},
			State{[]byte("one\ntwo\n"), true}, State{[]byte("one\nTWO\n"), true}, KindText, "-two\n+TWO\n"},
		{"a new file", proposal.Action{Kind: proposal.KindFileWrite, Path: "new.txt"},
			State{}, State{[]byte("hello\n"), true}, KindText, "--- /dev/null"},
		{"a deletion", proposal.Action{Kind: proposal.KindFileDelete, Path: "notes.txt"},
			State{[]byte("gone\n"), true}, State{}, KindText, "+++ /dev/null"},
		{"a spreadsheet update", proposal.Action{Kind: proposal.KindSheetUpdate, Path: "b.xlsx"},
			State{book(1), true}, State{book(2), true}, KindSheet, ""},
		{"a workbook written over", proposal.Action{Kind: proposal.KindFileWrite, Path: "b.xlsx"},
			State{book(1), true}, State{book(2), true}, KindSheet, ""},
		{"a spreadsheet that is not one", proposal.Action{Kind: proposal.KindSheetUpdate, Path: "b.xlsx"},
			State{[]byte("PK\x03\x04 no"), true}, State{[]byte("PK\x03\x04 no!"), true}, KindError, ""},
		{"a move has none", proposal.Action{Kind: proposal.KindFileMove, Path: "notes.txt", To: "n.txt"},
			State{[]byte("x"), true}, State{[]byte("x"), true}, KindNone, ""},
	}
	pv := New(Limits{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &proposal.Proposal{Workspace: ws, Actions: []proposal.Action{tt.action}}
			got := pv.Recorded(context.Background(), p, 0, tt.before, tt.after)
			if got.Kind != tt.kind {
				t.Fatalf("kind %q (error %q), want %q", got.Kind, got.Error, tt.kind)
			}
			if tt.unified != "" && (got.Diff == nil || !strings.Contains(got.Diff.Unified, tt.unified)) {
				t.Errorf("diff %+v does not hold %q", got.Diff, tt.unified)
			}
			if got.Diff != nil && strings.Contains(got.Diff.Unified, "disk holds now") {
				t.Error("the preview read the file on disk")
			}
		})
	}
	small := New(Limits{MaxFileBytes: 4})
	p := &proposal.Proposal{Workspace: ws, Actions: []proposal.Action{{Kind: proposal.KindFileWrite, Path: "a.txt"}}}
	if got := small.Recorded(context.Background(), p, 0, State{}, State{[]byte("too long"), true}); got.Kind != KindError {
		t.Errorf("content over the limit: kind %q", got.Kind)
	}
}
