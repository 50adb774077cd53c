package backend_test

import (
	"encoding/json"
	"go/parser"
	"go/token"
	"io/fs"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

type goPackage struct {
	ImportPath string
	Deps       []string
}

func listPackages(t *testing.T, tags string, patterns ...string) []goPackage {
	t.Helper()
	args := append([]string{"list", "-deps=false", "-tags", tags, "-json=ImportPath,Deps"}, patterns...)
	out, err := exec.Command("go", args...).Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []goPackage
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p goPackage
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// TestBackendNeverImportsWails keeps the GUI toolkit out of the product logic,
// for every platform's build.
func TestBackendNeverImportsWails(t *testing.T) {
	for _, tags := range []string{"", "desktop,production,webkit2_41", "e2e"} {
		pkgs := listPackages(t, tags, "countersign/backend/...")
		if len(pkgs) < 5 {
			t.Fatalf("go list found only %d backend packages", len(pkgs))
		}
		for _, p := range pkgs {
			for _, d := range p.Deps {
				if strings.HasPrefix(d, "github.com/wailsapp/") {
					t.Errorf("tags %q: %s depends on %s; only countersign/app may", tags, p.ImportPath, d)
				}
			}
		}
	}
}

// TestEveryPackageSaysWhatItGuarantees checks each package's doc comment.
func TestEveryPackageSaysWhatItGuarantees(t *testing.T) {
	roots := []string{".", filepath.Join("..", "app")}
	seen := 0
	for _, root := range roots {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || !d.IsDir() || strings.Contains(path, "testdata") {
				return err
			}
			pkgs, err := parser.ParseDir(token.NewFileSet(), path, func(fi fs.FileInfo) bool {
				return !strings.HasSuffix(fi.Name(), "_test.go")
			}, parser.ParseComments|parser.PackageClauseOnly)
			if err != nil {
				return err
			}
			for name, p := range pkgs {
				seen++
				doc := ""
				for _, f := range p.Files {
					if f.Doc != nil {
						doc += f.Doc.Text()
					}
				}
				if !strings.HasPrefix(doc, "Package "+name+" ") && name != "main" {
					t.Errorf("%s: package %s has no doc comment starting %q", path, name, "Package "+name)
				}
				if !strings.Contains(doc, "guarantee") {
					t.Errorf("%s: package %s's doc comment does not say what it guarantees", path, name)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if seen < 6 {
		t.Fatalf("checked only %d packages", seen)
	}
}
