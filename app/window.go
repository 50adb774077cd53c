package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"runtime"
	"slices"
	"sync/atomic"
	"time"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
	wruntime "github.com/wailsapp/wails/v2/pkg/runtime"

	"countersign/backend/cli"
	"countersign/backend/core"
	"countersign/backend/demo"
	"countersign/backend/keystore"
	"countersign/backend/notify"
	"countersign/backend/queue"
)

// shell is one run of the app: the backend, the demo agent and the UI sink.
type shell struct {
	o       cli.WindowOptions
	core    *core.Core
	app     *App
	events  *batcher
	logf    func(string, ...any)
	stopBg  context.CancelFunc
	bgDone  chan struct{}
	started time.Time

	// The desktop's parts, from startDesktop on: they hear every queue event.
	notifier atomic.Pointer[notify.Notifier]
	tray     atomic.Pointer[tray]
}

func newShell(o cli.WindowOptions, version string, started time.Time, logf func(string, ...any)) (*shell, error) {
	s := &shell{o: o, events: newBatcher(16*time.Millisecond, 500), logf: logf, started: started}
	roots := o.Roots
	if o.Demo {
		// The demo's files are real and approvals change them, so its
		// workspace is one of the folders Countersign may change.
		roots = append(slices.Clone(roots), demoWorkspace(o.DataDir))
	}
	c, err := core.Open(core.Options{DataDir: o.DataDir, Keystore: keystore.Kind(o.Keystore), Emit: s.emit, Logf: logf, Roots: roots})
	if err != nil {
		return nil, err
	}
	s.core = c
	s.app = NewApp(c, version, o.Demo, started, logf)
	return s, nil
}

// start runs the backend and, with --demo, the demo agent. emit delivers UI events.
func (s *shell) start(ctx context.Context, emit func([]queue.Event)) error {
	s.app.ctx = ctx
	s.events.SetSink(emit)
	if err := s.core.Start(ctx); err != nil {
		return err
	}
	if s.core.GatewayErr != nil {
		s.logf("%v", s.core.GatewayErr)
	}
	if s.core.KeyErr != nil {
		s.logf("decisions are disabled: %v", s.core.KeyErr)
	} else if s.core.Keys.Weak() {
		s.logf("warning: the signing key is kept in %s", s.core.Keys.Backend())
	}
	bg, cancel := context.WithCancel(ctx)
	s.stopBg = cancel
	s.bgDone = make(chan struct{})
	go func() {
		defer close(s.bgDone)
		if !s.o.Demo {
			return
		}
		ws := demoWorkspace(s.o.DataDir)
		if err := demo.PrepareWorkspace(ws); err != nil {
			s.logf("demo agent: %v", err)
			return
		}
		agent := demo.New(demo.Config{Workspace: ws, Logf: s.logf}, s.core, s.core)
		if err := agent.Run(bg); err != nil {
			s.logf("%v", err)
		}
	}()
	return nil
}

// emit hands a queue event to the UI (batched), the notifications and the tray.
func (s *shell) emit(e queue.Event) {
	s.events.Add(e)
	if n := s.notifier.Load(); n != nil {
		n.Handle(e)
	}
	if t := s.tray.Load(); t != nil {
		t.Handle(e)
	}
}

// startDesktop starts the tray (when a tray host listens) and the desktop
// notifications. Neither is required: without them the window works as
// before, and closing it quits.
func (s *shell) startDesktop(ctx context.Context, withTray bool, icon []byte, show func(id string), quit func()) {
	if withTray {
		t, err := startTray(ctx, trayConfig{core: coreTray{s.core}, show: show, quit: quit, icon: icon, logf: s.logf})
		if err != nil {
			s.logf("%v", err)
		} else {
			s.tray.Store(t)
		}
	}
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		return // desktop notifications go over D-Bus, which these systems lack
	}
	n := notify.New(notify.Config{Proposals: s.core.Queue, Decide: s.core.Decide, Store: s.core.Store, Open: show, Logf: s.logf})
	if err := n.Start(ctx); err != nil {
		s.logf("%v", err)
		return
	}
	s.notifier.Store(n)
}

// stopDesktop removes the tray icon and closes the notifications, before
// the backend stops.
func (s *shell) stopDesktop() {
	if t := s.tray.Swap(nil); t != nil {
		t.Stop()
	}
	if n := s.notifier.Swap(nil); n != nil {
		n.Close()
	}
}

// demoWorkspace is where --demo keeps its sample files: beside the data
// folder, never inside it (Countersign never changes its own data folder).
func demoWorkspace(dataDir string) string { return dataDir + "-demo" }

func (s *shell) stop() {
	if s.stopBg != nil {
		s.stopBg()
		<-s.bgDone
	}
	if err := s.core.Close(); err != nil {
		s.logf("close: %v", err)
	}
}

// runWindow opens the real window and blocks until it closes.
func runWindow(assets fs.FS, icon []byte, o cli.WindowOptions, version string, started time.Time, logf func(string, ...any)) error {
	s, err := newShell(o, version, started, logf)
	if err != nil {
		return err
	}
	sum := sha256.Sum256([]byte(o.DataDir))
	// With a tray, closing the window leaves Countersign running there;
	// without one, closing quits, so that nobody is left with an app they
	// cannot see.
	withTray := trayAvailable()
	err = wails.Run(&options.App{
		Title:     "Countersign",
		Width:     1100,
		Height:    720,
		MinWidth:  800,
		MinHeight: 500,
		AssetServer: &assetserver.Options{
			Assets: assets,
		},
		BackgroundColour: &options.RGBA{R: 24, G: 26, B: 33, A: 255},
		OnStartup: func(ctx context.Context) {
			emit := func(batch []queue.Event) { wruntime.EventsEmit(ctx, EventQueue, batch) }
			show := func(id string) {
				wruntime.WindowShow(ctx)
				wruntime.WindowUnminimise(ctx)
				if id != "" {
					wruntime.EventsEmit(ctx, EventSelect, id)
				}
			}
			// The tray and the notifications first, so that they hear the
			// first proposal the gateway or the demo agent brings.
			s.startDesktop(ctx, withTray, icon, show, func() { wruntime.Quit(ctx) })
			if err := s.start(ctx, emit); err != nil {
				logf("%v", err)
				wruntime.Quit(ctx)
			}
		},
		OnShutdown: func(context.Context) {
			s.stopDesktop()
			s.stop()
		},
		HideWindowOnClose: withTray,
		Bind:              []any{s.app},
		ErrorFormatter:    formatError,
		SingleInstanceLock: &options.SingleInstanceLock{
			UniqueId: "countersign-" + hex.EncodeToString(sum[:8]),
			OnSecondInstanceLaunch: func(options.SecondInstanceData) {
				if s.app.ctx != nil {
					wruntime.WindowShow(s.app.ctx)
					wruntime.WindowUnminimise(s.app.ctx)
					wruntime.Show(s.app.ctx)
				}
			},
		},
		Linux: &linux.Options{Icon: icon, ProgramName: "countersign", WebviewGpuPolicy: linux.WebviewGpuPolicyOnDemand},
	})
	if err != nil {
		s.stop()
		return fmt.Errorf("window: %w", err)
	}
	return nil
}
