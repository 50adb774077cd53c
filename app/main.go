package app

import (
	"fmt"
	"io/fs"
	"os"
	"runtime/debug"
	"time"

	"countersign/backend/cli"
	"countersign/backend/config"
)

// Version is the product version.
const Version = "0.1.0"

// Main runs the command line; with no command it opens the window.
// dist holds the built UI (index.html at its root), icon the app icon PNG.
func Main(dist fs.FS, icon []byte, args []string, started time.Time) int {
	logf := func(format string, a ...any) { fmt.Fprintf(os.Stderr, "countersign: "+format+"\n", a...) }
	return cli.Run(cli.Deps{
		Version:       Version,
		Commit:        commit(),
		BridgeEnabled: bridgeEnabled,
		OpenWindow: func(o cli.WindowOptions) error {
			if o.Bridge != "" {
				return runBridge(dist, o, Version, started, logf)
			}
			return runWindow(dist, icon, o, Version, started, logf)
		},
		Env:    config.OSEnv(),
		Stdout: os.Stdout,
		Stderr: os.Stderr,
	}, args)
}

func commit() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	rev, dirty := "unknown", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
			if len(rev) > 12 {
				rev = rev[:12]
			}
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if dirty {
		rev += "+dirty"
	}
	return rev
}
