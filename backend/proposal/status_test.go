package proposal

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// allowed is the domain's state machine, written out independently of the
// table in status.go.
var allowed = map[string]bool{
	"pending->approved":   true,
	"pending->denied":     true,
	"pending->expired":    true,
	"pending->withdrawn":  true,
	"approved->executing": true,
	"executing->executed": true,
	"executing->failed":   true,
	"executed->reverted":  true,
	"reverted->executed":  true, // redo
}

func TestTransitionEveryPair(t *testing.T) {
	statuses := append(append([]Status{}, Statuses...), "", "bogus")
	seen := map[string]bool{}
	for _, from := range statuses {
		for _, to := range statuses {
			name := fmt.Sprintf("%s->%s", from, to)
			want := allowed[name]
			t.Run(name, func(t *testing.T) {
				if got := CanTransition(from, to); got != want {
					t.Errorf("CanTransition(%q, %q) = %v, want %v", from, to, got, want)
				}
				err := Transition(from, to)
				if want {
					if err != nil {
						t.Errorf("Transition(%q, %q) = %v, want nil", from, to, err)
					}
					seen[name] = true
					return
				}
				var te *TransitionError
				if !errors.As(err, &te) {
					t.Fatalf("Transition(%q, %q) = %v, want *TransitionError", from, to, err)
				}
				if diff := cmp.Diff(*te, TransitionError{From: from, To: to}); diff != "" {
					t.Errorf("TransitionError (-got +want):\n%s", diff)
				}
				wantMsg := fmt.Sprintf("cannot go from %q to %q", from, to)
				if diff := cmp.Diff(err.Error(), wantMsg); diff != "" {
					t.Errorf("message (-got +want):\n%s", diff)
				}
			})
		}
	}
	// Every allowed transition was reached by the loop, so the table above
	// names only real statuses.
	if diff := cmp.Diff(seen, allowed); diff != "" {
		t.Errorf("allowed transitions exercised (-got +want):\n%s", diff)
	}
}

func TestStatusFinal(t *testing.T) {
	want := map[Status]bool{
		StatusPending: false, StatusApproved: false, StatusDenied: true, StatusExpired: true,
		StatusWithdrawn: true, StatusExecuting: false, StatusExecuted: false, StatusFailed: true,
		StatusReverted: false,
	}
	got := map[Status]bool{}
	for _, s := range Statuses {
		got[s] = s.Final()
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("Final (-got +want):\n%s", diff)
	}
	if !Status("bogus").Final() || Status("bogus").Known() {
		t.Errorf("an unknown status must be final and not known")
	}
}
