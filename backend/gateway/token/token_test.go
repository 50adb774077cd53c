package token

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"countersign/backend/store"
)

func TestNewAndHash(t *testing.T) {
	a, err := New(strings.NewReader(strings.Repeat("\x01", 32)))
	if err != nil || !WellFormed(a) || !strings.HasPrefix(a, "cs_") || len(a) != 46 {
		t.Fatalf("%q %v", a, err)
	}
	if _, err := New(strings.NewReader("short")); err == nil {
		t.Fatal("a short random source made a token")
	}
	if h := Hash(a); len(h) != 64 || h == Hash(a+"x") {
		t.Fatalf("hash %q", h)
	}
	for _, tt := range []struct {
		tok string
		ok  bool
	}{
		{a, true}, {"cs_" + strings.Repeat("-", 43), true}, {"", false}, {"cs_", false}, {"cs_" + strings.Repeat("a", 42), false},
		{"cs_" + strings.Repeat("a", 44), false}, {"xx_" + strings.Repeat("a", 43), false}, {"cs_" + strings.Repeat("a", 42) + "=", false},
		{"cs_" + strings.Repeat("a", 42) + "é", false},
	} {
		t.Run(tt.tok, func(t *testing.T) {
			if got := WellFormed(tt.tok); got != tt.ok {
				t.Errorf("WellFormed(%q) = %v", tt.tok, got)
			}
		})
	}
}

func TestValidName(t *testing.T) {
	for _, tt := range []struct {
		name string
		ok   bool
	}{{"claude-code", true}, {"Cursor_1.2", true}, {"a", true}, {strings.Repeat("a", 64), true},
		{"", false}, {"-x", false}, {".x", false}, {"a b", false}, {strings.Repeat("a", 65), false}, {"ä", false}, {"a/b", false}} {
		t.Run(tt.name, func(t *testing.T) {
			if err := ValidName(tt.name); (err == nil) != tt.ok {
				t.Errorf("ValidName(%q) = %v", tt.name, err)
			}
		})
	}
}

func TestAddStoresOnlyTheHash(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "countersign.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	tok, a, err := Add(ctx, st, "claude-code", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if a.TokenHash != Hash(tok) || strings.Contains(a.TokenHash, tok[3:]) {
		t.Fatalf("stored %q for %q", a.TokenHash, tok)
	}
	got, err := st.AgentByTokenHash(ctx, Hash(tok))
	if err != nil || got.ID != "claude-code" {
		t.Fatalf("%+v %v", got, err)
	}
	if _, _, err := Add(ctx, st, "claude-code", time.Now()); err == nil || !strings.Contains(err.Error(), "already has a token") {
		t.Fatalf("second add: %v", err)
	}
	if _, _, err := Add(ctx, st, "no spaces", time.Now()); err == nil {
		t.Fatal("bad name accepted")
	}
}
