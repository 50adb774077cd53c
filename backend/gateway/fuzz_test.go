package gateway

import (
	"errors"
	"strings"
	"testing"
	"time"

	"countersign/backend/errs"
	"countersign/backend/proposal"
)

// FuzzSubmitDecode: whatever the body, the decoder either returns a proposal
// that passes validation and belongs to the token's agent, or an invalid
// error that names a field; it never panics.
func FuzzSubmitDecode(f *testing.F) {
	for _, s := range []string{
		`{"summary":"x","workspace":"/w","actions":[{"kind":"file.write","path":"a","content":"b"}]}`,
		`{"summary":"x","workspace":"/w","agent_id":"root","actions":[{"kind":"file.write","path":"a"}]}`,
		`{"summary":"x","workspace":"/w","expires_in_sec":5,"client_ref":"r","actions":[{"kind":"file.edit","path":"a","edits":[{"old":"a","new":"b","replace_all":true}]}]}`,
		`{"summary":"x","actions":[{"kind":"command.run","argv":["ls","-l"],"dir":"/tmp","timeout_sec":3,"writes":["/tmp/x"]}]}`,
		`{"summary":"x","actions":[{"kind":"tool.call","tool":"t","input":{"a":[1,2,{"b":null}]}}]}`,
		`{"summary":"x","actions":[{"kind":"sheet.update","path":"/a.xlsx","cells":[{"sheet":"S","cell":"A1","formula":"=1"}]}]}`,
		`{"summary":"x","actions":[{"kind":"net.request","method":"GET","url":"https://e.com","body":""}]}`,
		`{"summary":1}`, `[]`, `null`, ``, `{"actions":[null]}`, `{"summary":"\u0000","actions":[{}]}`,
		`{"summary":"x","actions":[{"kind":"file.write","path":"a\u0000"}]} x`,
	} {
		f.Add([]byte(s))
	}
	lim := proposal.Limits{MaxActions: 20, MaxContentBytes: 4096, MaxTotalBytes: 8192, MaxItems: 50}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		p, _, err := decodeSubmit(body, "alice", lim, now)
		if err != nil {
			if errs.CodeOf(err) != errs.CodeInvalid {
				t.Fatalf("error of code %s: %v", errs.CodeOf(err), err)
			}
			var ve validationErrors
			if !errors.As(err, &ve) || len(ve) == 0 || ve[0].Field == "" || ve[0].Message == "" {
				t.Fatalf("error names no field: %v", err)
			}
			if p != nil {
				t.Fatal("a proposal and an error")
			}
			return
		}
		if p.AgentID != "alice" {
			t.Fatalf("agent %q", p.AgentID)
		}
		if err := p.Validate(lim); err != nil {
			t.Fatalf("accepted a proposal that does not validate: %v", err)
		}
		if !p.ExpiresAt.IsZero() && !p.ExpiresAt.After(now) {
			t.Fatalf("deadline %v not after %v", p.ExpiresAt, now)
		}
		if strings.Contains(string(body), `"agent_id"`) && p.AgentID != "alice" {
			t.Fatal("the body chose the agent")
		}
	})
}
