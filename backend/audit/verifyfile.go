package audit

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"

	"countersign/backend/audit/record"
)

// maxLine bounds one line of an exported file.
const maxLine = 16 << 20

// fileVerifier holds the state of VerifyFile.
type fileVerifier struct {
	r        *Report
	keys     Keys
	header   *ExportHeader
	final    Checkpoint
	origin   string
	ch       *chain
	lines    int
	seenCP   map[uint64][]byte // roots of the checkpoint lines that verified, by size
	lastGood int64
	goodDesc string
}

// VerifyFile checks an exported file, or a SIEM file, on its own with the
// verifier keys: every record's canonical form and hash chain, every
// checkpoint line against the records before it, and for an export the
// header's checkpoint through the compact-range proof around the records and
// the RFC 6962 consistency proofs of the checkpoint lines. Records that no
// checkpoint covers are a problem: the file was cut, or they were not yet
// signed when it was written.
func VerifyFile(in io.Reader, keys Keys) (*Report, error) {
	start := time.Now()
	v := &fileVerifier{r: &Report{}, keys: keys, seenCP: map[uint64][]byte{}}
	br := bufio.NewReaderSize(in, 1<<16)
	for {
		line, err := readLine(br)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		v.lines++
		v.line(line)
	}
	v.finish()
	v.r.Elapsed = time.Since(start)
	return v.r, nil
}

// readLine reads one line without its newline, up to maxLine bytes.
func readLine(br *bufio.Reader) ([]byte, error) {
	var out []byte
	for {
		part, err := br.ReadSlice('\n')
		out = append(out, part...)
		if len(out) > maxLine {
			return nil, fmt.Errorf("audit: a line is longer than %d bytes", maxLine)
		}
		switch {
		case err == nil:
			return bytes.TrimSuffix(out, []byte("\n")), nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err == io.EOF && len(out) > 0:
			return out, nil
		default:
			return nil, err
		}
	}
}

func (v *fileVerifier) problem(format string, args ...any) {
	v.r.add(Problem{Message: fmt.Sprintf("line %d: ", v.lines) + fmt.Sprintf(format, args...)})
}

func (v *fileVerifier) line(line []byte) {
	switch {
	case bytes.HasPrefix(line, []byte(`{"v":`)):
		v.record(line)
	case bytes.HasPrefix(line, []byte(`{"checkpoint":`)):
		v.checkpoint(line)
	case bytes.HasPrefix(line, []byte(`{"export":`)):
		v.exportHeader(line)
	case bytes.HasPrefix(line, []byte(`{"left":`)):
		v.left(line)
	case len(bytes.TrimSpace(line)) == 0:
	default:
		v.problem("not a line of an audit file")
	}
}

// start begins the chain, at 0 unless a header or left line said otherwise.
func (v *fileVerifier) start(left [][]byte, size uint64) bool {
	if v.ch != nil {
		v.problem("the file's start is given twice, or after its first record")
		return false
	}
	rng, err := factory.NewRange(0, size, left)
	if err != nil {
		v.problem("the hashes of the records before the file do not fit: %v", err)
		rng = factory.NewEmptyRange(0)
	}
	v.ch = newChain(v.r, rng)
	return true
}

func decodeHashes(ss []string) ([][]byte, error) {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		h, err := base64.StdEncoding.Strict().DecodeString(s)
		if err != nil || len(h) != hashSize {
			return nil, fmt.Errorf("%q is not a base64 SHA-256", s)
		}
		out[i] = h
	}
	return out, nil
}

func (v *fileVerifier) exportHeader(line []byte) {
	if v.lines != 1 {
		v.problem("an export header must be the first line")
		return
	}
	var h map[string]ExportHeader
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&h); err != nil {
		v.problem("the export header does not read: %v", err)
		return
	}
	hdr := h["export"]
	v.header = &hdr
	v.origin = hdr.Origin
	c, err := OpenCheckpoint(hdr.Checkpoint, v.keys)
	if err != nil {
		v.r.add(Problem{Checkpoint: 1, Message: fmt.Sprintf("the export's checkpoint is not valid: %v", err)})
		v.header.Checkpoint = ""
	} else if c.Origin != hdr.Origin {
		v.r.add(Problem{Checkpoint: 1, Message: fmt.Sprintf("the export's checkpoint is of another log (%s, not %s)", c.Origin, hdr.Origin)})
	} else {
		v.final = c
	}
	v.r.Checkpoints++
	left, err := decodeHashes(hdr.Left)
	if err != nil {
		v.problem("left: %v", err)
	}
	if hdr.First < 1 {
		v.problem("the header names no first record")
		hdr.First = 1
	}
	v.start(left, uint64(hdr.First-1))
}

func (v *fileVerifier) left(line []byte) {
	var l map[string]leftLine
	if err := json.Unmarshal(line, &l); err != nil {
		v.problem("the left line does not read: %v", err)
		return
	}
	hashes, err := decodeHashes(l["left"].Hashes)
	if err != nil {
		v.problem("left: %v", err)
		return
	}
	v.start(hashes, l["left"].Size)
}

func (v *fileVerifier) record(line []byte) {
	if v.ch == nil {
		v.start(nil, 0)
	}
	pos := v.ch.next
	if _, err := record.Parse(line); err != nil {
		v.r.add(Problem{Record: pos, Message: fmt.Sprintf("record %d (line %d) is not a record in canonical form (%v): it was edited", pos, v.lines, err)})
	}
	if err := v.ch.add(pos, line); err != nil {
		v.problem("%v", err)
	}
}

func (v *fileVerifier) checkpoint(line []byte) {
	v.r.Checkpoints++
	var m map[string]string
	if err := json.Unmarshal(line, &m); err != nil {
		v.problem("the checkpoint line does not read: %v", err)
		return
	}
	c, err := OpenCheckpoint(m["checkpoint"], v.keys)
	if err != nil {
		v.r.add(Problem{Checkpoint: int64(v.lines), Message: fmt.Sprintf("the checkpoint on line %d is not valid: %v", v.lines, err)})
		return
	}
	if v.origin == "" {
		v.origin = c.Origin
	}
	if c.Origin != v.origin {
		v.r.add(Problem{Checkpoint: int64(v.lines), Message: fmt.Sprintf("the checkpoint on line %d is of another log (%s)", v.lines, c.Origin)})
		return
	}
	if v.ch == nil {
		v.start(nil, 0)
	}
	desc := describeCP(int64(v.lines), c, true)
	if c.Size != v.ch.rng.End() {
		v.r.add(Problem{Checkpoint: int64(v.lines), Message: fmt.Sprintf("%s is out of place: it follows record %d", desc, v.ch.rng.End())})
		return
	}
	v.ch.checkpoints([]signedCP{{id: int64(v.lines), cp: c, desc: desc}}, &v.lastGood, &v.goodDesc)
	v.seenCP[c.Size] = c.Root
}

func (v *fileVerifier) finish() {
	if v.ch == nil {
		v.start(nil, 0)
	}
	end := int64(v.ch.rng.End())
	h := v.header
	if h == nil {
		if end > v.r.Covered {
			v.r.add(Problem{Record: v.r.Covered + 1, Message: fmt.Sprintf(
				"records %d..%d at the end of the file are covered by no checkpoint: the file was cut, or they were not signed yet when it was written", v.r.Covered+1, end)})
		}
		return
	}
	if end != h.Last || v.r.Records != h.Records {
		v.r.add(Problem{Record: end + 1, Message: fmt.Sprintf(
			"the header says the export holds records %d..%d (%d) but the file holds %d, ending at record %d: it was cut or added to", h.First, h.Last, h.Records, v.r.Records, end)})
	}
	if h.Checkpoint == "" || v.final.Root == nil {
		return
	}
	right, err := decodeHashes(h.Right)
	var rest *compact.Range
	if err == nil {
		rest, err = factory.NewRange(v.ch.rng.End(), v.final.Size, right)
	}
	if err == nil {
		err = v.ch.rng.AppendRange(rest, nil)
	}
	if err != nil {
		v.r.add(Problem{Checkpoint: 1, Message: fmt.Sprintf("the proof after the last record does not fit the export's checkpoint: %v", err)})
		return
	}
	if !bytes.Equal(root(v.ch.rng), v.final.Root) {
		v.r.add(Problem{Checkpoint: 1, Message: fmt.Sprintf(
			"the records do not give the root hash of the export's checkpoint (size %d): a record was changed, added, removed or reordered", v.final.Size)})
		return
	}
	v.r.Verified++
	v.r.Covered = end
	for _, cp := range h.Consistency {
		rootM, ok := v.seenCP[cp.Size]
		if !ok {
			v.r.add(Problem{Message: fmt.Sprintf("the header proves a checkpoint of size %d that is not in the file", cp.Size)})
			continue
		}
		p, err := decodeHashes(cp.Proof)
		if err == nil {
			err = proof.VerifyConsistency(rfc6962.DefaultHasher, cp.Size, v.final.Size, p, rootM, v.final.Root)
		}
		if err != nil {
			v.r.add(Problem{Message: fmt.Sprintf("the checkpoint of size %d is not consistent with the export's checkpoint: %v", cp.Size, err)})
		}
	}
}
