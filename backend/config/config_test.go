package config

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func fakeEnv(vars map[string]string, base string, baseErr error) Env {
	return Env{
		Getenv:        func(k string) string { return vars[k] },
		UserConfigDir: func() (string, error) { return base, baseErr },
	}
}

func TestResolveDataDir(t *testing.T) {
	tmp := t.TempDir()
	tests := []struct {
		name string
		flag string
		env  Env
		want string
	}{
		{"flag wins over env", filepath.Join(tmp, "flag"), fakeEnv(map[string]string{EnvDataDir: filepath.Join(tmp, "env")}, tmp, nil), filepath.Join(tmp, "flag")},
		{"env when no flag", "", fakeEnv(map[string]string{EnvDataDir: filepath.Join(tmp, "env")}, tmp, nil), filepath.Join(tmp, "env")},
		{"os default", "", fakeEnv(nil, filepath.Join(tmp, "cfg"), nil), filepath.Join(tmp, "cfg", "countersign")},
		{"cleaned", filepath.Join(tmp, "a", "..", "b") + "/", fakeEnv(nil, tmp, nil), filepath.Join(tmp, "b")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ResolveDataDir(tt.flag, tt.env)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestResolveDataDirRelativeBecomesAbsolute(t *testing.T) {
	got, err := ResolveDataDir("rel/dir", fakeEnv(nil, "", nil))
	if err != nil {
		t.Fatal(err)
	}
	if !filepath.IsAbs(got) {
		t.Errorf("got %q, want an absolute path", got)
	}
}

func TestResolveDataDirNoHome(t *testing.T) {
	_, err := ResolveDataDir("", fakeEnv(nil, "", errors.New("$HOME is not defined")))
	if err == nil {
		t.Fatal("want an error when no configuration directory is known")
	}
}

func TestEnsureDataDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "x", "y")
	if err := EnsureDataDir(dir); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("mode %v, want 0700", fi.Mode().Perm())
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := EnsureDataDir(file); err == nil {
		t.Error("want an error for a path that is a file")
	}
}
