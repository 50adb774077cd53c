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

// set makes rel hold want, whose content (for a file) is content. It writes
// files atomically: a temporary file in the same directory, written,
// given its mode, synced, then renamed over rel. The directories it changes
// are added to dirty, to be synced once at the end.
func (w *Workspace) set(rel string, have, want store.PathState, content []byte, tmp string, dirty map[string]bool) error {
	name := filepath.FromSlash(rel)
	parent := path.Dir(rel)
	switch want.Kind {
	case store.StateFile:
		if have.Kind == store.StateDir {
			return fmt.Errorf("%s is a directory now; it cannot be replaced by a file", rel)
		}
		if err := w.writeAtomic(name, filepath.FromSlash(tmp), content, fs.FileMode(want.Mode)); err != nil {
			return w.rootErr(rel, err)
		}
	case store.StateAbsent:
		if have.Kind == store.StateAbsent {
			return nil
		}
		if err := w.root.Remove(name); err != nil {
			return w.rootErr(rel, err)
		}
	case store.StateDir:
		if have.Kind == store.StateDir {
			return nil
		}
		if have.Kind != store.StateAbsent {
			return fmt.Errorf("%s is a file now; it cannot become a directory", rel)
		}
		mode := fs.FileMode(want.Mode)
		if mode == 0 {
			mode = defaultDirMode
		}
		if err := w.root.Mkdir(name, mode); err != nil {
			return w.rootErr(rel, err)
		}
		dirty[rel] = true
	default:
		return fmt.Errorf("%s: cannot restore a state of kind %q", rel, want.Kind)
	}
	dirty[parent] = true
	return nil
}

func (w *Workspace) writeAtomic(name, tmp string, content []byte, mode fs.FileMode) (err error) {
	if mode == 0 {
		mode = defaultFileMode
	}
	_ = w.root.Remove(tmp) // a leftover of an interrupted run
	f, err := w.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL|oNoFollow, 0o600)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			w.root.Remove(tmp)
		}
	}()
	if _, err = io.Copy(f, bytes.NewReader(content)); err != nil {
		return err
	}
	// Chmod on the open file: the umask does not apply, and the mode is
	// exactly the one recorded.
	if err = f.Chmod(mode); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return w.root.Rename(tmp, name)
}

// syncDirs makes the directory entries of dirty durable.
func (w *Workspace) syncDirs(dirty map[string]bool) error {
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
