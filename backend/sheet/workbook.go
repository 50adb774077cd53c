package sheet

import (
	"errors"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/xuri/excelize/v2"
)

// Workbook is an opened .xlsx: its sheet list, defined names and styles are
// read; cells are read on demand, streaming. Methods and the functions that
// take a Workbook serialise on it, so it is safe for concurrent use.
type Workbook struct {
	mu       sync.Mutex
	r        io.ReaderAt
	closer   io.Closer
	pkg      *zipPackage
	opts     Options
	part     string // the workbook part, e.g. "xl/workbook.xml"
	sheets   []*sheetInfo
	names    []definedName
	date1904 bool
	styles   styleTable
	sstPart  string
	sst      *sharedStrings
	calcPart string // the calculation chain part, if any
	// rowsRead counts rows parsed, for tests of how far reads go.
	rowsRead atomic.Int64
}

// SheetInfo describes one sheet of a workbook.
type SheetInfo struct {
	Name       string `json:"name"`
	Kind       string `json:"kind"`       // "worksheet", "chartsheet", "dialogsheet" or "macrosheet"
	Visibility string `json:"visibility"` // "visible", "hidden" or "veryHidden"
}

type sheetInfo struct {
	SheetInfo
	index   int
	sheetID int
	part    string // "" when the relationship points nowhere
}

type definedName struct {
	name  string
	scope int // sheet index, -1 for the workbook
	value string
	tmpl  *formulaTemplate
	err   error
	once  bool
}

// Open reads the directory and workbook parts of the .xlsx in r. Cells are
// read later, by the functions that take the Workbook. Close releases the
// temporary files Open or later reads may create.
func Open(r io.ReaderAt, size int64, opts Options) (*Workbook, error) {
	o := opts.withDefaults()
	pkg, err := openPackage(r, size, &o)
	if err != nil {
		return nil, err
	}
	wb := &Workbook{r: r, pkg: pkg, opts: o}
	if err := wb.readStructure(); err != nil {
		return nil, err
	}
	return wb, nil
}

// OpenFile opens the .xlsx file at name; Close closes it.
func OpenFile(name string, opts Options) (*Workbook, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	wb, err := Open(f, fi.Size(), opts)
	if err != nil {
		f.Close()
		return nil, err
	}
	wb.closer = f
	return wb, nil
}

// Close removes temporary files and closes the file OpenFile opened.
func (wb *Workbook) Close() error {
	wb.mu.Lock()
	defer wb.mu.Unlock()
	var err error
	if wb.sst != nil {
		err = wb.sst.close()
		wb.sst = nil
	}
	if wb.closer != nil {
		err = errors.Join(err, wb.closer.Close())
		wb.closer = nil
	}
	return err
}

// Sheets lists the workbook's sheets in order.
func (wb *Workbook) Sheets() []SheetInfo {
	out := make([]SheetInfo, len(wb.sheets))
	for i, s := range wb.sheets {
		out[i] = s.SheetInfo
	}
	return out
}

const maxSmallPart = 16 << 20 // workbook.xml, relationships, content types

func (wb *Workbook) readStructure() error {
	wb.part = "xl/workbook.xml"
	if b, err := wb.pkg.readSmall("_rels/.rels", maxSmallPart); err == nil {
		rels, err := parseRels(b, "")
		if err != nil {
			return err
		}
		for _, r := range rels {
			if strings.HasSuffix(r.typ, "/officeDocument") {
				wb.part = r.target
				break
			}
		}
	} else if !errors.Is(err, errNoPart) {
		return err
	}
	if strings.HasSuffix(strings.ToLower(wb.part), ".bin") {
		return unsupported("this is a binary workbook (.xlsb); Countersign can preview .xlsx and .csv")
	}
	if wb.pkg.files[normPart(wb.part)] == nil {
		return unsupported("this zip archive has no workbook part; Countersign can preview .xlsx and .csv")
	}
	relsPart := relsPartOf(wb.part)
	byID := map[string]rel{}
	if b, err := wb.pkg.readSmall(relsPart, maxSmallPart); err == nil {
		rels, err := parseRels(b, wb.part)
		if err != nil {
			return err
		}
		for _, r := range rels {
			byID[r.id] = r
			switch {
			case strings.HasSuffix(r.typ, "/sharedStrings"):
				wb.sstPart = r.target
			case strings.HasSuffix(r.typ, "/styles"):
				if err := wb.readStyles(r.target); err != nil {
					return err
				}
			case strings.HasSuffix(r.typ, "/calcChain"):
				wb.calcPart = r.target
			}
		}
	} else if !errors.Is(err, errNoPart) {
		return err
	}
	b, err := wb.pkg.readSmall(wb.part, maxSmallPart)
	if err != nil {
		return err
	}
	return wb.parseWorkbook(b, byID)
}

func relsPartOf(part string) string {
	i := strings.LastIndexByte(part, '/')
	return part[:i+1] + "_rels/" + part[i+1:] + ".rels"
}

type rel struct {
	id, typ, target string
	external        bool
	start, end      int64 // byte span of the element, for patching
}

func parseRels(b []byte, source string) ([]rel, error) {
	s := newBytesScanner(b)
	var out []rel
	for {
		err := s.next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if !s.isStart("Relationship") {
			continue
		}
		var r rel
		r.start = s.offset()
		var e1, e2, e3, e4 error
		r.id, _, e1 = s.attrString("Id")
		r.typ, _, e2 = s.attrString("Type")
		r.target, _, e3 = s.attrString("Target")
		mode, _, e4 := s.attrString("TargetMode")
		if err := errors.Join(e1, e2, e3, e4); err != nil {
			return nil, err
		}
		r.external = mode == "External"
		if !r.external {
			r.target = resolveTarget(source, r.target)
		}
		if err := s.skipElement(); err != nil {
			return nil, err
		}
		r.end = s.offset() + int64(len(s.raw()))
		out = append(out, r)
	}
}

func (wb *Workbook) parseWorkbook(b []byte, rels map[string]rel) error {
	s := newBytesScanner(b)
	var name *definedName
	var text []byte
	for {
		err := s.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		switch s.kind {
		case tokStart:
			switch string(s.local()) {
			case "workbookPr":
				v, _, err := s.attrString("date1904")
				if err != nil {
					return err
				}
				wb.date1904 = v == "1" || v == "true"
			case "sheet":
				info, err := wb.sheetFromTag(s, rels)
				if err != nil {
					return err
				}
				wb.sheets = append(wb.sheets, info)
			case "definedName":
				n, _, err := s.attrString("name")
				if err != nil {
					return err
				}
				scope := -1
				if v, ok, err := s.attrInt("localSheetId"); err != nil {
					return err
				} else if ok {
					scope = v
				}
				name, text = &definedName{name: n, scope: scope}, text[:0]
			}
		case tokText:
			if name != nil {
				if text, err = decodeText(text, s.text, s.cdata); err != nil {
					return err
				}
			}
		case tokEnd:
			if name != nil && string(s.local()) == "definedName" {
				name.value = string(text)
				wb.names = append(wb.names, *name)
				name = nil
			}
		}
	}
	if len(wb.sheets) == 0 {
		return damaged("the workbook lists no sheets")
	}
	seen := map[string]bool{}
	for _, sh := range wb.sheets {
		k := strings.ToUpper(sh.Name)
		if seen[k] {
			return damaged("two sheets are named %q", clip(sh.Name))
		}
		seen[k] = true
	}
	return nil
}

func (wb *Workbook) sheetFromTag(s *xmlScanner, rels map[string]rel) (*sheetInfo, error) {
	name, _, err := s.attrString("name")
	if err != nil {
		return nil, err
	}
	if name == "" {
		return nil, damaged("a sheet has no name")
	}
	id, _, err := s.attrInt("sheetId")
	if err != nil {
		return nil, err
	}
	state, _, err := s.attrString("state")
	if err != nil {
		return nil, err
	}
	if state == "" {
		state = "visible"
	}
	rid, _, err := s.attrString("id") // r:id
	if err != nil {
		return nil, err
	}
	info := &sheetInfo{SheetInfo: SheetInfo{Name: name, Kind: "worksheet", Visibility: state}, index: len(wb.sheets), sheetID: id}
	if r, ok := rels[rid]; ok && !r.external {
		info.part = r.target
		switch {
		case strings.HasSuffix(r.typ, "/chartsheet"):
			info.Kind = "chartsheet"
		case strings.HasSuffix(r.typ, "/dialogsheet"):
			info.Kind = "dialogsheet"
		case strings.HasSuffix(r.typ, "/xlMacrosheet"), strings.HasSuffix(r.typ, "/xlIntlMacrosheet"):
			info.Kind = "macrosheet"
		}
	}
	return info, nil
}

// sheet finds a sheet by name, exactly or else ignoring case as Excel does.
func (wb *Workbook) sheet(name string) *sheetInfo {
	for _, s := range wb.sheets {
		if s.Name == name {
			return s
		}
	}
	for _, s := range wb.sheets {
		if strings.EqualFold(s.Name, name) {
			return s
		}
	}
	return nil
}

// strings returns the workbook's shared string table, opening it on first
// use. Callers hold wb.mu.
func (wb *Workbook) strings() *sharedStrings {
	if wb.sst == nil {
		// Two workbooks are compared at once: each keeps half the budget.
		wb.sst = newSharedStrings(wb.pkg, wb.sstPart, max(wb.opts.MemoryBytes/2, 1), wb.opts.TempDir)
	}
	return wb.sst
}

// Dates.

type dateKind uint8

const (
	notDate dateKind = iota
	dateOnly
	timeOnly
	dateTime
)

// styleTable maps a cell's style index to whether its number format shows a
// date or time.
type styleTable struct {
	dates []dateKind
}

func (t *styleTable) dateKind(style int32) dateKind {
	if style < 0 || int(style) >= len(t.dates) {
		return notDate
	}
	return t.dates[style]
}

const maxStyles = 1 << 17

func (wb *Workbook) readStyles(part string) error {
	rc, err := wb.pkg.open(part)
	if errors.Is(err, errNoPart) {
		return nil
	}
	if err != nil {
		return err
	}
	defer rc.Close()
	s := newScanner(rc)
	custom := map[int]string{}
	var xfNumFmt []int
	depth, xfDepth := 0, -1
	for {
		err := s.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		switch s.kind {
		case tokStart:
			depth++
			switch string(s.local()) {
			case "numFmt":
				id, _, err := s.attrInt("numFmtId")
				if err != nil {
					return err
				}
				code, _, err := s.attrString("formatCode")
				if err != nil {
					return err
				}
				if len(custom) < maxStyles {
					custom[id] = code
				}
			case "cellXfs":
				xfDepth = depth
			case "xf":
				if xfDepth >= 0 && depth == xfDepth+1 {
					if len(xfNumFmt) >= maxStyles {
						return &TooLargeError{What: "the workbook's style table", Limit: maxStyles, Unit: "entries"}
					}
					id, _, err := s.attrInt("numFmtId")
					if err != nil {
						return err
					}
					xfNumFmt = append(xfNumFmt, id)
				}
			}
		case tokEnd:
			if string(s.local()) == "cellXfs" {
				xfDepth = -1
			}
			depth--
		}
	}
	wb.styles.dates = make([]dateKind, len(xfNumFmt))
	for i, id := range xfNumFmt {
		if code, ok := custom[id]; ok {
			wb.styles.dates[i] = formatDateKind(code)
		} else {
			wb.styles.dates[i] = builtinDateKind(id)
		}
	}
	return nil
}

func builtinDateKind(id int) dateKind {
	switch {
	case id >= 14 && id <= 17, id >= 27 && id <= 31, id >= 34 && id <= 36, id >= 50 && id <= 58:
		return dateOnly
	case id >= 18 && id <= 21, id == 32, id == 33, id == 45, id == 47:
		return timeOnly
	case id == 22:
		return dateTime
	}
	return notDate
}

// formatDateKind reads a number format code the way Excel decides whether it
// shows a date: date or time letters outside quotes, escapes and brackets, in
// the first section. Elapsed-time formats ([h]:mm) show durations, not dates.
func formatDateKind(code string) dateKind {
	if i := indexUnquoted(code, ';'); i >= 0 {
		code = code[:i]
	}
	for rest := code; ; {
		i := strings.IndexByte(rest, '[')
		if i < 0 {
			break
		}
		j := strings.IndexByte(rest[i:], ']')
		if j < 0 {
			break
		}
		if inner := strings.ToLower(rest[i+1 : i+j]); inner != "" && strings.Trim(inner, "hms") == "" {
			return notDate
		}
		rest = rest[i+j:]
	}
	lower := strings.ToLower(stripFormatLiterals(code))
	lower = strings.NewReplacer("am/pm", "", "a/p", "").Replace(lower)
	if strings.Contains(lower, "e+") || strings.Contains(lower, "e-") {
		return notDate
	}
	date := strings.ContainsAny(lower, "yd") || monthOutsideTime(lower)
	clock := strings.ContainsAny(lower, "hs")
	switch {
	case date && clock:
		return dateTime
	case date:
		return dateOnly
	case clock:
		return timeOnly
	}
	return notDate
}

func indexUnquoted(s string, c byte) int {
	q := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			q = !q
		case '\\':
			i++
		case c:
			if !q {
				return i
			}
		}
	}
	return -1
}

func stripFormatLiterals(code string) string {
	var b strings.Builder
	for i := 0; i < len(code); i++ {
		switch c := code[i]; c {
		case '"':
			j := strings.IndexByte(code[i+1:], '"')
			if j < 0 {
				return b.String()
			}
			i += j + 1
		case '\\', '_', '*':
			i++
		case '[':
			j := strings.IndexByte(code[i:], ']')
			if j < 0 {
				return b.String()
			}
			i += j
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// monthOutsideTime reports an "m" that is a month: not right after an "h" nor
// right before an "s" (ignoring separators).
func monthOutsideTime(code string) bool {
	letters := []byte{}
	for i := 0; i < len(code); i++ {
		if c := code[i]; c >= 'a' && c <= 'z' {
			if len(letters) == 0 || letters[len(letters)-1] != c {
				letters = append(letters, c)
			}
		}
	}
	for i, c := range letters {
		if c != 'm' {
			continue
		}
		prevH := i > 0 && letters[i-1] == 'h'
		nextS := i+1 < len(letters) && letters[i+1] == 's'
		if !prevH && !nextS {
			return true
		}
	}
	return false
}

// displayDate renders a serial date number as ISO 8601, or "" when it has no
// date reading.
func displayDate(v string, kind dateKind, date1904 bool) string {
	f, ok := parseNumber(v)
	if !ok || f < 0 || f > 2958465 { // 9999-12-31
		return ""
	}
	t, err := excelize.ExcelDateToTime(f, date1904)
	if err != nil {
		return ""
	}
	t = t.Round(time.Second)
	switch kind {
	case dateOnly:
		return t.Format("2006-01-02")
	case timeOnly:
		return t.Format("15:04:05")
	case dateTime:
		return t.Format("2006-01-02 15:04:05")
	}
	return ""
}
