package proposal

import "fmt"

// transitions is the whole state machine: for each status, the statuses it may
// move to. A status missing from the table has no way out.
var transitions = map[Status][]Status{
	StatusPending:   {StatusApproved, StatusDenied, StatusExpired, StatusWithdrawn},
	StatusApproved:  {StatusExecuting},
	StatusExecuting: {StatusExecuted, StatusFailed},
	StatusExecuted:  {StatusReverted},
	// Redo: a reverted proposal's after-state, re-applied from its undo data.
	StatusReverted: {StatusExecuted},
}

// Known reports whether s is one of Statuses.
func (s Status) Known() bool {
	for _, x := range Statuses {
		if x == s {
			return true
		}
	}
	return false
}

// Final reports whether no transition leads out of s (denied, expired,
// withdrawn, failed). Executed and reverted are not final: an executed
// proposal may be undone (reverted) and a reverted one redone (executed). An unknown status is treated as final, since nothing may follow it.
func (s Status) Final() bool {
	return len(transitions[s]) == 0
}

// CanTransition reports whether a proposal may move from one status to another.
func CanTransition(from, to Status) bool {
	for _, x := range transitions[from] {
		if x == to {
			return true
		}
	}
	return false
}

// TransitionError is returned by Transition for a change the state machine
// does not allow.
type TransitionError struct {
	From Status
	To   Status
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("cannot go from %q to %q", e.From, e.To)
}

// Transition returns nil if a proposal may move from one status to another and
// a *TransitionError naming both otherwise.
func Transition(from, to Status) error {
	if !CanTransition(from, to) {
		return &TransitionError{From: from, To: to}
	}
	return nil
}
