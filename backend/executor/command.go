package executor

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"countersign/backend/proposal"
	"countersign/backend/store"
)

const (
	// DefaultCommandTimeout applies when a command.run names none.
	DefaultCommandTimeout = 2 * time.Minute
	// MaxCommandTimeout bounds any command.
	MaxCommandTimeout = 30 * time.Minute
	// maxOutput bounds the stdout and the stderr kept of a command, and the
	// response body kept of a request.
	maxOutput = 64 << 10
	// requestTimeout bounds a net.request.
	requestTimeout = 30 * time.Second
	// maxSnapshotFiles and maxSnapshotBytes bound what the paths a command
	// declares may hold: they are copied before it runs.
	maxSnapshotFiles = 20000
	maxSnapshotBytes = 512 << 20
)

// keptEnv is the environment a command gets: what programs need to run and
// to find their tools, without the tokens and credentials that a desktop
// session's environment often holds.
var keptEnv = []string{"PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR",
	"SYSTEMROOT", "WINDIR", "COMSPEC", "PATHEXT", "USERPROFILE", "TEMP", "TMP"}

// scrubbedEnv returns keptEnv's variables from the environment, and TERM=dumb.
func scrubbedEnv(getenv func(string) string) []string {
	env := []string{"TERM=dumb"}
	for _, k := range keptEnv {
		if v := getenv(k); v != "" {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// capped keeps the first max bytes written to it and counts the rest.
type capped struct {
	buf     bytes.Buffer
	max     int
	dropped int64
}

func (c *capped) Write(p []byte) (int, error) {
	room := c.max - c.buf.Len()
	if room > len(p) {
		room = len(p)
	}
	if room > 0 {
		c.buf.Write(p[:room])
	}
	c.dropped += int64(len(p) - max(room, 0))
	return len(p), nil
}

func (c *capped) String() string {
	s := strings.ToValidUTF8(c.buf.String(), "\uFFFD")
	if c.dropped > 0 {
		s += fmt.Sprintf("\n… %d more bytes not kept", c.dropped)
	}
	return s
}

// runCommand runs a command.run: argv with no shell, in a directory inside
// the workspace, with a scrubbed environment and a timeout; its output is
// kept, capped. A non-zero exit is an error.
func (x *Executor) runCommand(ctx context.Context, w *Workspace, a proposal.Action, res *ActionResult) error {
	dir := w.Dir()
	if a.Dir != "" {
		rel, err := w.Rel(a.Dir)
		if err != nil {
			return err
		}
		fi, err := w.root.Stat(filepath.FromSlash(rel))
		if err != nil {
			return w.rootErr(rel, err)
		}
		if !fi.IsDir() {
			return fmt.Errorf("the working directory %s is not a directory", rel)
		}
		dir = filepath.Join(w.Dir(), filepath.FromSlash(rel))
	}
	timeout := DefaultCommandTimeout
	if a.TimeoutSec > 0 {
		timeout = min(time.Duration(a.TimeoutSec)*time.Second, MaxCommandTimeout)
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(cctx, a.Argv[0], a.Argv[1:]...)
	cmd.Dir = dir
	cmd.Env = scrubbedEnv(x.getenv)
	cmd.Stdin = nil
	var stdout, stderr capped
	stdout.max, stderr.max = maxOutput, maxOutput
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 2 * time.Second
	isolate(cmd)
	start := time.Now()
	err := cmd.Run()
	res.DurationMS = time.Since(start).Milliseconds()
	res.Stdout, res.Stderr = stdout.String(), stderr.String()
	if cmd.ProcessState != nil {
		code := cmd.ProcessState.ExitCode()
		res.ExitCode = &code
	}
	switch {
	case cctx.Err() == context.DeadlineExceeded:
		return fmt.Errorf("%s did not finish within %s and was stopped", a.Argv[0], timeout)
	case ctx.Err() != nil:
		return ctx.Err()
	case err != nil:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return fmt.Errorf("%s exited with status %d", a.Argv[0], ee.ExitCode())
		}
		return fmt.Errorf("%s could not run: %w", a.Argv[0], err)
	}
	return nil
}

// snapshot records, before a command runs, everything under the paths it
// declares it may write: a scope step per declared path, and a step per file
// and directory found, whose after-state is unknown until the command ends.
func (x *Executor) snapshot(w *Workspace, idx int, writes []string) ([]store.UndoStep, error) {
	var steps []store.UndoStep
	var total int64
	add := func(rel string, s store.PathState) error {
		if len(steps) >= maxSnapshotFiles {
			return fmt.Errorf("action %d: the paths it may write hold more than %d entries, too many to keep undo data for", idx+1, maxSnapshotFiles)
		}
		total += int64(len(s.Content))
		if total > maxSnapshotBytes {
			return fmt.Errorf("action %d: the paths it may write hold more than %d bytes, too much to keep undo data for", idx+1, maxSnapshotBytes)
		}
		steps = append(steps, store.UndoStep{Seq: stepSeq(idx, len(steps)), ActionIdx: idx, Path: rel, Pre: s,
			Post: store.PathState{Kind: store.StateUnknown}})
		return nil
	}
	for _, wp := range writes {
		rel, err := w.Rel(wp)
		if err != nil {
			return nil, err
		}
		if err := w.guard(rel); err != nil {
			return nil, err
		}
		steps = append(steps, store.UndoStep{Seq: stepSeq(idx, len(steps)), ActionIdx: idx, Path: rel,
			Pre: store.PathState{Kind: store.StateScope}, Post: store.PathState{Kind: store.StateScope}})
		if err := w.walk(rel, add); err != nil {
			return nil, err
		}
	}
	return steps, nil
}

// settle replaces a snapshot's unknown after-states with what the command
// left: every path found before gets its state now, and every path that
// appeared gets a step from absent.
func (x *Executor) settle(w *Workspace, idx int, snap []store.UndoStep) ([]store.UndoStep, error) {
	now := map[string]store.PathState{}
	var order []string
	for _, s := range snap {
		if s.Pre.Kind != store.StateScope {
			continue
		}
		if err := w.walk(s.Path, func(rel string, st store.PathState) error {
			if _, ok := now[rel]; !ok {
				order = append(order, rel)
			}
			now[rel] = st
			if len(now) > maxSnapshotFiles {
				return fmt.Errorf("action %d: the command left more than %d entries under the paths it declared", idx+1, maxSnapshotFiles)
			}
			return nil
		}); err != nil {
			return nil, err
		}
	}
	out := make([]store.UndoStep, 0, len(snap)+len(order))
	seen := map[string]bool{}
	for _, s := range snap {
		if s.Pre.Kind != store.StateScope {
			if st, ok := now[s.Path]; ok {
				s.Post = st
			} else {
				s.Post = store.PathState{Kind: store.StateAbsent}
			}
			seen[s.Path] = true
		}
		out = append(out, s)
	}
	for _, rel := range order {
		if !seen[rel] {
			out = append(out, store.UndoStep{Seq: stepSeq(idx, len(out)), ActionIdx: idx, Path: rel,
				Pre: store.PathState{Kind: store.StateAbsent}, Post: now[rel]})
		}
	}
	return out, nil
}

// walk calls fn for rel and, if it is a directory, everything under it,
// parents before children, in name order. A path that does not exist is
// skipped.
func (w *Workspace) walk(rel string, fn func(string, store.PathState) error) error {
	s, err := w.current(rel)
	if err != nil {
		return err
	}
	if s.Kind == store.StateAbsent {
		return nil
	}
	if err := fn(rel, s); err != nil {
		return err
	}
	if s.Kind != store.StateDir {
		return nil
	}
	f, err := w.root.Open(filepath.FromSlash(rel))
	if err != nil {
		return w.rootErr(rel, err)
	}
	names, err := f.Readdirnames(-1)
	f.Close()
	if err != nil {
		return err
	}
	slices.Sort(names)
	for _, n := range names {
		if err := w.walk(path.Join(rel, n), fn); err != nil {
			return err
		}
	}
	return nil
}

// sendRequest makes a net.request: the approved method and URL and body,
// no redirects followed (a redirect would send the data somewhere the
// person did not approve). A status of 400 or more is an error.
func sendRequest(ctx context.Context, a proposal.Action, res *ActionResult) error {
	method := a.Method
	if method == "" {
		method = http.MethodGet
		if a.Body != "" {
			method = http.MethodPost
		}
	}
	var body io.Reader
	if a.Body != "" {
		body = strings.NewReader(a.Body)
	}
	rctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, method, a.URL, body)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", "countersign/"+runtime.Version())
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	start := time.Now()
	resp, err := client.Do(req)
	res.DurationMS = time.Since(start).Milliseconds()
	if err != nil {
		return fmt.Errorf("the request to %s failed: %w", req.URL.Host, err)
	}
	defer resp.Body.Close()
	var out capped
	out.max = maxOutput
	_, _ = io.Copy(&out, io.LimitReader(resp.Body, 16<<20))
	res.HTTPStatus, res.Stdout = resp.StatusCode, out.String()
	if resp.StatusCode >= 400 {
		return fmt.Errorf("%s %s answered %s", method, a.URL, resp.Status)
	}
	return nil
}
