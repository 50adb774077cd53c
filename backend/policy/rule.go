package policy

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/cedar-policy/cedar-go/types"

	"countersign/backend/proposal"
)

// Effect is what a rule does to the targets it matches.
type Effect string

const (
	EffectAllow Effect = "allow" // run without asking
	EffectDeny  Effect = "deny"  // never run
)

// Outcome is the result of an evaluation.
type Outcome string

const (
	OutcomeAllow Outcome = "allow" // every target allowed, none denied, within budget
	OutcomeDeny  Outcome = "deny"  // some target denied
	OutcomeAsk   Outcome = "ask"   // the default: the person decides
)

// builtinPrefix starts the ids of built-in rules; no other rule may use it.
const builtinPrefix = "builtin:"

// Rule is one remembered decision or preset capability. Zero fields mean
// "any": no Agent matches every agent, no Kinds every kind, and no resource
// (Path, Folder, Command, Host, Tool) every target. At most one resource
// field is set.
type Rule struct {
	ID     string          `json:"id"`
	Effect Effect          `json:"effect"`
	Agent  string          `json:"agent,omitempty"`
	Kinds  []proposal.Kind `json:"kinds,omitempty"`

	Path    string   `json:"path,omitempty"`    // exactly this file (absolute)
	Folder  string   `json:"folder,omitempty"`  // this folder and everything under it (absolute)
	Command []string `json:"command,omitempty"` // commands whose argv starts with these words
	Host    string   `json:"host,omitempty"`    // requests to exactly this host
	Tool    string   `json:"tool,omitempty"`    // calls of this tool

	MaxRisk  proposal.Risk `json:"max_risk,omitempty"`  // only when the proposal's risk is at most this
	MaxBytes int64         `json:"max_bytes,omitempty"` // only when the action carries at most this many bytes

	ExpiresAt time.Time `json:"expires_at,omitzero"` // zero: no expiry
	Once      bool      `json:"once,omitempty"`      // decides a single evaluation, then is retired
	Session   bool      `json:"session,omitempty"`   // lives until Countersign quits; never saved

	CreatedBy string    `json:"created_by,omitempty"`
	CreatedAt time.Time `json:"created_at,omitzero"`

	why string // for built-in rules: why the place is protected
}

// Builtin reports whether r is one of the built-in rules.
func (r Rule) Builtin() bool { return strings.HasPrefix(r.ID, builtinPrefix) }

// riskRank orders the four risk levels; ok is false for anything else.
func riskRank(r proposal.Risk) (int, bool) {
	switch r {
	case proposal.RiskLow:
		return 0, true
	case proposal.RiskMedium:
		return 1, true
	case proposal.RiskHigh:
		return 2, true
	case proposal.RiskCritical:
		return 3, true
	}
	return 0, false
}

// Validate reports the first thing wrong with r.
func (r Rule) Validate() error {
	if r.ID == "" {
		return errors.New("rule has no id")
	}
	if r.Effect != EffectAllow && r.Effect != EffectDeny {
		return fmt.Errorf("rule %s: unknown effect %q", r.ID, r.Effect)
	}
	for _, k := range r.Kinds {
		if !k.Known() {
			return fmt.Errorf("rule %s: unknown action kind %q", r.ID, k)
		}
	}
	n := 0
	for _, set := range []bool{r.Path != "", r.Folder != "", len(r.Command) > 0, r.Host != "", r.Tool != ""} {
		if set {
			n++
		}
	}
	if n > 1 {
		return fmt.Errorf("rule %s: names more than one of path, folder, command, host and tool", r.ID)
	}
	for _, p := range []string{r.Path, r.Folder} {
		if p != "" && (!filepath.IsAbs(p) || filepath.Clean(p) != p) {
			return fmt.Errorf("rule %s: %q is not an absolute, cleaned path", r.ID, p)
		}
	}
	for _, w := range r.Command {
		if w == "" {
			return fmt.Errorf("rule %s: empty word in command prefix", r.ID)
		}
	}
	if r.MaxRisk != "" {
		if _, ok := riskRank(r.MaxRisk); !ok {
			return fmt.Errorf("rule %s: unknown risk %q", r.ID, r.MaxRisk)
		}
	}
	if r.MaxBytes < 0 {
		return fmt.Errorf("rule %s: negative size limit", r.ID)
	}
	if r.Once && r.Session {
		return fmt.Errorf("rule %s: is both once and for the session", r.ID)
	}
	return nil
}

// Cedar returns r as one Cedar policy. Paths are folded to lower case when
// fold is set (case-insensitive file systems).
func (r Rule) Cedar(fold bool) string {
	var b strings.Builder
	b.WriteString("@id(")
	b.Write(types.String(r.ID).MarshalCedar())
	b.WriteString(")\n")
	if r.Effect == EffectDeny {
		b.WriteString("forbid (\n")
	} else {
		b.WriteString("permit (\n")
	}
	if r.Agent == "" {
		b.WriteString("  principal,\n")
	} else {
		fmt.Fprintf(&b, "  principal == %s,\n", uid(typAgent, r.Agent))
	}
	switch len(r.Kinds) {
	case 0:
		b.WriteString("  action,\n")
	case 1:
		fmt.Fprintf(&b, "  action == %s,\n", uid(typAction, string(r.Kinds[0])))
	default:
		ks := make([]string, len(r.Kinds))
		for i, k := range r.Kinds {
			ks[i] = uid(typAction, string(k)).String()
		}
		fmt.Fprintf(&b, "  action in [%s],\n", strings.Join(ks, ", "))
	}
	switch {
	case r.Path != "":
		fmt.Fprintf(&b, "  resource == %s\n", uid(typPath, pathID(r.Path, fold)))
	case r.Folder != "":
		fmt.Fprintf(&b, "  resource in %s\n", uid(typFolder, pathID(r.Folder, fold)))
	case len(r.Command) > 0:
		fmt.Fprintf(&b, "  resource in %s\n", uid(typPrefix, argvID(r.Command)))
	case r.Host != "":
		fmt.Fprintf(&b, "  resource == %s\n", uid(typHost, strings.ToLower(r.Host)))
	case r.Tool != "":
		fmt.Fprintf(&b, "  resource == %s\n", uid(typTool, r.Tool))
	default:
		b.WriteString("  resource\n")
	}
	b.WriteString(")")
	var conds []string
	if rank, ok := riskRank(r.MaxRisk); ok && r.MaxRisk != "" {
		conds = append(conds, "context.risk <= "+strconv.Itoa(rank))
	}
	if r.MaxBytes > 0 {
		conds = append(conds, "context.bytes <= "+strconv.FormatInt(r.MaxBytes, 10))
	}
	if !r.ExpiresAt.IsZero() {
		conds = append(conds, "context.now < "+strconv.FormatInt(r.ExpiresAt.Unix(), 10))
	}
	if len(conds) > 0 {
		b.WriteString("\nwhen { " + strings.Join(conds, " && ") + " }")
	}
	b.WriteString(";\n")
	return b.String()
}

// kindWords says what each kind does, as a verb phrase.
var kindWords = map[proposal.Kind]string{
	proposal.KindFileWrite:   "write files",
	proposal.KindFileEdit:    "edit files",
	proposal.KindFileDelete:  "delete files",
	proposal.KindFileMove:    "move files",
	proposal.KindDirCreate:   "create folders",
	proposal.KindSheetUpdate: "change spreadsheets",
	proposal.KindCommandRun:  "run commands",
	proposal.KindNetRequest:  "send requests",
	proposal.KindToolCall:    "call tools",
}

// Description says what r does in plain words, for the person who owns it.
func (r Rule) Description() string {
	if r.Builtin() {
		return "No agent may touch " + r.Folder + ": " + r.why + " (built in; it cannot be switched off)."
	}
	var b strings.Builder
	who := "any agent"
	if r.Agent != "" {
		who = r.Agent
	}
	what := "do anything"
	if len(r.Kinds) > 0 {
		ws := make([]string, len(r.Kinds))
		for i, k := range r.Kinds {
			ws[i] = kindWords[k]
		}
		what = joinWords(ws, "or")
	}
	if r.Effect == EffectDeny {
		fmt.Fprintf(&b, "Never let %s %s", who, what)
	} else {
		fmt.Fprintf(&b, "Let %s %s", who, what)
	}
	switch {
	case r.Path != "":
		b.WriteString(" on the file " + r.Path)
	case r.Folder != "":
		b.WriteString(" anywhere in the folder " + r.Folder)
	case len(r.Command) > 0:
		b.WriteString(" for commands starting with “" + strings.Join(r.Command, " ") + "”")
	case r.Host != "":
		b.WriteString(" to " + r.Host)
	case r.Tool != "":
		b.WriteString(" with the tool " + r.Tool)
	default:
		b.WriteString(" anywhere")
	}
	if r.Effect == EffectAllow {
		b.WriteString(" without asking")
	}
	var conds []string
	if r.MaxRisk != "" {
		conds = append(conds, "the risk is "+string(r.MaxRisk)+" or lower")
	}
	if r.MaxBytes > 0 {
		conds = append(conds, "it carries at most "+sizeWords(r.MaxBytes))
	}
	if len(conds) > 0 {
		b.WriteString(", when " + strings.Join(conds, " and "))
	}
	switch {
	case r.Once:
		b.WriteString(", once")
	case r.Session:
		b.WriteString(", until Countersign quits")
	case !r.ExpiresAt.IsZero():
		b.WriteString(", until " + r.ExpiresAt.Format("15:04 on Mon 2 Jan 2006"))
	default:
		b.WriteString(", until you revoke it")
	}
	b.WriteString(".")
	return b.String()
}

func joinWords(ws []string, and string) string {
	switch len(ws) {
	case 0:
		return ""
	case 1:
		return ws[0]
	}
	return strings.Join(ws[:len(ws)-1], ", ") + " " + and + " " + ws[len(ws)-1]
}

func sizeWords(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	case n == 1:
		return "1 byte"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
