//go:build !((dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd)

package audit

import (
	"path/filepath"
	"testing"

	"countersign/backend/keystore"
)

func testBackend(t *testing.T, dir string) keystore.Backend {
	return keystore.NewFile(filepath.Join(dir, keystore.FileName))
}

func realBackend(t *testing.T) keystore.Backend {
	t.Skip("the real-keyring tests run against the Secret Service")
	return nil
}
