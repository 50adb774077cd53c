package policy

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"countersign/backend/proposal"
)

var t0 = time.Date(2026, 3, 2, 10, 30, 0, 0, time.UTC)

type fixture struct {
	home, data, ws string
	opts           Options
}

func newFixture(t testing.TB) fixture {
	root := t.TempDir()
	f := fixture{home: filepath.Join(root, "home"), data: filepath.Join(root, "data")}
	f.ws = filepath.Join(f.home, "proj")
	f.opts = Options{Home: f.home, DataDir: f.data}
	return f
}

func (f fixture) engine(t testing.TB, rules ...Rule) *Engine {
	t.Helper()
	e, err := NewEngine(f.opts, rules)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func (f fixture) prop(agent string, acts ...proposal.Action) *proposal.Proposal {
	return &proposal.Proposal{ID: "p1", AgentID: agent, Workspace: f.ws, Actions: acts, CreatedAt: t0}
}

func write(path string) proposal.Action {
	return proposal.Action{Kind: proposal.KindFileWrite, Path: path, Content: "hello"}
}

func act(k proposal.Kind, path string) proposal.Action { return proposal.Action{Kind: k, Path: path} }

func run(argv ...string) proposal.Action {
	return proposal.Action{Kind: proposal.KindCommandRun, Argv: argv}
}

func TestScopesAndEffects(t *testing.T) {
	f := newFixture(t)
	ws := f.ws
	tests := []struct {
		name string
		rule Rule
		p    *proposal.Proposal
		want Outcome
	}{
		{"file allows that file", Rule{ID: "r", Effect: EffectAllow, Path: filepath.Join(ws, "a.txt")},
			f.prop("bot", write("a.txt")), OutcomeAllow},
		{"file does not allow its sibling", Rule{ID: "r", Effect: EffectAllow, Path: filepath.Join(ws, "a.txt")},
			f.prop("bot", write("b.txt")), OutcomeAsk},
		{"file denies that file", Rule{ID: "r", Effect: EffectDeny, Path: filepath.Join(ws, "a.txt")},
			f.prop("bot", write("a.txt")), OutcomeDeny},
		{"folder allows deep inside", Rule{ID: "r", Effect: EffectAllow, Folder: ws},
			f.prop("bot", write("x/y/z.txt")), OutcomeAllow},
		{"folder allows itself", Rule{ID: "r", Effect: EffectAllow, Folder: filepath.Join(ws, "x")},
			f.prop("bot", act(proposal.KindDirCreate, "x")), OutcomeAllow},
		{"folder denies inside", Rule{ID: "r", Effect: EffectDeny, Folder: ws},
			f.prop("bot", write("a.txt")), OutcomeDeny},
		{"folder is not a string prefix", Rule{ID: "r", Effect: EffectAllow, Folder: filepath.Join(f.home, "pro")},
			f.prop("bot", write("a.txt")), OutcomeAsk},
		{"folder deny is not a string prefix", Rule{ID: "r", Effect: EffectDeny, Folder: filepath.Join(f.home, "pro")},
			f.prop("bot", write("a.txt")), OutcomeAsk},
		{"dot-dot cannot climb out of a folder rule", Rule{ID: "r", Effect: EffectAllow, Folder: ws},
			f.prop("bot", write("sub/../../other/a.txt")), OutcomeAsk},
		{"agent scope allows that agent", Rule{ID: "r", Effect: EffectAllow, Agent: "bot"},
			f.prop("bot", write("a.txt"), run("ls")), OutcomeAllow},
		{"agent scope does not allow another agent", Rule{ID: "r", Effect: EffectAllow, Agent: "bot"},
			f.prop("other", write("a.txt")), OutcomeAsk},
		{"agent scope denies that agent", Rule{ID: "r", Effect: EffectDeny, Agent: "bot"},
			f.prop("bot", write("a.txt")), OutcomeDeny},
		{"kind allows that kind", Rule{ID: "r", Effect: EffectAllow, Kinds: []proposal.Kind{proposal.KindFileWrite}},
			f.prop("bot", write("a.txt")), OutcomeAllow},
		{"kind does not allow another kind", Rule{ID: "r", Effect: EffectAllow, Kinds: []proposal.Kind{proposal.KindFileWrite}},
			f.prop("bot", act(proposal.KindFileDelete, "a.txt")), OutcomeAsk},
		{"kind denies that kind", Rule{ID: "r", Effect: EffectDeny, Kinds: []proposal.Kind{proposal.KindFileDelete}},
			f.prop("bot", act(proposal.KindFileDelete, "a.txt")), OutcomeDeny},
		{"several kinds", Rule{ID: "r", Effect: EffectAllow, Kinds: []proposal.Kind{proposal.KindFileWrite, proposal.KindFileDelete}},
			f.prop("bot", write("a"), act(proposal.KindFileDelete, "b")), OutcomeAllow},
		{"command prefix allows longer argv", Rule{ID: "r", Effect: EffectAllow, Command: []string{"git", "status"}},
			f.prop("bot", run("git", "status", "--short")), OutcomeAllow},
		{"command prefix does not allow another subcommand", Rule{ID: "r", Effect: EffectAllow, Command: []string{"git", "status"}},
			f.prop("bot", run("git", "push")), OutcomeAsk},
		{"command prefix is by words, not characters", Rule{ID: "r", Effect: EffectAllow, Command: []string{"git", "stat"}},
			f.prop("bot", run("git", "status")), OutcomeAsk},
		{"command prefix denies", Rule{ID: "r", Effect: EffectDeny, Command: []string{"rm"}},
			f.prop("bot", run("rm", "-rf", "x")), OutcomeDeny},
		{"command folder rule covers commands run there", Rule{ID: "r", Effect: EffectAllow, Folder: ws, Kinds: []proposal.Kind{proposal.KindCommandRun}},
			f.prop("bot", run("make")), OutcomeAllow},
		{"command writes must be allowed too", Rule{ID: "r", Effect: EffectAllow, Command: []string{"make"}},
			f.prop("bot", proposal.Action{Kind: proposal.KindCommandRun, Argv: []string{"make"}, Writes: []string{"out"}}), OutcomeAsk},
		{"host allows that host", Rule{ID: "r", Effect: EffectAllow, Host: "api.example.com"},
			f.prop("bot", proposal.Action{Kind: proposal.KindNetRequest, URL: "https://API.example.com:443/x"}), OutcomeAllow},
		{"host does not allow a look-alike", Rule{ID: "r", Effect: EffectAllow, Host: "example.com"},
			f.prop("bot", proposal.Action{Kind: proposal.KindNetRequest, URL: "https://example.com.evil.net/"}), OutcomeAsk},
		{"host denies", Rule{ID: "r", Effect: EffectDeny, Host: "evil.net"},
			f.prop("bot", proposal.Action{Kind: proposal.KindNetRequest, URL: "http://evil.net/up"}), OutcomeDeny},
		{"tool allows that tool", Rule{ID: "r", Effect: EffectAllow, Tool: "mcp__fs__read"},
			f.prop("bot", proposal.Action{Kind: proposal.KindToolCall, Tool: "mcp__fs__read"}), OutcomeAllow},
		{"move needs both ends allowed", Rule{ID: "r", Effect: EffectAllow, Folder: filepath.Join(ws, "a")},
			f.prop("bot", proposal.Action{Kind: proposal.KindFileMove, Path: "a/x", To: "b/x"}), OutcomeAsk},
		{"risk at most medium allows low", Rule{ID: "r", Effect: EffectAllow, MaxRisk: proposal.RiskMedium},
			f.prop("bot", write("a.txt")), OutcomeAllow},
		{"risk at most medium does not allow high", Rule{ID: "r", Effect: EffectAllow, MaxRisk: proposal.RiskMedium},
			f.prop("bot", act(proposal.KindFileDelete, "a.txt")), OutcomeAsk},
		{"size at most 4 bytes does not allow 5", Rule{ID: "r", Effect: EffectAllow, MaxBytes: 4},
			f.prop("bot", write("a.txt")), OutcomeAsk},
		{"size at most 5 bytes allows 5", Rule{ID: "r", Effect: EffectAllow, MaxBytes: 5},
			f.prop("bot", write("a.txt")), OutcomeAllow},
		{"no rule asks", Rule{ID: "r", Effect: EffectAllow, Agent: "nobody"},
			f.prop("bot", write("a.txt")), OutcomeAsk},
		{"unknown kind is never allowed", Rule{ID: "r", Effect: EffectAllow},
			f.prop("bot", act("file.chmod", "a.txt")), OutcomeAsk},
		{"relative path without workspace is never allowed", Rule{ID: "r", Effect: EffectAllow},
			&proposal.Proposal{AgentID: "bot", Actions: []proposal.Action{write("a.txt")}}, OutcomeAsk},
		{"no actions asks", Rule{ID: "r", Effect: EffectAllow}, f.prop("bot"), OutcomeAsk},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := f.engine(t, tc.rule).Evaluate(tc.p, Input{Now: t0})
			if d.Outcome != tc.want {
				t.Fatalf("outcome %s, want %s; reasons %q; targets %+v\n%s", d.Outcome, tc.want, d.Reasons, d.Targets, tc.rule.Cedar(false))
			}
			if d.Outcome != OutcomeAsk && !slices.Contains(d.DecidedBy, "r") {
				t.Errorf("decided by %q, want r", d.DecidedBy)
			}
			if len(d.Reasons) == 0 {
				t.Error("no reasons")
			}
		})
	}
}

func TestDenyBeatsAllow(t *testing.T) {
	f := newFixture(t)
	e := f.engine(t,
		Rule{ID: "allow-all", Effect: EffectAllow},
		Rule{ID: "allow-ws", Effect: EffectAllow, Folder: f.ws, Agent: "bot"},
		Rule{ID: "deny-secret", Effect: EffectDeny, Folder: filepath.Join(f.ws, "secret")},
	)
	d := e.Evaluate(f.prop("bot", write("ok.txt"), write("secret/key.txt")), Input{Now: t0})
	want := Decision{Outcome: OutcomeDeny, DecidedBy: []string{"deny-secret"}}
	if diff := cmp.Diff(want, Decision{Outcome: d.Outcome, DecidedBy: d.DecidedBy}); diff != "" {
		t.Fatalf("-got +want\n%s", diff)
	}
	if len(d.Targets) != 2 || d.Targets[0].Outcome != OutcomeAllow || d.Targets[1].Outcome != OutcomeDeny {
		t.Errorf("targets %+v", d.Targets)
	}
	if !strings.Contains(d.Reasons[0], "secret/key.txt") {
		t.Errorf("reason %q does not name the target", d.Reasons[0])
	}
	// Allowed targets plus one asked target: ask.
	d = e.Evaluate(f.prop("other", write(filepath.Join(f.ws, "ok.txt"))), Input{Now: t0})
	if d.Outcome != OutcomeAllow || !slices.Equal(d.DecidedBy, []string{"allow-all"}) {
		t.Fatalf("got %s by %q", d.Outcome, d.DecidedBy)
	}
}

func TestBuiltinDenies(t *testing.T) {
	f := newFixture(t)
	f.opts.Protected = []string{filepath.Join(f.home, ".config", "countersign")}
	e := f.engine(t, Rule{ID: "trust-bot", Effect: EffectAllow, Agent: "bot"})
	var places []string
	for _, rel := range homeCredentials {
		places = append(places, filepath.Join(f.home, filepath.FromSlash(rel), "x"))
	}
	for _, d := range systemDirs {
		if p := filepath.FromSlash(d); filepath.IsAbs(p) {
			places = append(places, filepath.Join(p, "x"))
		}
	}
	places = append(places,
		filepath.Join(f.home, ".ssh", "authorized_keys"),
		filepath.Join(f.home, ".ssh"),
		filepath.Join(f.home, ".netrc"),
		filepath.Join(f.home, ".docker", "config.json"),
		filepath.Join(f.data, "countersign.db"),
		filepath.Join(f.data, "policies.json"),
		filepath.Join(f.home, ".config", "countersign", "settings.json"),
	)
	for _, p := range places {
		for _, a := range []proposal.Action{
			write(p), act(proposal.KindFileDelete, p), act(proposal.KindDirCreate, p),
			{Kind: proposal.KindFileMove, Path: filepath.Join(f.ws, "a"), To: p},
			{Kind: proposal.KindCommandRun, Argv: []string{"ls"}, Dir: p},
			{Kind: proposal.KindCommandRun, Argv: []string{"touch", "x"}, Writes: []string{p}},
		} {
			t.Run(string(a.Kind)+" "+p, func(t *testing.T) {
				d := e.Evaluate(f.prop("bot", a), Input{Now: t0})
				if d.Outcome != OutcomeDeny {
					t.Fatalf("outcome %s; reasons %q", d.Outcome, d.Reasons)
				}
				for _, id := range d.DecidedBy {
					if !strings.HasPrefix(id, builtinPrefix) {
						t.Errorf("decided by non-built-in %s", id)
					}
				}
			})
		}
	}
	t.Run("home-relative path", func(t *testing.T) {
		d := e.Evaluate(f.prop("bot", write("~/.ssh/authorized_keys")), Input{Now: t0})
		if d.Outcome != OutcomeDeny {
			t.Fatalf("outcome %s", d.Outcome)
		}
	})
	t.Run("dot-dot into ssh", func(t *testing.T) {
		d := e.Evaluate(f.prop("bot", write("../.ssh/authorized_keys")), Input{Now: t0})
		if d.Outcome != OutcomeDeny {
			t.Fatalf("outcome %s", d.Outcome)
		}
	})
	t.Run("a look-alike folder is not denied", func(t *testing.T) {
		d := e.Evaluate(f.prop("bot", write(filepath.Join(f.home, ".sshfoo", "a"))), Input{Now: t0})
		if d.Outcome != OutcomeAllow {
			t.Fatalf("outcome %s: %q", d.Outcome, d.Reasons)
		}
	})
	t.Run("the reason says why", func(t *testing.T) {
		d := e.Evaluate(f.prop("bot", write("~/.ssh/authorized_keys")), Input{Now: t0})
		if !strings.Contains(strings.Join(d.Reasons, "\n"), "cannot be switched off") {
			t.Fatalf("reasons %q", d.Reasons)
		}
	})
	t.Run("a rule set cannot claim a built-in id", func(t *testing.T) {
		if _, err := NewEngine(f.opts, []Rule{{ID: builtinPrefix + "home:.ssh", Effect: EffectAllow}}); err == nil {
			t.Fatal("accepted")
		}
	})
}

func TestCaseFolding(t *testing.T) {
	f := newFixture(t)
	f.opts.FoldCase = true
	e := f.engine(t, Rule{ID: "all", Effect: EffectAllow})
	d := e.Evaluate(f.prop("bot", write(filepath.Join(f.home, ".SSH", "id_rsa"))), Input{Now: t0})
	if d.Outcome != OutcomeDeny {
		t.Fatalf("outcome %s", d.Outcome)
	}
}

func TestSymlinkOutOfWorkspace(t *testing.T) {
	f := newFixture(t)
	f.opts.FollowSymlinks = true
	if err := os.MkdirAll(filepath.Join(f.home, ".ssh"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(f.ws, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(f.home, ".ssh"), filepath.Join(f.ws, "keys")); err != nil {
		t.Skip("no symlinks here:", err)
	}
	e := f.engine(t, Rule{ID: "ws", Effect: EffectAllow, Folder: f.ws})
	d := e.Evaluate(f.prop("bot", write("keys/authorized_keys")), Input{Now: t0})
	if d.Outcome != OutcomeDeny {
		t.Fatalf("outcome %s; targets %+v", d.Outcome, d.Targets)
	}
	f.opts.FollowSymlinks = false
	d = f.engine(t, Rule{ID: "ws", Effect: EffectAllow, Folder: f.ws}).Evaluate(f.prop("bot", write("keys/a")), Input{Now: t0})
	if d.Outcome != OutcomeAllow {
		t.Fatalf("lexical only: outcome %s", d.Outcome)
	}
}

func TestPresets(t *testing.T) {
	f := newFixture(t)
	kinds := []proposal.Action{
		write("a.txt"), act(proposal.KindFileEdit, "a.txt"),
		{Kind: proposal.KindSheetUpdate, Path: "b.xlsx", Cells: []proposal.CellEdit{{Sheet: "S", Cell: "A1", Value: "1"}}},
		{Kind: proposal.KindFileMove, Path: "a.txt", To: "c.txt"}, act(proposal.KindDirCreate, "d"),
		act(proposal.KindFileDelete, "a.txt"), run("ls"),
		{Kind: proposal.KindNetRequest, URL: "https://example.com"}, {Kind: proposal.KindToolCall, Tool: "t"},
	}
	want := map[Role][]Outcome{
		RoleViewer:    {OutcomeAsk, OutcomeAsk, OutcomeAsk, OutcomeAsk, OutcomeAsk, OutcomeAsk, OutcomeAsk, OutcomeAsk, OutcomeAsk},
		RoleEditor:    {OutcomeAllow, OutcomeAllow, OutcomeAllow, OutcomeAsk, OutcomeAsk, OutcomeAsk, OutcomeAsk, OutcomeAsk, OutcomeAsk},
		RoleOrganizer: {OutcomeAllow, OutcomeAllow, OutcomeAllow, OutcomeAllow, OutcomeAllow, OutcomeAsk, OutcomeAsk, OutcomeAsk, OutcomeAsk},
	}
	for _, info := range Roles {
		t.Run(info.Name, func(t *testing.T) {
			if info.Description == "" {
				t.Error("no description")
			}
			e := f.engine(t, Preset(info.Role, f.ws)...)
			var got []Outcome
			for _, a := range kinds {
				got = append(got, e.Evaluate(f.prop("bot", a), Input{Now: t0}).Outcome)
			}
			if diff := cmp.Diff(want[info.Role], got); diff != "" {
				t.Errorf("-want +got\n%s", diff)
			}
			// Nothing outside the workspace.
			if d := e.Evaluate(f.prop("bot", write(filepath.Join(f.home, "other", "a.txt"))), Input{Now: t0}); d.Outcome != OutcomeAsk {
				t.Errorf("outside the workspace: %s", d.Outcome)
			}
		})
	}
	if Preset("admin", f.ws) != nil || Preset(RoleEditor, "rel") != nil {
		t.Error("unknown role or relative workspace gave rules")
	}
}

func TestBudgets(t *testing.T) {
	f := newFixture(t)
	f.opts.Budgets = map[string]Budget{"claude-code": {Writes: 100, Deletes: 2}, "": {Bytes: 10}}
	e := f.engine(t, Rule{ID: "all", Effect: EffectAllow})
	tests := []struct {
		name   string
		agent  string
		usage  Usage
		acts   []proposal.Action
		want   Outcome
		reason string
	}{
		{"within budget", "claude-code", Usage{Writes: 10}, []proposal.Action{write("a")}, OutcomeAllow, ""},
		{"at the limit", "claude-code", Usage{Writes: 99}, []proposal.Action{write("a")}, OutcomeAllow, ""},
		{"over already", "claude-code", Usage{Writes: 120}, []proposal.Action{write("a")}, OutcomeAsk,
			"claude-code has written 120 files this hour; its budget is 100 files"},
		{"this proposal goes over", "claude-code", Usage{Writes: 99}, []proposal.Action{write("a"), write("b")}, OutcomeAsk,
			"claude-code has written 99 files this hour and this proposal adds 2 files; its budget is 100 files"},
		{"deletes", "claude-code", Usage{Deletes: 2}, []proposal.Action{act(proposal.KindFileDelete, "a")}, OutcomeAsk,
			"claude-code has deleted 2 files this hour; its budget is 2 files"},
		{"default budget in bytes", "other", Usage{Bytes: 6}, []proposal.Action{write("a")}, OutcomeAsk,
			"other has written or sent 6 bytes this hour and this proposal adds 5 bytes; its budget is 10 bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := e.Evaluate(f.prop(tc.agent, tc.acts...), Input{Now: t0, Usage: tc.usage})
			if d.Outcome != tc.want {
				t.Fatalf("outcome %s, want %s: %q", d.Outcome, tc.want, d.Reasons)
			}
			if tc.reason != "" && !slices.Contains(d.Reasons, tc.reason) {
				t.Errorf("reasons %q, want %q", d.Reasons, tc.reason)
			}
		})
	}
	// A budget never softens a deny.
	e = f.engine(t, Rule{ID: "no", Effect: EffectDeny})
	if d := e.Evaluate(f.prop("claude-code", write("a")), Input{Now: t0, Usage: Usage{Writes: 500}}); d.Outcome != OutcomeDeny {
		t.Errorf("over budget deny became %s", d.Outcome)
	}
}

func TestExpiryAndOnce(t *testing.T) {
	f := newFixture(t)
	e := f.engine(t,
		Rule{ID: "short", Effect: EffectAllow, Path: filepath.Join(f.ws, "a"), ExpiresAt: t0.Add(15 * time.Minute)},
		Rule{ID: "once", Effect: EffectAllow, Path: filepath.Join(f.ws, "b"), Once: true},
		Rule{ID: "once-and-lasting-c", Effect: EffectAllow, Path: filepath.Join(f.ws, "c"), Once: true},
		Rule{ID: "lasting-c", Effect: EffectAllow, Path: filepath.Join(f.ws, "c")},
	)
	if d := e.Evaluate(f.prop("bot", write("a")), Input{Now: t0.Add(14 * time.Minute)}); d.Outcome != OutcomeAllow {
		t.Errorf("before expiry: %s", d.Outcome)
	}
	if d := e.Evaluate(f.prop("bot", write("a")), Input{Now: t0.Add(15 * time.Minute)}); d.Outcome != OutcomeAsk {
		t.Errorf("at expiry: %s", d.Outcome)
	}
	d := e.Evaluate(f.prop("bot", write("b")), Input{Now: t0})
	if d.Outcome != OutcomeAllow || !slices.Equal(d.Used, []string{"once"}) {
		t.Fatalf("first use: %s, used %q", d.Outcome, d.Used)
	}
	if d := e.Evaluate(f.prop("bot", write("b")), Input{Now: t0}); d.Outcome != OutcomeAsk || d.Used != nil {
		t.Errorf("second use: %s, used %q", d.Outcome, d.Used)
	}
	if d := e.Evaluate(f.prop("bot", write("c")), Input{Now: t0}); d.Outcome != OutcomeAllow || d.Used != nil {
		t.Errorf("a lasting rule should decide before a once-rule: used %q", d.Used)
	}
	// Over budget, a once-rule is not spent.
	f.opts.Budgets = map[string]Budget{"": {Writes: 1}}
	e = f.engine(t, Rule{ID: "once", Effect: EffectAllow, Once: true})
	if d := e.Evaluate(f.prop("bot", write("b")), Input{Now: t0, Usage: Usage{Writes: 1}}); d.Outcome != OutcomeAsk || d.Used != nil {
		t.Errorf("over budget: %s, used %q", d.Outcome, d.Used)
	}
	if d := e.Evaluate(f.prop("bot", write("b")), Input{Now: t0}); d.Outcome != OutcomeAllow {
		t.Errorf("after: %s", d.Outcome)
	}
}

func TestOnceIsSpentOnceUnderConcurrency(t *testing.T) {
	f := newFixture(t)
	e := f.engine(t, Rule{ID: "once", Effect: EffectAllow, Once: true})
	results := make(chan Outcome, 8)
	for range 8 {
		go func() { results <- e.Evaluate(f.prop("bot", write("a")), Input{Now: t0}).Outcome }()
	}
	allowed := 0
	for range 8 {
		if <-results == OutcomeAllow {
			allowed++
		}
	}
	if allowed != 1 {
		t.Fatalf("%d evaluations allowed by one once-rule", allowed)
	}
}

func TestDescriptions(t *testing.T) {
	tests := []struct {
		rule Rule
		want string
	}{
		{Rule{ID: "r", Effect: EffectAllow, Agent: "claude-code", Kinds: []proposal.Kind{proposal.KindFileWrite, proposal.KindFileEdit}, Folder: "/home/a/proj"},
			"Let claude-code write files or edit files anywhere in the folder /home/a/proj without asking, until you revoke it."},
		{Rule{ID: "r", Effect: EffectDeny, Kinds: []proposal.Kind{proposal.KindFileDelete}},
			"Never let any agent delete files anywhere, until you revoke it."},
		{Rule{ID: "r", Effect: EffectAllow, Agent: "codex", Command: []string{"git", "status"}, Once: true},
			"Let codex do anything for commands starting with “git status” without asking, once."},
		{Rule{ID: "r", Effect: EffectAllow, Host: "api.example.com", Session: true, MaxRisk: proposal.RiskMedium},
			"Let any agent do anything to api.example.com without asking, when the risk is medium or lower, until Countersign quits."},
		{Rule{ID: "r", Effect: EffectAllow, Path: "/home/a/notes.md", MaxBytes: 64 << 10, ExpiresAt: t0},
			"Let any agent do anything on the file /home/a/notes.md without asking, when it carries at most 64 KiB, until 10:30 on Mon 2 Mar 2026."},
		{Rule{ID: "r", Effect: EffectDeny, Tool: "mcp__mail__send", Kinds: []proposal.Kind{proposal.KindToolCall}},
			"Never let any agent call tools with the tool mcp__mail__send, until you revoke it."},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			if got := tc.rule.Description(); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestCedarText(t *testing.T) {
	r := Rule{ID: `r"1`, Effect: EffectDeny, Agent: "bot", Kinds: []proposal.Kind{proposal.KindFileWrite, proposal.KindFileDelete},
		Folder: "/home/a/proj", MaxRisk: proposal.RiskHigh, MaxBytes: 10, ExpiresAt: t0}
	want := `@id("r\"1")
forbid (
  principal == Agent::"bot",
  action in [Action::"file.write", Action::"file.delete"],
  resource in Folder::"/home/a/proj"
)
when { context.risk <= 2 && context.bytes <= 10 && context.now < 1772447400 };
`
	if diff := cmp.Diff(want, r.Cedar(false)); diff != "" {
		t.Errorf("-want +got\n%s", diff)
	}
}

func TestRuleValidation(t *testing.T) {
	bad := []Rule{
		{Effect: EffectAllow},
		{ID: "r", Effect: "maybe"},
		{ID: "r", Effect: EffectAllow, Kinds: []proposal.Kind{"file.chmod"}},
		{ID: "r", Effect: EffectAllow, Path: "/a", Folder: "/b"},
		{ID: "r", Effect: EffectAllow, Folder: "rel/dir"},
		{ID: "r", Effect: EffectAllow, Folder: "/a/../b"},
		{ID: "r", Effect: EffectAllow, MaxRisk: "extreme"},
		{ID: "r", Effect: EffectAllow, Once: true, Session: true},
		{ID: "r", Effect: EffectAllow, Command: []string{"git", ""}},
	}
	f := newFixture(t)
	for _, r := range bad {
		if _, err := NewEngine(f.opts, []Rule{r}); err == nil {
			t.Errorf("accepted %+v", r)
		}
	}
	if _, err := NewEngine(f.opts, []Rule{{ID: "a", Effect: EffectAllow}, {ID: "a", Effect: EffectDeny}}); err == nil {
		t.Error("accepted a repeated id")
	}
	if _, err := NewEngine(Options{Home: "rel", DataDir: "/d"}, nil); err == nil {
		t.Error("accepted a relative home")
	}
}

func TestRuleFromDecision(t *testing.T) {
	f := newFixture(t)
	ws := f.ws
	tests := []struct {
		scope Scope
		p     *proposal.Proposal
		want  Rule
	}{
		{ScopeFile, f.prop("bot", act(proposal.KindFileEdit, "src/a.go")),
			Rule{Agent: "bot", Kinds: []proposal.Kind{proposal.KindFileEdit}, Path: filepath.Join(ws, "src", "a.go")}},
		{ScopeFolder, f.prop("bot", write("src/a/x.go"), write("src/b/y.go")),
			Rule{Agent: "bot", Kinds: []proposal.Kind{proposal.KindFileWrite}, Folder: filepath.Join(ws, "src")}},
		{ScopeAgent, f.prop("bot", write("a")), Rule{Agent: "bot"}},
		{ScopeKind, f.prop("bot", write("a"), act(proposal.KindFileDelete, "b")),
			Rule{Agent: "bot", Kinds: []proposal.Kind{proposal.KindFileWrite, proposal.KindFileDelete}}},
		{ScopeCommandPrefix, f.prop("bot", run("git", "status", "--short")),
			Rule{Agent: "bot", Kinds: []proposal.Kind{proposal.KindCommandRun}, Command: []string{"git", "status"}}},
		{ScopeCommandPrefix, f.prop("bot", run("ls", "-la")),
			Rule{Agent: "bot", Kinds: []proposal.Kind{proposal.KindCommandRun}, Command: []string{"ls"}}},
	}
	for _, tc := range tests {
		for _, eff := range []Effect{EffectAllow, EffectDeny} {
			t.Run(string(tc.scope)+" "+string(eff), func(t *testing.T) {
				got, err := RuleFromDecision(tc.p, tc.scope, LifetimeRevoked, eff, "alice", t0)
				if err != nil {
					t.Fatal(err)
				}
				want := tc.want
				want.ID, want.Effect, want.CreatedBy, want.CreatedAt = got.ID, eff, "alice", t0
				if diff := cmp.Diff(want, got, cmp.AllowUnexported(Rule{})); diff != "" {
					t.Errorf("-want +got\n%s", diff)
				}
				// The rule decides the very proposal it came from.
				d := f.engine(t, got).Evaluate(tc.p, Input{Now: t0})
				if wantOut := map[Effect]Outcome{EffectAllow: OutcomeAllow, EffectDeny: OutcomeDeny}[eff]; d.Outcome != wantOut {
					t.Errorf("own proposal: %s, want %s (%q)", d.Outcome, wantOut, d.Reasons)
				}
			})
		}
	}
	lifetimes := map[Lifetime]func(Rule) bool{
		LifetimeOnce:    func(r Rule) bool { return r.Once },
		Lifetime15Min:   func(r Rule) bool { return r.ExpiresAt.Equal(t0.Add(15 * time.Minute)) },
		Lifetime1Hour:   func(r Rule) bool { return r.ExpiresAt.Equal(t0.Add(time.Hour)) },
		LifetimeSession: func(r Rule) bool { return r.Session },
		LifetimeRevoked: func(r Rule) bool { return !r.Once && !r.Session && r.ExpiresAt.IsZero() },
	}
	for lt, ok := range lifetimes {
		r, err := RuleFromDecision(f.prop("bot", write("a")), ScopeFile, lt, EffectAllow, "alice", t0)
		if err != nil || !ok(r) {
			t.Errorf("lifetime %s: %+v, %v", lt, r, err)
		}
	}
	expired := f.prop("bot", write("a"))
	expired.Status = proposal.StatusExpired
	refused := map[string]*proposal.Proposal{
		"a timeout never creates a rule":  expired,
		"two files for this-file":         f.prop("bot", write("a"), write("b")),
		"a folder as wide as the root":    {AgentID: "bot", Workspace: "/", Actions: []proposal.Action{write("a"), write("b")}},
		"commands that start differently": f.prop("bot", run("git", "status"), run("rm", "x")),
	}
	scopes := map[string]Scope{"two files for this-file": ScopeFile, "a folder as wide as the root": ScopeFolder,
		"commands that start differently": ScopeCommandPrefix}
	for name, p := range refused {
		sc := scopes[name]
		if sc == "" {
			sc = ScopeAgent
		}
		if _, err := RuleFromDecision(p, sc, LifetimeOnce, EffectAllow, "alice", t0); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := RuleFromDecision(f.prop("bot", write("a")), ScopeFile, LifetimeOnce, EffectAllow, "", t0); err == nil {
		t.Error("accepted a rule decided by nobody")
	}
}

func TestMatches(t *testing.T) {
	f := newFixture(t)
	mk := func(id, agent string, acts ...proposal.Action) *proposal.Proposal {
		p := f.prop(agent, acts...)
		p.ID = id
		return p
	}
	history := []*proposal.Proposal{
		mk("p1", "bot", write("docs/a.md")),
		mk("p2", "bot", write("src/a.go")),
		mk("p3", "other", write("docs/b.md")),
		mk("p4", "bot", run("git", "status"), write("docs/c.md")),
		nil,
	}
	r := Rule{ID: "r", Effect: EffectAllow, Agent: "bot", Folder: filepath.Join(f.ws, "docs"), Once: true, ExpiresAt: t0.Add(-time.Hour)}
	if diff := cmp.Diff([]string{"p1", "p4"}, Matches(r, history)); diff != "" {
		t.Errorf("-want +got\n%s", diff)
	}
}
