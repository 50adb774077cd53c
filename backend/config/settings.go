package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Settings are the person's settings. They are kept in the database (see
// store.Settings) and changed only by the person, on the command line: the
// window and the agent gateway cannot change them.
type Settings struct {
	// SIEMFile: when set, every new audit record is appended to this file as
	// a JSON line, with the checkpoints that cover them, for a SIEM agent to
	// ship. An absolute path; "" turns it off.
	SIEMFile string
	// RetentionDays: the content (file contents, edits, command arguments)
	// of proposals that never ran (denied, expired, withdrawn) is removed
	// this many days after they were made. Proposals, events and the audit
	// log are never removed. 0 keeps all content.
	RetentionDays int
	// CheckpointEvery is how often the running app signs a checkpoint of the
	// audit log when it has grown (one is also signed at every shutdown).
	CheckpointEvery time.Duration
}

// Setting keys as stored.
const (
	KeySIEMFile        = "audit.siem_file"
	KeyRetentionDays   = "audit.retention_days"
	KeyCheckpointEvery = "audit.checkpoint_every"
)

// Bounds of the settings.
const (
	MaxRetentionDays   = 36500
	MinCheckpointEvery = 10 * time.Second
	MaxCheckpointEvery = 24 * time.Hour
	maxPathBytes       = 4096
)

// DefaultSettings are the settings of a new data directory.
func DefaultSettings() Settings { return Settings{CheckpointEvery: time.Minute} }

// SettingsError lists every setting that is not acceptable and why.
type SettingsError struct{ Problems []string }

func (e *SettingsError) Error() string { return "invalid settings: " + strings.Join(e.Problems, "; ") }

// Validate checks every setting against the data directory they belong to.
func (s Settings) Validate(dataDir string) error {
	var p []string
	if s.SIEMFile != "" {
		if msg := checkSIEMFile(s.SIEMFile, dataDir); msg != "" {
			p = append(p, "siem file "+msg)
		}
	}
	if s.RetentionDays < 0 || s.RetentionDays > MaxRetentionDays {
		p = append(p, fmt.Sprintf("retention days %d is not between 0 (keep all content) and %d", s.RetentionDays, MaxRetentionDays))
	}
	if s.CheckpointEvery < MinCheckpointEvery || s.CheckpointEvery > MaxCheckpointEvery {
		p = append(p, fmt.Sprintf("checkpoint interval %s is not between %s and %s", s.CheckpointEvery, MinCheckpointEvery, MaxCheckpointEvery))
	}
	if len(p) > 0 {
		return &SettingsError{Problems: p}
	}
	return nil
}

// checkSIEMFile says what is wrong with a SIEM file path, or "".
func checkSIEMFile(path, dataDir string) string {
	switch {
	case len(path) > maxPathBytes:
		return fmt.Sprintf("path is longer than %d bytes", maxPathBytes)
	case strings.ContainsRune(path, 0):
		return "path contains a NUL byte"
	case !filepath.IsAbs(path):
		return fmt.Sprintf("%q is not an absolute path", path)
	case filepath.Clean(path) != path:
		return fmt.Sprintf("%q is not a clean path (write %q)", path, filepath.Clean(path))
	}
	if dataDir != "" {
		db := DatabasePath(dataDir)
		for _, own := range []string{db, db + "-wal", db + "-shm", db + "-journal", filepath.Join(dataDir, "jwks.json")} {
			if path == own {
				return fmt.Sprintf("%q is one of Countersign's own files", path)
			}
		}
	}
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		return fmt.Sprintf("%q exists and is not a regular file", path)
	}
	if fi, err := os.Stat(filepath.Dir(path)); err != nil || !fi.IsDir() {
		return fmt.Sprintf("directory %q does not exist", filepath.Dir(path))
	}
	return ""
}

// Values returns the settings as stored: key to value, "" for a default
// (which removes the key).
func (s Settings) Values() map[string]string {
	d := DefaultSettings()
	v := map[string]string{KeySIEMFile: s.SIEMFile, KeyRetentionDays: "", KeyCheckpointEvery: ""}
	if s.RetentionDays != d.RetentionDays {
		v[KeyRetentionDays] = strconv.Itoa(s.RetentionDays)
	}
	if s.CheckpointEvery != d.CheckpointEvery {
		v[KeyCheckpointEvery] = s.CheckpointEvery.String()
	}
	return v
}

// ParseSettings reads stored settings; missing keys keep their defaults and
// unknown keys are ignored (a newer build may have written them).
func ParseSettings(m map[string]string) (Settings, error) {
	s := DefaultSettings()
	var errs []error
	if v, ok := m[KeySIEMFile]; ok {
		s.SIEMFile = v
	}
	if v, ok := m[KeyRetentionDays]; ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", KeyRetentionDays, err))
		}
		s.RetentionDays = n
	}
	if v, ok := m[KeyCheckpointEvery]; ok {
		d, err := time.ParseDuration(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", KeyCheckpointEvery, err))
		}
		s.CheckpointEvery = d
	}
	return s, errors.Join(errs...)
}
