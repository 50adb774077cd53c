package gateway

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"countersign/backend/gateway/api"
)

// maxSocketPath is the longest Unix socket path accepted: sun_path holds 108
// bytes on Linux and 104 on macOS, NUL included.
const maxSocketPath = 100

// socketPath returns where the socket for dataDir lives under runtimeDir.
// The name carries a digest of the data directory, so two instances with
// different data directories (a test, the demo) never meet on one socket.
func socketPath(runtimeDir, dataDir string) (string, error) {
	if !filepath.IsAbs(runtimeDir) {
		return "", fmt.Errorf("gateway: runtime directory %q is not absolute", runtimeDir)
	}
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return "", fmt.Errorf("gateway: %w", err)
	}
	sum := sha256.Sum256([]byte(abs))
	p := filepath.Join(runtimeDir, "countersign", "gateway-"+hex.EncodeToString(sum[:6])+".sock")
	if len(p) > maxSocketPath {
		return "", fmt.Errorf("gateway: socket path %s is %d bytes, more than the %d a Unix socket allows; set XDG_RUNTIME_DIR to a shorter directory", p, len(p), maxSocketPath)
	}
	return p, nil
}

func discoveryPath(dataDir string) string { return filepath.Join(dataDir, api.DiscoveryFile) }

// writeDiscovery replaces the discovery file atomically: a temporary file in
// the same directory, written, synced and renamed over the old one.
func writeDiscovery(path string, d api.Discovery) error {
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".gateway-*.json.tmp")
	if err != nil {
		return fmt.Errorf("gateway: write %s: %w", path, err)
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := f.Chmod(0o600); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		return fmt.Errorf("gateway: write %s: %w", path, err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("gateway: write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("gateway: write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("gateway: write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("gateway: write %s: %w", path, err)
	}
	ok = true
	return nil
}

// removeDiscovery removes the discovery file if it still describes d, so a
// newer instance's file is never removed by an older one shutting down.
func removeDiscovery(path string, d api.Discovery) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	want, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return err
	}
	if !bytes.Equal(bytes.TrimSpace(b), want) {
		return nil
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
