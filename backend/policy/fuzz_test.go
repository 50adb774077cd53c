package policy

import (
	"strings"
	"testing"

	"countersign/backend/proposal"
)

// FuzzEvaluate builds proposals from arbitrary inputs and evaluates them
// against rules that allow everything: Evaluate must not panic, and any
// proposal with a path inside a built-in denied folder must be denied.
func FuzzEvaluate(f *testing.F) {
	f.Add(uint8(0), "a.txt", "", "bot", "git status")
	f.Add(uint8(3), "../.ssh/id_rsa", "~/.aws/credentials", "", "rm -rf /")
	f.Add(uint8(6), "", "/etc/passwd", "bot", "")
	f.Add(uint8(7), "https://example.com:99/x", "", "bot", "")
	f.Add(uint8(9), "x/../../../data/db", "\x00", "bot", "a\"b\\c")
	fx := newFixture(f)
	e, err := NewEngine(fx.opts, []Rule{{ID: "all", Effect: EffectAllow}, {ID: "ws", Effect: EffectAllow, Folder: fx.ws, Agent: "bot"}})
	if err != nil {
		f.Fatal(err)
	}
	denied := []string{fx.data}
	for _, r := range e.Rules() {
		if r.Builtin() {
			denied = append(denied, r.Folder)
		}
	}
	f.Fuzz(func(t *testing.T, k uint8, path, to, agent, cmd string) {
		kinds := append(proposal.Kinds, "file.unknown")
		a := proposal.Action{Kind: kinds[int(k)%len(kinds)], Path: path, To: to, URL: path, Tool: path,
			Argv: strings.Fields(cmd), Dir: to, Content: cmd}
		if a.Kind == proposal.KindCommandRun {
			a.Writes = []string{path}
		}
		p := fx.prop(agent, a, write("ok.txt"))
		d := e.Evaluate(p, Input{Now: t0})
		switch d.Outcome {
		case OutcomeAllow, OutcomeAsk, OutcomeDeny:
		default:
			t.Fatalf("unknown outcome %q", d.Outcome)
		}
		for _, raw := range fuzzPaths(a) {
			abs, ok := resolvePath(p.Workspace, fx.home, raw)
			if !ok {
				continue
			}
			for _, dir := range denied {
				if within(dir, abs) && d.Outcome != OutcomeDeny {
					t.Fatalf("%s %q (%s) is inside %s but the outcome is %s", a.Kind, raw, abs, dir, d.Outcome)
				}
			}
		}
	})
}

// fuzzPaths lists the path arguments the engine treats as paths for a.
func fuzzPaths(a proposal.Action) []string {
	switch a.Kind {
	case proposal.KindFileWrite, proposal.KindFileEdit, proposal.KindFileDelete, proposal.KindDirCreate, proposal.KindSheetUpdate:
		return []string{a.Path}
	case proposal.KindFileMove:
		return []string{a.Path, a.To}
	case proposal.KindCommandRun:
		if len(a.Argv) == 0 || a.Argv[0] == "" {
			return a.Writes // the command itself is unplaceable; its writes still count
		}
		return append([]string{a.Dir}, a.Writes...)
	case proposal.KindNetRequest, proposal.KindToolCall:
		return nil
	}
	return []string{a.Path, a.To, a.Dir}
}
