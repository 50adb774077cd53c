package cli

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	_ "modernc.org/sqlite"

	"countersign/backend/config"
	"countersign/backend/proposal"
)

func TestAuditCommands(t *testing.T) {
	dir, _, _ := decided(t, proposal.VerdictDeny)
	out := filepath.Join(t.TempDir(), "audit.jsonl")

	code, stdout, stderr := runCLI(t, dir, "audit", "verify")
	if code != 0 || !strings.Contains(stdout, "ok: 2 records, 1 checkpoints verified") {
		t.Fatalf("audit verify: exit %d\n%s%s", code, stdout, stderr)
	}
	code, key, stderr := runCLI(t, dir, "audit", "key")
	if code != 0 {
		t.Fatalf("audit key: exit %d: %s", code, stderr)
	}
	key = strings.TrimSpace(key)
	if _, err := note.NewVerifier(key); err != nil {
		t.Fatalf("audit key printed %q: %v", key, err)
	}
	code, _, stderr = runCLI(t, dir, "audit", "export", "--format", "jsonl", "--out", out)
	if code != 0 || !strings.Contains(stderr, "exported 2 records (1..2)") {
		t.Fatalf("audit export: exit %d: %s", code, stderr)
	}
	// An auditor with only the file and the public key.
	code, stdout, stderr = runCLI(t, t.TempDir(), "audit", "verify", "--file", out, "--pubkey", key)
	if code != 0 || !strings.Contains(stdout, "ok: 2 records") {
		t.Errorf("verify --file --pubkey: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, _ = runCLI(t, dir, "audit", "export", "--format", "csv")
	if code != 0 || !strings.HasPrefix(stdout, "seq,timestamp,action,") || strings.Count(stdout, "\n") != 3 {
		t.Errorf("csv export: exit %d\n%s", code, stdout)
	}

	// A forged export.
	b, _ := os.ReadFile(out)
	forged := strings.Replace(string(b), `"outcome":"denied"`, `"outcome":"approved"`, 1)
	if forged == string(b) {
		t.Fatal("nothing to forge")
	}
	os.WriteFile(out, []byte(forged), 0o600)
	code, stdout, stderr = runCLI(t, dir, "audit", "verify", "--file", out)
	if code != 1 || !strings.Contains(stdout, "problem: ") || !strings.Contains(stderr, "failed verification") {
		t.Errorf("forged file: exit %d\n%s%s", code, stdout, stderr)
	}

	// The database, tampered with.
	db, err := sql.Open("sqlite", "file:"+config.DatabasePath(dir))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE audit_log SET record = replace(record, '"action":"proposed"', '"action":"approved"') WHERE seq = 1`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	code, stdout, _ = runCLI(t, dir, "audit", "verify")
	if code != 1 || !strings.Contains(stdout, "problem: record 1 was changed: record 2 holds a different hash of it") {
		t.Errorf("tampered database: exit %d\n%s", code, stdout)
	}
}

func TestAuditSettings(t *testing.T) {
	dir := t.TempDir()
	siem := filepath.Join(t.TempDir(), "siem.jsonl")
	tests := []cliCase{
		{"defaults", nil, 0, "siem file:        (off)", ""},
		{"change", []string{"--siem-file", siem, "--retention-days", "30", "--checkpoint-every", "5m"}, 0, "retention:        30 days", ""},
		{"kept", nil, 0, "siem file:        " + siem, ""},
		{"too frequent", []string{"--checkpoint-every", "1s"}, 2, "", "checkpoint interval 1s is not between 10s and 24h0m0s"},
		{"own file", []string{"--siem-file", config.DatabasePath(dir)}, 2, "", "is one of Countersign's own files"},
		{"no directory", []string{"--siem-file", filepath.Join(dir, "nope", "x.jsonl")}, 2, "", "does not exist"},
		{"both", []string{"--siem-file", siem, "--no-siem-file"}, 2, "", "not both"},
		{"off", []string{"--no-siem-file"}, 0, "siem file:        (off)", ""},
	}
	for _, tt := range tests {
		tt.run(t, dir, "audit", "settings")
	}
	// Every change is in the audit log, which verifies.
	code, out, _ := runCLI(t, dir, "audit", "export", "--format", "csv")
	if code != 0 || strings.Count(out, "settings.changed") != 2 {
		t.Errorf("exit %d: %s", code, out)
	}
}
