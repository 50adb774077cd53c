package proposal

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// FuzzValidateAssess feeds arbitrary proposals to Validate and Assess: neither
// may panic, Assess must return a known risk with at least one reason for any
// action, and a proposal Validate accepts must have a known kind and a
// non-empty path for every path kind.
func FuzzValidateAssess(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/*.json")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var p Proposal
		if json.Unmarshal(b, &p) != nil {
			return
		}
		r, reasons := Assess(&p)
		if !r.Known() {
			t.Fatalf("Assess returned unknown risk %q", r)
		}
		if len(p.Actions) > 0 && len(reasons) == 0 {
			t.Fatalf("Assess gave no reason for %d actions", len(p.Actions))
		}
		if p.Validate(DefaultLimits()) != nil {
			return
		}
		for i, a := range p.Actions {
			if !a.Kind.Known() {
				t.Fatalf("accepted action %d with unknown kind %q", i, a.Kind)
			}
			switch a.Kind {
			case KindFileWrite, KindFileEdit, KindFileDelete, KindFileMove, KindDirCreate, KindSheetUpdate:
				if a.Path == "" {
					t.Fatalf("accepted action %d (%s) with no path", i, a.Kind)
				}
			}
		}
	})
}
