package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"countersign/backend/proposal"
)

func TestAgentTokens(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)

	a, err := s.SetAgentToken(ctx, "claude", "Claude Code", "hash-1", t0)
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != "claude" || a.Name != "Claude Code" || a.TokenHash != "hash-1" || !a.RevokedAt.IsZero() {
		t.Fatalf("agent %+v", a)
	}
	got, err := s.AgentByTokenHash(ctx, "hash-1")
	if err != nil || got.ID != "claude" {
		t.Fatalf("by token: %+v, %v", got, err)
	}

	tests := []struct {
		name string
		run  func() error
		want error
	}{
		{"a second token for the same agent is refused", func() error {
			_, err := s.SetAgentToken(ctx, "claude", "", "hash-2", t0)
			return err
		}, ErrExists},
		{"an unknown token is not found", func() error {
			_, err := s.AgentByTokenHash(ctx, "hash-x")
			return err
		}, ErrNotFound},
		{"an empty token hash is not found", func() error {
			_, err := s.AgentByTokenHash(ctx, "")
			return err
		}, ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.run(); !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}

	t.Run("an agent registered by a proposal can get a token", func(t *testing.T) {
		if err := s.InsertProposal(ctx, small(newID(1), "demo", t0)); err != nil {
			t.Fatal(err)
		}
		a, err := s.SetAgentToken(ctx, "demo", "Demo", "hash-demo", t0)
		if err != nil || a.TokenHash != "hash-demo" || a.Name != "Demo" {
			t.Fatalf("%+v, %v", a, err)
		}
		n, err := s.CountPendingByAgent(ctx, "demo")
		if err != nil || n != 1 {
			t.Fatalf("pending %d, %v", n, err)
		}
	})

	t.Run("a revoked agent keeps its row but cannot get a new token", func(t *testing.T) {
		if err := s.RevokeAgent(ctx, "claude", t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		a, err := s.AgentByTokenHash(ctx, "hash-1")
		if err != nil || a.RevokedAt.IsZero() {
			t.Fatalf("%+v, %v", a, err)
		}
		if _, err := s.SetAgentToken(ctx, "claude", "", "hash-3", t0); !errors.Is(err, ErrRevoked) {
			t.Fatalf("got %v, want ErrRevoked", err)
		}
	})

	t.Run("list is oldest first", func(t *testing.T) {
		as, err := s.ListAgents(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, a := range as {
			ids = append(ids, a.ID)
		}
		if strings.Join(ids, ",") != "claude,demo" {
			t.Fatalf("ids %v", ids)
		}
	})
}

// TestCountPendingByAgentReadsPendingOnly: the count must read the pending
// proposals through a status index, never the agent's whole history.
func TestCountPendingByAgentReadsPendingOnly(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	for i := range 5 {
		if err := s.InsertProposal(ctx, small(newID(i), "a", t0.Add(time.Duration(i)))); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.UpdateStatus(ctx, StatusChange{ID: newID(0), From: proposal.StatusPending, To: proposal.StatusWithdrawn,
		At: t0.Add(time.Second), Event: EventWithdrawn}); err != nil {
		t.Fatal(err)
	}
	n, err := s.CountPendingByAgent(ctx, "a")
	if err != nil || n != 4 {
		t.Fatalf("pending %d, %v", n, err)
	}
	rows, err := s.db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+sqlCountAgentPending, "a")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if p := strings.Join(plan, "; "); !strings.Contains(p, "(status=?)") || strings.Contains(p, "agent_id") {
		t.Fatalf("count of pending proposals does not search by status alone: %s", p)
	}
}
