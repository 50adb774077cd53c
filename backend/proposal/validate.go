package proposal

import (
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits bounds what one proposal may carry. A zero field means the value of
// DefaultLimits, never "unlimited".
type Limits struct {
	MaxActions      int // actions per proposal
	MaxContentBytes int // bytes of content one action carries (file content, edit strings, cells, argv, body, tool input)
	MaxTotalBytes   int // bytes of content all actions carry together
	MaxSummary      int // characters in the summary
	MaxRationale    int // characters in the rationale
	MaxPath         int // bytes in one path
	MaxAgentID      int // bytes in the agent id
	MaxItems        int // edits, cells, argv words or declared writes in one action
}

// DefaultLimits returns the limits used when none are configured.
func DefaultLimits() Limits {
	return Limits{
		MaxActions:      1000,
		MaxContentBytes: 16 << 20,
		MaxTotalBytes:   64 << 20,
		MaxSummary:      500,
		MaxRationale:    10_000,
		MaxPath:         4096,
		MaxAgentID:      256,
		MaxItems:        10_000,
	}
}

// orDefault returns l with every zero or negative field replaced by its default.
func (l Limits) orDefault() Limits {
	d := DefaultLimits()
	pick := func(v, def int) int {
		if v <= 0 {
			return def
		}
		return v
	}
	return Limits{
		MaxActions:      pick(l.MaxActions, d.MaxActions),
		MaxContentBytes: pick(l.MaxContentBytes, d.MaxContentBytes),
		MaxTotalBytes:   pick(l.MaxTotalBytes, d.MaxTotalBytes),
		MaxSummary:      pick(l.MaxSummary, d.MaxSummary),
		MaxRationale:    pick(l.MaxRationale, d.MaxRationale),
		MaxPath:         pick(l.MaxPath, d.MaxPath),
		MaxAgentID:      pick(l.MaxAgentID, d.MaxAgentID),
		MaxItems:        pick(l.MaxItems, d.MaxItems),
	}
}

// ValidationError names the field of a proposal that is wrong and why, for
// example Field "actions[3].path", Message "contains a NUL byte".
type ValidationError struct {
	Field   string
	Message string
}

func (e *ValidationError) Error() string { return e.Field + ": " + e.Message }

// ValidationErrors is every problem Validate found, in field order, capped at
// maxReported. errors.As(err, new(*ValidationError)) yields the first.
type ValidationErrors []*ValidationError

// maxReported caps how many problems one Validate call collects.
const maxReported = 50

func (es ValidationErrors) Error() string {
	switch len(es) {
	case 0:
		return "no validation errors"
	case 1:
		return es[0].Error()
	}
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "; ")
}

// Unwrap exposes each *ValidationError to errors.Is and errors.As.
func (es ValidationErrors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// cellRef matches an A1-style reference, optionally absolute ($A$1).
var cellRef = regexp.MustCompile(`^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$`)

// methodToken matches an HTTP method.
var methodToken = regexp.MustCompile(`^[A-Za-z]{1,20}$`)

const (
	maxSheetColumn = 16384   // XFD
	maxSheetRow    = 1048576 // rows in an .xlsx sheet
)

// validCell reports whether ref names a cell inside an .xlsx sheet.
func validCell(ref string) bool {
	m := cellRef.FindStringSubmatch(ref)
	if m == nil {
		return false
	}
	col := 0
	for _, c := range strings.ToUpper(m[1]) {
		col = col*26 + int(c-'A'+1)
	}
	row, err := strconv.Atoi(m[2])
	return err == nil && col <= maxSheetColumn && row >= 1 && row <= maxSheetRow
}

// validator collects problems, stopping at maxReported.
type validator struct {
	l    Limits
	ws   string
	errs ValidationErrors
}

func (v *validator) add(field, format string, args ...any) {
	if len(v.errs) < maxReported {
		v.errs = append(v.errs, &ValidationError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
}

// path checks one path-valued field. required says whether it may be empty.
func (v *validator) path(field, p string, required bool) {
	switch {
	case p == "":
		if required {
			v.add(field, "is empty")
		}
	case strings.IndexByte(p, 0) >= 0:
		v.add(field, "contains a NUL byte")
	case len(p) > v.l.MaxPath:
		v.add(field, "is %d bytes long, more than the limit of %d", len(p), v.l.MaxPath)
	case !filepath.IsAbs(p) && v.ws == "":
		v.add(field, "is relative but the proposal has no workspace")
	}
}

// Validate checks p against l and returns nil or ValidationErrors naming each
// bad field. It does not look at ID, Status, Risk, CreatedAt or Decision,
// which the queue assigns.
func (p *Proposal) Validate(l Limits) error {
	v := &validator{l: l.orDefault(), ws: p.Workspace}
	lim := v.l

	switch {
	case strings.TrimSpace(p.AgentID) == "":
		v.add("agent_id", "is empty")
	case len(p.AgentID) > lim.MaxAgentID:
		v.add("agent_id", "is %d bytes long, more than the limit of %d", len(p.AgentID), lim.MaxAgentID)
	}
	switch n := utf8.RuneCountInString(p.Summary); {
	case strings.TrimSpace(p.Summary) == "":
		v.add("summary", "is empty")
	case n > lim.MaxSummary:
		v.add("summary", "is %d characters long, more than the limit of %d", n, lim.MaxSummary)
	}
	if n := utf8.RuneCountInString(p.Rationale); n > lim.MaxRationale {
		v.add("rationale", "is %d characters long, more than the limit of %d", n, lim.MaxRationale)
	}
	if p.Workspace != "" {
		switch {
		case strings.IndexByte(p.Workspace, 0) >= 0:
			v.add("workspace", "contains a NUL byte")
		case len(p.Workspace) > lim.MaxPath:
			v.add("workspace", "is %d bytes long, more than the limit of %d", len(p.Workspace), lim.MaxPath)
		case !filepath.IsAbs(p.Workspace):
			v.add("workspace", "must be an absolute directory, got %q", p.Workspace)
		}
	}

	switch {
	case len(p.Actions) == 0:
		v.add("actions", "has no actions")
		return v.result()
	case len(p.Actions) > lim.MaxActions:
		v.add("actions", "has %d actions, more than the limit of %d", len(p.Actions), lim.MaxActions)
		return v.result()
	}

	total := 0
	for i := range p.Actions {
		total += v.action(fmt.Sprintf("actions[%d]", i), &p.Actions[i])
	}
	if total > lim.MaxTotalBytes {
		v.add("actions", "carry %d bytes of content, more than the limit of %d", total, lim.MaxTotalBytes)
	}
	return v.result()
}

func (v *validator) result() error {
	if len(v.errs) == 0 {
		return nil
	}
	return v.errs
}

// action validates one action and returns the bytes of content it carries.
func (v *validator) action(f string, a *Action) int {
	lim := v.l
	switch {
	case a.Kind == "":
		v.add(f+".kind", "is empty")
	case !a.Kind.Known():
		v.add(f+".kind", "unknown kind %q", a.Kind)
	}
	if a.TimeoutSec < 0 {
		v.add(f+".timeout_sec", "is negative (%d)", a.TimeoutSec)
	}
	counts := []struct {
		field string
		n     int
	}{{"edits", len(a.Edits)}, {"cells", len(a.Cells)}, {"argv", len(a.Argv)}, {"writes", len(a.Writes)}}
	for _, c := range counts {
		if c.n > lim.MaxItems {
			v.add(f+"."+c.field, "has %d entries, more than the limit of %d", c.n, lim.MaxItems)
		}
	}

	if a.Check && a.Kind != KindCommandRun {
		v.add(f+".check", "only a command.run can be a post-check")
	}
	switch a.Kind {
	case KindFileWrite, KindFileDelete, KindDirCreate:
		v.path(f+".path", a.Path, true)
	case KindFileEdit:
		v.path(f+".path", a.Path, true)
		if len(a.Edits) == 0 {
			v.add(f+".edits", "has no edits")
		}
		for j, e := range a.Edits {
			if e.Old == "" {
				v.add(fmt.Sprintf("%s.edits[%d].old", f, j), "is empty; an edit replaces an exact, non-empty string")
			}
		}
	case KindFileMove:
		v.path(f+".path", a.Path, true)
		v.path(f+".to", a.To, true)
	case KindSheetUpdate:
		v.path(f+".path", a.Path, true)
		if len(a.Cells) == 0 {
			v.add(f+".cells", "has no cells")
		}
		for j, c := range a.Cells {
			cf := fmt.Sprintf("%s.cells[%d]", f, j)
			if strings.TrimSpace(c.Sheet) == "" {
				v.add(cf+".sheet", "is empty")
			}
			if !validCell(c.Cell) {
				v.add(cf+".cell", "%q is not a cell reference like B12", c.Cell)
			}
			if c.Value != "" && c.Formula != "" {
				v.add(cf, "sets both a value and a formula")
			}
		}
	case KindCommandRun:
		if len(a.Argv) == 0 || a.Argv[0] == "" {
			v.add(f+".argv", "is empty; a command needs at least a program name")
		}
		for j, w := range a.Argv {
			if strings.IndexByte(w, 0) >= 0 {
				v.add(fmt.Sprintf("%s.argv[%d]", f, j), "contains a NUL byte")
			}
		}
		v.path(f+".dir", a.Dir, false)
		if a.Check && len(a.Writes) > 0 {
			v.add(f+".writes", "a post-check must not change files, so it declares no writes")
		}
		for j, w := range a.Writes {
			v.path(fmt.Sprintf("%s.writes[%d]", f, j), w, true)
		}
	case KindNetRequest:
		u, err := url.Parse(a.URL)
		switch {
		case a.URL == "":
			v.add(f+".url", "is empty")
		case err != nil:
			v.add(f+".url", "does not parse: %v", err)
		case u.Scheme != "http" && u.Scheme != "https":
			v.add(f+".url", "must be http or https, got %q", a.URL)
		case u.Host == "":
			v.add(f+".url", "has no host")
		}
		if a.Method != "" && !methodToken.MatchString(a.Method) {
			v.add(f+".method", "%q is not an HTTP method", a.Method)
		}
	case KindToolCall:
		if strings.TrimSpace(a.Tool) == "" {
			v.add(f+".tool", "is empty")
		}
		if len(a.Input) > 0 && !json.Valid(a.Input) {
			v.add(f+".input", "is not valid JSON")
		}
	}

	// Content size: report the field that carries the most.
	sizes := []struct {
		field string
		n     int
	}{
		{"content", len(a.Content)},
		{"edits", editBytes(a.Edits)},
		{"cells", cellBytes(a.Cells)},
		{"argv", stringsBytes(a.Argv)},
		{"body", len(a.Body)},
		{"input", len(a.Input)},
	}
	total, big := 0, 0
	for i, s := range sizes {
		total += s.n
		if s.n > sizes[big].n {
			big = i
		}
	}
	if total > lim.MaxContentBytes {
		v.add(f+"."+sizes[big].field, "carries %d bytes of content, more than the limit of %d per action", total, lim.MaxContentBytes)
	}
	return total
}

func editBytes(es []Edit) int {
	n := 0
	for _, e := range es {
		n += len(e.Old) + len(e.New)
	}
	return n
}

func cellBytes(cs []CellEdit) int {
	n := 0
	for _, c := range cs {
		n += len(c.Value) + len(c.Formula)
	}
	return n
}

func stringsBytes(ss []string) int {
	n := 0
	for _, s := range ss {
		n += len(s)
	}
	return n
}
