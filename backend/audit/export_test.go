package audit

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"countersign/backend/config"
	"countersign/backend/proposal"
	"countersign/backend/store"
)

// exported is a log of 20 records with checkpoints at 5, 10 and 15.
func exported(t *testing.T) *fixture {
	f := newFixture(t)
	for range 3 {
		f.records(5)
		f.checkpoint()
	}
	f.records(5)
	return f
}

func (f *fixture) export(opts ExportOptions) ([]byte, ExportResult) {
	f.t.Helper()
	if opts.Keys.known == nil {
		opts.Keys = f.keys
	}
	if opts.Format == "" {
		opts.Format = FormatJSONL
	}
	var b bytes.Buffer
	res, err := Export(context.Background(), f.st, &b, opts)
	if err != nil {
		f.t.Fatal(err)
	}
	return b.Bytes(), res
}

func verifyBytes(t *testing.T, b []byte, keys Keys) *Report {
	t.Helper()
	r, err := VerifyFile(bytes.NewReader(b), keys)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func lines(b []byte) [][]byte { return bytes.Split(bytes.TrimSuffix(b, []byte("\n")), []byte("\n")) }

func join(ls [][]byte) []byte { return append(bytes.Join(ls, []byte("\n")), '\n') }

// timeOf is when record seq was written: the fixture's clock ticks once per
// record, after the three checkpoints that precede some of them.
func (f *fixture) timeOf(seq int64) time.Time {
	f.t.Helper()
	var at time.Time
	err := f.st.ScanAuditUpTo(context.Background(), seq-1, seq, func(_ int64, rec []byte) error {
		var err error
		at, err = recordTime(rec)
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return at
}

func TestExportVerifiesOnItsOwn(t *testing.T) {
	f := exported(t)
	t.Run("whole log, signing a checkpoint for the tail", func(t *testing.T) {
		b, res := f.export(ExportOptions{Signer: mustSigner(t, f)})
		if res.First != 1 || res.Last != 20 || res.Records != 20 || !res.Signed || res.Checkpoint != 20 {
			t.Errorf("result %+v", res)
		}
		r := verifyBytes(t, b, f.keys)
		if !r.OK() || r.Records != 20 || r.Covered != 20 || r.Verified != 4 {
			t.Errorf("%+v\n%s", r, problems(r))
		}
	})
	t.Run("a time range in the middle, with consistency proofs", func(t *testing.T) {
		since, until := f.timeOf(7), f.timeOf(13).Add(time.Nanosecond)
		b, res := f.export(ExportOptions{Since: since, Until: until})
		if res.First != 7 || res.Last != 13 || res.Records != 7 {
			t.Fatalf("result %+v", res)
		}
		var h map[string]ExportHeader
		if err := json.Unmarshal(lines(b)[0], &h); err != nil {
			t.Fatal(err)
		}
		if len(h["export"].Left) == 0 || len(h["export"].Right) == 0 || len(h["export"].Consistency) != 1 {
			t.Errorf("header %+v", h["export"])
		}
		r := verifyBytes(t, b, f.keys)
		if !r.OK() || r.Records != 7 || r.Verified != 2 {
			t.Errorf("%+v\n%s", r, problems(r))
		}
	})
	t.Run("without a key, the export stops at the last checkpoint", func(t *testing.T) {
		g := exported(t)
		b, res := g.export(ExportOptions{})
		if res.Last != 15 || !strings.Contains(res.Note, "records 16..20 are not yet covered") {
			t.Errorf("result %+v", res)
		}
		if r := verifyBytes(t, b, g.keys); !r.OK() {
			t.Errorf("%s", problems(r))
		}
	})
}

func mustSigner(t *testing.T, f *fixture) Signer {
	t.Helper()
	s, err := f.ks.Signer()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestForgedExportsAreCaught edits exported files and checks VerifyFile
// names the problem.
func TestForgedExportsAreCaught(t *testing.T) {
	f := exported(t)
	good, _ := f.export(ExportOptions{Signer: mustSigner(t, f)})
	// Line 1 is the header; record n is on line n+1, until the first
	// checkpoint line (after record 5).
	tests := []struct {
		name   string
		edit   func(ls [][]byte) [][]byte
		record int64
		want   string
	}{
		{"edited record", func(ls [][]byte) [][]byte {
			ls[3] = bytes.Replace(ls[3], []byte(`"agent_id":"agent"`), []byte(`"agent_id":"agenT"`), 1)
			return ls
		}, 3, "record 3 was changed"},
		{"record no longer canonical", func(ls [][]byte) [][]byte {
			ls[3] = bytes.Replace(ls[3], []byte(`"v":1,`), []byte(`"v": 1,`), 1)
			return ls
		}, 3, "not a record in canonical form"},
		{"truncated: last lines cut", func(ls [][]byte) [][]byte { return ls[:len(ls)-3] }, 0, "it was cut"},
		{"record removed", func(ls [][]byte) [][]byte { return append(ls[:3:3], ls[4:]...) }, 3, "record 3 says it is record 4"},
		{"records swapped", func(ls [][]byte) [][]byte {
			ls[2], ls[3] = ls[3], ls[2]
			return ls
		}, 2, "record 2 says it is record 3"},
		{"record added", func(ls [][]byte) [][]byte {
			return append(ls[:3:3], append([][]byte{ls[2]}, ls[3:]...)...)
		}, 2, "record 2 was inserted"},
		{"header checkpoint forged", func(ls [][]byte) [][]byte {
			var h map[string]ExportHeader
			json.Unmarshal(ls[0], &h)
			e := h["export"]
			parts := strings.SplitN(e.Checkpoint, "\n", 4)
			parts[2] = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{9}, 32))
			e.Checkpoint = strings.Join(parts, "\n")
			ls[0], _ = json.Marshal(map[string]ExportHeader{"export": e})
			return ls
		}, 0, "the export's checkpoint is not valid"},
		{"checkpoint line forged", func(ls [][]byte) [][]byte {
			ls[6] = bytes.Replace(ls[6], []byte("\\n5\\n"), []byte("\\n4\\n"), 1)
			return ls
		}, 0, "is not valid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ls := tt.edit(lines(append([]byte(nil), good...)))
			r := verifyBytes(t, join(ls), f.keys)
			t.Logf("%s\n%s", r.Summary(), problems(r))
			wantProblem(t, r, tt.record, tt.want)
		})
	}
	t.Run("another key", func(t *testing.T) {
		other := newFixture(t)
		r := verifyBytes(t, good, other.keys)
		wantProblem(t, r, 0, "no signature by a known key")
	})
}

func TestExportCSV(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.q.Submit(ctx, proposal.Proposal{AgentID: "agent", Summary: "=HYPERLINK(\"http://x\")",
		Actions: []proposal.Action{{Kind: proposal.KindCommandRun, Argv: []string{"git", "status"}}}}); err != nil {
		t.Fatal(err)
	}
	f.records(2)
	b, res := f.export(ExportOptions{Format: FormatCSV})
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if res.Records != 3 || len(rows) != 4 || strings.Join(rows[0], ",") != strings.Join(CSVColumns, ",") {
		t.Fatalf("%d records, rows %q", res.Records, rows)
	}
	col := map[string]int{}
	for i, c := range rows[0] {
		col[c] = i
	}
	if got := rows[1][col["summary"]]; !strings.HasPrefix(got, "'=") {
		t.Errorf("summary cell %q would be read as a formula", got)
	}
	if got := rows[1][col["resources"]]; !strings.HasPrefix(got, "command.run git status sha256:") {
		t.Errorf("resources %q", got)
	}
	if rows[2][col["action"]] != "proposed" || rows[3][col["action"]] != "denied" || rows[3][col["user_id"]] != "ada" {
		t.Errorf("rows %q", rows[2:])
	}
}

// TestSIEMFile: with the setting on, new records and checkpoints are
// appended to a file that verifies on its own, across restarts.
func TestSIEMFile(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.records(3)
	if err := f.log.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	setSIEM(t, f, path)
	f.records(4)
	f.checkpoint()
	f.log.Close()
	f.records(2) // written while the app is down
	f.openLog()
	if err := f.log.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	f.records(1)
	f.checkpoint()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ls := lines(b)
	if !bytes.HasPrefix(ls[0], []byte(`{"left":{"size":3,`)) {
		t.Errorf("first line %s", ls[0])
	}
	// 1 (settings.changed) + 4 + 2 + 1 records, after the 3 before the file.
	r := verifyBytes(t, b, f.keys)
	if !r.OK() || r.Records != 8 || r.Covered != 11 {
		t.Fatalf("%+v\n%s", r, problems(r))
	}
	// A cut file: the last checkpoint line is gone.
	r = verifyBytes(t, join(ls[:len(ls)-2]), f.keys)
	wantProblem(t, r, 0, "covered by no checkpoint")
	// A torn last line (a crash mid-write) is cut off when the log reopens.
	if err := os.WriteFile(path, append(b, []byte(`{"v":1,"seq":12`)...), 0o600); err != nil {
		t.Fatal(err)
	}
	f.log.Close()
	f.records(1)
	f.openLog()
	f.checkpoint()
	b, _ = os.ReadFile(path)
	if r := verifyBytes(t, b, f.keys); !r.OK() || r.Records != 9 {
		t.Errorf("%+v\n%s", r, problems(r))
	}
}

func setSIEM(t *testing.T, f *fixture, path string) {
	t.Helper()
	s := config.DefaultSettings()
	s.SIEMFile = path
	if err := s.Validate(f.dir); err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(map[string]string{"siem_file": path})
	if err := f.st.SaveSettings(context.Background(), s.Values(), store.Event{At: f.now(), Type: store.EventSettingsChanged, Data: data, UserID: "ada"}); err != nil {
		t.Fatal(err)
	}
	if err := f.log.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestLogRunsInTheBackground: once started, the log signs checkpoints as the
// clock passes the interval and applies the retention setting.
func TestLogRunsInTheBackground(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.records(4) // two proposals, both denied
	s := config.DefaultSettings()
	s.RetentionDays = 1
	if err := f.st.SaveSettings(ctx, s.Values(), store.Event{At: f.now(), Type: store.EventSettingsChanged}); err != nil {
		t.Fatal(err)
	}
	f.log.Close()
	f.mu.Lock()
	f.clock = f.clock.Add(72 * time.Hour)
	f.mu.Unlock()
	var err error
	if f.log, err = Open(ctx, Config{Store: f.st, Keys: f.ks, Now: f.now, Tick: time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	if err := f.log.Start(ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		cps, _ := f.st.LatestCheckpoints(ctx, 1)
		var pruned bool
		f.st.ScanAudit(ctx, 0, func(_ int64, rec []byte) error {
			pruned = pruned || bytes.Contains(rec, []byte(`"action":"content.pruned"`))
			return nil
		})
		if len(cps) == 1 && pruned {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 20 s: %d checkpoints, pruned %v", len(cps), pruned)
		}
		time.Sleep(5 * time.Millisecond) // polling with a deadline
	}
	f.log.Close()
	if r := f.verify(); !r.OK() || r.Covered != r.Records {
		t.Errorf("%+v\n%s", r, problems(r))
	}
}
