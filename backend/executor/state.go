package executor

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"countersign/backend/store"
)

// maxFileBytes bounds a file the executor reads whole (its undo data).
const maxFileBytes = store.MaxBlobBytes

// defaultFileMode is the mode of a file Countersign creates.
const defaultFileMode = 0o644

// defaultDirMode is the mode of a directory Countersign creates.
const defaultDirMode = 0o755

// current reads what is at rel now: nothing, a directory, or a regular file
// with its mode, content and hash. Anything else (a symlink, a device, a
// socket, a file with other hard links) is refused: the executor changes
// only things it can restore exactly and that belong to this path alone.
func (w *Workspace) current(rel string) (store.PathState, error) {
	name := filepath.FromSlash(rel)
	fi, err := w.root.Lstat(name)
	if errors.Is(err, fs.ErrNotExist) {
		return store.PathState{Kind: store.StateAbsent}, nil
	}
	if err != nil {
		return store.PathState{}, w.rootErr(rel, err)
	}
	switch {
	case fi.IsDir():
		return store.PathState{Kind: store.StateDir, Mode: uint32(fi.Mode().Perm())}, nil
	case fi.Mode()&fs.ModeSymlink != 0:
		return store.PathState{}, escape(rel, "it is a symbolic link; Countersign changes only regular files")
	case !fi.Mode().IsRegular():
		return store.PathState{}, escape(rel, "it is a %s, not a regular file", kindOf(fi.Mode()))
	}
	if n := linkCount(fi); n > 1 {
		return store.PathState{}, escape(rel, "it has %d hard links; changing it would change the same file under other names", n)
	}
	if fi.Size() > maxFileBytes {
		return store.PathState{}, fmt.Errorf("%s is %d bytes, more than the %d Countersign keeps undo data for", rel, fi.Size(), maxFileBytes)
	}
	f, err := w.root.OpenFile(name, os.O_RDONLY|oNoFollow, 0)
	if err != nil {
		return store.PathState{}, w.rootErr(rel, err)
	}
	defer f.Close()
	// The file opened must be the one inspected, not a replacement.
	if ofi, err := f.Stat(); err != nil || !os.SameFile(fi, ofi) {
		return store.PathState{}, fmt.Errorf("%s changed while it was being read", rel)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxFileBytes+1))
	if err != nil {
		return store.PathState{}, err
	}
	if len(b) > maxFileBytes {
		return store.PathState{}, fmt.Errorf("%s grew past %d bytes while it was being read", rel, maxFileBytes)
	}
	return store.PathState{Kind: store.StateFile, Mode: uint32(fi.Mode().Perm()), SHA: hashHex(b), Content: b}, nil
}

func kindOf(m fs.FileMode) string {
	switch {
	case m&fs.ModeDevice != 0:
		return "device"
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeIrregular != 0:
		return "special file"
	}
	return "special file"
}

func hashHex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// same reports whether two states are the same thing: same kind, and for a
// file the same content and mode.
func same(a, b store.PathState) bool {
	if a.Kind != b.Kind {
		return false
	}
	if a.Kind == store.StateFile {
		return a.SHA == b.SHA && a.Mode == b.Mode
	}
	return true
}

// tempName is the fixed name of the temporary file a step writes before
// renaming it into place, so recovery can find and remove a leftover one.
func tempName(rel, id string, seq int) string {
	return path.Join(path.Dir(rel), fmt.Sprintf(".countersign-%s-%d.tmp", id, seq))
}

// setDir makes rel a directory (want kind dir) or removes the empty
// directory there (want kind absent). The directories it changes are added
// to dirty, to be synced at the end.
func (w *Workspace) setDir(rel string, have, want store.PathState, dirty map[string]bool) error {
	name := filepath.FromSlash(rel)
	switch {
	case want.Kind == store.StateDir && have.Kind == store.StateAbsent:
		mode := fs.FileMode(want.Mode)
		if mode == 0 {
			mode = defaultDirMode
		}
		if err := w.root.Mkdir(name, mode); err != nil {
			return w.rootErr(rel, err)
		}
		dirty[rel] = true
	case want.Kind == store.StateDir:
		return fmt.Errorf("%s is a file now; it cannot become a directory", rel)
	case want.Kind == store.StateAbsent && have.Kind == store.StateDir:
		if err := w.root.Remove(name); err != nil {
			return w.rootErr(rel, err)
		}
	default:
		return fmt.Errorf("%s: cannot make %s into %s", rel, have.Kind, want.Kind)
	}
	dirty[path.Dir(rel)] = true
	return nil
}

// stage writes content to the temporary file tmp with exactly mode (Chmod
// on the open file, so the umask does not apply), without syncing it: the
// staged files of a batch are synced together (syncStaged) before any is
// renamed into place.
func (w *Workspace) stage(tmp string, content []byte, mode fs.FileMode) (err error) {
	if mode == 0 {
		mode = defaultFileMode
	}
	name := filepath.FromSlash(tmp)
	_ = w.root.Remove(name) // a leftover of an interrupted run
	f, err := w.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL|oNoFollow, 0o600)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			w.root.Remove(name)
		}
	}()
	if _, err = io.Copy(f, bytes.NewReader(content)); err != nil {
		return err
	}
	return f.Chmod(mode)
}

// syncStaged makes the staged files durable: one syncfs(2) of the
// filesystem for a large batch on Linux, otherwise an fsync of each.
func (w *Workspace) syncStaged(tmps []string) error {
	if len(tmps) == 0 {
		return nil
	}
	if len(tmps) >= syncfsBatch {
		if ok, err := w.syncFS(); ok {
			return err
		}
	}
	for _, t := range tmps {
		f, err := w.root.OpenFile(filepath.FromSlash(t), os.O_RDWR|oNoFollow, 0)
		if err != nil {
			return err
		}
		err = f.Sync()
		f.Close()
		if err != nil {
			return fmt.Errorf("sync %s: %w", t, err)
		}
	}
	return nil
}

// syncfsBatch: from this many staged files, one filesystem-wide sync is
// cheaper than a sync per file.
const syncfsBatch = 16

// syncDirs makes the directory entries of dirty durable.
func (w *Workspace) syncDirs(dirty map[string]bool) error {
	if len(dirty) >= syncfsBatch {
		if ok, err := w.syncFS(); ok {
			return err
		}
	}
	var first error
	for d := range dirty {
		f, err := w.root.Open(filepath.FromSlash(d))
		if errors.Is(err, fs.ErrNotExist) {
			continue // removed again later in the same run
		}
		if err == nil {
			err = syncDir(f)
			f.Close()
		}
		if err != nil && first == nil {
			first = fmt.Errorf("sync directory %s: %w", d, err)
		}
	}
	return first
}
