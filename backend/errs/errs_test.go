package errs

import (
	"errors"
	"fmt"
	"testing"
)

type causeError struct{ detail string }

func (e *causeError) Error() string { return e.detail }

func TestCodeOf(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want Code
	}{
		{"nil", nil, ""},
		{"plain", errors.New("disk on fire"), CodeInternal},
		{"coded", New(CodeNotFound, "proposal x not found"), CodeNotFound},
		{"wrapped twice", fmt.Errorf("outer: %w", fmt.Errorf("inner: %w", New(CodeForbidden, "no"))), CodeForbidden},
		{"wrap keeps the cause", Wrap(CodeInvalid, &causeError{"bad"}), CodeInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CodeOf(tt.err); got != tt.want {
				t.Errorf("CodeOf = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSentinels(t *testing.T) {
	sentinels := map[Code]error{
		CodeNotFound: ErrNotFound, CodeConflict: ErrConflict, CodeInvalid: ErrInvalid,
		CodeForbidden: ErrForbidden, CodeUnavailable: ErrUnavailable,
	}
	for code := range sentinels {
		err := fmt.Errorf("ctx: %w", New(code, "message"))
		for other, sentinel := range sentinels {
			if got, want := errors.Is(err, sentinel), other == code; got != want {
				t.Errorf("errors.Is(%s error, %s sentinel) = %v, want %v", code, other, got, want)
			}
		}
	}
	// A message-bearing error is not a sentinel for another.
	if errors.Is(New(CodeConflict, "a"), New(CodeConflict, "b")) {
		t.Errorf("two distinct errors of one code must not match each other")
	}
}

func TestWrap(t *testing.T) {
	if Wrap(CodeInvalid, nil) != nil {
		t.Fatal("Wrap(nil) must be nil")
	}
	err := Wrap(CodeInvalid, &causeError{"summary: is empty"})
	var c *causeError
	if !errors.As(err, &c) || c.detail != "summary: is empty" {
		t.Errorf("cause not reachable: %v", err)
	}
	if err.Error() != "summary: is empty" {
		t.Errorf("message = %q", err.Error())
	}
}
