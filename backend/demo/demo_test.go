package demo

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"

	"countersign/backend/proposal"
)

type fakeQueue struct {
	got     []proposal.Proposal
	pending int
}

func (f *fakeQueue) Submit(_ context.Context, p proposal.Proposal) (*proposal.Proposal, error) {
	f.got = append(f.got, p)
	f.pending++
	p.ID = "p"
	return &p, nil
}

func (f *fakeQueue) PendingCount(context.Context) (int, error) { return f.pending, nil }

func TestScenariosAreValidAndCoverEveryKind(t *testing.T) {
	ws := t.TempDir()
	kinds := map[proposal.Kind]bool{}
	for _, p := range Scenarios(ws) {
		if err := p.Validate(proposal.DefaultLimits()); err != nil {
			t.Errorf("scenario %q: %v", p.Summary, err)
		}
		for _, a := range p.Actions {
			kinds[a.Kind] = true
		}
	}
	for _, k := range proposal.Kinds {
		if !kinds[k] {
			t.Errorf("no scenario uses %s", k)
		}
	}
}

func TestPrepareWorkspace(t *testing.T) {
	ws := t.TempDir()
	if err := PrepareWorkspace(ws); err != nil {
		t.Fatal(err)
	}
	// Every file a scenario names as its source exists.
	for _, p := range Scenarios(ws) {
		for _, a := range p.Actions {
			switch a.Kind {
			case proposal.KindFileEdit, proposal.KindFileDelete, proposal.KindFileMove, proposal.KindSheetUpdate:
				if _, err := os.Stat(a.Path); err != nil {
					t.Errorf("%s: %v", p.Summary, err)
				}
			}
		}
	}
	f, err := excelize.OpenFile(filepath.Join(ws, "budget.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	v, err := f.GetCellValue("Forecast", "B2")
	if err != nil || v != "45100" {
		t.Errorf("Forecast!B2 = %q, %v; want 45100", v, err)
	}
	if fm, _ := f.GetCellFormula("Forecast", "E2"); fm != "SUM(B2:D2)" {
		t.Errorf("Forecast!E2 formula = %q", fm)
	}
}

func TestStepCyclesAndStopsWhenFull(t *testing.T) {
	q := &fakeQueue{}
	a := New(Config{Workspace: t.TempDir(), MaxPending: 3}, q, q)
	for i := 0; i < 5; i++ {
		if err := a.Step(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if len(q.got) != 3 {
		t.Fatalf("submitted %d proposals with MaxPending 3, want 3", len(q.got))
	}
	if q.got[0].Summary == q.got[1].Summary {
		t.Error("the demo repeated a scenario instead of cycling")
	}
	q.pending = 0
	if err := a.Step(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(q.got) != 4 {
		t.Errorf("did not resume once the queue drained")
	}
}

func TestRunStopsWithContext(t *testing.T) {
	q := &fakeQueue{}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	a := New(Config{Workspace: t.TempDir(), Burst: 2}, q, q)
	if err := a.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if len(q.got) != 2 {
		t.Errorf("burst submitted %d, want 2", len(q.got))
	}
}
