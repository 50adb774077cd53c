package intent

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"countersign/backend/proposal"
)

// HasTargetFile reports whether actions of kind k act on an existing file
// whose hash the token carries in target_sha256: file.write, file.edit,
// file.delete, file.move (its source) and sheet.update. For other kinds
// target_sha256 is "".
func HasTargetFile(k proposal.Kind) bool {
	switch k {
	case proposal.KindFileWrite, proposal.KindFileEdit, proposal.KindFileDelete, proposal.KindFileMove, proposal.KindSheetUpdate:
		return true
	}
	return false
}

// HashTargetFile returns target_sha256 for the file at path: the lower-case
// hex SHA-256 of its bytes, or TargetAbsent if nothing is there. Anything
// but a regular file (a directory, a symlink, a device) is an error, so the
// preview and the executor hash the same thing or refuse alike.
func HashTargetFile(path string) (string, error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return TargetAbsent, nil
	}
	if err != nil {
		return "", err
	}
	if !fi.Mode().IsRegular() {
		return "", fmt.Errorf("%s is not a regular file (%s)", path, fi.Mode().Type())
	}
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
