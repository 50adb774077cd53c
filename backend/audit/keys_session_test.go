//go:build (dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd

package audit

import (
	"os"
	"path/filepath"
	"testing"

	"countersign/backend/keystore"
	"countersign/backend/keystore/keyringtest"
)

// testBackend is where the tests' signing key lives: the real Secret Service
// when one answers (as under build/scripts/with-session.sh, which make test
// uses), else a file in dir.
func testBackend(t *testing.T, dir string) keystore.Backend {
	if keyringtest.Available() == nil || os.Getenv(keyringtest.EnvRequire) == "1" {
		return keyringtest.Backend(keyringtest.Service(t))
	}
	return keystore.NewFile(filepath.Join(dir, keystore.FileName))
}

// realBackend is the real Secret Service, or skips (fails under
// COUNTERSIGN_REQUIRE_KEYRING=1).
func realBackend(t *testing.T) keystore.Backend { return keyringtest.Backend(keyringtest.Service(t)) }
