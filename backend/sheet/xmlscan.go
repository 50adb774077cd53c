package sheet

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"unicode/utf8"
)

// The parts of a workbook are XML. encoding/xml allocates for every token and
// reads a 100,000-row sheet at a few dozen MB/s; xmlScanner reads the same
// bytes without allocating, keeps the raw bytes of each token (so a part can be
// copied through with a few cells replaced) and refuses what the parts never
// contain (a DOCTYPE, so no entity definitions). It decodes text and attribute
// values as encoding/xml does: the five predefined entities, character
// references, CDATA sections, and line ends normalised to "\n".

type tokKind uint8

const (
	tokNone  tokKind = iota
	tokStart         // a start tag; empty is set for <a/>, and an end token follows
	tokEnd           // an end tag (synthetic after an empty start tag)
	tokText          // character data or a CDATA section
	tokOther         // a comment, processing instruction or XML declaration
)

const (
	scanInitialBuffer = 64 << 10
	// maxTokenBytes bounds one token (a tag or one run of text). Excel keeps a
	// cell under 32,767 characters and a formula under 8,192, so real tokens
	// stay far below this.
	maxTokenBytes = 1 << 20
)

type xmlScanner struct {
	r     io.Reader
	buf   []byte
	start int // first byte of the current token in buf
	pos   int // first byte after the current token
	end   int // end of the bytes read into buf
	eof   bool
	err   error // sticky
	base  int64 // stream offset of buf[0]

	kind  tokKind
	synth bool   // the current end token was made up for an empty start tag
	name  []byte // qualified name of a start or end tag
	attrs []byte // raw attributes of a start tag
	empty bool   // the start tag was <name .../>
	text  []byte // raw text, or the inside of a CDATA section
	cdata bool

	tee *[]byte // when set, the raw bytes of each token are appended here

	// The open elements, to check that each end tag closes the element
	// last opened: the names back to back, and where each starts.
	names  []byte
	starts []int
}

// maxDepth bounds element nesting; spreadsheet parts nest a few levels.
const maxDepth = 256

func newScanner(r io.Reader) *xmlScanner {
	return &xmlScanner{r: r, buf: make([]byte, scanInitialBuffer)}
}

func newBytesScanner(b []byte) *xmlScanner {
	return &xmlScanner{buf: b, end: len(b), eof: true}
}

// reset points the scanner at a new input, keeping its buffer.
func (s *xmlScanner) reset(r io.Reader) {
	buf := s.buf
	if cap(buf) > scanInitialBuffer*4 || len(buf) == 0 {
		buf = make([]byte, scanInitialBuffer)
	}
	*s = xmlScanner{r: r, buf: buf[:cap(buf)], names: s.names[:0], starts: s.starts[:0]}
}

// offset is the stream offset of the current token.
func (s *xmlScanner) offset() int64 { return s.base + int64(s.start) }

// raw is the current token's bytes as they appear in the input (nil for a
// synthetic end token). It is valid until the next call to next.
func (s *xmlScanner) raw() []byte {
	if s.synth {
		return nil
	}
	return s.buf[s.start:s.pos]
}

// local is the current tag's name without its namespace prefix.
func (s *xmlScanner) local() []byte { return localName(s.name) }

func localName(q []byte) []byte {
	if i := bytes.LastIndexByte(q, ':'); i >= 0 {
		return q[i+1:]
	}
	return q
}

// isStart reports whether the current token starts an element named local.
func (s *xmlScanner) isStart(local string) bool {
	return s.kind == tokStart && string(localName(s.name)) == local
}

// isEnd reports whether the current token ends an element named local.
func (s *xmlScanner) isEnd(local string) bool {
	return s.kind == tokEnd && string(localName(s.name)) == local
}

// more reads more input, moving the current token to the front of the buffer
// and growing it up to maxTokenBytes. It reports false at the end of input.
func (s *xmlScanner) more() (bool, error) {
	if s.eof {
		return false, nil
	}
	if s.start > 0 {
		n := copy(s.buf, s.buf[s.start:s.end])
		s.base += int64(s.start)
		s.pos -= s.start
		s.end = n
		s.start = 0
	}
	if s.end == len(s.buf) {
		if len(s.buf) >= maxTokenBytes {
			return false, &TooLargeError{What: "one XML token of the workbook", Limit: maxTokenBytes, Unit: "bytes"}
		}
		nb := make([]byte, min(2*len(s.buf), maxTokenBytes))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for tries := 0; ; tries++ {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if err == io.EOF {
			s.eof = true
			return n > 0, nil
		}
		if err != nil {
			return false, err
		}
		if n > 0 {
			return true, nil
		}
		if tries > 100 {
			return false, io.ErrNoProgress
		}
	}
}

// next moves to the next token. It returns io.EOF at the end of input.
func (s *xmlScanner) next() error {
	if s.err != nil {
		return s.err
	}
	if s.kind == tokStart && s.empty {
		s.kind, s.synth, s.attrs, s.empty = tokEnd, true, nil, false
		s.start = s.pos
		s.pop()
		return nil
	}
	s.synth, s.empty, s.cdata = false, false, false
	s.start = s.pos
	if s.pos >= s.end {
		ok, err := s.more()
		if err != nil {
			return s.fail(err)
		}
		if !ok {
			if len(s.starts) > 0 {
				return s.fail(damaged("an XML part ends early"))
			}
			s.kind = tokNone
			s.err = io.EOF
			return io.EOF
		}
	}
	var err error
	if s.buf[s.pos] != '<' {
		err = s.scanText()
	} else {
		err = s.scanMarkup()
	}
	if err != nil {
		return s.fail(err)
	}
	switch s.kind {
	case tokStart:
		if len(s.starts) >= maxDepth {
			return s.fail(damaged("XML elements nest more than %d deep", maxDepth))
		}
		s.starts = append(s.starts, len(s.names))
		s.names = append(s.names, s.name...)
	case tokEnd:
		if n := len(s.starts); n == 0 || !bytes.Equal(s.names[s.starts[n-1]:], s.name) {
			return s.fail(damaged("the XML end tag </%s> does not close the element open there", clip(string(s.name))))
		}
		s.pop()
	}
	if s.tee != nil {
		*s.tee = append(*s.tee, s.buf[s.start:s.pos]...)
	}
	return nil
}

func (s *xmlScanner) pop() {
	n := len(s.starts) - 1
	s.names = s.names[:s.starts[n]]
	s.starts = s.starts[:n]
}

func (s *xmlScanner) fail(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		err = damaged("an XML part ends early")
	}
	s.err = err
	s.kind = tokNone
	return err
}

func (s *xmlScanner) scanText() error {
	off := s.pos - s.start
	for {
		if i := bytes.IndexByte(s.buf[s.start+off:s.end], '<'); i >= 0 {
			s.pos = s.start + off + i
			break
		}
		off = s.end - s.start
		ok, err := s.more()
		if err != nil {
			return err
		}
		if !ok {
			s.pos = s.end
			break
		}
	}
	s.kind = tokText
	s.text = s.buf[s.start:s.pos]
	return nil
}

// find returns the offset from s.start of the first term at or after off.
func (s *xmlScanner) find(off int, term string) (int, error) {
	for {
		if i := bytes.Index(s.buf[s.start+off:s.end], []byte(term)); i >= 0 {
			return off + i, nil
		}
		if n := s.end - s.start - len(term) + 1; n > off {
			off = n
		}
		ok, err := s.more()
		if err != nil {
			return 0, err
		}
		if !ok {
			return 0, io.ErrUnexpectedEOF
		}
	}
}

// findByte returns the offset from s.start of the first c at or after off.
func (s *xmlScanner) findByte(off int, c byte) (int, error) {
	for {
		if i := bytes.IndexByte(s.buf[s.start+off:s.end], c); i >= 0 {
			return off + i, nil
		}
		off = s.end - s.start
		ok, err := s.more()
		if err != nil {
			return 0, err
		}
		if !ok {
			return 0, io.ErrUnexpectedEOF
		}
	}
}

// have makes n bytes from s.start available, or reports false at the end.
func (s *xmlScanner) have(n int) (bool, error) {
	for s.end-s.start < n {
		ok, err := s.more()
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

func (s *xmlScanner) hasPrefix(p string) (bool, error) {
	ok, err := s.have(len(p))
	if err != nil || !ok {
		return false, err
	}
	return string(s.buf[s.start:s.start+len(p)]) == p, nil
}

func (s *xmlScanner) scanMarkup() error {
	if ok, err := s.have(2); err != nil {
		return err
	} else if !ok {
		return io.ErrUnexpectedEOF
	}
	switch s.buf[s.start+1] {
	case '/':
		i, err := s.findByte(2, '>')
		if err != nil {
			return err
		}
		s.kind = tokEnd
		name := s.buf[s.start+2 : s.start+i]
		for len(name) > 0 && isSpace(name[len(name)-1]) {
			name = name[:len(name)-1]
		}
		s.name = name
		s.pos = s.start + i + 1
		if len(s.name) == 0 {
			return damaged("an XML end tag has no name")
		}
		return nil
	case '?':
		i, err := s.find(2, "?>")
		if err != nil {
			return err
		}
		s.kind = tokOther
		s.pos = s.start + i + 2
		return nil
	case '!':
		if ok, err := s.hasPrefix("<!--"); err != nil {
			return err
		} else if ok {
			i, err := s.find(4, "-->")
			if err != nil {
				return err
			}
			s.kind = tokOther
			s.pos = s.start + i + 3
			return nil
		}
		if ok, err := s.hasPrefix("<![CDATA["); err != nil {
			return err
		} else if ok {
			i, err := s.find(9, "]]>")
			if err != nil {
				return err
			}
			s.kind, s.cdata = tokText, true
			s.text = s.buf[s.start+9 : s.start+i]
			s.pos = s.start + i + 3
			return nil
		}
		return unsupported("the workbook's XML holds a DOCTYPE or other declaration, which spreadsheets never contain")
	}
	// A start tag: find its '>' outside quoted attribute values.
	off, quote := 1, byte(0)
	for {
		b := s.buf[s.start:s.end]
		for ; off < len(b); off++ {
			c := b[off]
			if quote != 0 {
				if c == quote {
					quote = 0
				}
				continue
			}
			switch c {
			case '"', '\'':
				quote = c
			case '<':
				return damaged("'<' inside an XML tag")
			case '>':
				goto found
			}
		}
		if ok, err := s.more(); err != nil {
			return err
		} else if !ok {
			return io.ErrUnexpectedEOF
		}
	}
found:
	tag := s.buf[s.start+1 : s.start+off]
	s.pos = s.start + off + 1
	if n := len(tag); n > 0 && tag[n-1] == '/' {
		s.empty = true
		tag = tag[:n-1]
	}
	n := 0
	for n < len(tag) && !isSpace(tag[n]) {
		n++
	}
	if n == 0 {
		return damaged("an XML start tag has no name")
	}
	s.kind = tokStart
	s.name, s.attrs = tag[:n], tag[n:]
	return nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// attr returns the raw (undecoded) value of the attribute with the given local
// name in the current start tag.
func (s *xmlScanner) attr(local string) ([]byte, bool) { return attrRaw(s.attrs, local) }

// nextAttr reads the attribute at attrs[i:], returning its qualified name,
// raw value and where the next one starts; ok is false at the end.
func nextAttr(attrs []byte, i int) (name, value []byte, next int, ok bool) {
	for i < len(attrs) && isSpace(attrs[i]) {
		i++
	}
	ns := i
	for i < len(attrs) && attrs[i] != '=' && !isSpace(attrs[i]) {
		i++
	}
	name = attrs[ns:i]
	for i < len(attrs) && isSpace(attrs[i]) {
		i++
	}
	if i >= len(attrs) || attrs[i] != '=' {
		return nil, nil, len(attrs), false
	}
	i++
	for i < len(attrs) && isSpace(attrs[i]) {
		i++
	}
	if i >= len(attrs) || (attrs[i] != '"' && attrs[i] != '\'') {
		return nil, nil, len(attrs), false
	}
	q := attrs[i]
	i++
	j := bytes.IndexByte(attrs[i:], q)
	if j < 0 {
		return nil, nil, len(attrs), false
	}
	return name, attrs[i : i+j], i + j + 1, true
}

func attrRaw(attrs []byte, local string) ([]byte, bool) {
	for i := 0; ; {
		name, value, next, ok := nextAttr(attrs, i)
		if !ok {
			return nil, false
		}
		if string(localName(name)) == local {
			return value, true
		}
		i = next
	}
}

// attrString returns the decoded value of an attribute.
func (s *xmlScanner) attrString(local string) (string, bool, error) {
	raw, ok := s.attr(local)
	if !ok {
		return "", false, nil
	}
	b, err := decodeText(nil, raw, false)
	return string(b), true, err
}

// attrInt parses an attribute holding a decimal integer; ok is false when the
// attribute is missing.
func (s *xmlScanner) attrInt(local string) (n int, ok bool, err error) {
	raw, ok := s.attr(local)
	if !ok {
		return 0, false, nil
	}
	n, err = atoi(bytes.TrimSpace(raw))
	if err != nil {
		return 0, true, damaged("attribute %s=%q is not a number", local, clip(string(raw)))
	}
	return n, true, nil
}

var errNotInt = errors.New("not an integer")

// atoi parses a small non-negative or negative decimal without allocating.
func atoi(b []byte) (int, error) {
	if len(b) == 0 || len(b) > 10 {
		return 0, errNotInt
	}
	neg := false
	if b[0] == '-' {
		neg, b = true, b[1:]
		if len(b) == 0 {
			return 0, errNotInt
		}
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, errNotInt
		}
		n = n*10 + int(c-'0')
	}
	if neg {
		n = -n
	}
	return n, nil
}

// decodeText appends raw XML character data to dst with entities and
// character references decoded and line ends normalised. cdata skips entity
// decoding. It refuses characters XML does not allow.
func decodeText(dst, raw []byte, cdata bool) ([]byte, error) {
	// Fast path: printable ASCII without entities or carriage returns.
	i := 0
	for i < len(raw) {
		c := raw[i]
		if c < 0x20 || c >= utf8.RuneSelf || c == '&' {
			break
		}
		i++
	}
	if i == len(raw) {
		return append(dst, raw...), nil
	}
	if !validXMLChars(raw[i:]) {
		return dst, damaged("text that is not valid UTF-8 XML")
	}
	for len(raw) > 0 {
		i := 0
		for i < len(raw) && raw[i] != '\r' && (cdata || raw[i] != '&') {
			i++
		}
		if i == len(raw) {
			return append(dst, raw...), nil
		}
		dst = append(dst, raw[:i]...)
		if raw[i] == '\r' {
			dst = append(dst, '\n')
			raw = raw[i+1:]
			if len(raw) > 0 && raw[0] == '\n' {
				raw = raw[1:]
			}
			continue
		}
		j := bytes.IndexByte(raw[i:], ';')
		if j < 2 || j > 12 {
			return dst, damaged("an unterminated XML entity")
		}
		ent := raw[i+1 : i+j]
		raw = raw[i+j+1:]
		switch string(ent) {
		case "lt":
			dst = append(dst, '<')
		case "gt":
			dst = append(dst, '>')
		case "amp":
			dst = append(dst, '&')
		case "quot":
			dst = append(dst, '"')
		case "apos":
			dst = append(dst, '\'')
		default:
			if ent[0] != '#' {
				return dst, damaged("the unknown XML entity &%s;", clip(string(ent)))
			}
			var n uint64
			var err error
			if len(ent) > 1 && ent[1] == 'x' {
				n, err = strconv.ParseUint(string(ent[2:]), 16, 32)
			} else {
				n, err = strconv.ParseUint(string(ent[1:]), 10, 32)
			}
			if err != nil || !isXMLChar(rune(n)) {
				return dst, damaged("the character reference &%s; is not allowed in XML", clip(string(ent)))
			}
			dst = utf8.AppendRune(dst, rune(n))
		}
	}
	return dst, nil
}

// validXMLChars reports whether b is UTF-8 made only of characters XML 1.0
// allows.
func validXMLChars(b []byte) bool {
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 || !isXMLChar(r) {
			return false
		}
		i += n
	}
	return true
}

func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// nextInside is next inside an element, where the end of input means the
// part was cut off.
func (s *xmlScanner) nextInside() error {
	err := s.next()
	if err == io.EOF {
		s.err = damaged("an XML part ends early")
		return s.err
	}
	return err
}

// skipElement skips to the end of the element whose start tag is current.
func (s *xmlScanner) skipElement() error {
	depth := 1
	for depth > 0 {
		if err := s.nextInside(); err != nil {
			return err
		}
		switch s.kind {
		case tokStart:
			depth++
		case tokEnd:
			depth--
		}
	}
	return nil
}

// clip shortens s for an error message.
func clip(s string) string {
	if len(s) <= 40 {
		return s
	}
	i := 40
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

// escapeText appends s to dst escaped for XML character data or a
// double-quoted attribute value.
func escapeText(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '<':
			dst = append(dst, "&lt;"...)
		case '>':
			dst = append(dst, "&gt;"...)
		case '&':
			dst = append(dst, "&amp;"...)
		case '"':
			dst = append(dst, "&quot;"...)
		case '\r':
			dst = append(dst, "&#13;"...)
		case '\t':
			dst = append(dst, "&#9;"...)
		case '\n':
			dst = append(dst, "&#10;"...)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}
