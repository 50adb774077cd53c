package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"countersign/backend/errs"
	"countersign/backend/proposal"
)

func TestFormatError(t *testing.T) {
	tests := []struct {
		name string
		err  error
		code string
	}{
		{"conflict through wrapping", fmt.Errorf("decide: %w", errs.New(errs.CodeConflict, "proposal X is already approved")), "conflict"},
		{"not found", errs.New(errs.CodeNotFound, "no proposal X"), "not_found"},
		{"validation", &proposal.ValidationError{Field: "summary", Message: "is empty"}, "invalid"},
		{"cancelled", context.Canceled, "cancelled"},
		{"anything else", errors.New("disk on fire"), "internal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ok := formatError(tt.err).(string)
			if !ok {
				t.Fatalf("formatError returned %T, want a JSON string", formatError(tt.err))
			}
			var got uiError
			if err := json.Unmarshal([]byte(s), &got); err != nil {
				t.Fatalf("not JSON: %q", s)
			}
			if got.Code != tt.code || got.Message != tt.err.Error() {
				t.Errorf("got %+v, want code %q and message %q", got, tt.code, tt.err.Error())
			}
		})
	}
}
