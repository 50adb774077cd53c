package executor

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"countersign/backend/errs"
)

// Workspace is the one directory an execution may change, opened as an
// os.Root: every path is resolved inside it by the kernel, one component at
// a time, so `..`, absolute paths and symlinks cannot lead out of it.
type Workspace struct {
	root      *os.Root
	dir       string        // absolute path of the workspace, as the proposal names it
	protected []os.FileInfo // directories never touched, even inside the workspace
	names     map[string]map[string]string
}

// EscapeError is a path refused because it would leave the workspace, or
// reach something Countersign never changes.
type EscapeError struct {
	Path   string
	Reason string
}

func (e *EscapeError) Error() string {
	return fmt.Sprintf("%s is refused: %s", e.Path, e.Reason)
}

// ErrorCode makes an escape a forbidden request wherever errs classifies it.
func (e *EscapeError) ErrorCode() errs.Code { return errs.CodeForbidden }

func escape(p, format string, args ...any) error {
	return &EscapeError{Path: p, Reason: fmt.Sprintf(format, args...)}
}

// OpenWorkspace opens dir, which must be an absolute directory inside one of
// roots (the folders the person lets Countersign change). protected lists
// directories that are refused even when inside (Countersign's data dir).
// Both the root and the workspace are opened through os.Root, so a symlink
// on the way cannot move the workspace out of its root.
func OpenWorkspace(roots []string, dir string, protected []string) (*Workspace, error) {
	if dir == "" || !filepath.IsAbs(dir) {
		return nil, escape(dir, "the proposal names no absolute workspace folder")
	}
	dir = filepath.Clean(dir)
	var tried []string
	for _, r := range roots {
		r = filepath.Clean(r)
		rel, err := filepath.Rel(r, dir)
		if err != nil || !filepath.IsLocal(rel) && rel != "." {
			tried = append(tried, r)
			continue
		}
		top, err := os.OpenRoot(r)
		if err != nil {
			return nil, fmt.Errorf("open the allowed folder %s: %w", r, err)
		}
		root := top
		if rel != "." {
			root, err = top.OpenRoot(rel)
			top.Close()
			if err != nil {
				return nil, escape(dir, "the workspace cannot be opened inside %s: %v", r, err)
			}
		}
		w := &Workspace{root: root, dir: dir, names: map[string]map[string]string{}}
		for _, p := range protected {
			if fi, err := os.Stat(p); err == nil {
				w.protected = append(w.protected, fi)
			}
		}
		if err := w.guard("."); err != nil {
			root.Close()
			return nil, err
		}
		return w, nil
	}
	return nil, escape(dir, "the workspace is not inside a folder Countersign may change (%s)", strings.Join(tried, ", "))
}

// Close releases the workspace.
func (w *Workspace) Close() error { return w.root.Close() }

// Dir is the workspace's absolute path.
func (w *Workspace) Dir() string { return w.dir }

// Rel turns a proposal's path (relative to the workspace, or absolute inside
// it) into a clean slash-separated path inside the workspace. It refuses an
// empty path, NUL bytes, any `..` component, a path outside the workspace,
// the workspace itself, and names Windows reserves.
func (w *Workspace) Rel(p string) (string, error) {
	if p == "" || strings.IndexByte(p, 0) >= 0 {
		return "", escape(p, "the path is empty or contains a NUL byte")
	}
	for _, c := range strings.FieldsFunc(filepath.ToSlash(p), func(r rune) bool { return r == '/' }) {
		if c == ".." {
			return "", escape(p, "the path contains `..`")
		}
	}
	rel := p
	if filepath.IsAbs(p) || filepath.VolumeName(p) != "" {
		r, err := filepath.Rel(w.dir, filepath.Clean(p))
		if err != nil || !filepath.IsLocal(r) {
			return "", escape(p, "it is outside the workspace %s", w.dir)
		}
		rel = r
	}
	rel = filepath.Clean(rel)
	if rel == "." {
		return "", escape(p, "it names the workspace itself")
	}
	if !filepath.IsLocal(rel) {
		return "", escape(p, "it is not a plain path inside the workspace")
	}
	return filepath.ToSlash(rel), nil
}

// guard refuses rel if it, or any directory on the way to it, is one of the
// protected directories (found by identity, so a symlink inside the
// workspace that points at the data dir is caught), or if a name on the way
// differs only in letter case from an existing entry, which a
// case-insensitive filesystem would treat as the same file.
func (w *Workspace) guard(rel string) error {
	parts := []string{}
	if rel != "." {
		parts = strings.Split(rel, "/")
	}
	cur := "."
	for i := 0; i <= len(parts); i++ {
		if len(w.protected) > 0 {
			fi, err := w.root.Stat(filepath.FromSlash(cur))
			if err == nil {
				for _, p := range w.protected {
					if os.SameFile(fi, p) {
						return escape(rel, "it is inside Countersign's own data folder")
					}
				}
			} else if !errors.Is(err, fs.ErrNotExist) {
				return w.rootErr(rel, err)
			}
		}
		if i == len(parts) {
			break
		}
		name := parts[i]
		if other, ok := w.caseTwin(cur, name); ok {
			return escape(rel, "%q differs only in letter case from the existing %q, which is the same file on case-insensitive filesystems",
				name, path.Join(cur, other))
		}
		cur = path.Join(cur, name)
	}
	return nil
}

// caseTwin returns an entry of dir whose name equals name up to case but is
// not name.
func (w *Workspace) caseTwin(dir, name string) (string, bool) {
	entries, ok := w.names[dir]
	if !ok {
		entries = map[string]string{}
		if f, err := w.root.Open(filepath.FromSlash(dir)); err == nil {
			list, _ := f.ReadDir(-1)
			f.Close()
			for _, e := range list {
				entries[strings.ToLower(e.Name())] = e.Name()
			}
		}
		w.names[dir] = entries
	}
	got, ok := entries[strings.ToLower(name)]
	return got, ok && got != name
}

// forget drops cached directory listings, after the tree changed.
func (w *Workspace) forget() { clear(w.names) }

// rootErr rewords os.Root's refusal to leave the root.
func (w *Workspace) rootErr(rel string, err error) error {
	if err != nil && strings.Contains(err.Error(), "path escapes from parent") {
		return escape(rel, "it leads out of the workspace (through a symlink or `..`)")
	}
	return err
}
