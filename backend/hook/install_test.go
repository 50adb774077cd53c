package hook

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var installTime = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

const cmd = "'/opt/countersign/countersign' hook claude-code"

const fresh = `{
  "hooks": {
    "PreToolUse": [
      {
        "matcher": "Write|Edit|MultiEdit|NotebookEdit|Bash|mcp__.*",
        "hooks": [
          {
            "type": "command",
            "command": "'/opt/countersign/countersign' hook claude-code --timeout 600s",
            "timeout": 600
          }
        ]
      }
    ],
    "PostToolUse": [
      {
        "matcher": "Write|Edit|MultiEdit",
        "hooks": [
          {
            "type": "command",
            "command": "'/opt/countersign/countersign' hook claude-code --timeout 30s",
            "timeout": 30
          }
        ]
      }
    ]
  }
}
`

// theirs is a settings file someone already uses, with hooks of their own.
const theirs = `{
  "model": "opus",
  "permissions": {"allow": ["Bash(npm run lint)"], "deny": []},
  "hooks": {
    "PreToolUse": [
      {"matcher": "Bash", "hooks": [{"type": "command", "command": "~/bin/check-bash && echo ok", "timeout": 5}]}
    ],
    "Stop": [{"hooks": [{"type": "command", "command": "notify-send done"}]}]
  },
  "env": {"FOO": "1"}
}
`

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func install(t *testing.T, path, command string) Result {
	t.Helper()
	r, err := Install(InstallOptions{Settings: path, Command: command, Now: func() time.Time { return installTime }})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestInstallIntoNoFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".claude", "settings.json")
	r := install(t, path, cmd)
	if !r.Changed || r.Backup != "" {
		t.Fatalf("%+v", r)
	}
	if got := read(t, path); got != fresh {
		t.Errorf("got\n%s\nwant\n%s", got, fresh)
	}
	t.Run("installing again changes nothing", func(t *testing.T) {
		if r := install(t, path, cmd); r.Changed || r.Backup != "" {
			t.Fatalf("%+v", r)
		}
		if got := read(t, path); got != fresh {
			t.Errorf("got\n%s", got)
		}
	})
	t.Run("uninstalling leaves an empty object", func(t *testing.T) {
		r, err := Uninstall(path, func() time.Time { return installTime })
		if err != nil || !r.Changed {
			t.Fatalf("%+v %v", r, err)
		}
		if got := read(t, path); got != "{}\n" {
			t.Errorf("got %q", got)
		}
	})
}

func TestInstallKeepsEverythingElse(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "settings.json")
	write(t, path, theirs)

	r := install(t, path, cmd)
	if !r.Changed || r.Backup != path+".bak-20260314T092653Z" {
		t.Fatalf("%+v", r)
	}
	if got := read(t, r.Backup); got != theirs {
		t.Errorf("backup differs from the original:\n%s", got)
	}
	got := read(t, path)
	for _, s := range []string{`"model": "opus"`, `"Bash(npm run lint)"`, `"command": "~/bin/check-bash && echo ok"`,
		`"command": "notify-send done"`, `"FOO": "1"`, `hook claude-code --timeout 600s`, `hook claude-code --timeout 30s`} {
		if !strings.Contains(got, s) {
			t.Errorf("missing %s in\n%s", s, got)
		}
	}
	order := []string{`"model"`, `"permissions"`, `"hooks"`, `"PreToolUse"`, `check-bash`, `--timeout 600s`, `"Stop"`, `"PostToolUse"`, `"env"`}
	last := -1
	for _, s := range order {
		i := strings.Index(got, s)
		if i < last {
			t.Errorf("%s moved: the order of keys and entries must stay\n%s", s, got)
		}
		last = i
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v %v", fi.Mode(), err)
	}

	t.Run("installing again changes nothing and makes no backup", func(t *testing.T) {
		if r := install(t, path, cmd); r.Changed || r.Backup != "" {
			t.Fatalf("%+v", r)
		}
		if read(t, path) != got {
			t.Error("file changed")
		}
	})
	t.Run("a moved binary replaces the entry, never adds one", func(t *testing.T) {
		r := install(t, path, "'/usr/local/bin/countersign' hook claude-code")
		if !r.Changed || r.Backup != path+".bak-20260314T092653Z-1" {
			t.Fatalf("%+v", r)
		}
		s := read(t, path)
		if strings.Count(s, "hook claude-code") != 2 || strings.Contains(s, "/opt/countersign") {
			t.Errorf("got\n%s", s)
		}
	})
	t.Run("uninstall removes only ours", func(t *testing.T) {
		r, err := Uninstall(path, func() time.Time { return installTime })
		if err != nil || !r.Changed {
			t.Fatalf("%+v %v", r, err)
		}
		s := read(t, path)
		if strings.Contains(s, "hook claude-code") || strings.Contains(s, "PostToolUse") {
			t.Errorf("ours left behind:\n%s", s)
		}
		for _, k := range []string{"check-bash && echo ok", "notify-send done", `"FOO": "1"`, `"model": "opus"`} {
			if !strings.Contains(s, k) {
				t.Errorf("theirs removed: %s\n%s", k, s)
			}
		}
		if r, err := Uninstall(path, nil); err != nil || r.Changed {
			t.Fatalf("second uninstall: %+v %v", r, err)
		}
	})
}

func TestUninstallKeepsTheirHooksInASharedEntry(t *testing.T) {
	path := filepath.Join(t.TempDir(), "settings.json")
	write(t, path, `{"hooks":{"PreToolUse":[{"matcher":"Bash","hooks":[{"type":"command","command":"audit"},{"type":"command","command":"countersign hook claude-code"}]}]}}`)
	if _, err := Uninstall(path, func() time.Time { return installTime }); err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"hooks\": {\n    \"PreToolUse\": [\n      {\n        \"matcher\": \"Bash\",\n        \"hooks\": [\n          {\n            \"type\": \"command\",\n            \"command\": \"audit\"\n          }\n        ]\n      }\n    ]\n  }\n}\n"
	if got := read(t, path); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestInstallRefusesWhatItCannotRead(t *testing.T) {
	for _, tt := range []struct{ name, content, msg string }{
		{"not JSON", `{"model": "opus",`, "not a JSON object"},
		{"an array", `[1,2]`, "not a JSON object"},
		{"hooks not an object", `{"hooks": [1]}`, `"hooks" is not an object`},
		{"an event not an array", `{"hooks": {"PreToolUse": {"matcher": "x"}}}`, "hooks.PreToolUse: is not an array"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "settings.json")
			write(t, path, tt.content)
			_, err := Install(InstallOptions{Settings: path, Command: cmd})
			if err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("got %v, want %q", err, tt.msg)
			}
			if read(t, path) != tt.content {
				t.Error("the file was changed")
			}
			if m, _ := filepath.Glob(path + ".bak-*"); len(m) != 0 {
				t.Errorf("backups made: %v", m)
			}
		})
	}
	if _, err := Install(InstallOptions{Settings: filepath.Join(t.TempDir(), "s.json"), Command: "countersign mcp"}); err == nil {
		t.Fatal("installed a command that is not the hook")
	}
}
