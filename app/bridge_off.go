//go:build !e2e

package app

import (
	"errors"
	"io/fs"
	"time"

	"countersign/backend/cli"
)

// bridgeEnabled is false in every build that ships: the UI is only ever
// served inside the window.
const bridgeEnabled = false

func runBridge(fs.FS, cli.WindowOptions, string, time.Time, func(string, ...any)) error {
	return errors.New("this build cannot serve the UI over HTTP")
}
