package app

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"time"
	"unicode/utf8"

	"countersign/backend/core"
	"countersign/backend/queue"
)

// EventSelect asks the UI to show one proposal; its data is the proposal id.
const EventSelect = "countersign:select"

// PausedBy names who pauses or resumes agents from the tray.
const PausedBy = "person (tray)"

const (
	trayRecent   = 5                      // pending proposals listed in the menu
	trayDebounce = 250 * time.Millisecond // at most one tray update per this long
	trayIconSize = 64
	trayLabelMax = 60
)

// consentCore is what the tray needs of the backend (a *core.Core, through
// coreTray).
type consentCore interface {
	Paused() bool
	SetPaused(ctx context.Context, paused bool, by string) error
	ListPending(ctx context.Context, offset, limit int) (queue.Page, error)
}

// coreTray gives the tray the core's pending list.
type coreTray struct{ *core.Core }

func (c coreTray) ListPending(ctx context.Context, offset, limit int) (queue.Page, error) {
	return c.Queue.ListPending(ctx, offset, limit)
}

// trayConfig is what the tray is given.
type trayConfig struct {
	core consentCore
	show func(id string) // show the window; on a proposal when id is not ""
	quit func()
	icon []byte // the app icon, PNG
	logf func(string, ...any)
}

// trayState is what the tray shows.
type trayState struct {
	Title  string
	Busy   bool // something is pending: the icon carries a dot
	Paused bool
	Recent []trayEntry
}

type trayEntry struct{ ID, Label string }

// stateOf computes what the tray shows from the newest pending proposals.
func stateOf(page queue.Page, paused bool) trayState {
	st := trayState{Busy: page.Total > 0, Paused: paused}
	switch {
	case paused && page.Total > 0:
		st.Title = fmt.Sprintf("Countersign: agents paused, %d held", page.Total)
	case paused:
		st.Title = "Countersign: agents paused"
	case page.Total == 0:
		st.Title = "Countersign: nothing pending"
	default:
		st.Title = fmt.Sprintf("Countersign: %d pending", page.Total)
	}
	for i, it := range page.Items {
		if i == trayRecent {
			break
		}
		st.Recent = append(st.Recent, trayEntry{ID: it.ID, Label: clipLabel(fmt.Sprintf("%s: %s (%s)", it.AgentID, it.Summary, it.Risk))})
	}
	return st
}

func clipLabel(s string) string {
	if utf8.RuneCountInString(s) <= trayLabelMax {
		return s
	}
	return string([]rune(s)[:trayLabelMax-1]) + "…"
}

// trayIcons returns the icon at tray size, plain and with an amber dot for
// "something is pending". On failure both are the original.
func trayIcons(src []byte) (plain, busy []byte) {
	img, err := png.Decode(bytes.NewReader(src))
	if err != nil {
		return src, src
	}
	small := shrink(img, trayIconSize)
	var a bytes.Buffer
	if png.Encode(&a, small) != nil {
		return src, src
	}
	dot(small)
	var b bytes.Buffer
	if png.Encode(&b, small) != nil {
		return a.Bytes(), a.Bytes()
	}
	return a.Bytes(), b.Bytes()
}

// shrink scales img to size x size by averaging the pixels of each cell.
func shrink(img image.Image, size int) *image.NRGBA {
	out := image.NewNRGBA(image.Rect(0, 0, size, size))
	b := img.Bounds()
	for y := 0; y < size; y++ {
		y0, y1 := b.Min.Y+y*b.Dy()/size, b.Min.Y+(y+1)*b.Dy()/size
		for x := 0; x < size; x++ {
			x0, x1 := b.Min.X+x*b.Dx()/size, b.Min.X+(x+1)*b.Dx()/size
			var r, g, bl, al, n uint64
			for yy := y0; yy < max(y1, y0+1); yy++ {
				for xx := x0; xx < max(x1, x0+1); xx++ {
					c := color.NRGBA64Model.Convert(img.At(xx, yy)).(color.NRGBA64)
					w := uint64(c.A)
					r, g, bl, al, n = r+uint64(c.R)*w, g+uint64(c.G)*w, bl+uint64(c.B)*w, al+w, n+1
				}
			}
			if al == 0 {
				continue
			}
			out.SetNRGBA(x, y, color.NRGBA{R: uint8(r / al >> 8), G: uint8(g / al >> 8), B: uint8(bl / al >> 8), A: uint8(al / n >> 8)})
		}
	}
	return out
}

// dot paints an amber badge with a dark ring in the top right corner.
func dot(img *image.NRGBA) {
	size := img.Bounds().Dx()
	r := size / 5
	cx, cy := size-r-1, r+1
	for y := cy - r - 2; y <= cy+r+2; y++ {
		for x := cx - r - 2; x <= cx+r+2; x++ {
			d := (x-cx)*(x-cx) + (y-cy)*(y-cy)
			switch {
			case d <= r*r:
				img.SetNRGBA(x, y, color.NRGBA{R: 245, G: 166, B: 35, A: 255})
			case d <= (r+2)*(r+2):
				img.SetNRGBA(x, y, color.NRGBA{R: 24, G: 26, B: 33, A: 255})
			}
		}
	}
}
