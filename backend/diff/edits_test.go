package diff

import (
	"errors"
	"testing"

	"countersign/backend/proposal"
)

func TestApplyEdits(t *testing.T) {
	const limit = 1 << 20
	tests := []struct {
		name    string
		old     string
		edits   []proposal.Edit
		want    string
		wantErr error
		index   int // of the failing edit
		count   int // for ErrAmbiguous
	}{
		{name: "single replacement", old: "a\nb\nc\n", edits: []proposal.Edit{{Old: "b\n", New: "B\n"}}, want: "a\nB\nc\n"},
		{name: "no edits", old: "a\n", want: "a\n"},
		{name: "not found", old: "a\n", edits: []proposal.Edit{{Old: "x", New: "y"}}, wantErr: ErrNotFound},
		{name: "found twice without replace_all", old: "x\nx\ny\n", edits: []proposal.Edit{{Old: "x", New: "z"}}, wantErr: ErrAmbiguous, count: 2},
		{name: "replace_all", old: "x\nx\ny\n", edits: []proposal.Edit{{Old: "x", New: "z", ReplaceAll: true}}, want: "z\nz\ny\n"},
		{name: "replace_all with one match", old: "x\ny\n", edits: []proposal.Edit{{Old: "x", New: "z", ReplaceAll: true}}, want: "z\ny\n"},
		{
			name: "sequential edits see earlier results",
			old:  "func a() {}\n",
			edits: []proposal.Edit{
				{Old: "a()", New: "b()"},
				{Old: "b() {}", New: "b() { return }"},
				{Old: "func", New: "// b returns.\nfunc"},
			},
			want: "// b returns.\nfunc b() { return }\n",
		},
		{
			name:    "a later edit fails: nothing applies",
			old:     "a\nb\n",
			edits:   []proposal.Edit{{Old: "a", New: "A"}, {Old: "a", New: "x"}},
			wantErr: ErrNotFound, index: 1,
		},
		{name: "an earlier edit makes a later one ambiguous", old: "ab\n", edits: []proposal.Edit{{Old: "b", New: "a"}, {Old: "a", New: "c"}}, wantErr: ErrAmbiguous, index: 1, count: 2},
		{name: "crlf content, exact crlf edit", old: "a\r\nb\r\n", edits: []proposal.Edit{{Old: "a\r\nb", New: "a\r\nB"}}, want: "a\r\nB\r\n"},
		{name: "crlf content, edit written with LF", old: "a\r\nb\r\nc\r\n", edits: []proposal.Edit{{Old: "a\nb\n", New: "a\nx\ny\n"}}, want: "a\r\nx\r\ny\r\nc\r\n"},
		{name: "crlf content, single-line edit", old: "a\r\nb\r\n", edits: []proposal.Edit{{Old: "b", New: "c"}}, want: "a\r\nc\r\n"},
		{name: "mixed line endings are matched exactly only", old: "a\r\nb\nc\r\n", edits: []proposal.Edit{{Old: "a\nb", New: "x"}}, wantErr: ErrNotFound},
		{name: "empty old on empty content", old: "", edits: []proposal.Edit{{Old: "", New: "hello\n"}}, want: "hello\n"},
		{name: "empty old on content", old: "x", edits: []proposal.Edit{{Old: "", New: "y"}}, wantErr: ErrEmptyOld},
		{name: "old equals new", old: "x", edits: []proposal.Edit{{Old: "x", New: "x"}}, wantErr: ErrNoChange},
		{name: "deleting text", old: "keep drop keep", edits: []proposal.Edit{{Old: " drop", New: ""}}, want: "keep keep"},
		{name: "result too large", old: "aaaa", edits: []proposal.Edit{{Old: "a", New: string(make([]byte, limit)), ReplaceAll: true}}, wantErr: ErrTooLarge, count: 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ApplyEdits([]byte(tt.old), tt.edits, limit)
			if tt.wantErr == nil {
				if err != nil || string(got) != tt.want {
					t.Fatalf("got %q, %v; want %q", got, err, tt.want)
				}
				return
			}
			var ee *EditError
			if !errors.Is(err, tt.wantErr) || !errors.As(err, &ee) || got != nil {
				t.Fatalf("got %q, %v; want %v", got, err, tt.wantErr)
			}
			if ee.Index != tt.index || ee.Count != tt.count {
				t.Errorf("index %d count %d, want %d %d (%v)", ee.Index, ee.Count, tt.index, tt.count, err)
			}
		})
	}
}

func TestApplyEditsMessages(t *testing.T) {
	_, err := ApplyEdits([]byte("x x"), []proposal.Edit{{Old: "y", New: "z"}}, 100)
	if want := "edit 1: old_string not found"; err == nil || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
	_, err = ApplyEdits([]byte("x x"), []proposal.Edit{{Old: "x", New: "z"}}, 100)
	if want := "edit 1: old_string found more than once (2 times); give more context or set replace_all"; err == nil || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
}

// The after-state of edits feeds Compute; the preview of edits must apply.
func TestApplyEditsThenCompute(t *testing.T) {
	old := []byte("package p\r\n\r\nfunc f() int {\r\n\treturn 1\r\n}\r\n")
	new, err := ApplyEdits(old, []proposal.Edit{{Old: "\treturn 1\n}", New: "\tx := 2\n\treturn x\n}"}}, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	c := testCase{name: "edits", path: "p.go", old: old, new: new, oldExists: true, newExists: true}
	r := compute(t, c, DefaultOptions())
	checkResult(t, c, r)
	if r.Added != 2 || r.Deleted != 1 {
		t.Errorf("+%d -%d:\n%s", r.Added, r.Deleted, r.Unified)
	}
}
