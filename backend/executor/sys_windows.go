//go:build windows

package executor

import (
	"io/fs"
	"os"
	"os/exec"
)

// oNoFollow: Windows' CreateFile does not follow symlinks the way Unix open
// does; os.Root still keeps every path inside the workspace.
const oNoFollow = 0

// linkCount: the hard-link count is not in Windows' FileInfo; hard links are
// rare there and the file is replaced by rename, never written in place.
func linkCount(fs.FileInfo) uint64 { return 1 }

// syncDir: Windows cannot sync a directory handle; NTFS journals renames.
func syncDir(*os.File) error { return nil }

// isolate: on Windows the context's default kill ends the process.
func isolate(*exec.Cmd) {}
