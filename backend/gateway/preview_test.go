package gateway

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"countersign/backend/gateway/api"
	"countersign/backend/proposal"
	"countersign/backend/store"
)

func TestPreviews(t *testing.T) {
	ws := t.TempDir()
	if err := os.WriteFile(filepath.Join(ws, "a.txt"), []byte("one\ntwo\nthree\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ws, "big.txt"), make([]byte, previewMaxFileBytes+1), 0o600); err != nil {
		t.Fatal(err)
	}
	p := &proposal.Proposal{Workspace: ws, Actions: []proposal.Action{
		{Kind: proposal.KindFileWrite, Path: "a.txt", Content: "one\n2\nthree\n"},
		{Kind: proposal.KindFileEdit, Path: "a.txt", Edits: []proposal.Edit{{Old: "two", New: "zwei"}}},
		{Kind: proposal.KindFileEdit, Path: "a.txt", Edits: []proposal.Edit{{Old: "four", New: "vier"}}},
		{Kind: proposal.KindFileDelete, Path: filepath.Join(ws, "a.txt")},
		{Kind: proposal.KindFileWrite, Path: "new.txt", Content: "fresh\n"},
		{Kind: proposal.KindFileDelete, Path: "missing.txt"},
		{Kind: proposal.KindFileWrite, Path: "big.txt", Content: "x"},
		{Kind: proposal.KindCommandRun, Argv: []string{"true"}},
		{Kind: proposal.KindFileWrite, Path: "bin.dat", Content: "\x00\x01"},
	}}
	got := Previews(context.Background(), p)
	type want struct {
		action   int
		contains string
		err      string
	}
	wants := []want{
		{0, "-two\n+2\n", ""},
		{1, "-two\n+zwei\n", ""},
		{2, "", "old_string not found"},
		{3, "-three\n", ""},
		{4, "+fresh\n", ""},
		{5, "", "does not exist"},
		{6, "", "too large"},
		{8, "Binary files", ""},
	}
	if len(got) != len(wants) {
		t.Fatalf("%d previews, want %d: %+v", len(got), len(wants), got)
	}
	for i, w := range wants {
		t.Run(got[i].Path, func(t *testing.T) {
			g := got[i]
			if g.Action != w.action || !strings.Contains(g.Unified, w.contains) || (w.err == "") != (g.Error == "") || !strings.Contains(g.Error, w.err) {
				t.Errorf("preview %+v, want %+v", g, w)
			}
		})
	}
}

func TestObservedIsRecorded(t *testing.T) {
	f := newFixture(t, nil)
	p := f.submit("alice", simple(t.TempDir()))
	f.decide(p.ID, proposal.VerdictApprove, "")
	content := []byte("# Notes\n")
	body, _ := json.Marshal(api.ObserveRequest{Files: []api.ObservedFile{
		{Path: "notes.md", Exists: true, ContentBase64: base64.StdEncoding.EncodeToString(content)},
		{Path: "old.md", Exists: false},
		{Path: "huge.bin", Exists: true, SHA256: strings.Repeat("a", 64), Size: 1 << 30},
	}})
	r := f.do(req{method: "POST", path: "/v1/proposals/" + p.ID + "/observed", agent: "alice", body: string(body)})
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	ctx := context.Background()
	blob, err := f.st.GetBlob(ctx, store.Hash(content))
	if err != nil || string(blob) != string(content) {
		t.Fatalf("blob %q, %v", blob, err)
	}
	evs, err := f.st.ListEvents(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := evs[len(evs)-1]
	if last.Type != EventObserved || last.AgentID != "alice" || !strings.Contains(string(last.Data), store.Hash(content)) ||
		!strings.Contains(string(last.Data), `"content_stored":false`) {
		t.Fatalf("event %+v %s", last, last.Data)
	}

	for _, tt := range []struct {
		name, body, field string
	}{
		{"no files", `{"files":[]}`, "files"},
		{"a digest for a missing file", `{"files":[{"path":"a","exists":false,"sha256":"` + strings.Repeat("a", 64) + `"}]}`, "files[0]"},
		{"an existing file without a digest", `{"files":[{"path":"a","exists":true}]}`, "files[0].sha256"},
		{"a digest in capitals", `{"files":[{"path":"a","exists":true,"sha256":"` + strings.Repeat("A", 64) + `"}]}`, "files[0].sha256"},
		{"content that is not base64", `{"files":[{"path":"a","exists":true,"content_base64":"%%%"}]}`, "files[0].content_base64"},
		{"a size that disagrees", `{"files":[{"path":"a","exists":true,"size":3,"content_base64":"eA=="}]}`, "files[0].size"},
		{"an empty path", `{"files":[{"path":"","exists":false}]}`, "files[0].path"},
		{"an unknown field", `{"files":[],"undo":true}`, "undo"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := f.do(req{method: "POST", path: "/v1/proposals/" + p.ID + "/observed", agent: "alice", body: tt.body})
			if e := r.errBody(t); r.status != 400 || e.Field != tt.field {
				t.Errorf("%d %+v, want 400 on %s", r.status, e, tt.field)
			}
		})
	}
	if evs2, _ := f.st.ListEvents(ctx, p.ID); len(evs2) != len(evs) {
		t.Errorf("bad requests recorded %d events", len(evs2)-len(evs))
	}
}
