package sheet

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"strconv"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// sharedStrings is a workbook's shared string table, parsed as far as the
// cells read so far need it. Strings live in memory up to a budget; past it
// they move to a temporary file read through a small page cache, so the table
// costs bounded memory at any size.
type sharedStrings struct {
	// mu serialises lookups: comparing a workbook with itself reads two of
	// its sheets at once.
	mu     sync.Mutex
	pkg    *zipPackage
	part   string
	budget int64
	tmpDir string

	rc    io.ReadCloser
	sc    *xmlScanner
	done  bool
	err   error
	count int

	data []byte   // in memory: the strings back to back
	ends []uint32 // in memory: the end offset of each string

	spill *spillStore // on disk, once the budget is spent

	cur  []byte // the string being parsed
	text []byte // scratch for decoding
}

// maxStringBytes bounds one shared string. Excel's limit is 32,767
// characters (at most about 128 KB in UTF-8).
const maxStringBytes = 1 << 20

func newSharedStrings(pkg *zipPackage, part string, budget int64, tmpDir string) *sharedStrings {
	return &sharedStrings{pkg: pkg, part: part, budget: budget, tmpDir: tmpDir}
}

func (t *sharedStrings) close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	var err error
	if t.rc != nil {
		err = t.rc.Close()
		t.rc = nil
	}
	if t.spill != nil {
		err = errors.Join(err, t.spill.close())
		t.spill = nil
	}
	return err
}

// appendString appends string i to dst.
func (t *sharedStrings) appendString(dst []byte, i int) ([]byte, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if i < 0 {
		return dst, damaged("a cell refers to shared string %d", i)
	}
	for t.count <= i {
		if t.err != nil {
			return dst, t.err
		}
		if t.done {
			return dst, damaged("a cell refers to shared string %d, but the table has %d", i, t.count)
		}
		if err := t.parseMore(); err != nil {
			t.err = err
			return dst, err
		}
	}
	if t.spill != nil {
		return t.spill.appendString(dst, i)
	}
	start := uint32(0)
	if i > 0 {
		start = t.ends[i-1]
	}
	return append(dst, t.data[start:t.ends[i]]...), nil
}

// parseMore parses the next few strings of the table.
func (t *sharedStrings) parseMore() error {
	if t.sc == nil {
		if t.part == "" {
			t.done = true
			return nil
		}
		rc, err := t.pkg.open(t.part)
		if errors.Is(err, errNoPart) {
			t.done = true
			return nil
		}
		if err != nil {
			return err
		}
		t.rc, t.sc = rc, newScanner(rc)
	}
	for parsed := 0; parsed < 256; {
		err := t.sc.next()
		if err == io.EOF {
			t.done = true
			t.rc.Close()
			t.rc = nil
			return nil
		}
		if err != nil {
			return err
		}
		if !t.sc.isStart("si") {
			continue
		}
		if err := t.parseItem(); err != nil {
			return err
		}
		parsed++
	}
	return nil
}

// parseItem reads one <si>: the text of its <t> and <r><t> children, not
// the phonetic runs (<rPh>).
func (t *sharedStrings) parseItem() error {
	t.cur = t.cur[:0]
	if t.sc.empty {
		if err := t.sc.nextInside(); err != nil {
			return err
		}
		return t.add(t.cur)
	}
	var err error
	depth, inT, skip := 1, false, 0
	for depth > 0 {
		if err := t.sc.nextInside(); err != nil {
			return err
		}
		switch t.sc.kind {
		case tokStart:
			depth++
			name := string(t.sc.local())
			switch {
			case skip > 0:
				skip++
			case name == "rPh" || name == "phoneticPr" || name == "extLst":
				skip = 1
			case name == "t":
				inT = true
			}
		case tokEnd:
			depth--
			if skip > 0 {
				skip--
			} else if string(t.sc.local()) == "t" {
				inT = false
			}
		case tokText:
			if inT && skip == 0 {
				if t.cur, err = decodeText(t.cur, t.sc.text, t.sc.cdata); err != nil {
					return err
				}
				if len(t.cur) > maxStringBytes {
					return &TooLargeError{What: "a shared string of the workbook", Limit: maxStringBytes, Unit: "bytes"}
				}
			}
		}
	}
	t.text = unescapeOOXML(t.text[:0], t.cur)
	return t.add(t.text)
}

func (t *sharedStrings) add(s []byte) error {
	need := len(t.data) + len(s)
	if t.spill == nil && int64(need)+4*int64(len(t.ends)+1) > t.budget {
		sp, err := newSpillStore(t.tmpDir, t.data, t.ends)
		if err != nil {
			return err
		}
		t.spill, t.data, t.ends = sp, nil, nil
	}
	t.count++
	if t.spill != nil {
		return t.spill.add(s)
	}
	// Grow within the budget (append would double past it).
	if need > cap(t.data) {
		nd := make([]byte, len(t.data), min(max(2*cap(t.data), need, 4096), int(t.budget)))
		copy(nd, t.data)
		t.data = nd
	}
	if len(t.ends) == cap(t.ends) {
		ne := make([]uint32, len(t.ends), min(max(2*cap(t.ends), 1024), int(t.budget/4)+1))
		copy(ne, t.ends)
		t.ends = ne
	}
	t.data = append(t.data, s...)
	t.ends = append(t.ends, uint32(len(t.data)))
	return nil
}

// unescapeOOXML decodes the _xHHHH_ escapes OOXML uses for characters XML
// cannot carry ("_x000D_" is a carriage return; "_x005F_" escapes the
// underscore that starts an escape). A UTF-16 surrogate pair written as two
// escapes becomes one character; a lone surrogate stays as written.
func unescapeOOXML(dst, s []byte) []byte {
	for {
		i := indexEscape(s)
		if i < 0 {
			return append(dst, s...)
		}
		dst = append(dst, s[:i]...)
		u := hex4(s[i+2 : i+6])
		rest := s[i+7:]
		switch {
		case utf16.IsSurrogate(rune(u)):
			if u < 0xDC00 {
				if j := indexEscape(rest); j == 0 {
					if lo := hex4(rest[2:6]); lo >= 0xDC00 && lo <= 0xDFFF {
						dst = utf8.AppendRune(dst, utf16.DecodeRune(rune(u), rune(lo)))
						s = rest[7:]
						continue
					}
				}
			}
			dst = append(dst, s[i:i+7]...)
		default:
			dst = utf8.AppendRune(dst, rune(u))
		}
		s = rest
	}
}

// indexEscape finds "_xHHHH_" in s.
func indexEscape(s []byte) int {
	for i := 0; i+7 <= len(s); i++ {
		if s[i] == '_' && s[i+1] == 'x' && s[i+6] == '_' && hex4(s[i+2:i+6]) >= 0 {
			return i
		}
	}
	return -1
}

func hex4(b []byte) int {
	n := 0
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			n = n*16 + int(c-'0')
		case c >= 'a' && c <= 'f':
			n = n*16 + int(c-'a'+10)
		case c >= 'A' && c <= 'F':
			n = n*16 + int(c-'A'+10)
		default:
			return -1
		}
	}
	return n
}

// escapeOOXML is the inverse of unescapeOOXML for text written into a part:
// control characters XML cannot carry become _xHHHH_, and an existing
// "_xHHHH_" gets its underscore escaped so it reads back as written.
func escapeOOXML(s string) string {
	need := false
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' && c != '\n' || c == '_' {
			need = true
			break
		}
	}
	if !need {
		return s
	}
	b := make([]byte, 0, len(s)+16)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c < 0x20 && c != '\t' && c != '\n':
			b = append(b, "_x00"...)
			b = append(b, "0123456789ABCDEF"[c>>4], "0123456789ABCDEF"[c&15], '_')
		case c == '_' && i+7 <= len(s) && s[i+1] == 'x' && s[i+6] == '_' && hex4([]byte(s[i+2:i+6])) >= 0:
			b = append(b, "_x005F_"...)
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

// spillStore keeps strings in a temporary file: the strings back to back,
// then (at close of each append) their end offsets in a second file, both
// read through a direct-mapped page cache.
type spillStore struct {
	data, idx         *os.File
	dataW, idxW       *bufio.Writer
	dataN, idxN       int64 // bytes written
	dataF, idxF       int64 // bytes flushed
	count             int
	cache             [2]pageCache
	scratch           [8]byte
	dataName, idxName string
}

const (
	pageSize  = 16 << 10
	pageSlots = 64 // per file: 1 MB of cache
)

type pageCache struct {
	page [pageSlots]int64
	buf  [pageSlots][]byte
}

func newSpillStore(dir string, data []byte, ends []uint32) (*spillStore, error) {
	df, err := os.CreateTemp(dir, "countersign-strings-*")
	if err != nil {
		return nil, err
	}
	xf, err := os.CreateTemp(dir, "countersign-index-*")
	if err != nil {
		df.Close()
		os.Remove(df.Name())
		return nil, err
	}
	s := &spillStore{data: df, idx: xf, dataW: bufio.NewWriterSize(df, 64<<10), idxW: bufio.NewWriterSize(xf, 64<<10),
		dataName: df.Name(), idxName: xf.Name()}
	for c := range s.cache {
		for i := range s.cache[c].page {
			s.cache[c].page[i] = -1
		}
	}
	start := uint32(0)
	for _, e := range ends {
		if err := s.add(data[start:e]); err != nil {
			s.close()
			return nil, err
		}
		start = e
	}
	return s, nil
}

func (s *spillStore) add(b []byte) error {
	if _, err := s.dataW.Write(b); err != nil {
		return err
	}
	s.dataN += int64(len(b))
	binary.LittleEndian.PutUint64(s.scratch[:], uint64(s.dataN))
	if _, err := s.idxW.Write(s.scratch[:]); err != nil {
		return err
	}
	s.idxN += 8
	s.count++
	return nil
}

func (s *spillStore) appendString(dst []byte, i int) ([]byte, error) {
	if int64(i+1)*8 > s.idxF || s.dataF < s.dataN {
		if err := s.flush(); err != nil {
			return dst, err
		}
	}
	var end, start uint64
	b, err := s.read(1, s.idx, int64(i)*8, 8, s.scratch[:0])
	if err != nil {
		return dst, err
	}
	end = binary.LittleEndian.Uint64(b)
	if i > 0 {
		b, err = s.read(1, s.idx, int64(i-1)*8, 8, s.scratch[:0])
		if err != nil {
			return dst, err
		}
		start = binary.LittleEndian.Uint64(b)
	}
	return s.read(0, s.data, int64(start), int(end-start), dst)
}

func (s *spillStore) flush() error {
	if err := s.dataW.Flush(); err != nil {
		return err
	}
	if err := s.idxW.Flush(); err != nil {
		return err
	}
	// Pages that were partly written are stale in the cache.
	s.cache[0].drop(s.dataF)
	s.cache[1].drop(s.idxF)
	s.dataF, s.idxF = s.dataN, s.idxN
	return nil
}

func (c *pageCache) drop(from int64) {
	for i, p := range c.page {
		if p >= 0 && (p+1)*pageSize > from {
			c.page[i] = -1
		}
	}
}

// read appends n bytes at off of file f (cache c) to dst.
func (s *spillStore) read(c int, f *os.File, off int64, n int, dst []byte) ([]byte, error) {
	cache := &s.cache[c]
	for n > 0 {
		p := off / pageSize
		slot := p % pageSlots
		if cache.page[slot] != p {
			if cache.buf[slot] == nil {
				cache.buf[slot] = make([]byte, pageSize)
			}
			m, err := f.ReadAt(cache.buf[slot][:pageSize], p*pageSize)
			if err != nil && err != io.EOF {
				return dst, err
			}
			cache.buf[slot] = cache.buf[slot][:m]
			cache.page[slot] = p
		}
		in := int(off - p*pageSize)
		page := cache.buf[slot]
		if len(page) < pageSize {
			cache.page[slot] = -1 // a short page may grow later; do not keep it
		}
		if in >= len(page) {
			return dst, errors.New("shared strings: read past the end of the spill file at " + strconv.FormatInt(off, 10))
		}
		k := min(n, len(page)-in)
		dst = append(dst, page[in:in+k]...)
		n -= k
		off += int64(k)
	}
	return dst, nil
}

func (s *spillStore) close() error {
	err := errors.Join(s.data.Close(), s.idx.Close())
	return errors.Join(err, os.Remove(s.dataName), os.Remove(s.idxName))
}
