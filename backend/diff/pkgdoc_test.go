package diff

import (
	"go/parser"
	"go/token"
	"strings"
	"testing"
)

// TestPackageDoc keeps the package comment stating what the package
// guarantees.
func TestPackageDoc(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "diff.go", nil, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil {
		t.Fatal(err)
	}
	if f.Doc == nil {
		t.Fatal("diff.go has no package comment")
	}
	doc := f.Doc.Text()
	for _, want := range []string{"Package diff ", "guarantees", "Exact.", "Deterministic.", "Bounded.", "git apply", "patch -p1"} {
		if !strings.Contains(doc, want) {
			t.Errorf("package comment does not mention %q", want)
		}
	}
}
