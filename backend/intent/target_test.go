package intent

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"countersign/backend/proposal"
)

func TestHashTargetFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a.txt")
	os.WriteFile(file, []byte("hello\n"), 0o600)
	tests := []struct {
		name    string
		path    string
		want    string
		wantErr bool
	}{
		{"regular file", file, hexSum("hello\n"), false},
		{"missing file", filepath.Join(dir, "nope"), TargetAbsent, false},
		{"directory", dir, "", true},
	}
	if runtime.GOOS != "windows" {
		link := filepath.Join(dir, "link")
		os.Symlink(file, link)
		tests = append(tests, struct {
			name    string
			path    string
			want    string
			wantErr bool
		}{"symlink", link, "", true})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := HashTargetFile(tt.path)
			if got != tt.want || (err != nil) != tt.wantErr {
				t.Errorf("HashTargetFile = %q, %v; want %q, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
	for _, k := range proposal.Kinds {
		want := k != proposal.KindDirCreate && k != proposal.KindCommandRun && k != proposal.KindNetRequest && k != proposal.KindToolCall
		if HasTargetFile(k) != want {
			t.Errorf("HasTargetFile(%s) = %v", k, !want)
		}
	}
}
