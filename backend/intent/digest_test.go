package intent

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"

	"countersign/backend/proposal"
)

func hexSum(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestActionDigestDefinition pins the exact canonical JSON hashed for every
// kind, as the ActionDigest comment defines it, so that any other
// implementation can reproduce it.
func TestActionDigestDefinition(t *testing.T) {
	tests := []struct {
		name       string
		a          proposal.Action
		wantTarget string
		wantJSON   string
	}{
		{"file.write", proposal.Action{Kind: proposal.KindFileWrite, Path: "/w/a.txt", Content: "hello\n"},
			"/w/a.txt", `{"content_sha256":"` + hexSum("hello\n") + `","kind":"file.write","path":"/w/a.txt"}`},
		{"file.edit", proposal.Action{Kind: proposal.KindFileEdit, Path: "b.go", Edits: []proposal.Edit{{Old: "a<b", New: "c", ReplaceAll: true}, {Old: "x", New: ""}}},
			"b.go", `{"edits":[{"new":"c","old":"a<b","replace_all":true},{"new":"","old":"x","replace_all":false}],"kind":"file.edit","path":"b.go"}`},
		{"file.delete", proposal.Action{Kind: proposal.KindFileDelete, Path: "tmp/x.log"},
			"tmp/x.log", `{"kind":"file.delete","path":"tmp/x.log"}`},
		{"file.move", proposal.Action{Kind: proposal.KindFileMove, Path: "a", To: "b/a"},
			"a", `{"kind":"file.move","path":"a","to":"b/a"}`},
		{"dir.create", proposal.Action{Kind: proposal.KindDirCreate, Path: "out/reports"},
			"out/reports", `{"kind":"dir.create","path":"out/reports"}`},
		{"sheet.update", proposal.Action{Kind: proposal.KindSheetUpdate, Path: "q.xlsx", Cells: []proposal.CellEdit{{Sheet: "S1", Cell: "B2", Formula: "=A1*2"}}},
			"q.xlsx", `{"cells":[{"cell":"B2","formula":"=A1*2","sheet":"S1","value":""}],"kind":"sheet.update","path":"q.xlsx"}`},
		{"command.run", proposal.Action{Kind: proposal.KindCommandRun, Argv: []string{"go", "test", "./..."}, Dir: "/w", TimeoutSec: 60},
			"go test ./...", `{"argv":["go","test","./..."],"dir":"/w","kind":"command.run","timeout_sec":60,"writes":[]}`},
		{"net.request", proposal.Action{Kind: proposal.KindNetRequest, Method: "POST", URL: "https://example.com/u", Body: "{}"},
			"https://example.com/u", `{"body_sha256":"` + hexSum("{}") + `","kind":"net.request","method":"POST","url":"https://example.com/u"}`},
		{"tool.call", proposal.Action{Kind: proposal.KindToolCall, Tool: "search", Input: json.RawMessage(`{ "q" : "x", "n": 1.0e1 }`)},
			"search", `{"input":{"n":10,"q":"x"},"kind":"tool.call","tool":"search"}`},
		{"tool.call without input", proposal.Action{Kind: proposal.KindToolCall, Tool: "now"},
			"now", `{"kind":"tool.call","tool":"now"}`},
		{"tool.call with input that is not JSON", proposal.Action{Kind: proposal.KindToolCall, Tool: "t", Input: json.RawMessage(`{oops`)},
			"t", `{"input_invalid_sha256":"` + hexSum("{oops") + `","kind":"tool.call","tool":"t"}`},
		{"path that is not UTF-8", proposal.Action{Kind: proposal.KindFileDelete, Path: "a\xff"},
			"a\uFFFD", `{"kind":"file.delete","path":{"base64":"Yf8="}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target, content := ActionDigest(tt.a)
			if target != tt.wantTarget {
				t.Errorf("target = %q, want %q", target, tt.wantTarget)
			}
			if want := hexSum(tt.wantJSON); content != want {
				t.Errorf("content_sha256 = %s, want SHA-256 of %s = %s", content, tt.wantJSON, want)
			}
		})
	}
}

// TestActionDigestSeesEveryField changes each field that matters for each
// kind and expects a different digest.
func TestActionDigestSeesEveryField(t *testing.T) {
	base := map[proposal.Kind]proposal.Action{
		proposal.KindFileWrite:   {Kind: proposal.KindFileWrite, Path: "p", Content: "c"},
		proposal.KindFileEdit:    {Kind: proposal.KindFileEdit, Path: "p", Edits: []proposal.Edit{{Old: "o", New: "n"}}},
		proposal.KindFileDelete:  {Kind: proposal.KindFileDelete, Path: "p"},
		proposal.KindFileMove:    {Kind: proposal.KindFileMove, Path: "p", To: "t"},
		proposal.KindDirCreate:   {Kind: proposal.KindDirCreate, Path: "p"},
		proposal.KindSheetUpdate: {Kind: proposal.KindSheetUpdate, Path: "p", Cells: []proposal.CellEdit{{Sheet: "s", Cell: "A1", Value: "v"}}},
		proposal.KindCommandRun:  {Kind: proposal.KindCommandRun, Argv: []string{"a", "b"}, Dir: "d", TimeoutSec: 1, Writes: []string{"w"}},
		proposal.KindNetRequest:  {Kind: proposal.KindNetRequest, Method: "GET", URL: "https://x", Body: "b"},
		proposal.KindToolCall:    {Kind: proposal.KindToolCall, Tool: "t", Input: json.RawMessage(`{"a":1}`)},
	}
	changes := map[proposal.Kind][]func(*proposal.Action){
		proposal.KindFileWrite: {func(a *proposal.Action) { a.Path = "q" }, func(a *proposal.Action) { a.Content = "d" }},
		proposal.KindFileEdit: {func(a *proposal.Action) { a.Path = "q" }, func(a *proposal.Action) { a.Edits[0].Old = "O" },
			func(a *proposal.Action) { a.Edits[0].New = "N" }, func(a *proposal.Action) { a.Edits[0].ReplaceAll = true },
			func(a *proposal.Action) { a.Edits = append(a.Edits, proposal.Edit{Old: "x"}) }},
		proposal.KindFileDelete: {func(a *proposal.Action) { a.Path = "q" }},
		proposal.KindFileMove:   {func(a *proposal.Action) { a.Path = "q" }, func(a *proposal.Action) { a.To = "u" }},
		proposal.KindDirCreate:  {func(a *proposal.Action) { a.Path = "q" }, func(a *proposal.Action) { a.Kind = proposal.KindFileDelete }},
		proposal.KindSheetUpdate: {func(a *proposal.Action) { a.Path = "q" }, func(a *proposal.Action) { a.Cells[0].Sheet = "S" },
			func(a *proposal.Action) { a.Cells[0].Cell = "A2" }, func(a *proposal.Action) { a.Cells[0].Value = "w" },
			func(a *proposal.Action) { a.Cells[0].Value, a.Cells[0].Formula = "", "v" }},
		proposal.KindCommandRun: {func(a *proposal.Action) { a.Argv = []string{"a b"} }, func(a *proposal.Action) { a.Argv = []string{"a", "b", ""} },
			func(a *proposal.Action) { a.Dir = "e" }, func(a *proposal.Action) { a.TimeoutSec = 2 }, func(a *proposal.Action) { a.Writes = nil }},
		proposal.KindNetRequest: {func(a *proposal.Action) { a.Method = "POST" }, func(a *proposal.Action) { a.URL = "https://y" },
			func(a *proposal.Action) { a.Body = "c" }},
		proposal.KindToolCall: {func(a *proposal.Action) { a.Tool = "u" }, func(a *proposal.Action) { a.Input = json.RawMessage(`{"a":2}`) },
			func(a *proposal.Action) { a.Input = nil }, func(a *proposal.Action) { a.Input = json.RawMessage(`null`) }},
	}
	for kind, a := range base {
		_, want := ActionDigest(a)
		for i, change := range changes[kind] {
			b := deepCopy(t, a)
			change(&b)
			if _, got := ActionDigest(b); got == want {
				t.Errorf("%s change %d: digest unchanged for %+v", kind, i, b)
			}
		}
	}
	// Fields a kind does not use do not count.
	_, want := ActionDigest(base[proposal.KindFileDelete])
	unrelated := proposal.Action{Kind: proposal.KindFileDelete, Path: "p", To: "t", Content: "c", Argv: []string{"x"}, Tool: "t"}
	if _, got := ActionDigest(unrelated); got != want {
		t.Error("file.delete digest depends on fields it does not use")
	}
	// Distinct byte strings that are not UTF-8 never collide.
	_, x := ActionDigest(proposal.Action{Kind: proposal.KindFileDelete, Path: "\xff"})
	_, y := ActionDigest(proposal.Action{Kind: proposal.KindFileDelete, Path: "\xfe"})
	_, z := ActionDigest(proposal.Action{Kind: proposal.KindFileDelete, Path: "\uFFFD"})
	if x == y || x == z {
		t.Error("paths that differ only in invalid bytes hash alike")
	}
}

func deepCopy(t *testing.T, a proposal.Action) proposal.Action {
	t.Helper()
	data, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	var b proposal.Action
	if err := json.Unmarshal(data, &b); err != nil {
		t.Fatal(err)
	}
	return b
}
