// Package proposal defines what an agent may ask for and how a request moves
// from pending to a final state.
//
// It guarantees that a Proposal which passed Validate has a known kind for
// every action, non-empty targets, content within the size limits and at most
// Limits.MaxActions actions; that Transition allows exactly the state changes
// of the domain model (pending -> approved | denied | expired | withdrawn;
// approved -> executing -> executed | failed; executed -> reverted) and names
// both states when it refuses one; and that AssessRisk is a pure function of
// the actions and the workspace. The package has no dependencies beyond the
// standard library.
package proposal

import (
	"encoding/json"
	"time"
)

// Kind names what an action does.
type Kind string

const (
	KindFileWrite   Kind = "file.write"   // create or replace a file
	KindFileEdit    Kind = "file.edit"    // exact-match replacements in a file
	KindFileDelete  Kind = "file.delete"  // remove a file
	KindFileMove    Kind = "file.move"    // rename or move a file
	KindDirCreate   Kind = "dir.create"   // create a directory (and parents)
	KindSheetUpdate Kind = "sheet.update" // change cells in an .xlsx workbook
	KindCommandRun  Kind = "command.run"  // run argv with no shell
	KindNetRequest  Kind = "net.request"  // an outbound call or upload
	KindToolCall    Kind = "tool.call"    // an opaque tool call the agent runs itself after approval
)

// Kinds lists every action kind, in a stable order.
var Kinds = []Kind{KindFileWrite, KindFileEdit, KindFileDelete, KindFileMove, KindDirCreate,
	KindSheetUpdate, KindCommandRun, KindNetRequest, KindToolCall}

// Known reports whether k is one of Kinds.
func (k Kind) Known() bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// Status is where a proposal is in its life.
type Status string

const (
	StatusPending   Status = "pending"
	StatusApproved  Status = "approved"
	StatusDenied    Status = "denied"
	StatusExpired   Status = "expired"
	StatusWithdrawn Status = "withdrawn"
	StatusExecuting Status = "executing"
	StatusExecuted  Status = "executed"
	StatusFailed    Status = "failed"
	StatusReverted  Status = "reverted"
)

// Statuses lists every status, in a stable order.
var Statuses = []Status{StatusPending, StatusApproved, StatusDenied, StatusExpired, StatusWithdrawn,
	StatusExecuting, StatusExecuted, StatusFailed, StatusReverted}

// Risk is a coarse judgement of how much harm the actions could do.
type Risk string

const (
	RiskLow      Risk = "low"
	RiskMedium   Risk = "medium"
	RiskHigh     Risk = "high"
	RiskCritical Risk = "critical"
)

// Verdict is what the person decided.
type Verdict string

const (
	VerdictApprove       Verdict = "approve"
	VerdictApproveEdited Verdict = "approve-edited"
	VerdictApprovePart   Verdict = "approve-part"
	VerdictDeny          Verdict = "deny"
)

// Approves reports whether the verdict lets (some of) the proposal run.
func (v Verdict) Approves() bool {
	return v == VerdictApprove || v == VerdictApproveEdited || v == VerdictApprovePart
}

// Edit is one exact-match replacement, as coding agents send them.
type Edit struct {
	Old        string `json:"old"`
	New        string `json:"new"`
	ReplaceAll bool   `json:"replace_all,omitempty"`
}

// CellEdit sets one cell of a workbook: a value, or a formula (without "=" or with it).
type CellEdit struct {
	Sheet   string `json:"sheet"`
	Cell    string `json:"cell"`
	Value   string `json:"value,omitempty"`
	Formula string `json:"formula,omitempty"`
}

// Action is one step of a proposal. Which fields matter depends on Kind:
//
//	file.write    Path, Content
//	file.edit     Path, Edits
//	file.delete   Path
//	file.move     Path (from), To
//	dir.create    Path
//	sheet.update  Path, Cells
//	command.run   Argv, Dir, TimeoutSec, Writes (paths the command may change), Check
//	net.request   Method, URL, Body
//	tool.call     Tool, Input
type Action struct {
	Kind       Kind            `json:"kind"`
	Path       string          `json:"path,omitempty"`
	To         string          `json:"to,omitempty"`
	Content    string          `json:"content,omitempty"`
	Edits      []Edit          `json:"edits,omitempty"`
	Cells      []CellEdit      `json:"cells,omitempty"`
	Argv       []string        `json:"argv,omitempty"`
	Dir        string          `json:"dir,omitempty"`
	TimeoutSec int             `json:"timeout_sec,omitempty"`
	Writes     []string        `json:"writes,omitempty"`
	Method     string          `json:"method,omitempty"`
	URL        string          `json:"url,omitempty"`
	Body       string          `json:"body,omitempty"`
	Tool       string          `json:"tool,omitempty"`
	Input      json.RawMessage `json:"input,omitempty"`
	// Check marks a command.run as the proposal's post-check: it runs after
	// the other actions and, if it fails, everything is rolled back. It must
	// not change files.
	Check bool `json:"check,omitempty"`
}

// Decision records what the person decided and why.
type Decision struct {
	Verdict   Verdict   `json:"verdict"`
	Reason    string    `json:"reason,omitempty"`
	DecidedBy string    `json:"decided_by"`
	DecidedAt time.Time `json:"decided_at"`
	// Token is the signed intent token of this decision (backend/intent):
	// proof of exactly what was approved or denied, by whom and when.
	Token string `json:"token,omitempty"`
}

// Proposal is one agent's request: actions that succeed or fail together.
type Proposal struct {
	ID        string    `json:"id"`
	AgentID   string    `json:"agent_id"`
	Summary   string    `json:"summary"`
	Rationale string    `json:"rationale,omitempty"`
	Workspace string    `json:"workspace,omitempty"` // absolute directory the agent works in; relative paths resolve here
	Actions   []Action  `json:"actions"`
	Status    Status    `json:"status"`
	Risk      Risk      `json:"risk"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"` // zero: never expires
	Decision  *Decision `json:"decision,omitempty"`
	// AgentRuns is set when the agent carries out the approved actions
	// itself (as Claude Code does after a hook approval): Countersign then
	// records the before-state for undo but runs nothing.
	AgentRuns bool `json:"agent_runs,omitempty"`
}

// Undoable reports whether Countersign can undo a as executed, and if not,
// why, in words for the person deciding. A command can be undone only
// through the paths it declares it may write (Writes), which are
// snapshotted before it runs; a post-check declares none and must change
// nothing. Requests that left the machine cannot be taken back.
func Undoable(a Action) (bool, string) {
	switch a.Kind {
	case KindCommandRun:
		if a.Check {
			return true, ""
		}
		if len(a.Writes) == 0 {
			return false, "this command declares no paths it may change, so what it does cannot be undone"
		}
	case KindNetRequest:
		return false, "data sent over the network cannot be taken back"
	case KindToolCall:
		return false, "the agent carries out this tool call itself; Countersign cannot undo it"
	}
	return true, ""
}
