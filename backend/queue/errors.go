package queue

import (
	"context"
	"errors"
	"fmt"

	"countersign/backend/errs"
	"countersign/backend/proposal"
	"countersign/backend/store"
)

// StateError reports an operation refused because the proposal has left the
// state it requires, for example a second decision. It has code conflict and
// matches errs.ErrConflict.
type StateError struct {
	ID     string
	Status proposal.Status // the status the proposal has
}

func (e *StateError) Error() string {
	switch e.Status {
	case proposal.StatusExpired:
		return fmt.Sprintf("proposal %s has expired; it can no longer be decided or withdrawn", e.ID)
	case proposal.StatusWithdrawn:
		return fmt.Sprintf("proposal %s was withdrawn by its agent", e.ID)
	}
	return fmt.Sprintf("proposal %s is already %s", e.ID, e.Status)
}

// ErrorCode returns errs.CodeConflict.
func (e *StateError) ErrorCode() errs.Code { return errs.CodeConflict }

// Is matches errs.ErrConflict.
func (e *StateError) Is(target error) bool { return target == errs.ErrConflict }

var errClosed = errs.New(errs.CodeUnavailable, "the queue is closed")

// fromStore translates a store error about proposal id into a coded error,
// keeping the store error as its cause. Context errors pass unchanged.
func fromStore(id string, err error) error {
	var ce *store.ConflictError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.As(err, &ce):
		return &StateError{ID: ce.ID, Status: ce.Current}
	case errors.Is(err, store.ErrNotFound):
		return &errs.Error{Code: errs.CodeNotFound, Message: fmt.Sprintf("proposal %s not found", id), Err: err}
	case errors.Is(err, store.ErrRevoked):
		return &errs.Error{Code: errs.CodeForbidden, Message: "this agent has been revoked and may not submit", Err: err}
	case errors.Is(err, store.ErrExists):
		return &errs.Error{Code: errs.CodeConflict, Message: fmt.Sprintf("proposal %s already exists", id), Err: err}
	case errors.Is(err, store.ErrTooLarge):
		return &errs.Error{Code: errs.CodeInvalid, Message: err.Error(), Err: err}
	}
	return &errs.Error{Code: errs.CodeInternal, Message: err.Error(), Err: err}
}
