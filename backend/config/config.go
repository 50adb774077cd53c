// Package config decides where Countersign keeps its data.
//
// It guarantees one precedence, everywhere: an explicit --data-dir flag, then
// the COUNTERSIGN_DATA_DIR environment variable, then the per-user
// configuration directory of the OS (os.UserConfigDir: ~/.config on Linux,
// ~/Library/Application Support on macOS, %AppData% on Windows) joined with
// "countersign". The result is always an absolute, cleaned path, and
// EnsureDataDir creates it readable by the owner only.
//
// It also guarantees that Settings.Validate accepts only settings the app
// can honour (a SIEM file path that is absolute, clean, in an existing
// directory and none of Countersign's own files; retention of 0 to 36,500
// days; a checkpoint interval of 10 s to 24 h), naming every problem, and
// that ParseSettings gives every missing setting its default.
package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// EnvDataDir overrides the data directory when no flag is given.
const EnvDataDir = "COUNTERSIGN_DATA_DIR"

// AppName is the directory name under the OS configuration directory.
const AppName = "countersign"

// DatabaseFile is the name of the SQLite database inside the data directory.
const DatabaseFile = "countersign.db"

// Env is what Resolve needs from the process environment, so tests can fake it.
type Env struct {
	Getenv        func(string) string
	UserConfigDir func() (string, error)
}

// OSEnv reads the real environment.
func OSEnv() Env { return Env{Getenv: os.Getenv, UserConfigDir: os.UserConfigDir} }

// ResolveDataDir applies the precedence flag > environment > OS default.
func ResolveDataDir(flag string, env Env) (string, error) {
	dir := flag
	if dir == "" {
		dir = env.Getenv(EnvDataDir)
	}
	if dir == "" {
		base, err := env.UserConfigDir()
		if err != nil {
			return "", fmt.Errorf("cannot find the per-user configuration directory (set --data-dir or %s): %w", EnvDataDir, err)
		}
		dir = filepath.Join(base, AppName)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("data directory %q: %w", dir, err)
	}
	return filepath.Clean(abs), nil
}

// EnsureDataDir creates dir (mode 0700) if needed and checks it is a directory.
func EnsureDataDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("cannot create data directory %s: %w", dir, err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("data directory %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return errors.New("data directory " + dir + " is not a directory")
	}
	return nil
}

// DatabasePath is where the database lives inside dir.
func DatabasePath(dir string) string { return filepath.Join(dir, DatabaseFile) }

// EnvRoots lists the folders Countersign may change, separated like PATH,
// when no --root flag is given.
const EnvRoots = "COUNTERSIGN_ROOTS"

// ResolveRoots decides the folders Countersign may change: the --root flags,
// then COUNTERSIGN_ROOTS, then the user's home folder. Each must be an
// absolute path; the result is cleaned.
func ResolveRoots(flags []string, env Env, home func() (string, error)) ([]string, error) {
	roots := flags
	if len(roots) == 0 {
		if v := env.Getenv(EnvRoots); v != "" {
			roots = filepath.SplitList(v)
		}
	}
	if len(roots) == 0 {
		h, err := home()
		if err != nil {
			return nil, fmt.Errorf("no folder Countersign may change: pass --root or set %s (%v)", EnvRoots, err)
		}
		roots = []string{h}
	}
	out := make([]string, 0, len(roots))
	for _, r := range roots {
		if !filepath.IsAbs(r) {
			return nil, fmt.Errorf("the root %q is not an absolute path", r)
		}
		out = append(out, filepath.Clean(r))
	}
	return out, nil
}
