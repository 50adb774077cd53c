package keystore

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"sync"
)

// FileName is the file backend's file inside the data directory.
const FileName = "signing-keys.json"

// fileBackend keeps the secrets in one JSON file readable by its owner only.
// It is weaker than the OS keyring: any program running as the same user can
// read the file, and backups copy it. It exists for machines without a
// keyring and is used only when asked for by name.
type fileBackend struct {
	path string
	mu   sync.Mutex // serializes read-modify-write within this process
}

type fileContents struct {
	V       int               `json:"v"`
	Entries map[string]string `json:"entries"`
}

// NewFile returns the file backend keeping its secrets in path (mode 0600).
func NewFile(path string) Backend { return &fileBackend{path: path} }

func (b *fileBackend) Weak() bool { return true }

func (b *fileBackend) String() string { return "the file " + b.path + " (weaker than the OS keyring)" }

func (b *fileBackend) Get(name string) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	c, err := b.read()
	if err != nil {
		return "", err
	}
	v, ok := c.Entries[name]
	if !ok {
		return "", fmt.Errorf("%w: %q in %s", ErrNotFound, name, b.path)
	}
	return v, nil
}

func (b *fileBackend) Set(name, value string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	c, err := b.read()
	if err != nil {
		return err
	}
	c.Entries[name] = value
	return b.write(c)
}

func (b *fileBackend) Delete(name string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	c, err := b.read()
	if err != nil {
		return err
	}
	if _, ok := c.Entries[name]; !ok {
		return nil
	}
	delete(c.Entries, name)
	return b.write(c)
}

// read returns the file's entries; a missing file holds none. A file that
// others may read is refused rather than used, as ssh refuses such a key.
func (b *fileBackend) read() (fileContents, error) {
	empty := fileContents{V: 1, Entries: map[string]string{}}
	f, err := os.Open(b.path)
	if errors.Is(err, fs.ErrNotExist) {
		return empty, nil
	}
	if err != nil {
		return empty, fmt.Errorf("cannot read key file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return empty, fmt.Errorf("cannot read key file: %w", err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return empty, fmt.Errorf("%w: %s has mode %04o; run `chmod 600 %s` (it must be readable by its owner only)",
			ErrInsecureFile, b.path, fi.Mode().Perm(), b.path)
	}
	var c fileContents
	dec := json.NewDecoder(f)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return empty, &CorruptError{Name: FileName, Backend: b.String(), Err: err}
	}
	if c.V != 1 {
		return empty, &CorruptError{Name: FileName, Backend: b.String(), Err: fmt.Errorf("unknown version %d", c.V)}
	}
	if c.Entries == nil {
		c.Entries = map[string]string{}
	}
	return c, nil
}

func (b *fileBackend) write(c fileContents) error {
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(b.path, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("cannot write key file: %w", err)
	}
	return nil
}
