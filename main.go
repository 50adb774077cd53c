// Command countersign opens the Countersign window, or runs one of its
// commands (see countersign --help).
package main

import (
	"embed"
	"io/fs"
	"os"
	"time"

	"countersign/app"
)

//go:embed all:frontend/dist
var assets embed.FS

//go:embed build/appicon.png
var icon []byte

func main() {
	started := time.Now()
	dist, err := fs.Sub(assets, "frontend/dist")
	if err != nil {
		panic(err)
	}
	os.Exit(app.Main(dist, icon, os.Args[1:], started))
}
