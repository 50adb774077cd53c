package hook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Matchers of the installed entries: the tools Countersign reviews, and the
// ones whose after-state it records.
const (
	PreMatcher  = "Write|Edit|MultiEdit|NotebookEdit|Bash|mcp__.*"
	PostMatcher = "Write|Edit|MultiEdit"
	// PostTimeout is the PostToolUse hook's timeout, in seconds.
	PostTimeout = 30
)

// marker is in every command this package installs, and identifies them.
const marker = " hook claude-code"

// InstallOptions say what to install where.
type InstallOptions struct {
	Settings string // path of settings.json
	// Command runs the hook, e.g. `'/usr/local/bin/countersign' hook
	// claude-code`; the timeout flag is added per event.
	Command string
	// Timeout is the PreToolUse hook's timeout; zero = DefaultTimeout.
	Timeout time.Duration
	Now     func() time.Time // names the backup; nil = time.Now
}

// Result says what Install or Uninstall did.
type Result struct {
	Changed bool
	Backup  string // the copy of the previous file, if one was made
}

// ourCommand reports whether a hook command is one this package installed.
func ourCommand(cmd string) bool { return strings.Contains(cmd, marker) }

// Install adds (or updates) Countersign's PreToolUse and PostToolUse entries
// in a Claude Code settings file, keeping everything else. Installing what is
// already installed changes nothing.
func Install(o InstallOptions) (Result, error) {
	if !strings.Contains(o.Command, marker) {
		return Result{}, fmt.Errorf("the hook command %q does not run %q", o.Command, strings.TrimSpace(marker))
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	secs := int(o.Timeout / time.Second)
	return edit(o.Settings, o.Now, func(hooks *object) error {
		for _, ev := range []struct {
			name, matcher string
			timeout       int
		}{{"PreToolUse", PreMatcher, secs}, {"PostToolUse", PostMatcher, PostTimeout}} {
			entry, err := marshal(struct {
				Matcher string `json:"matcher"`
				Hooks   []any  `json:"hooks"`
			}{ev.matcher, []any{struct {
				Type    string `json:"type"`
				Command string `json:"command"`
				Timeout int    `json:"timeout"`
			}{"command", fmt.Sprintf("%s --timeout %ds", o.Command, ev.timeout), ev.timeout}}})
			if err != nil {
				return err
			}
			if installed(hooks.get(ev.name), entry) {
				continue // already there, exactly once: leave the order alone
			}
			entries, err := removeOurs(hooks.get(ev.name))
			if err != nil {
				return fmt.Errorf("hooks.%s: %w", ev.name, err)
			}
			entries = append(entries, entry)
			if err := hooks.setArray(ev.name, entries); err != nil {
				return err
			}
		}
		return nil
	})
}

// marshal encodes v without HTML escapes, so commands read as written.
func marshal(v any) (json.RawMessage, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSpace(b.Bytes()), nil
}

// installed reports whether an event's entries hold entry and no other hook
// of ours.
func installed(raw, entry json.RawMessage) bool {
	var entries []json.RawMessage
	if raw == nil || json.Unmarshal(raw, &entries) != nil {
		return false
	}
	var want bytes.Buffer
	if json.Compact(&want, entry) != nil {
		return false
	}
	same, ours := 0, 0
	for _, e := range entries {
		var got bytes.Buffer
		if json.Compact(&got, e) == nil && bytes.Equal(got.Bytes(), want.Bytes()) {
			same++
		}
		var parsed struct {
			Hooks []struct {
				Type    string `json:"type"`
				Command string `json:"command"`
			} `json:"hooks"`
		}
		if json.Unmarshal(e, &parsed) == nil {
			for _, h := range parsed.Hooks {
				if h.Type == "command" && ourCommand(h.Command) {
					ours++
				}
			}
		}
	}
	return same == 1 && ours == 1
}

// Uninstall removes Countersign's entries, and only them.
func Uninstall(settings string, now func() time.Time) (Result, error) {
	return edit(settings, now, func(hooks *object) error {
		for _, k := range append([]string(nil), hooks.keys()...) {
			entries, err := removeOurs(hooks.get(k))
			if err != nil {
				return fmt.Errorf("hooks.%s: %w", k, err)
			}
			if len(entries) == 0 {
				hooks.del(k)
				continue
			}
			if err := hooks.setArray(k, entries); err != nil {
				return err
			}
		}
		return nil
	})
}

// edit applies change to the "hooks" object of a settings file and writes
// the file back if, and only if, its content changed.
func edit(path string, now func() time.Time, change func(hooks *object) error) (Result, error) {
	if now == nil {
		now = time.Now
	}
	orig, err := os.ReadFile(path)
	exists := err == nil
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return Result{}, err
	}
	root := &object{}
	if len(bytes.TrimSpace(orig)) > 0 {
		if root, err = parseObject(orig); err != nil {
			return Result{}, fmt.Errorf("%s is not a JSON object, so it was left alone: %w", path, err)
		}
	}
	before, err := root.encode()
	if err != nil {
		return Result{}, err
	}
	hooks := &object{}
	hadHooks := root.get("hooks") != nil
	if raw := root.get("hooks"); raw != nil && string(bytes.TrimSpace(raw)) != "null" {
		if hooks, err = parseObject(raw); err != nil {
			return Result{}, fmt.Errorf("%s: \"hooks\" is not an object, so the file was left alone: %w", path, err)
		}
	}
	if err := change(hooks); err != nil {
		return Result{}, fmt.Errorf("%s was left alone: %w", path, err)
	}
	if len(hooks.keys()) == 0 && !hadHooks {
		// nothing to add where there were no hooks
	} else if len(hooks.keys()) == 0 {
		root.del("hooks")
	} else {
		hb, err := hooks.encode()
		if err != nil {
			return Result{}, err
		}
		root.set("hooks", hb)
	}
	after, err := root.encode()
	if err != nil {
		return Result{}, err
	}
	if bytes.Equal(before, after) {
		return Result{}, nil
	}
	var out bytes.Buffer
	if err := json.Indent(&out, after, "", "  "); err != nil {
		return Result{}, err
	}
	out.WriteByte('\n')
	res := Result{Changed: true}
	mode := fs.FileMode(0o644)
	if exists {
		if fi, err := os.Stat(path); err == nil {
			mode = fi.Mode().Perm()
		}
		if res.Backup, err = backup(path, orig, mode, now()); err != nil {
			return Result{}, err
		}
	} else if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return Result{}, err
	}
	if err := writeAtomic(path, out.Bytes(), mode); err != nil {
		return Result{}, err
	}
	return res, nil
}

// backup copies the previous content to settings.json.bak-TIMESTAMP, never
// over an existing file.
func backup(path string, data []byte, mode fs.FileMode, now time.Time) (string, error) {
	base := path + ".bak-" + now.UTC().Format("20060102T150405Z")
	name := base
	for i := 1; ; i++ {
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
		if errors.Is(err, fs.ErrExist) {
			name = fmt.Sprintf("%s-%d", base, i)
			continue
		}
		if err != nil {
			return "", fmt.Errorf("back up %s: %w", path, err)
		}
		_, werr := f.Write(data)
		serr := f.Sync()
		cerr := f.Close()
		if err := errors.Join(werr, serr, cerr); err != nil {
			os.Remove(name)
			return "", fmt.Errorf("back up %s: %w", path, err)
		}
		return name, nil
	}
}

// writeAtomic replaces path with data: a temporary file beside it, synced,
// then renamed over it.
func writeAtomic(path string, data []byte, mode fs.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	cherr := f.Chmod(mode)
	if errors.Is(cherr, errors.ErrUnsupported) {
		cherr = nil
	}
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, cherr, serr, cerr); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// removeOurs drops, from an event's entries, every hook command this package
// installed, and every entry left without hooks by that. Other entries and
// hooks are kept byte for byte.
func removeOurs(raw json.RawMessage) ([]json.RawMessage, error) {
	if raw == nil || string(bytes.TrimSpace(raw)) == "null" {
		return nil, nil
	}
	var entries []json.RawMessage
	if err := json.Unmarshal(raw, &entries); err != nil {
		return nil, errors.New("is not an array")
	}
	var out []json.RawMessage
	for _, e := range entries {
		entry, err := parseObject(e)
		if err != nil {
			out = append(out, e) // not ours to judge
			continue
		}
		var hooks []json.RawMessage
		if h := entry.get("hooks"); h == nil || json.Unmarshal(h, &hooks) != nil {
			out = append(out, e)
			continue
		}
		var kept []json.RawMessage
		for _, h := range hooks {
			var cmd struct {
				Type    string `json:"type"`
				Command string `json:"command"`
			}
			if json.Unmarshal(h, &cmd) == nil && cmd.Type == "command" && ourCommand(cmd.Command) {
				continue
			}
			kept = append(kept, h)
		}
		switch {
		case len(kept) == len(hooks):
			out = append(out, e)
		case len(kept) > 0:
			if err := entry.setArray("hooks", kept); err != nil {
				return nil, err
			}
			b, err := entry.encode()
			if err != nil {
				return nil, err
			}
			out = append(out, b)
		}
	}
	return out, nil
}

// object is a JSON object that keeps its keys in order and its values as
// they were written.
type object struct {
	ks   []string
	vals map[string]json.RawMessage
}

func parseObject(data []byte) (*object, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := t.(json.Delim); !ok || d != '{' {
		return nil, errors.New("not a JSON object")
	}
	o := &object{vals: map[string]json.RawMessage{}}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		k, ok := t.(string)
		if !ok {
			return nil, errors.New("malformed object")
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		if _, dup := o.vals[k]; !dup {
			o.ks = append(o.ks, k)
		}
		o.vals[k] = v
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err == nil {
		return nil, errors.New("data after the object")
	}
	return o, nil
}

func (o *object) keys() []string { return o.ks }

func (o *object) get(k string) json.RawMessage {
	if o.vals == nil {
		return nil
	}
	return o.vals[k]
}

func (o *object) set(k string, v json.RawMessage) {
	if o.vals == nil {
		o.vals = map[string]json.RawMessage{}
	}
	if _, ok := o.vals[k]; !ok {
		o.ks = append(o.ks, k)
	}
	o.vals[k] = v
}

func (o *object) setArray(k string, items []json.RawMessage) error {
	if items == nil {
		items = []json.RawMessage{}
	}
	b, err := marshal(items)
	if err != nil {
		return err
	}
	o.set(k, b)
	return nil
}

func (o *object) del(k string) {
	if _, ok := o.vals[k]; !ok {
		return
	}
	delete(o.vals, k)
	for i, x := range o.ks {
		if x == k {
			o.ks = append(o.ks[:i], o.ks[i+1:]...)
			break
		}
	}
}

// encode writes the object compactly, keys in order; values are compacted
// too, so two objects with the same content encode the same.
func (o *object) encode() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.ks {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		b.Write(kb)
		b.WriteByte(':')
		if err := json.Compact(&b, o.vals[k]); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
