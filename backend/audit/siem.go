package audit

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/transparency-dev/merkle/compact"

	"countersign/backend/audit/record"
	"countersign/backend/store"
)

// Lines of an exported or streamed log, besides records:
//
//	{"left":{"size":N,"hashes":["<base64>",...]}}   the compact range of records 1..N, which the file does not hold
//	{"checkpoint":"<signed note>"}                   a checkpoint of the records up to the line before
//
// and, first in an export, {"export":{...}} (see Export). A record line is
// the record's exact bytes; it starts with {"v":.

// leftLine is the line that stands for the records before a file's first.
type leftLine struct {
	Size   uint64   `json:"size"`
	Hashes []string `json:"hashes"`
}

func encodeLeft(r *compact.Range) []byte {
	l := leftLine{Size: r.End(), Hashes: b64s(r.Hashes())}
	b, _ := json.Marshal(map[string]leftLine{"left": l})
	return b
}

func b64s(hs [][]byte) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = base64.StdEncoding.EncodeToString(h)
	}
	return out
}

func checkpointLine(note string) []byte {
	b, _ := json.Marshal(map[string]string{"checkpoint": note})
	return b
}

// siemSink appends new records, and the checkpoints that cover them, to a
// file a SIEM agent ships. A new (or emptied) file starts with a left line
// for the records before it, so it can be verified on its own; an existing
// one continues after its last record, catching up on records written while
// the app was not running.
type siemSink struct {
	path string
	f    *os.File
}

// tailBytes is how much of the end of a SIEM file is read to find its last
// record.
const tailBytes = 256 << 10

func openSIEM(ctx context.Context, path string, st *store.Store, ts treeState) (*siemSink, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	s := &siemSink{path: path, f: f}
	last, empty, err := s.resume()
	if err != nil {
		f.Close()
		return nil, err
	}
	size := ts.seq
	switch {
	case empty:
		if size > 0 {
			err = s.write(encodeLeft(ts.rng))
		}
	case last > size:
		err = fmt.Errorf("it holds record %d but the log has %d records; is it another log's file?", last, size)
	case last < size:
		// Records written while the file was not being fed.
		var lines [][]byte
		err = st.ScanAuditUpTo(ctx, last, size, func(_ int64, rec []byte) error {
			lines = append(lines, append([]byte(nil), rec...))
			return nil
		})
		if err == nil {
			err = s.write(lines...)
		}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return s, nil
}

// resume finds the last record of the file, cutting off a torn last line
// left by a crash. empty reports a file with neither records nor a left line.
func (s *siemSink) resume() (last int64, empty bool, err error) {
	fi, err := s.f.Stat()
	if err != nil {
		return 0, false, err
	}
	size := fi.Size()
	from := max(size-tailBytes, 0)
	tail := make([]byte, size-from)
	if _, err := s.f.ReadAt(tail, from); err != nil && err != io.EOF {
		return 0, false, err
	}
	if cut := bytes.LastIndexByte(tail, '\n') + 1; cut < len(tail) {
		if err := s.f.Truncate(from + int64(cut)); err != nil {
			return 0, false, err
		}
		tail = tail[:cut]
	}
	if _, err := s.f.Seek(0, io.SeekEnd); err != nil {
		return 0, false, err
	}
	lines := bytes.Split(bytes.TrimSuffix(tail, []byte("\n")), []byte("\n"))
	for i := len(lines) - 1; i >= 0; i-- {
		line := lines[i]
		if bytes.HasPrefix(line, []byte(`{"v":`)) {
			h, err := record.ReadHead(line)
			if err != nil {
				return 0, false, fmt.Errorf("its last record does not read: %w", err)
			}
			return h.Seq, false, nil
		}
		if bytes.HasPrefix(line, []byte(`{"left":`)) {
			var l map[string]leftLine
			if err := json.Unmarshal(line, &l); err != nil {
				return 0, false, fmt.Errorf("its left line does not read: %w", err)
			}
			return int64(l["left"].Size), false, nil
		}
	}
	if size > tailBytes {
		return 0, false, fmt.Errorf("no record in its last %d bytes", tailBytes)
	}
	return 0, true, nil
}

// write appends lines and syncs the file.
func (s *siemSink) write(lines ...[]byte) error {
	if len(lines) == 0 {
		return nil
	}
	var b bytes.Buffer
	for _, l := range lines {
		b.Write(l)
		b.WriteByte('\n')
	}
	if _, err := s.f.Write(b.Bytes()); err != nil {
		return err
	}
	return s.f.Sync()
}

func (s *siemSink) close() { s.f.Close() }

// storeCheckpoint signs a checkpoint of the tree rng at now and stores it
// with its range.
func storeCheckpoint(ctx context.Context, st *store.Store, signer Signer, origin string, rng *compact.Range, now time.Time) (store.Checkpoint, error) {
	ns, err := NewNoteSigner(signer)
	if err != nil {
		return store.Checkpoint{}, err
	}
	c := Checkpoint{Origin: origin, Size: rng.End(), Root: root(rng), Time: now.UTC().Truncate(time.Second)}
	signed, err := SignCheckpoint(c, ns)
	if err != nil {
		return store.Checkpoint{}, err
	}
	cp := store.Checkpoint{Size: int64(c.Size), Note: signed, Range: rangeBytes(rng), CreatedAt: now}
	cp.ID, err = st.AddCheckpoint(ctx, cp)
	return cp, err
}
