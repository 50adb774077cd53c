package app

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"countersign/backend/core"
	"countersign/backend/keystore"
	"countersign/backend/proposal"
)

// TestTokenCheck: the detail view and the timeline say a genuine token is
// verified, and one edited in the database is not, with the reason.
func TestTokenCheck(t *testing.T) {
	ws := t.TempDir()
	c, err := core.Open(core.Options{DataDir: t.TempDir(), Keystore: keystore.KindFile, Manual: true, Roots: []string{ws}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	a := NewApp(c, "test", false, time.Now(), t.Logf)
	p, err := c.Queue.Submit(ctx, proposal.Proposal{AgentID: "ag", Summary: "s", Workspace: ws,
		Actions: []proposal.Action{{Kind: proposal.KindFileWrite, Path: "a.txt", Content: "a\n"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Decide(ctx, p.ID, core.Decision{Verdict: proposal.VerdictApprove, DecidedBy: "ada"}); err != nil {
		t.Fatal(err)
	}
	v, err := a.Get(p.ID)
	if err != nil || !v.Token.Present || !v.Token.Verified || v.Token.Decision != "approve" {
		t.Fatalf("genuine token: %+v %v", v.Token, err)
	}
	page, err := a.Timeline(TimelineQuery{})
	if err != nil || len(page.Items) != 1 || !page.Items[0].Token.Verified {
		t.Fatalf("timeline: %+v %v", page, err)
	}

	db, err := sql.Open("sqlite", "file:"+c.Store.Path()+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Change one character of the signed payload, keeping the token well formed.
	var tok string
	if err := db.QueryRow(`SELECT token FROM decisions WHERE proposal_id = ?`, p.ID).Scan(&tok); err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(tok, ".")
	b := []byte(parts[1])
	if b[10] == 'A' {
		b[10] = 'B'
	} else {
		b[10] = 'A'
	}
	parts[1] = string(b)
	if _, err := db.Exec(`UPDATE decisions SET token = ? WHERE proposal_id = ?`, strings.Join(parts, "."), p.ID); err != nil {
		t.Fatal(err)
	}
	v, err = a.Get(p.ID)
	if err != nil || !v.Token.Present || v.Token.Verified || v.Token.Problem == "" {
		t.Fatalf("edited token: %+v %v", v.Token, err)
	}
	page, err = a.Timeline(TimelineQuery{})
	if err != nil || page.Items[0].Token.Verified {
		t.Fatalf("timeline, edited token: %+v %v", page.Items[0].Token, err)
	}
}
