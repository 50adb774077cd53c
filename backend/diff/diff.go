// Package diff computes the text previews a person reviews before approving a
// file change: a unified diff, the same change as structured hunks, and word
// highlights inside changed lines.
//
// Compute guarantees, for inputs within Options.MaxInputBytes and
// Options.MaxInputLines:
//
//   - Exact. For text, unless Result.Truncated is set, Result.Unified
//     applied to the old bytes with `git apply` or GNU `patch -p1` gives the
//     new bytes byte for byte, including CRLF line endings and a missing
//     final newline; Hunks describe the same lines, and Added and Deleted
//     count them. Every line the diff calls unchanged is byte-identical on
//     both sides; a result that would break this is returned as an error,
//     never as a preview.
//   - Deterministic. The same inputs and options give the same Result on every
//     run: nothing depends on wall-clock time, map iteration order or
//     scheduling.
//   - Bounded. Line matching spends at most about Options.MaxCost units of
//     work. Where finding the fewest changed lines would cost more, a region
//     is matched less finely (as git does past its own cost limit) or shown
//     as a whole delete and insert; the diff stays exact and Result.Coarse
//     says so. Output stops after Options.MaxDiffLines hunk lines and
//     Result.Truncated says so. Inputs with more bytes or lines than the
//     limits are refused with a *TooLargeError, so memory stays proportional
//     to what is accepted. Word highlights run under their own small caps.
//
// Content that is not text (a NUL byte in the first 8000 bytes, or invalid
// UTF-8 anywhere) gets no line diff: Result.Binary is set, BinarySummary names
// sizes and SHA-256 digests, and Unified carries git's "Binary files ...
// differ" line.
//
// ApplyEdits produces the after-state of exact-match edits as coding agents
// send them, refusing a missing or ambiguous match with typed errors.
package diff

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
)

// Options bound the work and the output of Compute. A zero field takes its
// value from DefaultOptions; a negative one is an error.
type Options struct {
	// Context is the number of unchanged lines shown around each change
	// (a preview always shows some: zero means the default).
	Context int
	// MaxInputBytes is the largest old or new content Compute accepts; at
	// most 2 GiB - 1.
	MaxInputBytes int64
	// MaxInputLines is the most lines an old or new text may have. Memory
	// grows with lines, not bytes: a file of empty lines is all overhead.
	MaxInputLines int
	// MaxDiffLines is the most hunk lines a Result carries before it is
	// marked Truncated.
	MaxDiffLines int
	// MaxCost caps the work spent matching lines, in units of roughly one
	// line comparison (a few nanoseconds each). Past it the remaining
	// regions are shown as whole deletes and inserts.
	MaxCost int64
}

// Default limits.
const (
	DefaultContext       = 3
	DefaultMaxInputBytes = 64 << 20
	DefaultMaxInputLines = 4_000_000
	DefaultMaxDiffLines  = 200_000
	DefaultMaxCost       = 200_000_000
)

// DefaultOptions returns the limits the application uses.
func DefaultOptions() Options {
	return Options{
		Context:       DefaultContext,
		MaxInputBytes: DefaultMaxInputBytes,
		MaxInputLines: DefaultMaxInputLines,
		MaxDiffLines:  DefaultMaxDiffLines,
		MaxCost:       DefaultMaxCost,
	}
}

func (o Options) resolve() (Options, error) {
	if o.Context < 0 || o.MaxInputBytes < 0 || o.MaxInputLines < 0 || o.MaxDiffLines < 0 || o.MaxCost < 0 {
		return o, fmt.Errorf("%w: negative option in %+v", ErrInvalidInput, o)
	}
	if o.MaxInputBytes > math.MaxInt32 {
		return o, fmt.Errorf("%w: MaxInputBytes over 2 GiB", ErrInvalidInput)
	}
	d := DefaultOptions()
	if o.Context == 0 {
		o.Context = d.Context
	}
	if o.MaxInputBytes == 0 {
		o.MaxInputBytes = d.MaxInputBytes
	}
	if o.MaxInputLines == 0 {
		o.MaxInputLines = d.MaxInputLines
	}
	if o.MaxDiffLines == 0 {
		o.MaxDiffLines = d.MaxDiffLines
	}
	if o.MaxCost == 0 {
		o.MaxCost = d.MaxCost
	}
	return o, nil
}

// LineKind says whether a line is unchanged, added or deleted.
type LineKind string

const (
	KindContext LineKind = "context"
	KindAdd     LineKind = "add"
	KindDel     LineKind = "del"
)

// Line is one line of a hunk.
type Line struct {
	Kind LineKind `json:"kind"`
	// Old and New are 1-based line numbers on each side; zero where the line
	// does not exist on that side. (32 bits: inputs stay under 2 GiB, and a
	// large preview holds millions of lines.)
	Old int32 `json:"old,omitempty"`
	New int32 `json:"new,omitempty"`
	// NoNewline marks the last line of a file that does not end in "\n".
	NoNewline bool `json:"no_newline,omitempty"`
	// Text is the line without its final "\n". A "\r" before it stays, so a
	// change of line ending is visible.
	Text string `json:"text"`
	// Spans mark the changed words of a deleted or added line that pairs with
	// a line on the other side.
	Spans []Span `json:"spans,omitempty"`
}

// Span is a byte range [Start, End) of Line.Text.
type Span struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Hunk is one "@@" section of the unified diff.
type Hunk struct {
	OldStart int    `json:"old_start"`
	OldLines int    `json:"old_lines"`
	NewStart int    `json:"new_start"`
	NewLines int    `json:"new_lines"`
	Header   string `json:"header"` // "@@ -a,b +c,d @@"
	Lines    []Line `json:"lines"`
}

// Result is the preview of one file's change.
type Result struct {
	Path      string `json:"path"`
	OldExists bool   `json:"old_exists"`
	NewExists bool   `json:"new_exists"`

	Binary        bool   `json:"binary"`
	BinarySummary string `json:"binary_summary,omitempty"`

	// Unified is the change as `git diff` prints it; empty when nothing
	// changed.
	Unified string `json:"unified"`
	Hunks   []Hunk `json:"hunks"` // empty, not nil, when there are none
	// Added and Deleted count the changed lines of the whole change, also when
	// Truncated.
	Added   int `json:"added"`
	Deleted int `json:"deleted"`
	// Coarse reports that a work cap was reached: the diff is exact, but some
	// regions show more changed lines than the fewest possible.
	Coarse bool `json:"coarse"`
	// Truncated reports that Unified and Hunks stop after MaxDiffLines lines;
	// what is there is well-formed but incomplete.
	Truncated bool `json:"truncated"`

	OldSHA256 string `json:"old_sha256,omitempty"`
	NewSHA256 string `json:"new_sha256,omitempty"`
	OldSize   int64  `json:"old_size"`
	NewSize   int64  `json:"new_size"`
}

var (
	// ErrInvalidInput reports arguments that describe no possible change.
	ErrInvalidInput = errors.New("diff: invalid input")
	// ErrTooLarge is matched by every *TooLargeError.
	ErrTooLarge = errors.New("file too large to preview")
	// ErrInternal reports a result that failed its own consistency check; it
	// is returned instead of a preview that could be wrong.
	ErrInternal = errors.New("diff: internal consistency check failed")
)

// TooLargeError reports content over a size limit.
type TooLargeError struct {
	Side  string // "old" or "new"
	Size  int64
	Limit int64
	Unit  string // "bytes" or "lines"
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("file too large to preview, %d %s (%s content; limit %d %s)", e.Size, e.Unit, e.Side, e.Limit, e.Unit)
}

// Is makes errors.Is(err, ErrTooLarge) true.
func (e *TooLargeError) Is(target error) bool { return target == ErrTooLarge }

// binarySniffLen is how much of a file git looks at for a NUL byte.
const binarySniffLen = 8000

// IsBinary reports whether content is shown as binary: a NUL byte in the first
// 8000 bytes, as git decides, or invalid UTF-8 anywhere.
func IsBinary(content []byte) bool {
	head := content
	if len(head) > binarySniffLen {
		head = head[:binarySniffLen]
	}
	return bytes.IndexByte(head, 0) >= 0 || !utf8.Valid(content)
}

// Compute diffs old against new for the file at path (slash-separated,
// relative to the workspace). oldExists false means the file is created and
// old must be empty; newExists false means it is deleted and new must be
// empty.
func Compute(path string, old, new []byte, oldExists, newExists bool, o Options) (*Result, error) {
	o, err := o.resolve()
	if err != nil {
		return nil, err
	}
	switch {
	case path == "":
		return nil, fmt.Errorf("%w: empty path", ErrInvalidInput)
	case !oldExists && !newExists:
		return nil, fmt.Errorf("%w: %s exists on neither side", ErrInvalidInput, strconv.Quote(path))
	case !oldExists && len(old) > 0:
		return nil, fmt.Errorf("%w: old content given for new file %s", ErrInvalidInput, strconv.Quote(path))
	case !newExists && len(new) > 0:
		return nil, fmt.Errorf("%w: new content given for deleted file %s", ErrInvalidInput, strconv.Quote(path))
	}
	if int64(len(old)) > o.MaxInputBytes {
		return nil, &TooLargeError{Side: "old", Size: int64(len(old)), Limit: o.MaxInputBytes, Unit: "bytes"}
	}
	if int64(len(new)) > o.MaxInputBytes {
		return nil, &TooLargeError{Side: "new", Size: int64(len(new)), Limit: o.MaxInputBytes, Unit: "bytes"}
	}

	r := &Result{
		Path: path, OldExists: oldExists, NewExists: newExists,
		OldSize: int64(len(old)), NewSize: int64(len(new)),
		Hunks: []Hunk{}, // never null in JSON
	}
	// The digests are computed beside the diff; they do not affect it.
	var oldSum, newSum string
	hashed := make(chan struct{})
	go func() {
		defer close(hashed)
		if oldExists {
			oldSum = sha256Hex(old)
		}
		if newExists {
			newSum = sha256Hex(new)
		}
	}()
	same := oldExists == newExists && bytes.Equal(old, new)
	binary := (oldExists && IsBinary(old)) || (newExists && IsBinary(new))
	if !binary && !same {
		err = textDiff(r, old, new, o)
	}
	<-hashed
	if err != nil {
		return nil, err
	}
	r.OldSHA256, r.NewSHA256 = oldSum, newSum
	if binary {
		r.Binary = true
		r.BinarySummary = binarySummary(r)
		if !same {
			r.Unified = binaryPatch(path, oldExists, newExists)
		}
	}
	return r, nil
}

// textDiff fills in the line diff of r.
func textDiff(r *Result, old, new []byte, o Options) error {
	for _, x := range []struct {
		side string
		data []byte
	}{{"old", old}, {"new", new}} {
		if n := countLines(x.data); n > o.MaxInputLines {
			return &TooLargeError{Side: x.side, Size: int64(n), Limit: int64(o.MaxInputLines), Unit: "lines"}
		}
	}
	a, b := splitLines(old), splitLines(new)
	m := newMatcher(a, b, o.MaxCost)
	m.run()
	if err := m.compact(); err != nil {
		return err
	}
	cs, err := m.changes()
	if err != nil {
		return err
	}
	for _, c := range cs {
		r.Deleted += c.a1 - c.a0
		r.Added += c.b1 - c.b0
	}
	r.Coarse = m.coarse
	w := unifiedWriter{path: r.Path, oldExists: r.OldExists, newExists: r.NewExists, a: a, b: b, context: o.Context, maxLines: o.MaxDiffLines}
	r.Unified, r.Hunks, r.Truncated = w.write(cs)
	addSpans(r.Hunks)
	return nil
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func binarySummary(r *Result) string {
	side := func(size int64, sum string) string {
		return fmt.Sprintf("binary file, %d bytes, SHA-256 %s", size, sum)
	}
	switch {
	case !r.OldExists:
		return "new " + side(r.NewSize, r.NewSHA256)
	case !r.NewExists:
		return "deleted " + side(r.OldSize, r.OldSHA256)
	case r.OldSHA256 == r.NewSHA256:
		return side(r.NewSize, r.NewSHA256)
	default:
		return side(r.OldSize, r.OldSHA256) + " -> " + side(r.NewSize, r.NewSHA256)
	}
}
