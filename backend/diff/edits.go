package diff

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"countersign/backend/proposal"
)

var (
	// ErrNotFound: an edit's old string does not occur in the content.
	ErrNotFound = errors.New("old_string not found")
	// ErrAmbiguous: an edit's old string occurs more than once and the edit
	// does not ask to replace all occurrences.
	ErrAmbiguous = errors.New("old_string found more than once")
	// ErrEmptyOld: an edit with an empty old string, on content that is not
	// empty.
	ErrEmptyOld = errors.New("old_string is empty")
	// ErrNoChange: an edit whose old and new strings are the same.
	ErrNoChange = errors.New("old_string and new_string are the same")
)

// EditError says which edit failed and why; errors.Is matches its Err.
type EditError struct {
	Index int   // 0-based position in the edit list
	Count int   // occurrences found, for ErrAmbiguous
	Err   error // ErrNotFound, ErrAmbiguous, ErrEmptyOld, ErrNoChange or a *TooLargeError
}

func (e *EditError) Error() string {
	if errors.Is(e.Err, ErrAmbiguous) {
		return fmt.Sprintf("edit %d: %v (%d times); give more context or set replace_all", e.Index+1, e.Err, e.Count)
	}
	return fmt.Sprintf("edit %d: %v", e.Index+1, e.Err)
}

func (e *EditError) Unwrap() error { return e.Err }

// ApplyEdits returns old with the edits applied one after another, each to
// the result of the previous one, as Claude Code's MultiEdit does. An edit
// replaces the single exact occurrence of its Old string, or every
// occurrence when ReplaceAll is set. An empty Old string is accepted only on
// empty content, where New becomes the content. If the content uses CRLF line
// endings throughout and Old, as written with "\n", is not found, Old and New
// are matched and inserted with "\r\n" instead: agents usually see such files
// with their line endings normalized. Results over maxBytes (zero means
// DefaultMaxInputBytes, the limit of Compute) are refused.
func ApplyEdits(old []byte, edits []proposal.Edit, maxBytes int64) ([]byte, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxInputBytes
	}
	cur := string(old)
	for i, e := range edits {
		fail := func(err error, count int) ([]byte, error) {
			return nil, &EditError{Index: i, Count: count, Err: err}
		}
		if e.Old == e.New {
			return fail(ErrNoChange, 0)
		}
		if e.Old == "" {
			if cur != "" {
				return fail(ErrEmptyOld, 0)
			}
			if int64(len(e.New)) > maxBytes {
				return fail(&TooLargeError{Side: "new", Size: int64(len(e.New)), Limit: maxBytes, Unit: "bytes"}, 0)
			}
			cur = e.New
			continue
		}
		from, to := e.Old, e.New
		n := strings.Count(cur, from)
		if n == 0 && usesCRLF(cur) && strings.Contains(from, "\n") {
			from, to = toCRLF(from), toCRLF(to)
			n = strings.Count(cur, from)
		}
		switch {
		case n == 0:
			return fail(ErrNotFound, 0)
		case n > 1 && !e.ReplaceAll:
			return fail(ErrAmbiguous, n)
		}
		if size := int64(len(cur)) + int64(n)*(int64(len(to))-int64(len(from))); size > maxBytes {
			return fail(&TooLargeError{Side: "new", Size: size, Limit: maxBytes, Unit: "bytes"}, n)
		}
		cur = strings.ReplaceAll(cur, from, to)
	}
	return []byte(cur), nil
}

// usesCRLF reports whether s has line endings and every one is "\r\n".
func usesCRLF(s string) bool {
	n := strings.Count(s, "\n")
	return n > 0 && strings.Count(s, "\r\n") == n
}

// toCRLF turns every "\n" not already preceded by "\r" into "\r\n".
func toCRLF(s string) string {
	if !strings.Contains(s, "\n") {
		return s
	}
	var b bytes.Buffer
	b.Grow(len(s) + strings.Count(s, "\n"))
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' && (i == 0 || s[i-1] != '\r') {
			b.WriteByte('\r')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
