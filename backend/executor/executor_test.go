package executor_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"countersign/backend/executor"
	"countersign/backend/proposal"
	"countersign/backend/store"
)

func xlsx(t *testing.T, cells map[string]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for c, v := range cells {
		if err := f.SetCellValue("Sheet1", c, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SetCellFormula("Sheet1", "C1", "A1*2"); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestEveryKindAppliedUndoneRedone applies one proposal with every kind
// Countersign carries out, checks the tree byte for byte and mode for mode,
// undoes it (the tree is exactly as before), redoes it (exactly as after)
// and undoes it again.
func TestEveryKindAppliedUndoneRedone(t *testing.T) {
	h := newHarness(t)
	h.write("notes.txt", "one\ntwo\nthree\n", 0o600)
	h.write("script.sh", "#!/bin/sh\necho old\n", 0o755)
	h.write("old.log", "log\n", 0o640)
	h.write("from/moved.txt", "moving\n", 0o604)
	h.write("gen/keep.txt", "kept by the command\n", 0o644)
	h.write("gen/remove.txt", "removed by the command\n", 0o644)
	if err := os.WriteFile(filepath.Join(h.ws, "book.xlsx"), xlsx(t, map[string]any{"A1": 21, "B1": "name"}), 0o644); err != nil {
		t.Fatal(err)
	}
	before := tree(t, h.ws)

	p, res := h.run(
		proposal.Action{Kind: proposal.KindFileWrite, Path: "new/deep/created.txt", Content: "fresh\n"},
		proposal.Action{Kind: proposal.KindFileWrite, Path: "notes.txt", Content: "replaced\n"},
		proposal.Action{Kind: proposal.KindFileEdit, Path: "script.sh", Edits: []proposal.Edit{{Old: "echo old", New: "echo new"}}},
		proposal.Action{Kind: proposal.KindFileDelete, Path: "old.log"},
		proposal.Action{Kind: proposal.KindFileMove, Path: "from/moved.txt", To: "to/moved.txt"},
		proposal.Action{Kind: proposal.KindDirCreate, Path: "made/dir"},
		proposal.Action{Kind: proposal.KindSheetUpdate, Path: "book.xlsx", Cells: []proposal.CellEdit{{Sheet: "Sheet1", Cell: "B1", Value: "renamed"}, {Sheet: "Sheet1", Cell: "A2", Value: "42"}}},
		proposal.Action{Kind: proposal.KindCommandRun, Argv: []string{"/bin/sh", "-c", "echo made > gen/made.txt && rm gen/remove.txt && mkdir gen/sub && echo x > gen/sub/x.txt && echo done"},
			Writes: []string{"gen"}},
		proposal.Action{Kind: proposal.KindCommandRun, Argv: []string{"/bin/sh", "-c", "test -f new/deep/created.txt"}, Check: true},
	)
	if res.Outcome != executor.OutcomeExecuted {
		t.Fatalf("outcome %s: %s", res.Outcome, res.Error)
	}
	if got := h.status(p.ID); got != proposal.StatusExecuted {
		t.Fatalf("status %s", got)
	}
	after := tree(t, h.ws)
	read := func(rel string) string {
		b, err := os.ReadFile(filepath.Join(h.ws, rel))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for rel, want := range map[string]string{"new/deep/created.txt": "fresh\n", "notes.txt": "replaced\n",
		"script.sh": "#!/bin/sh\necho new\n", "to/moved.txt": "moving\n", "gen/made.txt": "made\n", "gen/sub/x.txt": "x\n"} {
		if got := read(rel); got != want {
			t.Errorf("%s = %q, want %q", rel, got, want)
		}
	}
	for rel, mode := range map[string]os.FileMode{"notes.txt": 0o600, "script.sh": 0o755, "to/moved.txt": 0o604, "new/deep/created.txt": 0o644} {
		if got := after[rel].Mode.Perm(); got != mode {
			t.Errorf("%s mode %v, want %v", rel, got, mode)
		}
	}
	for _, rel := range []string{"old.log", "from/moved.txt", "gen/remove.txt"} {
		if _, ok := after[rel]; ok {
			t.Errorf("%s still exists", rel)
		}
	}
	if after["made/dir"].Kind != "dir" {
		t.Errorf("made/dir was not created")
	}
	f, err := excelize.OpenFile(filepath.Join(h.ws, "book.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	b1, _ := f.GetCellValue("Sheet1", "B1")
	a2, _ := f.GetCellValue("Sheet1", "A2")
	formula, _ := f.GetCellFormula("Sheet1", "C1")
	f.Close()
	if b1 != "renamed" || a2 != "42" || formula != "A1*2" {
		t.Errorf("workbook: B1=%q A2=%q C1 formula=%q", b1, a2, formula)
	}
	if res.Actions[7].ExitCode == nil || *res.Actions[7].ExitCode != 0 || res.Actions[7].Stdout != "done\n" {
		t.Errorf("command result %+v", res.Actions[7])
	}

	ctx := context.Background()
	for round := 0; round < 2; round++ {
		if _, err := h.c.Undo(ctx, p.ID, false); err != nil {
			t.Fatal(err)
		}
		sameTree(t, "after undo", tree(t, h.ws), before)
		if got := h.status(p.ID); got != proposal.StatusReverted {
			t.Fatalf("status after undo %s", got)
		}
		if round == 1 {
			break
		}
		if _, err := h.c.Redo(ctx, p.ID, false); err != nil {
			t.Fatal(err)
		}
		sameTree(t, "after redo", tree(t, h.ws), after)
	}
}

// TestFailureHalfwayRestoresEverything fails the 25th of 50 file changes:
// the tree is exactly as before and the proposal failed with the reason.
func TestFailureHalfwayRestoresEverything(t *testing.T) {
	h := newHarness(t)
	var actions []proposal.Action
	for i := range 50 {
		name := fmt.Sprintf("d%d/f%02d.txt", i%5, i)
		switch i % 3 {
		case 0: // existing file replaced
			h.write(name, fmt.Sprintf("old %d\n", i), 0o640)
			actions = append(actions, proposal.Action{Kind: proposal.KindFileWrite, Path: name, Content: fmt.Sprintf("new %d\n", i)})
		case 1: // new file
			actions = append(actions, proposal.Action{Kind: proposal.KindFileWrite, Path: "new/" + name, Content: "n\n"})
		default: // existing file deleted
			h.write(name, "doomed\n", 0o600)
			actions = append(actions, proposal.Action{Kind: proposal.KindFileDelete, Path: name})
		}
	}
	before := tree(t, h.ws)
	n := 0
	executor.SetBeforeStep(h.c.Executor, func(seq int, rel string) error {
		n++
		if n == 25 {
			return errors.New("disk full (injected)")
		}
		return nil
	})
	p, res := h.run(actions...)
	if res.Outcome != executor.OutcomeFailed {
		t.Fatalf("outcome %s", res.Outcome)
	}
	mustContain(t, res.Error, "disk full (injected)")
	mustContain(t, res.Rollback, "rolled back")
	sameTree(t, "after a failure half-way", tree(t, h.ws), before)
	if got := h.status(p.ID); got != proposal.StatusFailed {
		t.Fatalf("status %s", got)
	}
	ex, err := h.c.Store.GetExecution(context.Background(), p.ID)
	if err != nil || ex.Phase != store.PhaseDone {
		t.Fatalf("journal %+v %v", ex, err)
	}
}

// TestCommandFailureRollsBack: a command that changes its declared paths
// and then fails leaves them exactly as before.
func TestCommandFailureRollsBack(t *testing.T) {
	h := newHarness(t)
	h.write("out/a.txt", "a\n", 0o644)
	before := tree(t, h.ws)
	p, res := h.run(
		proposal.Action{Kind: proposal.KindFileWrite, Path: "first.txt", Content: "1\n"},
		proposal.Action{Kind: proposal.KindCommandRun, Argv: []string{"/bin/sh", "-c", "echo changed > out/a.txt; mkdir out/n; echo n > out/n/b.txt; echo oops >&2; exit 3"}, Writes: []string{"out"}},
	)
	if res.Outcome != executor.OutcomeFailed || h.status(p.ID) != proposal.StatusFailed {
		t.Fatalf("outcome %s", res.Outcome)
	}
	mustContain(t, res.Error, "exited with status 3")
	if a := res.Actions[len(res.Actions)-1]; a.Stderr != "oops\n" || a.ExitCode == nil || *a.ExitCode != 3 {
		t.Errorf("command result %+v", a)
	}
	sameTree(t, "after a failed command", tree(t, h.ws), before)
}

// TestPostCheck: a failing post-check rolls everything back and says so; a
// passing one lets the proposal execute.
func TestPostCheck(t *testing.T) {
	h := newHarness(t)
	h.write("config.json", `{"ok": true}`, 0o644)
	before := tree(t, h.ws)
	p, res := h.run(
		proposal.Action{Kind: proposal.KindFileWrite, Path: "config.json", Content: `{"ok": tru`},
		proposal.Action{Kind: proposal.KindCommandRun, Argv: []string{"/bin/sh", "-c", "grep -q 'true}' config.json"}, Check: true},
	)
	if res.Outcome != executor.OutcomeFailed || h.status(p.ID) != proposal.StatusFailed {
		t.Fatalf("outcome %s", res.Outcome)
	}
	mustContain(t, res.Error, "post-check")
	sameTree(t, "after a failed post-check", tree(t, h.ws), before)

	_, res = h.run(
		proposal.Action{Kind: proposal.KindFileWrite, Path: "config.json", Content: `{"ok": false}`},
		proposal.Action{Kind: proposal.KindCommandRun, Argv: []string{"/bin/sh", "-c", "grep -q 'false}' config.json"}, Check: true},
	)
	if res.Outcome != executor.OutcomeExecuted {
		t.Fatalf("outcome %s: %s", res.Outcome, res.Error)
	}
}

// TestStaleTargetRefused: the file changes between approval and execution
// (TOCTOU); nothing runs, the file keeps the newer content, and the refusal
// is recorded.
func TestStaleTargetRefused(t *testing.T) {
	h := newHarness(t)
	h.write("a.txt", "previewed\n", 0o644)
	h.write("b.txt", "b\n", 0o644)
	p := h.submit(
		proposal.Action{Kind: proposal.KindFileWrite, Path: "b.txt", Content: "bb\n"},
		proposal.Action{Kind: proposal.KindFileEdit, Path: "a.txt", Edits: []proposal.Edit{{Old: "previewed", New: "approved"}}},
	)
	h.approve(p.ID)
	h.write("a.txt", "previewed\nand changed by someone else\n", 0o644)
	before := tree(t, h.ws)
	res, err := h.c.Execute(context.Background(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != executor.OutcomeFailed || !res.Stale {
		t.Fatalf("result %+v", res)
	}
	mustContain(t, res.Error, "a.txt changed after it was previewed and approved")
	sameTree(t, "after a stale refusal", tree(t, h.ws), before)
	evs, err := h.c.Store.ListEvents(context.Background(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := evs[len(evs)-1]
	if last.Type != store.EventFailed || !bytes.Contains(last.Data, []byte("changed after it was previewed")) {
		t.Fatalf("last event %s %s", last.Type, last.Data)
	}
}

// TestTokenChecks: a tampered token refuses execution; a token is used at
// most once; a proposal runs only from approved.
func TestTokenChecks(t *testing.T) {
	h := newHarness(t)
	p := h.submit(proposal.Action{Kind: proposal.KindFileWrite, Path: "x.txt", Content: "x\n"})
	h.approve(p.ID)
	db := openRaw(t, h.c.Store.Path())
	if _, err := db.Exec(`UPDATE decisions SET token = token || 'A' WHERE proposal_id = ?`, p.ID); err != nil {
		t.Fatal(err)
	}
	res, err := h.c.Execute(context.Background(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != executor.OutcomeFailed {
		t.Fatalf("outcome %s", res.Outcome)
	}
	mustContain(t, res.Error, "intent token does not verify")
	if _, err := os.Stat(filepath.Join(h.ws, "x.txt")); !os.IsNotExist(err) {
		t.Fatalf("x.txt was written: %v", err)
	}
	// Executing again: the proposal is no longer approved.
	if _, err := h.c.Execute(context.Background(), p.ID); err == nil {
		t.Fatal("a failed proposal executed again")
	}

	// The same token cannot start a second execution even if the status
	// were put back to approved behind the executor's back.
	q := h.submit(proposal.Action{Kind: proposal.KindFileWrite, Path: "y.txt", Content: "y\n"})
	h.approve(q.ID)
	if res, err := h.c.Execute(context.Background(), q.ID); err != nil || res.Outcome != executor.OutcomeExecuted {
		t.Fatalf("%+v %v", res, err)
	}
	if _, err := db.Exec(`UPDATE proposals SET status = 'approved' WHERE id = ?`, q.ID); err != nil {
		t.Fatal(err)
	}
	_, err = h.c.Execute(context.Background(), q.ID)
	if !errors.Is(err, store.ErrTokenUsed) {
		t.Fatalf("second use of a token: %v", err)
	}
}

// TestUndoDataStoredOnce: undo data for repeated content costs its
// distinct bytes only. 200 files replaced with one of 4 contents, over
// files holding one of 2 contents, add exactly 6 blobs to the store.
func TestUndoDataStoredOnce(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	olds := []string{strings.Repeat("old A\n", 2000), strings.Repeat("old B\n", 2000)}
	news := []string{strings.Repeat("new 1\n", 2000), strings.Repeat("new 2\n", 2000), strings.Repeat("new 3\n", 2000), strings.Repeat("new 4\n", 2000)}
	var actions []proposal.Action
	for i := range 200 {
		rel := fmt.Sprintf("f%03d.txt", i)
		h.write(rel, olds[i%2], 0o644)
		actions = append(actions, proposal.Action{Kind: proposal.KindFileWrite, Path: rel, Content: news[i%4]})
	}
	p := h.submit(actions...) // stores the 4 new contents with the proposal
	h.approve(p.ID)
	n0, bytes0, _, err := h.c.Store.BlobStats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	res, err := h.c.Execute(ctx, p.ID)
	if err != nil || res.Outcome != executor.OutcomeExecuted {
		t.Fatalf("%+v %v", res, err)
	}
	n1, bytes1, _, err := h.c.Store.BlobStats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The after-states are the proposal's own contents, already stored; the
	// before-states are 2 distinct contents.
	if n1-n0 != 2 || bytes1-bytes0 != int64(len(olds[0])+len(olds[1])) {
		t.Fatalf("undo data added %d blobs, %d bytes; want 2 blobs, %d bytes", n1-n0, bytes1-bytes0, len(olds[0])+len(olds[1]))
	}
}

// TestUndoConflict: a file changed after Countersign wrote it is not
// overwritten by undo; the conflict comes back with a diff, nothing changes;
// forced, undo restores the before-state.
func TestUndoConflict(t *testing.T) {
	h := newHarness(t)
	h.write("doc.txt", "one\ntwo\n", 0o644)
	p, res := h.run(proposal.Action{Kind: proposal.KindFileWrite, Path: "doc.txt", Content: "one\nTWO\n"},
		proposal.Action{Kind: proposal.KindFileWrite, Path: "other.txt", Content: "o\n"})
	if res.Outcome != executor.OutcomeExecuted {
		t.Fatal(res.Error)
	}
	h.write("doc.txt", "one\nTWO\nthree, added by hand\n", 0o644)
	before := tree(t, h.ws)
	ctx := context.Background()
	_, err := h.c.Undo(ctx, p.ID, false)
	var ce *executor.ConflictError
	if !errors.As(err, &ce) || len(ce.Conflicts) != 1 || ce.Conflicts[0].Path != "doc.txt" {
		t.Fatalf("undo over a changed file: %v", err)
	}
	mustContain(t, ce.Conflicts[0].Diff, "+three, added by hand")
	sameTree(t, "after a refused undo", tree(t, h.ws), before)
	if got := h.status(p.ID); got != proposal.StatusExecuted {
		t.Fatalf("status %s", got)
	}
	if _, err := h.c.Undo(ctx, p.ID, true); err != nil {
		t.Fatal(err)
	}
	// Undone once; a second undo is refused in words, a redo is what fits.
	if _, err := h.c.Undo(ctx, p.ID, false); err == nil {
		t.Fatal("a reverted proposal was undone again")
	} else {
		mustContain(t, err.Error(), "is reverted; only a proposal that is executed can be undone")
	}
	if b, _ := os.ReadFile(filepath.Join(h.ws, "doc.txt")); string(b) != "one\ntwo\n" {
		t.Fatalf("forced undo: %q", b)
	}
	if _, err := os.Stat(filepath.Join(h.ws, "other.txt")); !os.IsNotExist(err) {
		t.Fatalf("other.txt: %v", err)
	}
}

// TestNetRequest sends the approved request (method, URL, body) without
// following redirects; a refusal by the server fails the proposal and rolls
// back the file written before it.
func TestNetRequest(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = append(got, r.Method+" "+r.URL.Path+" "+string(b))
		switch r.URL.Path {
		case "/redirect":
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		case "/refuse":
			http.Error(w, "no", http.StatusForbidden)
		default:
			fmt.Fprint(w, "stored")
		}
	}))
	defer srv.Close()
	h := newHarness(t)
	_, res := h.run(proposal.Action{Kind: proposal.KindNetRequest, Method: "PUT", URL: srv.URL + "/upload", Body: "report"},
		proposal.Action{Kind: proposal.KindNetRequest, Method: "POST", URL: srv.URL + "/redirect", Body: "x"})
	if res.Outcome != executor.OutcomeExecuted || res.Actions[0].HTTPStatus != 200 || res.Actions[0].Stdout != "stored" ||
		res.Actions[1].HTTPStatus != http.StatusFound {
		t.Fatalf("%+v", res)
	}
	if len(res.NotUndoable) != 2 {
		t.Errorf("not undoable: %v", res.NotUndoable)
	}
	before := tree(t, h.ws)
	_, res = h.run(proposal.Action{Kind: proposal.KindFileWrite, Path: "sent.txt", Content: "s\n"},
		proposal.Action{Kind: proposal.KindNetRequest, Method: "POST", URL: srv.URL + "/refuse", Body: "y"})
	if res.Outcome != executor.OutcomeFailed {
		t.Fatalf("%+v", res)
	}
	mustContain(t, res.Error, "403")
	sameTree(t, "after a refused request", tree(t, h.ws), before)
	want := []string{"PUT /upload report", "POST /redirect x", "POST /refuse y"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("server saw %v, want %v (no redirect followed)", got, want)
	}
}
