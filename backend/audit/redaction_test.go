package audit_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"countersign/backend/audit"
	"countersign/backend/config"
	"countersign/backend/core"
	"countersign/backend/keystore"
	"countersign/backend/proposal"
	"countersign/backend/store"
)

type secret struct {
	Name   string `json:"name"`
	Text   string `json:"text"`
	Secret string `json:"secret"`
}

// TestSecretsNeverReachTheLog puts every secret of the corpus (AWS keys,
// private keys, GitHub tokens, passwords in URLs, card numbers...) in every
// place a proposal or a decision carries text, through the whole backend,
// then reads the audit records straight from the SQLite file, a JSONL and a
// CSV export and the SIEM file: no secret may appear in any of them.
func TestSecretsNeverReachTheLog(t *testing.T) {
	raw, err := os.ReadFile("../redact/testdata/secrets.json")
	if err != nil {
		t.Fatal(err)
	}
	var corpus []secret
	if err := json.Unmarshal(raw, &corpus); err != nil {
		t.Fatal(err)
	}
	dir, ws := t.TempDir(), t.TempDir()
	siem := filepath.Join(t.TempDir(), "siem.jsonl")
	c, err := core.Open(core.Options{DataDir: dir, Keystore: keystore.KindFile})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.KeyErr != nil {
		t.Fatal(c.KeyErr)
	}
	ctx := context.Background()
	s := config.DefaultSettings()
	s.SIEMFile = siem
	if err := c.Store.SaveSettings(ctx, s.Values(), store.Event{At: time.Now(), Type: store.EventSettingsChanged, UserID: "ada"}); err != nil {
		t.Fatal(err)
	}
	for i, x := range corpus {
		summary := x.Text
		if len(summary) > 480 {
			summary = summary[:480] // the summary's limit; the rationale carries it whole
		}
		p, err := c.Queue.Submit(ctx, proposal.Proposal{AgentID: "agent", Summary: "Deploy " + summary, Rationale: "Because " + x.Text,
			Workspace: ws, Actions: []proposal.Action{
				{Kind: proposal.KindFileWrite, Path: "config.env", Content: x.Text},
				{Kind: proposal.KindCommandRun, Argv: []string{"sh", "-c", x.Text}},
				{Kind: proposal.KindNetRequest, Method: "POST", URL: "https://api.example.com/upload?note=" + url.QueryEscape(x.Text), Body: x.Text},
				{Kind: proposal.KindToolCall, Tool: "mcp__notes__add", Input: mustJSON(t, map[string]string{"text": x.Text})},
			}})
		if err != nil {
			t.Fatalf("%s: %v", x.Name, err)
		}
		verdict := proposal.VerdictDeny
		if i%3 == 0 {
			verdict = proposal.VerdictApprove
		}
		if _, err := c.Decide(ctx, p.ID, core.Decision{Verdict: verdict, Reason: "no: " + x.Text, DecidedBy: "ada"}); err != nil {
			t.Fatalf("%s: %v", x.Name, err)
		}
		if err := c.Store.AppendEvents(ctx, []store.Event{{At: time.Now(), ProposalID: p.ID, AgentID: "agent", Type: store.EventFailed,
			Data: mustJSON(t, map[string]any{"error": "exit 1: " + x.Text, "stderr": []string{x.Text}})}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Audit.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}

	var jsonl, csvOut bytes.Buffer
	set, _ := c.Keys.Keys()
	keys, _ := audit.KeysFromSet(set)
	if _, err := audit.Export(ctx, c.Store, &jsonl, audit.ExportOptions{Format: audit.FormatJSONL, Keys: keys}); err != nil {
		t.Fatal(err)
	}
	if _, err := audit.Export(ctx, c.Store, &csvOut, audit.ExportOptions{Format: audit.FormatCSV, Keys: keys}); err != nil {
		t.Fatal(err)
	}
	siemBytes, err := os.ReadFile(siem)
	if err != nil {
		t.Fatal(err)
	}
	records := recordsInFile(t, config.DatabasePath(dir))
	if n := bytes.Count(records, []byte("\n")); n != 1+3*len(corpus) {
		t.Fatalf("%d records, want %d", n, 1+3*len(corpus))
	}
	for _, x := range corpus {
		for name, b := range map[string][]byte{"database records": records, "JSONL export": jsonl.Bytes(),
			"CSV export": csvOut.Bytes(), "SIEM file": siemBytes} {
			if bytes.Contains(b, []byte(x.Secret)) {
				t.Errorf("%s: the secret appears in the %s", x.Name, name)
			}
			if enc := url.QueryEscape(x.Secret); bytes.Contains(b, []byte(enc)) {
				t.Errorf("%s: the secret appears URL-encoded in the %s", x.Name, name)
			}
		}
	}
	if !bytes.Contains(records, []byte("[REDACTED:aws-access-token]")) || !bytes.Contains(records, []byte(`"redacted":`)) {
		t.Error("records do not show what was redacted")
	}
	if r, err := audit.VerifyFile(&jsonl, keys); err != nil || !r.OK() {
		t.Errorf("the export does not verify: %v %+v", err, r)
	}
}

// recordsInFile reads every audit record from the database file through a
// connection of its own, one per line.
func recordsInFile(t *testing.T, path string) []byte {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT record FROM audit_log ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []byte
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			t.Fatal(err)
		}
		out = append(append(out, b...), '\n')
	}
	return out
}

func mustJSON(t *testing.T, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
