// Package errs holds the error codes the backend reports to its callers, so
// that the app and any gateway translate them in one place.
//
// It guarantees that every error built here carries one of the Code constants,
// that CodeOf finds that code through any amount of wrapping (and reports
// CodeInternal for an error that has none), and that the sentinels ErrNotFound,
// ErrConflict, ErrInvalid, ErrForbidden and ErrUnavailable match, with
// errors.Is, every error of their code. Wrapped causes stay reachable through
// errors.As.
package errs

import "errors"

// Code classifies an error for callers that must react to it.
type Code string

const (
	CodeNotFound    Code = "not_found"   // the thing asked for does not exist
	CodeConflict    Code = "conflict"    // the thing is not in a state that allows this
	CodeInvalid     Code = "invalid"     // the request is malformed or breaks a limit
	CodeForbidden   Code = "forbidden"   // the caller may not do this
	CodeUnavailable Code = "unavailable" // the service is closed or not started
	CodeInternal    Code = "internal"    // anything else: a bug or an I/O failure
)

// Error is a coded error with a message meant for people.
type Error struct {
	Code    Code
	Message string
	Err     error // the cause, if any
}

func (e *Error) Error() string {
	if e.Message == "" {
		return string(e.Code)
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// ErrorCode returns e.Code.
func (e *Error) ErrorCode() Code { return e.Code }

// Is reports whether target is the sentinel of e's code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Message == "" && t.Err == nil && t.Code == e.Code
}

// Sentinels for errors.Is; each matches every error of its code.
var (
	ErrNotFound    = &Error{Code: CodeNotFound}
	ErrConflict    = &Error{Code: CodeConflict}
	ErrInvalid     = &Error{Code: CodeInvalid}
	ErrForbidden   = &Error{Code: CodeForbidden}
	ErrUnavailable = &Error{Code: CodeUnavailable}
)

// New returns an error with a code and a message.
func New(code Code, message string) *Error { return &Error{Code: code, Message: message} }

// Wrap returns an error with a code whose message is err's and whose cause is
// err. It returns nil for a nil err.
func Wrap(code Code, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Code: code, Message: err.Error(), Err: err}
}

// Coded is implemented by errors that carry a Code.
type Coded interface {
	error
	ErrorCode() Code
}

// CodeOf returns the code of the first coded error in err's chain, "" for nil
// and CodeInternal when none carries a code.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var c Coded
	if errors.As(err, &c) {
		return c.ErrorCode()
	}
	return CodeInternal
}
