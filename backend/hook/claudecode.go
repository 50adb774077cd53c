// Package hook connects Claude Code's hooks to Countersign: before a tool
// runs (PreToolUse) it turns the tool call into a proposal and answers with
// the person's decision; after it ran (PostToolUse) it records the state of
// the files it touched. It also installs and removes its hook entries in
// Claude Code's settings.
//
// It guarantees that ClaudeCode always answers with one JSON object on
// stdout and exit status 0, before Config.Timeout: "allow" only when the
// person approved the exact call in Countersign, "deny" when the person
// denied it (with their reason) or when the call cannot succeed as written,
// and "ask", so that Claude Code falls back to its own prompt, in every other
// case: no decision in time, the app not running, no token, an unknown tool,
// a malformed payload, an internal failure. It never hangs on its input and
// never panics out. Install and Uninstall change only their own entries,
// keep every other setting and key order, back the file up before writing,
// write atomically, and change nothing when there is nothing to change.
package hook

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"countersign/backend/diff"
	"countersign/backend/gateway/api"
	"countersign/backend/gateway/client"
	"countersign/backend/proposal"
)

// Permission decisions, as Claude Code spells them.
const (
	Allow = "allow"
	Deny  = "deny"
	Ask   = "ask"
)

// DefaultTimeout is Claude Code's default timeout for command hooks.
const DefaultTimeout = 600 * time.Second

// maxInput bounds what is read from stdin: a Write carries the whole file.
const maxInput = 80 << 20

// maxObservedContent: files up to this size have their content recorded
// after a change, larger ones only their digest.
const maxObservedContent = 16 << 20

// Config is what one hook run needs.
type Config struct {
	DataDir string
	Token   string
	// Timeout is the hook's timeout in Claude Code's settings; the answer
	// comes a margin before it. Zero: DefaultTimeout.
	Timeout time.Duration
	// Connect reaches the gateway; nil = client.Discover and client.New.
	Connect func(dataDir, token string) (*client.Client, error)
	// Poll is the longest single wait request; zero = 30 s.
	Poll   time.Duration
	Stderr io.Writer // log lines; nil = discarded
}

// Payload is the part of Claude Code's hook input that is read.
type Payload struct {
	SessionID      string          `json:"session_id"`
	TranscriptPath string          `json:"transcript_path"`
	Cwd            string          `json:"cwd"`
	PermissionMode string          `json:"permission_mode"`
	HookEventName  string          `json:"hook_event_name"`
	ToolName       string          `json:"tool_name"`
	ToolInput      json.RawMessage `json:"tool_input"`
	ToolUseID      string          `json:"tool_use_id"`
	ToolResponse   json.RawMessage `json:"tool_response"`
}

// Output is what a hook prints.
type Output struct {
	HookSpecificOutput *Specific `json:"hookSpecificOutput,omitempty"`
}

// Specific is the PreToolUse answer.
type Specific struct {
	HookEventName            string `json:"hookEventName"`
	PermissionDecision       string `json:"permissionDecision"`
	PermissionDecisionReason string `json:"permissionDecisionReason"`
}

// Margin returns how long before the hook's timeout the answer is given:
// a twentieth of it, between 1 and 10 seconds (half of very short timeouts).
func Margin(timeout time.Duration) time.Duration {
	m := min(max(timeout/20, time.Second), 10*time.Second)
	if m >= timeout {
		m = timeout / 2
	}
	return m
}

type run struct {
	cfg      Config
	deadline time.Time
}

func (r *run) logf(format string, args ...any) {
	if r.cfg.Stderr != nil {
		fmt.Fprintf(r.cfg.Stderr, "countersign hook: "+format+"\n", args...)
	}
}

// ClaudeCode answers one hook call: it reads the payload from stdin and
// writes the answer to stdout. It returns the exit status, always 0.
func ClaudeCode(ctx context.Context, cfg Config, stdin io.Reader, stdout io.Writer) int {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	r := &run{cfg: cfg, deadline: time.Now().Add(cfg.Timeout - Margin(cfg.Timeout))}
	ctx, cancel := context.WithDeadline(ctx, r.deadline)
	defer cancel()
	out := r.answer(ctx, stdin)
	b, err := json.Marshal(out)
	if err != nil { // cannot happen with these types; answer ask all the same
		b = []byte(`{"hookSpecificOutput":{"hookEventName":"PreToolUse","permissionDecision":"ask","permissionDecisionReason":"Countersign could not encode its answer."}}`)
	}
	stdout.Write(append(b, '\n'))
	return 0
}

// answer never panics: a panic becomes "ask".
func (r *run) answer(ctx context.Context, stdin io.Reader) (out Output) {
	defer func() {
		if p := recover(); p != nil {
			r.logf("internal error: %v", p)
			out = ask("Countersign hit an internal error; Claude Code will ask you instead.")
		}
	}()
	raw, err := readInput(ctx, stdin)
	if err != nil {
		r.logf("%v", err)
		return ask("Countersign could not read the hook input (" + err.Error() + "); Claude Code will ask you instead.")
	}
	var p Payload
	if err := json.Unmarshal(raw, &p); err != nil {
		r.logf("malformed payload: %v", err)
		return ask("Countersign could not parse the hook input; Claude Code will ask you instead.")
	}
	switch p.HookEventName {
	case "PreToolUse":
		return r.pre(ctx, &p)
	case "PostToolUse":
		r.post(ctx, &p)
		return Output{}
	case "":
		r.logf("the payload names no hook_event_name")
		return ask("The hook input names no event; Claude Code will ask you instead.")
	}
	r.logf("ignoring hook event %q", p.HookEventName)
	return Output{}
}

func decision(d, reason string) Output {
	return Output{HookSpecificOutput: &Specific{HookEventName: "PreToolUse", PermissionDecision: d, PermissionDecisionReason: reason}}
}

func ask(reason string) Output { return decision(Ask, reason) }

// readInput reads stdin within the deadline and the size limit.
func readInput(ctx context.Context, stdin io.Reader) ([]byte, error) {
	type result struct {
		b   []byte
		err error
	}
	ch := make(chan result, 1)
	go func() {
		b, err := io.ReadAll(io.LimitReader(stdin, maxInput+1))
		ch <- result{b, err}
	}()
	select {
	case res := <-ch:
		switch {
		case res.err != nil:
			return nil, res.err
		case len(res.b) > maxInput:
			return nil, fmt.Errorf("more than %d bytes", maxInput)
		case len(bytes.TrimSpace(res.b)) == 0:
			return nil, errors.New("it is empty")
		}
		return res.b, nil
	case <-ctx.Done():
		return nil, errors.New("it did not arrive in time")
	}
}

// errCannot marks a tool call that cannot succeed as written: Claude Code
// would fail it too, so the model is told why.
type errCannot struct{ msg string }

func (e *errCannot) Error() string { return e.msg }

// errUnknownTool: a tool this hook does not propose.
var errUnknownTool = errors.New("unknown tool")

func (r *run) pre(ctx context.Context, p *Payload) Output {
	sr, err := Propose(p)
	var cannot *errCannot
	switch {
	case errors.Is(err, errUnknownTool):
		r.logf("no proposal for tool %q", p.ToolName)
		return ask(fmt.Sprintf("Countersign does not review the tool %q; Claude Code will ask you instead.", p.ToolName))
	case errors.As(err, &cannot):
		return decision(Deny, "Countersign did not propose this change: "+cannot.msg)
	case err != nil:
		r.logf("%s: %v", p.ToolName, err)
		return ask("Countersign could not read this tool call (" + err.Error() + "); Claude Code will ask you instead.")
	}
	if r.cfg.Token == "" {
		return ask("No Countersign token: run `countersign agent add claude-code` and export COUNTERSIGN_TOKEN before starting Claude Code. Claude Code will ask you instead.")
	}
	c, err := r.connect()
	if err != nil {
		r.logf("%v", err)
		return ask(notRunning(err))
	}
	defer c.Close()
	// The hook withdraws the proposal when it stops waiting; the deadline, at
	// the hook's own timeout, takes over if the withdrawal cannot get through.
	sr.ExpiresInSec = max(int(math.Ceil((time.Until(r.deadline) + Margin(r.cfg.Timeout)).Seconds())), 1)
	sr.ClientRef = p.ToolUseID
	sub, err := c.Submit(ctx, sr)
	if err != nil {
		r.logf("submit: %v", err)
		if errors.Is(err, client.ErrNotRunning) {
			return ask(notRunning(err))
		}
		return ask("Countersign refused the proposal (" + err.Error() + "); Claude Code will ask you instead.")
	}
	final, err := c.WaitDecided(ctx, sub.ID, r.cfg.Poll, nil)
	if err != nil {
		// No decision in time (or the app went away): take the proposal back
		// so nobody approves what no one waits for, and let Claude Code ask.
		wctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if _, werr := c.Withdraw(wctx, sub.ID); werr != nil {
			r.logf("withdraw %s: %v", sub.ID, werr)
		}
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			return ask(fmt.Sprintf("No decision in Countersign within %s (proposal %s, now withdrawn); Claude Code will ask you instead.",
				r.cfg.Timeout-Margin(r.cfg.Timeout), sub.ID))
		}
		r.logf("wait %s: %v", sub.ID, err)
		return ask(fmt.Sprintf("Countersign stopped answering about proposal %s (%v); Claude Code will ask you instead.", sub.ID, err))
	}
	return fromDecision(final)
}

// fromDecision maps a proposal that left pending to the hook's answer.
func fromDecision(p *api.Proposal) Output {
	switch p.Status {
	case proposal.StatusApproved, proposal.StatusExecuting, proposal.StatusExecuted:
		if p.Decision != nil && p.Decision.Verdict == proposal.VerdictApprove {
			return decision(Allow, fmt.Sprintf("Approved in Countersign (proposal %s).", p.ID))
		}
		verdict := "a changed version"
		if p.Decision != nil {
			verdict = string(p.Decision.Verdict)
		}
		return decision(Deny, fmt.Sprintf("The person approved only a changed version (%s) in Countersign (proposal %s), which Claude Code cannot carry out as asked. Nothing was done; ask the person how to proceed.", verdict, p.ID))
	case proposal.StatusDenied:
		if p.Decision != nil && strings.TrimSpace(p.Decision.Reason) != "" {
			return decision(Deny, "Denied in Countersign by the person: "+p.Decision.Reason)
		}
		return decision(Deny, "Denied in Countersign by the person (no reason given).")
	case proposal.StatusExpired:
		return ask(fmt.Sprintf("No decision in Countersign before proposal %s expired; Claude Code will ask you instead.", p.ID))
	case proposal.StatusWithdrawn:
		return ask(fmt.Sprintf("Proposal %s was withdrawn in Countersign; Claude Code will ask you instead.", p.ID))
	}
	return ask(fmt.Sprintf("Proposal %s is %s in Countersign; Claude Code will ask you instead.", p.ID, p.Status))
}

func notRunning(err error) string {
	if errors.Is(err, client.ErrNotRunning) {
		return client.NotRunningMessage + " Claude Code will ask you instead."
	}
	return "Countersign cannot be reached (" + err.Error() + "); Claude Code will ask you instead."
}

func (r *run) connect() (*client.Client, error) {
	if r.cfg.Connect != nil {
		return r.cfg.Connect(r.cfg.DataDir, r.cfg.Token)
	}
	d, err := client.Discover(r.cfg.DataDir)
	if err != nil {
		return nil, err
	}
	return client.New(d, r.cfg.Token)
}

// Tool inputs, as Claude Code sends them.
type (
	writeInput struct {
		FilePath string `json:"file_path"`
		Content  string `json:"content"`
	}
	editInput struct {
		FilePath   string `json:"file_path"`
		OldString  string `json:"old_string"`
		NewString  string `json:"new_string"`
		ReplaceAll bool   `json:"replace_all"`
	}
	multiEditInput struct {
		FilePath string `json:"file_path"`
		Edits    []struct {
			OldString  string `json:"old_string"`
			NewString  string `json:"new_string"`
			ReplaceAll bool   `json:"replace_all"`
		} `json:"edits"`
	}
	bashInput struct {
		Command     string `json:"command"`
		Description string `json:"description"`
		Timeout     int64  `json:"timeout"` // milliseconds
	}
	notebookInput struct {
		NotebookPath string `json:"notebook_path"`
	}
)

// agentRuns is said in every hook proposal: Claude Code, not Countersign,
// carries out what is approved.
const agentRuns = "Claude Code carries this out itself once approved."

// Propose turns a PreToolUse payload into a proposal. Write becomes
// file.write; Edit and MultiEdit file.edit (the edits are applied to the
// file as it is now, so an edit that cannot apply is caught here); Bash
// command.run of /bin/sh -c; NotebookEdit and mcp__* tools tool.call.
func Propose(p *Payload) (api.SubmitRequest, error) {
	if !filepath.IsAbs(p.Cwd) {
		return api.SubmitRequest{}, fmt.Errorf("cwd %q is not an absolute directory", p.Cwd)
	}
	// Claude Code carries out what is approved; Countersign keeps the
	// before-state so it can be undone.
	sr := api.SubmitRequest{Workspace: filepath.Clean(p.Cwd), AgentRuns: true}
	dec := func(v any) error {
		if len(p.ToolInput) == 0 {
			return errors.New("tool_input is missing")
		}
		if err := json.Unmarshal(p.ToolInput, v); err != nil {
			return fmt.Errorf("tool_input does not fit %s: %v", p.ToolName, err)
		}
		return nil
	}
	rel := func(path string) string {
		if r, err := filepath.Rel(sr.Workspace, path); err == nil && !strings.HasPrefix(r, "..") {
			return r
		}
		return path
	}
	switch {
	case p.ToolName == "Write":
		var in writeInput
		if err := dec(&in); err != nil {
			return sr, err
		}
		if in.FilePath == "" {
			return sr, errors.New("file_path is empty")
		}
		sr.Summary = fmt.Sprintf("Claude Code will write %s (%s)", rel(in.FilePath), size(len(in.Content)))
		sr.Actions = []proposal.Action{{Kind: proposal.KindFileWrite, Path: in.FilePath, Content: in.Content}}
	case p.ToolName == "Edit" || p.ToolName == "MultiEdit":
		var (
			path  string
			edits []proposal.Edit
		)
		if p.ToolName == "Edit" {
			var in editInput
			if err := dec(&in); err != nil {
				return sr, err
			}
			path, edits = in.FilePath, []proposal.Edit{{Old: in.OldString, New: in.NewString, ReplaceAll: in.ReplaceAll}}
		} else {
			var in multiEditInput
			if err := dec(&in); err != nil {
				return sr, err
			}
			path = in.FilePath
			for _, e := range in.Edits {
				edits = append(edits, proposal.Edit{Old: e.OldString, New: e.NewString, ReplaceAll: e.ReplaceAll})
			}
		}
		if path == "" {
			return sr, errors.New("file_path is empty")
		}
		if len(edits) == 0 {
			return sr, &errCannot{"the edit list is empty."}
		}
		old, exists, err := readFile(path, diff.DefaultMaxInputBytes)
		if err != nil {
			return sr, &errCannot{fmt.Sprintf("cannot read %s: %v.", path, err)}
		}
		// An edit with an empty old_string creates a file: a write.
		if !exists && len(edits) == 1 && edits[0].Old == "" {
			sr.Summary = fmt.Sprintf("Claude Code will create %s (%s)", rel(path), size(len(edits[0].New)))
			sr.Actions = []proposal.Action{{Kind: proposal.KindFileWrite, Path: path, Content: edits[0].New}}
			break
		}
		if !exists {
			return sr, &errCannot{fmt.Sprintf("%s does not exist, so the edit cannot apply.", path)}
		}
		if _, err := diff.ApplyEdits(old, edits, 0); err != nil {
			return sr, &errCannot{fmt.Sprintf("the edit does not apply to %s as it is now (%v). Read the file again and retry.", path, err)}
		}
		n := "1 replacement"
		if len(edits) > 1 {
			n = fmt.Sprintf("%d replacements", len(edits))
		}
		sr.Summary = fmt.Sprintf("Claude Code will edit %s (%s)", rel(path), n)
		sr.Actions = []proposal.Action{{Kind: proposal.KindFileEdit, Path: path, Edits: edits}}
	case p.ToolName == "Bash":
		var in bashInput
		if err := dec(&in); err != nil {
			return sr, err
		}
		if strings.TrimSpace(in.Command) == "" {
			return sr, errors.New("command is empty")
		}
		a := proposal.Action{Kind: proposal.KindCommandRun, Argv: []string{"/bin/sh", "-c", in.Command}, Dir: sr.Workspace}
		if in.Timeout > 0 {
			a.TimeoutSec = int((in.Timeout + 999) / 1000)
		}
		sr.Summary = "Claude Code will run: " + oneLine(in.Command, 200)
		sr.Rationale = strings.TrimSpace(in.Description + "\n\n" + agentRuns)
		sr.Actions = []proposal.Action{a}
	case p.ToolName == "NotebookEdit":
		var in notebookInput
		if err := dec(&in); err != nil {
			return sr, err
		}
		sr.Summary = "Claude Code will edit the notebook " + rel(in.NotebookPath)
		sr.Actions = []proposal.Action{{Kind: proposal.KindToolCall, Tool: p.ToolName, Input: p.ToolInput}}
	case strings.HasPrefix(p.ToolName, "mcp__"):
		parts := strings.SplitN(strings.TrimPrefix(p.ToolName, "mcp__"), "__", 2)
		if len(parts) != 2 || parts[0] == "" || parts[1] == "" {
			return sr, errUnknownTool
		}
		if len(p.ToolInput) == 0 {
			p.ToolInput = json.RawMessage(`{}`)
		}
		sr.Summary = fmt.Sprintf("Claude Code will call the tool %s of the MCP server %s", parts[1], parts[0])
		sr.Actions = []proposal.Action{{Kind: proposal.KindToolCall, Tool: p.ToolName, Input: p.ToolInput}}
	default:
		return sr, errUnknownTool
	}
	if sr.Rationale == "" {
		sr.Rationale = agentRuns
	}
	return sr, nil
}

// oneLine shortens s to its first line and at most n characters.
func oneLine(s string, n int) string {
	s = strings.TrimSpace(s)
	first, rest, more := strings.Cut(s, "\n")
	if utf8.RuneCountInString(first) > n {
		first = string([]rune(first)[:n])
		more = true
	}
	if more || rest != "" {
		first += " …"
	}
	return first
}

func size(n int) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d bytes", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

// readFile reads a regular file of at most max bytes; a missing file is
// (nil, false, nil).
func readFile(path string, max int64) ([]byte, bool, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if !fi.Mode().IsRegular() {
		return nil, false, fmt.Errorf("not a regular file")
	}
	if fi.Size() > max {
		return nil, false, fmt.Errorf("%d bytes, more than %d", fi.Size(), max)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, false, err
	}
	if int64(len(b)) > max {
		return nil, false, fmt.Errorf("more than %d bytes", max)
	}
	return b, true, nil
}

// post records the after-state of the file a Write, Edit or MultiEdit
// touched, under the proposal the PreToolUse call submitted.
func (r *run) post(ctx context.Context, p *Payload) {
	switch p.ToolName {
	case "Write", "Edit", "MultiEdit":
	default:
		return
	}
	var in struct {
		FilePath string `json:"file_path"`
	}
	if err := json.Unmarshal(p.ToolInput, &in); err != nil || in.FilePath == "" || p.ToolUseID == "" {
		r.logf("PostToolUse %s: no file_path or tool_use_id", p.ToolName)
		return
	}
	if r.cfg.Token == "" {
		return
	}
	c, err := r.connect()
	if err != nil {
		r.logf("%v", err)
		return
	}
	defer c.Close()
	sum, ok, err := c.FindByRef(ctx, p.ToolUseID)
	if err != nil || !ok {
		r.logf("PostToolUse: no proposal for tool use %s (%v)", p.ToolUseID, err)
		return
	}
	obs, err := observe(in.FilePath)
	if err != nil {
		r.logf("PostToolUse: %v", err)
		return
	}
	if _, err := c.Observe(ctx, sum.ID, api.ObserveRequest{Files: []api.ObservedFile{obs}}); err != nil {
		r.logf("PostToolUse: record %s: %v", sum.ID, err)
	}
}

// observe returns a file's state: its digest and size, and its content when
// it is at most maxObservedContent bytes. Larger files are hashed as a
// stream, never read whole into memory.
func observe(path string) (api.ObservedFile, error) {
	obs := api.ObservedFile{Path: path}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return obs, nil
	}
	if err != nil {
		return obs, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return obs, err
	}
	if !fi.Mode().IsRegular() {
		return obs, fmt.Errorf("%s is not a regular file", path)
	}
	h := sha256.New()
	var buf bytes.Buffer
	w := io.Writer(h)
	if fi.Size() <= maxObservedContent {
		w = io.MultiWriter(h, &buf)
	}
	n, err := io.Copy(w, f)
	if err != nil {
		return obs, err
	}
	obs.Exists, obs.SHA256, obs.Size = true, hex.EncodeToString(h.Sum(nil)), n
	if fi.Size() <= maxObservedContent && n <= maxObservedContent {
		obs.ContentBase64 = base64.StdEncoding.EncodeToString(buf.Bytes())
	}
	return obs, nil
}
