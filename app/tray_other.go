//go:build !(linux || freebsd || openbsd || netbsd)

package app

import (
	"context"
	"errors"

	"countersign/backend/queue"
)

// On these systems Countersign has no tray yet: closing the window quits.

var errNoTray = errors.New("no tray on this system")

func trayAvailable() bool { return false }

type tray struct{}

func startTray(context.Context, trayConfig) (*tray, error) { return nil, errNoTray }

func (t *tray) Stop()              {}
func (t *tray) Handle(queue.Event) {}
func (t *tray) Refresh()           {}
