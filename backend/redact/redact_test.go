package redact

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"sync"
	"testing"

	"countersign/backend/proposal"
)

// Secret is one entry of testdata/secrets.json: a text and a secret in it
// that must never survive redaction. The values are made up; none is live.
type Secret struct {
	Name   string `json:"name"`
	Text   string `json:"text"`
	Secret string `json:"secret"`
}

// Corpus reads testdata/secrets.json.
func Corpus(t testing.TB, path string) []Secret {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var c []Secret
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

var shared = New()

func TestRedactCorpus(t *testing.T) {
	for _, c := range Corpus(t, "testdata/secrets.json") {
		t.Run(c.Name, func(t *testing.T) {
			if !strings.Contains(c.Text, c.Secret) {
				t.Fatalf("corpus entry does not contain its secret")
			}
			out, n := shared.Redact(c.Text)
			if n == 0 || strings.Contains(out, c.Secret) {
				t.Errorf("secret survived (%d redactions): %q", n, out)
			}
			if !strings.Contains(out, "[REDACTED:") {
				t.Errorf("no redaction mark in %q", out)
			}
		})
	}
}

func TestRedactLeavesOrdinaryText(t *testing.T) {
	for _, s := range []string{
		"Add notes to the Q3 report and tidy the introduction",
		"/home/ada/project/src/main.go",
		"git status --short",
		"https://example.com/api/v1/items?page=2",
		"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
		"01J8ZQ4K3M5N7P9R1T3V5X7Z9B",
		"Revenue grew 12% to 4,512,300 in Q3 2026",
		"rm -rf build/ && make test",
	} {
		out, n := shared.Redact(s)
		if n != 0 || out != s {
			t.Errorf("%q redacted to %q", s, out)
		}
	}
}

func TestFindLinesAndDescriptions(t *testing.T) {
	text := "line one\nkey = AKIAZ3MSJVQ2XK7PLN4R\nthird\ncard 4111111111111111\n"
	found, truncated, err := shared.Find(context.Background(), text)
	if err != nil || truncated {
		t.Fatal(err, truncated)
	}
	if len(found) != 2 {
		t.Fatalf("found %+v", found)
	}
	if found[0].Line != 2 || found[0].Description != "an AWS access key" {
		t.Errorf("first finding %+v", found[0])
	}
	if found[1].Line != 4 || found[1].RuleID != "payment-card" {
		t.Errorf("second finding %+v", found[1])
	}
	if got := text[found[0].Start:found[0].End]; got != "AKIAZ3MSJVQ2XK7PLN4R" {
		t.Errorf("span %q", got)
	}
}

func TestCardNumbersNeedLuhn(t *testing.T) {
	for s, want := range map[string]bool{"4111111111111111": true, "4111111111111112": false,
		"1234 5678 9012 3456": false, "378282246310005": true} {
		if got := luhn(s); got != want {
			t.Errorf("luhn(%q) = %v", s, got)
		}
	}
	if !iban("GB82WEST12345698765432") || iban("GB83WEST12345698765432") {
		t.Error("iban check")
	}
}

func TestRedactStopsAtMaxScanBytes(t *testing.T) {
	long := strings.Repeat("a", MaxScanBytes) + " AKIAZ3MSJVQ2XK7PLN4R"
	out, _ := shared.Redact(long)
	if strings.Contains(out, "AKIA") || !strings.HasSuffix(out, "[NOT SCANNED: cut]") {
		t.Errorf("tail kept: %q", out[len(out)-60:])
	}
}

func TestDescribe(t *testing.T) {
	for id, want := range map[string]string{"aws-access-token": "an AWS access key",
		"twilio-api-key": "a Twilio API key", "adobe-client-id": "an Adobe client ID"} {
		if got := Describe(id); got != want {
			t.Errorf("Describe(%q) = %q, want %q", id, got, want)
		}
	}
}

func TestScanProposal(t *testing.T) {
	p := &proposal.Proposal{Summary: "Configure the deploy", Actions: []proposal.Action{
		{Kind: proposal.KindFileWrite, Path: ".env", Content: "# env\nAWS_ACCESS_KEY_ID=AKIAZ3MSJVQ2XK7PLN4R\n"},
		{Kind: proposal.KindCommandRun, Argv: []string{"git", "clone", "https://ada:S3cr3tPassw0rd!@git.example.com/r.git"}},
		{Kind: proposal.KindFileEdit, Path: "a.txt", Edits: []proposal.Edit{{Old: "x", New: "fine"}, {Old: "y", New: "mail bob@example.com"}}},
	}}
	got := shared.ScanProposal(context.Background(), p)
	want := []ActionFinding{
		{Action: 0, Field: "content", Line: 2, RuleID: "aws-access-token", Description: "an AWS access key"},
		{Action: 1, Field: "command line", Line: 1, RuleID: "url-password", Description: "a password in a URL"},
		{Action: 2, Field: "edit 2", Line: 1, RuleID: "email-address", Description: "an email address"},
	}
	if got.Truncated || len(got.Findings) != len(want) {
		t.Fatalf("scan %+v", got)
	}
	for i := range want {
		if got.Findings[i] != want[i] {
			t.Errorf("finding %d: %+v, want %+v", i, got.Findings[i], want[i])
		}
	}
	b, _ := json.Marshal(got)
	if strings.Contains(string(b), "AKIA") || strings.Contains(string(b), "S3cr3t") {
		t.Errorf("a finding carries the secret: %s", b)
	}
}

func TestConcurrentUse(t *testing.T) {
	d := New()
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				if out, _ := d.Redact("key AKIAZ3MSJVQ2XK7PLN4R"); strings.Contains(out, "AKIA") {
					t.Error("not redacted")
				}
			}
		}()
	}
	wg.Wait()
}
