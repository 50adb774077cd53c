package intent

import (
	"fmt"

	"countersign/backend/errs"
)

// Reason classifies why a token was refused.
type Reason string

const (
	ReasonMalformed     Reason = "malformed"      // not a compact JWS of the expected shape
	ReasonAlgorithm     Reason = "algorithm"      // alg is not EdDSA (e.g. none, HS256)
	ReasonUnknownKey    Reason = "unknown_key"    // kid names no key in the key set
	ReasonRetiredKey    Reason = "retired_key"    // signed by a key after it was retired
	ReasonSignature     Reason = "signature"      // the signature does not verify
	ReasonNotCanonical  Reason = "not_canonical"  // payload is not its own RFC 8785 form, or not in the schema
	ReasonInvalidClaims Reason = "invalid_claims" // a required field is missing or malformed
	ReasonExpired       Reason = "expired"        // now is at or after exp
	ReasonNotYetValid   Reason = "not_yet_valid"  // iat is in the future
	ReasonMismatch      Reason = "mismatch"       // the token does not match the stored proposal
)

// Error is a refused token or claim: the reason, the field concerned (a JSON
// name such as "actions[2].content_sha256", or "" for the whole token) and a
// message for people.
type Error struct {
	Reason  Reason
	Field   string
	Message string
	Err     error

	issuing bool // refused while issuing, not while verifying
}

func (e *Error) Error() string {
	if e.Message == "" {
		return string(e.Reason)
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Is matches the sentinel of the same reason (Err* below).
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Message == "" && t.Field == "" && t.Err == nil && t.Reason == e.Reason
}

// ErrorCode reports errs.CodeInvalid for claims refused by Issue or
// NewClaims and errs.CodeForbidden for everything a verifier refuses: such a
// token authorises nothing.
func (e *Error) ErrorCode() errs.Code {
	if e.issuing {
		return errs.CodeInvalid
	}
	return errs.CodeForbidden
}

// Sentinels for errors.Is, one per reason.
var (
	ErrMalformed     = &Error{Reason: ReasonMalformed}
	ErrAlgorithm     = &Error{Reason: ReasonAlgorithm}
	ErrUnknownKey    = &Error{Reason: ReasonUnknownKey}
	ErrRetiredKey    = &Error{Reason: ReasonRetiredKey}
	ErrSignature     = &Error{Reason: ReasonSignature}
	ErrNotCanonical  = &Error{Reason: ReasonNotCanonical}
	ErrInvalidClaims = &Error{Reason: ReasonInvalidClaims}
	ErrExpired       = &Error{Reason: ReasonExpired}
	ErrNotYetValid   = &Error{Reason: ReasonNotYetValid}
	ErrMismatch      = &Error{Reason: ReasonMismatch}
)

func fail(r Reason, field, format string, args ...any) *Error {
	return &Error{Reason: r, Field: field, Message: fmt.Sprintf(format, args...)}
}
