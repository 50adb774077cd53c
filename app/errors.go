package app

import (
	"context"
	"encoding/json"
	"errors"

	"countersign/backend/errs"
	"countersign/backend/proposal"
)

// uiError is how every error reaches the UI: a stable code and a sentence.
type uiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// errorCode translates backend errors into the codes the UI knows, once.
func errorCode(err error) string {
	var ve *proposal.ValidationError
	switch {
	case errors.As(err, &ve):
		return string(errs.CodeInvalid)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "cancelled"
	default:
		return string(errs.CodeOf(err))
	}
}

// formatError is Wails' ErrorFormatter: the promise rejects with a JSON string
// the UI parses into a typed error.
func formatError(err error) any {
	b, mErr := json.Marshal(uiError{Code: errorCode(err), Message: err.Error()})
	if mErr != nil {
		return err.Error()
	}
	return string(b)
}
