package cli

import (
	"encoding/csv"
	"strings"
	"testing"

	"countersign/backend/proposal"
)

func TestTimelineCommand(t *testing.T) {
	dir, id, _ := decided(t, proposal.VerdictDeny) // "edit a", denied by ada "because"
	tests := []cliCase{
		{"table", []string{"timeline"}, 0, "denied", ""},
		{"by agent", []string{"timeline", "--agent", "agent", "--status", "denied,failed"}, 0, id, ""},
		{"by reason", []string{"timeline", "--search", "becau*"}, 0, "edit a", ""},
		{"by path", []string{"timeline", "--path", "a.txt", "--kind", "file.write", "--risk", "low,medium,high,critical"}, 0, id, ""},
		{"jsonl", []string{"timeline", "--format", "jsonl", "--limit", "0", "--since", "2000-01-01"},
			0, `"reason":"because"`, ""},
		{"bad format", []string{"timeline", "--format", "xml"}, 2, "", "--format must be"},
		{"bad status", []string{"timeline", "--status", "lost"}, 2, "", "unknown status"},
		{"bad time", []string{"timeline", "--since", "yesterday"}, 2, "", "--since"},
	}
	for _, tc := range tests {
		tc.run(t, dir)
	}
	for _, args := range [][]string{{"--agent", "someone-else"}, {"--search", "nothing-like-it"}, {"--path", "b.txt"}} {
		code, stdout, stderr := runCLI(t, dir, append([]string{"timeline", "--format", "csv"}, args...)...)
		rows, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
		if code != 0 || err != nil || len(rows) != 1 || rows[0][0] != "id" {
			t.Errorf("%v: exit %d, %d rows, %v\n%s", args, code, len(rows), err, stderr)
		}
	}
	code, stdout, _ := runCLI(t, dir, "timeline", "--format", "csv", "--limit", "1")
	rows, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	if code != 0 || err != nil || len(rows) != 2 || rows[1][0] != id || rows[1][10] != "deny" {
		t.Errorf("csv: exit %d, %v\n%s", code, err, stdout)
	}
}
