// Command countersign-agent is Countersign's command line without the
// window: the commands agents and their hooks run (propose, status, hook,
// mcp) and the person's agent, key and verify commands.
//
// It guarantees the same behaviour as the same commands of the countersign
// binary, because both run backend/cli, but it links no GUI toolkit, so it
// starts in a few milliseconds: Claude Code runs a hook before every tool
// call, and the desktop binary spends tens of milliseconds just loading the
// WebKitGTK libraries. Asked to open the window, it says to run countersign.
package main

import (
	"errors"
	"os"
	"runtime/debug"

	"countersign/backend/cli"
	"countersign/backend/config"
)

// version follows the app's; the build sets it with -ldflags -X if needed.
var version = "0.1.0"

func main() {
	os.Exit(cli.Run(cli.Deps{
		Version: version,
		Commit:  commit(),
		OpenWindow: func(cli.WindowOptions) error {
			return errors.New("countersign-agent has no window; run countersign to open it")
		},
		Env:    config.OSEnv(),
		Stdout: os.Stdout,
		Stderr: os.Stderr,
	}, os.Args[1:]))
}

func commit() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return s.Value[:12]
			}
		}
	}
	return "unknown"
}
