package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSettingsValidate(t *testing.T) {
	data := t.TempDir()
	other := t.TempDir()
	if err := os.Mkdir(filepath.Join(other, "dir"), 0o700); err != nil {
		t.Fatal(err)
	}
	ok := DefaultSettings()
	tests := []struct {
		name string
		edit func(s *Settings)
		want string // "" when valid
	}{
		{"defaults", func(*Settings) {}, ""},
		{"siem file", func(s *Settings) { s.SIEMFile = filepath.Join(other, "audit.jsonl") }, ""},
		{"relative", func(s *Settings) { s.SIEMFile = "audit.jsonl" }, "is not an absolute path"},
		{"not clean", func(s *Settings) { s.SIEMFile = other + "/x/../audit.jsonl" }, "is not a clean path"},
		{"the database", func(s *Settings) { s.SIEMFile = DatabasePath(data) }, "one of Countersign's own files"},
		{"its WAL", func(s *Settings) { s.SIEMFile = DatabasePath(data) + "-wal" }, "one of Countersign's own files"},
		{"a directory", func(s *Settings) { s.SIEMFile = filepath.Join(other, "dir") }, "is not a regular file"},
		{"missing directory", func(s *Settings) { s.SIEMFile = filepath.Join(other, "nope", "a.jsonl") }, "does not exist"},
		{"retention", func(s *Settings) { s.RetentionDays = 30 }, ""},
		{"negative retention", func(s *Settings) { s.RetentionDays = -1 }, "retention days -1"},
		{"checkpoints too often", func(s *Settings) { s.CheckpointEvery = time.Second }, "checkpoint interval 1s"},
		{"checkpoints too rarely", func(s *Settings) { s.CheckpointEvery = 48 * time.Hour }, "checkpoint interval 48h0m0s"},
		{"two problems at once", func(s *Settings) { s.RetentionDays, s.CheckpointEvery = -5, 0 }, "; checkpoint interval"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := ok
			tt.edit(&s)
			err := s.Validate(data)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestSettingsRoundTrip(t *testing.T) {
	s := Settings{SIEMFile: "/var/log/cs.jsonl", RetentionDays: 30, CheckpointEvery: 5 * time.Minute}
	got, err := ParseSettings(s.Values())
	if err != nil || got != s {
		t.Errorf("round trip: %+v %v", got, err)
	}
	// Defaults are stored as nothing.
	if v := DefaultSettings().Values(); v[KeyRetentionDays] != "" || v[KeyCheckpointEvery] != "" || v[KeySIEMFile] != "" {
		t.Errorf("defaults stored as %v", v)
	}
	if _, err := ParseSettings(map[string]string{KeyRetentionDays: "many"}); err == nil {
		t.Error("read a bad number")
	}
	if got, _ := ParseSettings(map[string]string{"future.setting": "x"}); got != DefaultSettings() {
		t.Error("an unknown key changed the settings")
	}
}
