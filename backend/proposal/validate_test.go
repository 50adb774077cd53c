package proposal

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func loadFixture(t *testing.T, path string) *Proposal {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var p Proposal
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return &p
}

// fields returns the Field of every problem in err.
func fields(t *testing.T, err error) []string {
	t.Helper()
	var es ValidationErrors
	if !errors.As(err, &es) {
		t.Fatalf("error %v (%T) is not ValidationErrors", err, err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Field)
	}
	return out
}

func TestValidateValidFixtures(t *testing.T) {
	files, err := filepath.Glob("testdata/valid/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no valid fixtures: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			p := loadFixture(t, f)
			if err := p.Validate(DefaultLimits()); err != nil {
				t.Errorf("Validate = %v, want nil", err)
			}
		})
	}
}

func TestValidateInvalidFixtures(t *testing.T) {
	// The fields each fixture must be refused for, in order.
	want := map[string][]string{
		"no_agent.json":                   {"agent_id"},
		"empty_summary.json":              {"summary"},
		"no_actions.json":                 {"actions"},
		"unknown_kind.json":               {"actions[0].kind"},
		"empty_kind.json":                 {"actions[0].kind"},
		"write_empty_path.json":           {"actions[0].path"},
		"delete_nul_in_path.json":         {"actions[1].path"},
		"edit_no_edits.json":              {"actions[0].edits"},
		"edit_empty_old.json":             {"actions[0].edits[1].old"},
		"move_missing_to.json":            {"actions[0].to"},
		"sheet_no_cells.json":             {"actions[0].cells"},
		"sheet_bad_cell.json":             {"actions[0].cells[0].cell"},
		"sheet_cell_out_of_range.json":    {"actions[0].cells[1].cell"},
		"sheet_empty_name.json":           {"actions[0].cells[0].sheet"},
		"sheet_value_and_formula.json":    {"actions[0].cells[0]"},
		"command_empty_argv.json":         {"actions[0].argv"},
		"command_negative_timeout.json":   {"actions[0].timeout_sec"},
		"net_unparsable_url.json":         {"actions[0].url"},
		"net_ftp_url.json":                {"actions[0].url"},
		"net_bad_method.json":             {"actions[0].method"},
		"tool_empty.json":                 {"actions[0].tool"},
		"relative_workspace.json":         {"workspace"},
		"relative_path_no_workspace.json": {"actions[0].path"},
		"several_problems.json":           {"agent_id", "summary", "actions[0].path", "actions[1].to"},
	}
	files, err := filepath.Glob("testdata/invalid/*.json")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range files {
		name := filepath.Base(f)
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			wantFields, ok := want[name]
			if !ok {
				t.Fatalf("fixture %s has no expectation in this test", name)
			}
			p := loadFixture(t, f)
			err := p.Validate(DefaultLimits())
			if err == nil {
				t.Fatalf("Validate = nil, want errors for %v", wantFields)
			}
			if diff := cmp.Diff(fields(t, err), wantFields); diff != "" {
				t.Errorf("fields (-got +want):\n%s", diff)
			}
			var first *ValidationError
			if !errors.As(err, &first) || first.Field != wantFields[0] {
				t.Errorf("errors.As first = %+v, want field %q", first, wantFields[0])
			}
			if !strings.HasPrefix(err.Error(), wantFields[0]+": ") {
				t.Errorf("message %q does not start with the field %q", err, wantFields[0])
			}
		})
	}
	for name := range want {
		if !seen[name] {
			t.Errorf("expectation for missing fixture %s", name)
		}
	}
}

func TestValidateLimits(t *testing.T) {
	dir := func(path string) Action { return Action{Kind: KindDirCreate, Path: path} }
	write := func(path string, n int) Action {
		return Action{Kind: KindFileWrite, Path: path, Content: strings.Repeat("x", n)}
	}
	base := func(actions ...Action) *Proposal {
		return &Proposal{AgentID: "a", Summary: "s", Workspace: "/w", Actions: actions}
	}
	tests := []struct {
		name   string
		p      *Proposal
		limits Limits
		want   []string
	}{
		{"too many actions", base(dir("a"), dir("b"), dir("c")), Limits{MaxActions: 2}, []string{"actions"}},
		{"at the action limit", base(dir("a"), dir("b")), Limits{MaxActions: 2}, nil},
		{"content over the per-action limit", base(write("a", 11)), Limits{MaxContentBytes: 10}, []string{"actions[0].content"}},
		{"content at the per-action limit", base(write("a", 10)), Limits{MaxContentBytes: 10}, nil},
		{"edit strings count as content", base(Action{Kind: KindFileEdit, Path: "a", Edits: []Edit{{Old: "12345", New: "678901"}}}),
			Limits{MaxContentBytes: 10}, []string{"actions[0].edits"}},
		{"body counts as content", base(Action{Kind: KindNetRequest, URL: "https://x.example", Body: strings.Repeat("b", 11)}),
			Limits{MaxContentBytes: 10}, []string{"actions[0].body"}},
		{"total over the limit", base(write("a", 10), write("b", 10)), Limits{MaxContentBytes: 10, MaxTotalBytes: 15}, []string{"actions"}},
		{"summary too long", &Proposal{AgentID: "a", Summary: strings.Repeat("é", 6), Workspace: "/w", Actions: []Action{dir("a")}},
			Limits{MaxSummary: 5}, []string{"summary"}},
		{"summary counts characters, not bytes", &Proposal{AgentID: "a", Summary: strings.Repeat("é", 5), Workspace: "/w", Actions: []Action{dir("a")}},
			Limits{MaxSummary: 5}, nil},
		{"rationale too long", &Proposal{AgentID: "a", Summary: "s", Rationale: "123456", Workspace: "/w", Actions: []Action{dir("a")}},
			Limits{MaxRationale: 5}, []string{"rationale"}},
		{"path too long", base(dir(strings.Repeat("p", 9))), Limits{MaxPath: 8}, []string{"actions[0].path"}},
		{"too many cells", base(Action{Kind: KindSheetUpdate, Path: "b.xlsx", Cells: []CellEdit{{Sheet: "S", Cell: "A1"}, {Sheet: "S", Cell: "A2"}}}),
			Limits{MaxItems: 1}, []string{"actions[0].cells"}},
		{"zero limits mean the defaults", base(write("a", 16<<20+1)), Limits{}, []string{"actions[0].content"}},
		{"invalid tool input", base(Action{Kind: KindToolCall, Tool: "t", Input: json.RawMessage(`{"a":`)}), Limits{}, []string{"actions[0].input"}},
		{"argv with NUL", base(Action{Kind: KindCommandRun, Argv: []string{"echo", "a\x00b"}}), Limits{}, []string{"actions[0].argv[1]"}},
		{"command writes a NUL path", base(Action{Kind: KindCommandRun, Argv: []string{"make"}, Writes: []string{"out\x00"}}), Limits{}, []string{"actions[0].writes[0]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Validate(tt.limits)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			if diff := cmp.Diff(fields(t, err), tt.want); diff != "" {
				t.Errorf("fields (-got +want):\n%s (error: %v)", diff, err)
			}
		})
	}
}

func TestValidateCapsReportedProblems(t *testing.T) {
	p := &Proposal{AgentID: "a", Summary: "s", Workspace: "/w"}
	for range 200 {
		p.Actions = append(p.Actions, Action{Kind: KindFileDelete})
	}
	if got := len(fields(t, p.Validate(DefaultLimits()))); got != maxReported {
		t.Errorf("reported %d problems, want %d", got, maxReported)
	}
}

func TestValidCell(t *testing.T) {
	for ref, want := range map[string]bool{
		"A1": true, "b12": true, "$C$3": true, "XFD1048576": true, "AA100": true,
		"": false, "A": false, "1": false, "A0": false, "XFE1": false, "A1048577": false,
		"ABCD1": false, "A1:B2": false, "Sheet1!A1": false, " A1": false,
	} {
		t.Run(ref, func(t *testing.T) {
			if got := validCell(ref); got != want {
				t.Errorf("validCell(%q) = %v, want %v", ref, got, want)
			}
		})
	}
}
