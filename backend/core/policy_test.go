package core

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"countersign/backend/config"
	"countersign/backend/errs"
	"countersign/backend/gateway/api"
	"countersign/backend/gateway/client"
	"countersign/backend/gateway/token"
	"countersign/backend/keystore"
	"countersign/backend/policy"
	"countersign/backend/proposal"
	"countersign/backend/queue"
	"countersign/backend/store"
)

// clock is a settable time for tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type policyEnv struct {
	c     *Core
	dir   string
	ws    string
	clock *clock
	mu    sync.Mutex
	evs   []queue.Event
}

func openPolicyCore(t *testing.T, dir string, manual bool) *policyEnv {
	t.Helper()
	env := &policyEnv{dir: dir, ws: t.TempDir(), clock: &clock{t: time.Now().UTC()}}
	c, err := Open(Options{DataDir: dir, Keystore: keystore.KindFile, Manual: manual, Now: env.clock.Now,
		Roots: []string{env.ws}, RuntimeDir: t.TempDir(), Emit: func(e queue.Event) {
			env.mu.Lock()
			env.evs = append(env.evs, e)
			env.mu.Unlock()
		}})
	if err != nil {
		t.Fatal(err)
	}
	if c.KeyErr != nil {
		t.Fatal(c.KeyErr)
	}
	env.c = c
	t.Cleanup(func() { c.Close() })
	return env
}

func (e *policyEnv) write(t *testing.T, name, content string) proposal.Proposal {
	t.Helper()
	return proposal.Proposal{AgentID: "claude-code", Summary: "write " + name, Workspace: e.ws,
		Actions: []proposal.Action{{Kind: proposal.KindFileWrite, Path: name, Content: content}}}
}

func (e *policyEnv) submit(t *testing.T, p proposal.Proposal) *proposal.Proposal {
	t.Helper()
	got, err := e.c.Submit(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func (e *policyEnv) evaluations(t *testing.T, id string) []map[string]any {
	t.Helper()
	evs, err := e.c.Store.ListEvents(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, ev := range evs {
		if ev.Type == store.EventPolicyEvaluated {
			var m map[string]any
			if err := json.Unmarshal(ev.Data, &m); err != nil {
				t.Fatal(err)
			}
			out = append(out, m)
		}
	}
	return out
}

func TestNoRulesAsksAndRecordsTheEvaluation(t *testing.T) {
	e := openPolicyCore(t, t.TempDir(), true)
	p := e.submit(t, e.write(t, "a.txt", "x\n"))
	if p.Status != proposal.StatusPending {
		t.Fatalf("status %s, want pending", p.Status)
	}
	evs := e.evaluations(t, p.ID)
	if len(evs) != 1 || evs[0]["outcome"] != "ask" {
		t.Fatalf("evaluations %v, want one ask", evs)
	}
}

func TestRememberedAllowApprovesThroughTheSignedPath(t *testing.T) {
	e := openPolicyCore(t, t.TempDir(), true)
	ctx := context.Background()
	first := e.submit(t, e.write(t, "notes.txt", "one\n"))
	// Nothing to remember before a person decides.
	if _, err := e.c.Remember(ctx, first.ID, policy.ScopeFile, policy.LifetimeRevoked, "ada"); !errors.Is(err, errs.ErrConflict) {
		t.Fatalf("remember before deciding: %v, want a conflict", err)
	}
	if _, err := e.c.Decide(ctx, first.ID, Decision{Verdict: proposal.VerdictApprove, DecidedBy: "ada"}); err != nil {
		t.Fatal(err)
	}
	// The preview lists what the rule would have decided: the proposal that
	// made it is left out, an earlier one on the same file is listed.
	earlier := e.submit(t, e.write(t, "notes.txt", "zero\n"))
	if _, err := e.c.Decide(ctx, earlier.ID, Decision{Verdict: proposal.VerdictDeny, Reason: "no", DecidedBy: "ada"}); err != nil {
		t.Fatal(err)
	}
	other := e.submit(t, e.write(t, "other.txt", "o\n"))
	if _, err := e.c.Decide(ctx, other.ID, Decision{Verdict: proposal.VerdictDeny, Reason: "no", DecidedBy: "ada"}); err != nil {
		t.Fatal(err)
	}
	r, matched, err := e.c.RememberPreview(ctx, first.ID, policy.ScopeFile, policy.LifetimeRevoked, policy.EffectAllow, "ada")
	if err != nil {
		t.Fatal(err)
	}
	if r.Path != filepath.Join(e.ws, "notes.txt") || len(matched) != 1 || matched[0].ID != earlier.ID {
		t.Fatalf("preview rule %+v matched %+v, want the file rule matching only %s", r, matched, earlier.ID)
	}
	rule, err := e.c.Remember(ctx, first.ID, policy.ScopeFile, policy.LifetimeRevoked, "ada")
	if err != nil {
		t.Fatal(err)
	}
	next := e.submit(t, e.write(t, "notes.txt", "two\n"))
	if next.Status != proposal.StatusApproved {
		t.Fatalf("status %s, want approved by the rule", next.Status)
	}
	if want := "rule:" + strings.TrimPrefix(rule.ID, "rule:"); next.Decision.DecidedBy != want {
		t.Errorf("decided by %q, want %q", next.Decision.DecidedBy, want)
	}
	cl := claimsOf(t, e.c, next.Decision.Token)
	if cl.ProposalID != next.ID || cl.Decision != proposal.VerdictApprove {
		t.Errorf("token claims %+v", cl)
	}
	// A file the rule does not name is still asked.
	if p := e.submit(t, e.write(t, "other.txt", "x\n")); p.Status != proposal.StatusPending {
		t.Errorf("other file: %s, want pending", p.Status)
	}
	// A rule-decided proposal cannot itself be remembered.
	if _, err := e.c.Remember(ctx, next.ID, policy.ScopeAgent, policy.LifetimeRevoked, "ada"); !errors.Is(err, errs.ErrConflict) {
		t.Errorf("remembering a rule's decision: %v, want a conflict", err)
	}
	// The rules screen shows the use.
	st, err := e.c.PolicyState(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var view *RuleView
	for i := range st.Rules {
		if st.Rules[i].ID == rule.ID {
			view = &st.Rules[i]
		}
	}
	if view == nil || view.Uses != 1 || view.LastUsed.IsZero() || view.CreatedBy != "ada" {
		t.Fatalf("rule view %+v", view)
	}
	// Nobody but a rule may claim to be one.
	p := e.submit(t, e.write(t, "other.txt", "y\n"))
	if _, err := e.c.Decide(ctx, p.ID, Decision{Verdict: proposal.VerdictApprove, DecidedBy: "rule:forged"}); !errors.Is(err, errs.ErrInvalid) {
		t.Errorf("decided_by rule:…: %v, want invalid", err)
	}
}

func TestExpiredProposalCreatesNoRule(t *testing.T) {
	e := openPolicyCore(t, t.TempDir(), true)
	ctx := context.Background()
	p := e.write(t, "a.txt", "x\n")
	p.ExpiresAt = e.clock.Now().Add(time.Minute)
	got := e.submit(t, p)
	e.clock.Add(2 * time.Minute)
	if n, err := e.c.Queue.ExpireDue(ctx); err != nil || n != 1 {
		t.Fatalf("expire: %d %v", n, err)
	}
	if _, err := e.c.Remember(ctx, got.ID, policy.ScopeAgent, policy.LifetimeRevoked, "ada"); err == nil {
		t.Fatal("a timed-out proposal made a rule")
	}
	st, _ := e.c.PolicyState(ctx)
	for _, r := range st.Rules {
		if !r.Builtin {
			t.Errorf("unexpected rule %+v", r)
		}
	}
}

func TestDenyRuleAndBuiltinDeny(t *testing.T) {
	e := openPolicyCore(t, t.TempDir(), true)
	ctx := context.Background()
	first := e.submit(t, e.write(t, "a.txt", "x\n"))
	if _, err := e.c.Decide(ctx, first.ID, Decision{Verdict: proposal.VerdictDeny, Reason: "stop", DecidedBy: "ada"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.Remember(ctx, first.ID, policy.ScopeAgent, policy.LifetimeSession, "ada"); err != nil {
		t.Fatal(err)
	}
	p := e.submit(t, e.write(t, "b.txt", "x\n"))
	if p.Status != proposal.StatusDenied || !strings.HasPrefix(p.Decision.DecidedBy, "rule:") {
		t.Fatalf("%s by %+v, want denied by the rule", p.Status, p.Decision)
	}
	// A session rule is never written to the rules file.
	if b, err := os.ReadFile(filepath.Join(e.dir, RulesFile)); err == nil && strings.Contains(string(b), "claude-code") {
		t.Errorf("the session rule was saved: %s", b)
	}
	// Countersign's own data folder is denied whatever the rules.
	own := proposal.Proposal{AgentID: "other-agent", Summary: "rules", Workspace: e.dir,
		Actions: []proposal.Action{{Kind: proposal.KindFileWrite, Path: RulesFile, Content: "{}"}}}
	got := e.submit(t, own)
	if got.Status != proposal.StatusDenied || !strings.Contains(got.Decision.DecidedBy, "builtin") {
		t.Fatalf("own data folder: %s %+v, want denied by a built-in rule", got.Status, got.Decision)
	}
}

func TestOnceRuleDecidesOnce(t *testing.T) {
	dir := t.TempDir()
	e := openPolicyCore(t, dir, true)
	ctx := context.Background()
	first := e.submit(t, e.write(t, "a.txt", "x\n"))
	e.c.Decide(ctx, first.ID, Decision{Verdict: proposal.VerdictApprove, DecidedBy: "ada"})
	if _, err := e.c.Remember(ctx, first.ID, policy.ScopeFile, policy.LifetimeOnce, "ada"); err != nil {
		t.Fatal(err)
	}
	if p := e.submit(t, e.write(t, "a.txt", "y\n")); p.Status != proposal.StatusApproved {
		t.Fatalf("first use: %s", p.Status)
	}
	if p := e.submit(t, e.write(t, "a.txt", "z\n")); p.Status != proposal.StatusPending {
		t.Fatalf("second use: %s, want pending", p.Status)
	}
	// Spent stays spent after a restart.
	e.c.Close()
	e2 := openPolicyCore(t, dir, true)
	e2.ws = e.ws
	if p := e2.submit(t, e2.write(t, "a.txt", "w\n")); p.Status != proposal.StatusPending {
		t.Fatalf("after restart: %s, want pending", p.Status)
	}
}

func TestPauseDeniesNewHoldsPendingAndLasts(t *testing.T) {
	dir := t.TempDir()
	e := openPolicyCore(t, dir, true)
	ctx := context.Background()
	p := e.write(t, "a.txt", "x\n")
	p.ExpiresAt = e.clock.Now().Add(time.Minute)
	held := e.submit(t, p)
	if err := e.c.SetPaused(ctx, true, "ada"); err != nil {
		t.Fatal(err)
	}
	if got := e.submit(t, e.write(t, "b.txt", "x\n")); got.Status != proposal.StatusDenied || got.Decision.DecidedBy != DeciderPause {
		t.Fatalf("while paused: %s %+v", got.Status, got.Decision)
	}
	if _, err := e.c.Decide(ctx, held.ID, Decision{Verdict: proposal.VerdictApprove, DecidedBy: "ada"}); !errors.Is(err, errs.ErrConflict) {
		t.Fatalf("approve while paused: %v, want refused", err)
	}
	e.clock.Add(10 * time.Minute)
	if n, _ := e.c.Queue.ExpireDue(ctx); n != 0 {
		t.Fatalf("%d expired while held", n)
	}
	// The pause lasts across a restart.
	e.c.Close()
	e2 := openPolicyCore(t, dir, true)
	e2.clock.t = e.clock.Now()
	e2.ws = e.ws
	if !e2.c.Paused() {
		t.Fatal("not paused after a restart")
	}
	if err := e2.c.SetPaused(ctx, false, "ada"); err != nil {
		t.Fatal(err)
	}
	got, err := e2.c.Queue.Get(ctx, held.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != proposal.StatusPending || !got.ExpiresAt.After(e2.clock.Now()) {
		t.Fatalf("after resume: %s, deadline %v (now %v): the held time must be added", got.Status, got.ExpiresAt, e2.clock.Now())
	}
	if _, err := e2.c.Decide(ctx, held.ID, Decision{Verdict: proposal.VerdictApprove, DecidedBy: "ada"}); err != nil {
		t.Fatalf("approve after resume: %v", err)
	}
}

func TestRulesFileChangedOutsideNeedsAcceptance(t *testing.T) {
	dir := t.TempDir()
	e := openPolicyCore(t, dir, true)
	ctx := context.Background()
	if err := e.c.ApplyRole(ctx, policy.RoleEditor, e.ws, "ada"); err != nil {
		t.Fatal(err)
	}
	if p := e.submit(t, e.write(t, "a.txt", "x\n")); p.Status != proposal.StatusApproved {
		t.Fatalf("editor role: %s, want approved", p.Status)
	}
	// An agent rewrites the rules file to allow everything.
	path := filepath.Join(dir, RulesFile)
	forged := `{"version":1,"rules":[{"id":"rule:all","effect":"allow"}]}`
	if err := os.WriteFile(path, []byte(forged), 0o600); err != nil {
		t.Fatal(err)
	}
	e.c.checkRulesFile()
	del := proposal.Proposal{AgentID: "claude-code", Summary: "delete", Workspace: e.ws,
		Actions: []proposal.Action{{Kind: proposal.KindFileDelete, Path: "a.txt"}}}
	if p := e.submit(t, del); p.Status != proposal.StatusPending {
		t.Fatalf("the unaccepted file applied: %s", p.Status)
	}
	st, _ := e.c.PolicyState(ctx)
	if st.Pending == nil || len(st.Pending.Added) != 1 || len(st.Pending.Removed) != 1 {
		t.Fatalf("pending %+v", st.Pending)
	}
	if err := e.c.AcceptRulesFile(ctx, "0000", "ada"); !errors.Is(err, errs.ErrConflict) {
		t.Fatalf("accept with a stale hash: %v", err)
	}
	// Rejecting puts the accepted rules back.
	if err := e.c.RejectRulesFile(ctx); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if strings.Contains(string(b), "rule:all") || !strings.Contains(string(b), "preset:editor") {
		t.Fatalf("after reject the file is %s", b)
	}
	// Accepting applies exactly what was shown.
	os.WriteFile(path, []byte(forged), 0o600)
	e.c.checkRulesFile()
	st, _ = e.c.PolicyState(ctx)
	if err := e.c.AcceptRulesFile(ctx, st.Pending.SHA256, "ada"); err != nil {
		t.Fatal(err)
	}
	if p := e.submit(t, del); p.Status != proposal.StatusApproved {
		t.Fatalf("after accepting: %s, want approved", p.Status)
	}
}

func TestTamperedStoredRulesApplyNothing(t *testing.T) {
	dir := t.TempDir()
	e := openPolicyCore(t, dir, true)
	ctx := context.Background()
	if err := e.c.ApplyRole(ctx, policy.RoleEditor, e.ws, "ada"); err != nil {
		t.Fatal(err)
	}
	e.c.Close()
	db, err := sql.Open("sqlite", config.DatabasePath(dir))
	if err != nil {
		t.Fatal(err)
	}
	// Widen the stored rules without the key: the signature no longer holds.
	if _, err := db.Exec(`UPDATE policy_versions SET body = replace(body, '"kinds"', '"kinds_"')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	e2 := openPolicyCore(t, dir, true)
	e2.ws = e.ws
	st, _ := e2.c.PolicyState(ctx)
	if st.Problem == "" {
		t.Fatal("no problem reported for tampered rules")
	}
	if p := e2.submit(t, e2.write(t, "a.txt", "x\n")); p.Status != proposal.StatusPending {
		t.Fatalf("tampered rules applied: %s", p.Status)
	}
}

func TestBudgetTurnsAllowIntoAsk(t *testing.T) {
	e := openPolicyCore(t, t.TempDir(), true)
	ctx := context.Background()
	if err := e.c.ApplyRole(ctx, policy.RoleEditor, e.ws, "ada"); err != nil {
		t.Fatal(err)
	}
	if err := e.c.SetBudget(ctx, "claude-code", policy.Budget{Writes: 2}, "ada"); err != nil {
		t.Fatal(err)
	}
	var got []proposal.Status
	for i := 0; i < 3; i++ {
		got = append(got, e.submit(t, e.write(t, "a.txt", strings.Repeat("x", i+1))).Status)
	}
	if got[0] != proposal.StatusApproved || got[1] != proposal.StatusApproved || got[2] != proposal.StatusPending {
		t.Fatalf("statuses %v, want approved, approved, pending", got)
	}
	// An hour later the budget is fresh.
	e.clock.Add(61 * time.Minute)
	if p := e.submit(t, e.write(t, "a.txt", "later")); p.Status != proposal.StatusApproved {
		t.Fatalf("an hour later: %s", p.Status)
	}
}

func TestAutoApprovedIsExecutedAndUndoable(t *testing.T) {
	e := openPolicyCore(t, t.TempDir(), false)
	ctx := context.Background()
	if err := e.c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(e.ws, "a.txt"), []byte("before\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := e.c.ApplyRole(ctx, policy.RoleEditor, e.ws, "ada"); err != nil {
		t.Fatal(err)
	}
	p := e.submit(t, e.write(t, "a.txt", "after\n"))
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	done, err := e.c.Queue.WaitSettled(wctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != proposal.StatusExecuted {
		t.Fatalf("status %s, want executed", done.Status)
	}
	if b, _ := os.ReadFile(filepath.Join(e.ws, "a.txt")); string(b) != "after\n" {
		t.Fatalf("file %q", b)
	}
	if _, err := e.c.Undo(ctx, p.ID, false); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(e.ws, "a.txt")); string(b) != "before\n" {
		t.Fatalf("after undo %q", b)
	}
}

func TestBuiltinRulesCannotBeRevoked(t *testing.T) {
	e := openPolicyCore(t, t.TempDir(), true)
	ctx := context.Background()
	st, _ := e.c.PolicyState(ctx)
	for _, r := range st.Rules {
		if r.Builtin {
			if err := e.c.RevokeRule(ctx, r.ID, "ada"); err == nil {
				t.Fatalf("revoked built-in %s", r.ID)
			}
			return
		}
	}
	t.Fatal("no built-in rule listed")
}

// An agent learns of the rules' decision in the answer to its submission,
// through the real gateway, and the gateway never decides by itself.
func TestGatewaySubmissionIsScreened(t *testing.T) {
	e := openPolicyCore(t, t.TempDir(), true)
	ctx := context.Background()
	if err := e.c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if e.c.GatewayErr != nil {
		t.Fatal(e.c.GatewayErr)
	}
	tok, _, err := token.Add(ctx, e.c.Store, "claude-code", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	cl, err := client.New(e.c.Gateway.Discovery(), tok)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	req := api.SubmitRequest{Summary: "write", Workspace: e.ws,
		Actions: []proposal.Action{{Kind: proposal.KindFileWrite, Path: "a.txt", Content: "x\n"}}}
	got, err := cl.Submit(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != proposal.StatusPending {
		t.Fatalf("without rules: %s", got.Status)
	}
	if err := e.c.ApplyRole(ctx, policy.RoleEditor, e.ws, "ada"); err != nil {
		t.Fatal(err)
	}
	if got, err = cl.Submit(ctx, req); err != nil || got.Status != proposal.StatusApproved {
		t.Fatalf("editor role: %+v %v, want approved in the answer", got, err)
	}
	del := req
	del.Actions = []proposal.Action{{Kind: proposal.KindFileDelete, Path: "a.txt"}}
	if got, err = cl.Submit(ctx, del); err != nil || got.Status != proposal.StatusPending {
		t.Fatalf("a delete under the editor role: %+v %v, want pending", got, err)
	}
	if err := e.c.SetPaused(ctx, true, "ada"); err != nil {
		t.Fatal(err)
	}
	if got, err = cl.Submit(ctx, req); err != nil || got.Status != proposal.StatusDenied {
		t.Fatalf("paused: %+v %v, want denied in the answer", got, err)
	}
}

// A rules file broken outside the window (bad JSON, an unknown field, a rule
// that claims a built-in id) is shown with what is wrong, cannot be
// accepted, applies nothing, and Reject restores the accepted rules.
func TestBrokenRulesFileIsShownNeverApplied(t *testing.T) {
	dir := t.TempDir()
	e := openPolicyCore(t, dir, true)
	ctx := context.Background()
	if err := e.c.ApplyRole(ctx, policy.RoleEditor, e.ws, "ada"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, RulesFile)
	for name, body := range map[string]string{
		"bad json":      `{"version":1,"rules":[`,
		"unknown field": `{"version":1,"rules":[],"allow_everything":true}`,
		"built-in id":   `{"version":1,"rules":[{"id":"builtin:ssh","effect":"allow"}]}`,
	} {
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		e.c.checkRulesFile()
		st, err := e.c.PolicyState(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Pending == nil || st.Pending.Error == "" {
			t.Fatalf("%s: pending %+v, want an error shown", name, st.Pending)
		}
		if err := e.c.AcceptRulesFile(ctx, st.Pending.SHA256, "ada"); err == nil {
			t.Fatalf("%s: a broken file was accepted", name)
		}
		// The accepted rules still decide.
		if p := e.submit(t, e.write(t, "a.txt", name)); p.Status != proposal.StatusApproved {
			t.Fatalf("%s: %s, want approved by the accepted editor role", name, p.Status)
		}
	}
	if err := e.c.RejectRulesFile(ctx); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); !strings.Contains(string(b), "preset:editor") {
		t.Fatalf("after reject: %s", b)
	}
	st, _ := e.c.PolicyState(ctx)
	if st.Pending != nil {
		t.Fatalf("still pending after reject: %+v", st.Pending)
	}
}
