//go:build !unix

package preview

import "os"

// openNoFollow opens path for reading; Lstat has already refused links.
func openNoFollow(path string) (*os.File, error) { return os.Open(path) }
