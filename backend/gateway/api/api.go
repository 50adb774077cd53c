// Package api holds the wire types of the agent gateway: what agents send,
// what they get back, and the discovery file that says where the gateway
// listens. The server (package gateway) and its clients share them.
//
// It guarantees that these types carry no way to decide a proposal: there is
// no field for a verdict an agent could set, and the agent's identity never
// appears in a request (the gateway takes it from the token). It depends only
// on package proposal and the standard library, so a client links nothing of
// the server.
package api

import (
	"encoding/json"
	"time"

	"countersign/backend/proposal"
)

// DiscoveryFile is the name, inside the data directory, of the file that says
// where a running gateway listens. It holds nothing secret.
const DiscoveryFile = "gateway.json"

// DiscoveryVersion is the version of the discovery file's format.
const DiscoveryVersion = 1

// Discovery is the content of DiscoveryFile.
type Discovery struct {
	Version int    `json:"version"`
	Socket  string `json:"socket,omitempty"` // Unix domain socket path; empty where there is none
	HTTP    string `json:"http"`             // base URL on loopback, e.g. http://127.0.0.1:PORT
	PID     int    `json:"pid"`
}

// TokenPrefix starts every agent token.
const TokenPrefix = "cs_"

// Limits of the API, besides those of package proposal.
const (
	// MaxExpiresInSec is the longest deadline an agent may ask for.
	MaxExpiresInSec = 24 * 60 * 60
	// MaxClientRef bounds SubmitRequest.ClientRef.
	MaxClientRef = 200
	// DefaultWait and MaxWait bound the long poll of the wait endpoint.
	DefaultWait = 30 * time.Second
	MaxWait     = 120 * time.Second
	// DefaultPage and MaxPage bound the list endpoint.
	DefaultPage = 50
	MaxPage     = 200
)

// SubmitRequest is the body of POST /v1/proposals.
type SubmitRequest struct {
	Summary   string `json:"summary"`
	Rationale string `json:"rationale,omitempty"`
	// Workspace is the absolute directory relative paths resolve against.
	Workspace string `json:"workspace,omitempty"`
	// ExpiresInSec is how long the proposal may wait for a decision; zero
	// takes the app's default (10 minutes). At most MaxExpiresInSec.
	ExpiresInSec int `json:"expires_in_sec,omitempty"`
	// ClientRef is the agent's own reference for the proposal (for example
	// a tool-use id), by which it can find the proposal again with
	// GET /v1/proposals?client_ref=. The gateway keeps it in memory only.
	ClientRef string `json:"client_ref,omitempty"`
	// AgentRuns says the agent carries out the approved actions itself (as
	// after a Claude Code hook): Countersign keeps undo data, runs nothing.
	AgentRuns bool              `json:"agent_runs,omitempty"`
	Actions   []proposal.Action `json:"actions"`
}

// Proposal is a proposal as its agent sees it.
type Proposal struct {
	ID        string          `json:"id"`
	Status    proposal.Status `json:"status"`
	Summary   string          `json:"summary"`
	Rationale string          `json:"rationale,omitempty"`
	Workspace string          `json:"workspace,omitempty"`
	Risk      proposal.Risk   `json:"risk"`
	CreatedAt time.Time       `json:"created_at"`
	ExpiresAt time.Time       `json:"expires_at"`
	Actions   []Action        `json:"actions"`
	Decision  *Decision       `json:"decision,omitempty"`
	// IntentToken is the signed approval, once decisions carry one.
	IntentToken string `json:"intent_token,omitempty"`
	// Result is what execution produced, once Countersign executes.
	Result *Result `json:"result,omitempty"`
	// Previews are the unified diffs of the text actions (GET only).
	Previews []Preview `json:"previews,omitempty"`
	// Message says in words what the status means for the agent.
	Message string `json:"message"`
}

// Action describes one action of a proposal without its content.
type Action struct {
	Index        int           `json:"index"`
	Kind         proposal.Kind `json:"kind"`
	Path         string        `json:"path,omitempty"`
	To           string        `json:"to,omitempty"`
	Argv         []string      `json:"argv,omitempty"`
	Dir          string        `json:"dir,omitempty"`
	Method       string        `json:"method,omitempty"`
	URL          string        `json:"url,omitempty"`
	Tool         string        `json:"tool,omitempty"`
	ContentBytes int           `json:"content_bytes,omitempty"`
	Edits        int           `json:"edits,omitempty"`
	Cells        int           `json:"cells,omitempty"`
}

// Decision is what the person decided.
type Decision struct {
	Verdict   proposal.Verdict `json:"verdict"`
	Reason    string           `json:"reason,omitempty"`
	DecidedAt time.Time        `json:"decided_at"`
}

// Result is what executing an approved proposal produced.
type Result struct {
	Outcome     string         `json:"outcome"` // executed, failed, reverted
	Error       string         `json:"error,omitempty"`
	Stale       bool           `json:"stale,omitempty"`
	Rollback    string         `json:"rollback,omitempty"`
	AgentRuns   bool           `json:"agent_runs,omitempty"`
	Recovered   bool           `json:"recovered,omitempty"`
	NotUndoable []string       `json:"not_undoable,omitempty"`
	Actions     []ActionResult `json:"actions,omitempty"`
}

// ActionResult is what one action did when it was carried out.
type ActionResult struct {
	Index      int           `json:"index"`
	Kind       proposal.Kind `json:"kind"`
	Changed    int           `json:"changed,omitempty"`
	Note       string        `json:"note,omitempty"`
	ExitCode   *int          `json:"exit_code,omitempty"`
	HTTPStatus int           `json:"http_status,omitempty"`
	Stdout     string        `json:"stdout,omitempty"`
	Stderr     string        `json:"stderr,omitempty"`
	DurationMS int64         `json:"duration_ms,omitempty"`
	Error      string        `json:"error,omitempty"`
}

// Preview is the unified diff of one text action, computed against the
// target as it is on disk when the preview is asked for.
type Preview struct {
	Action    int    `json:"action"`
	Path      string `json:"path"`
	Unified   string `json:"unified,omitempty"`
	Added     int    `json:"added"`
	Deleted   int    `json:"deleted"`
	Binary    bool   `json:"binary,omitempty"`
	Truncated bool   `json:"truncated,omitempty"`
	// Error says why there is no diff (the target is missing, too large, an
	// edit does not apply...).
	Error string `json:"error,omitempty"`
}

// Summary is a proposal as the list shows it.
type Summary struct {
	ID          string          `json:"id"`
	Status      proposal.Status `json:"status"`
	Summary     string          `json:"summary"`
	Risk        proposal.Risk   `json:"risk"`
	CreatedAt   time.Time       `json:"created_at"`
	ExpiresAt   time.Time       `json:"expires_at"`
	ActionCount int             `json:"action_count"`
	Kinds       []proposal.Kind `json:"kinds"`
}

// List is one page of the agent's own proposals, newest first.
type List struct {
	Items      []Summary `json:"items"`
	Offset     int       `json:"offset"`
	Limit      int       `json:"limit"`
	NextOffset *int      `json:"next_offset,omitempty"` // absent on the last page
}

// ObserveRequest is the body of POST /v1/proposals/{id}/observed: the state
// of files after the agent carried out an approved proposal itself.
type ObserveRequest struct {
	Files []ObservedFile `json:"files"`
}

// ObservedFile is one file's state after the change.
type ObservedFile struct {
	Path   string `json:"path"`
	Exists bool   `json:"exists"`
	// SHA256 is the lower-case hex digest of the content; when content is
	// sent too, the gateway checks it.
	SHA256 string `json:"sha256,omitempty"`
	Size   int64  `json:"size,omitempty"`
	// ContentBase64 is the content itself (standard base64), kept so that a
	// later undo can compare or restore. Omitted for large files.
	ContentBase64 string `json:"content_base64,omitempty"`
}

// ObserveResponse says what was recorded.
type ObserveResponse struct {
	Files []ObservedRecord `json:"files"`
}

// ObservedRecord is one recorded file.
type ObservedRecord struct {
	Path          string `json:"path"`
	Exists        bool   `json:"exists"`
	SHA256        string `json:"sha256,omitempty"`
	Size          int64  `json:"size"`
	ContentStored bool   `json:"content_stored"`
}

// Error codes beyond those of package errs (not_found, conflict, invalid,
// forbidden, unavailable, internal).
const (
	CodeUnauthorized     = "unauthorized"       // 401: no token, or one that is unknown or revoked
	CodeTooLarge         = "too_large"          // 413: the body is over the limit
	CodeRateLimited      = "rate_limited"       // 429: a budget is spent; see Retry-After
	CodeMethodNotAllowed = "method_not_allowed" // 405
	CodeUnsupportedMedia = "unsupported_media"  // 415: a body that is not application/json
)

// ErrorBody is every error response.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail says what went wrong; Field names the request field at fault,
// e.g. "actions[2].path".
type ErrorDetail struct {
	Code    string       `json:"code"`
	Field   string       `json:"field,omitempty"`
	Message string       `json:"message"`
	Details []FieldError `json:"details,omitempty"` // every problem, when there are several
}

// FieldError is one problem with one field.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// MarshalIndent is json.MarshalIndent with the API's two-space style, for
// clients that print responses.
func MarshalIndent(v any) ([]byte, error) { return json.MarshalIndent(v, "", "  ") }
