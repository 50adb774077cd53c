package sheet

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// book builds a workbook with excelize and returns its bytes.
func book(t testing.TB, build func(f *excelize.File)) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	build(f)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func open(t testing.TB, b []byte, opts ...Options) *Workbook {
	t.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	wb, err := Open(bytes.NewReader(b), int64(len(b)), o)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { wb.Close() })
	return wb
}

func diffBytes(t testing.TB, old, new []byte, opts ...Options) *ChangeSet {
	t.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	cs, err := Diff(context.Background(), open(t, old, o), open(t, new, o), o)
	if err != nil {
		t.Fatalf("Diff: %v", err)
	}
	return cs
}

// digest renders a change set as short lines for table tests.
func digest(cs *ChangeSet) []string {
	var out []string
	out = append(out, "summary: "+cs.Summary)
	for _, s := range cs.Sheets {
		head := fmt.Sprintf("sheet %s %s", s.Name, s.Status)
		if s.OldName != "" {
			head += " from " + s.OldName
		}
		if s.Visibility != nil {
			head += fmt.Sprintf(" visibility %s->%s", s.Visibility.Old, s.Visibility.New)
		}
		out = append(out, head)
		for _, c := range s.Cells {
			line := fmt.Sprintf("  %s %s: %s -> %s", c.Cell, c.Change, show(c.Old), show(c.New))
			if c.TypeChanged {
				line += " [type]"
			}
			if c.FormulaChanged {
				line += " [formula]"
			}
			out = append(out, line)
		}
		for _, sp := range s.RowsAdded {
			out = append(out, "  rows added "+sp.Label)
		}
		for _, sp := range s.RowsRemoved {
			out = append(out, "  rows removed "+sp.Label)
		}
		for _, sp := range s.ColsAdded {
			out = append(out, "  cols added "+sp.Label)
		}
		for _, sp := range s.ColsRemoved {
			out = append(out, "  cols removed "+sp.Label)
		}
		for _, m := range s.MergesAdded {
			out = append(out, "  merge added "+m)
		}
		for _, m := range s.MergesRemoved {
			out = append(out, "  merge removed "+m)
		}
		for _, w := range s.Warnings {
			out = append(out, "  warning: "+w)
		}
	}
	for _, n := range cs.Names {
		scope := ""
		if n.Scope != "" {
			scope = n.Scope + "!"
		}
		out = append(out, fmt.Sprintf("name %s%s %s: %q -> %q", scope, n.Name, n.Change, n.Old, n.New))
	}
	for _, d := range cs.Dependents {
		var on []string
		for _, c := range d.DependsOn {
			on = append(on, c.Sheet+"!"+c.Cell)
		}
		out = append(out, fmt.Sprintf("dep %s!%s =%s <- %s (%d)", d.Sheet, d.Cell, d.Formula, strings.Join(on, " "), d.DependsOnCount))
	}
	for _, n := range cs.Notes {
		out = append(out, "note: "+n)
	}
	return out
}

func show(v *CellValue) string {
	if v == nil {
		return "empty"
	}
	var parts []string
	if v.Type != "" {
		parts = append(parts, string(v.Type)+" "+v.Value)
	}
	if v.Display != "" {
		parts = append(parts, "("+v.Display+")")
	}
	if v.Formula != "" {
		parts = append(parts, "="+v.Formula)
	}
	if v.Uncalculated {
		parts = append(parts, "uncalculated")
	}
	return strings.Join(parts, " ")
}

// rawBook assembles an .xlsx from raw parts, for shapes excelize does not
// write (shared formulas in odd places, CDATA, prefixes, hostile content).
type rawBook struct {
	sheets   []rawSheet
	strings  []string // the shared string table, if any
	sstXML   string   // or its raw XML
	styles   string   // raw styles.xml, if any
	names    string   // raw <definedNames> content
	workbook string   // extra raw XML inside <workbook>, after <sheets>
	extra    map[string]string
}

type rawSheet struct {
	name string // "chart:Name" makes a chart sheet
	xml  string // the whole worksheet part, or only the <sheetData> content (rows)
}

const nsMain = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`

func (b rawBook) bytes(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	put := func(name, body string) {
		w, err := zw.Create(name)
		must(t, err)
		_, err = w.Write([]byte(body))
		must(t, err)
	}
	var ct, rels, sheets strings.Builder
	ct.WriteString(`<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>`)
	rels.WriteString(`<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`)
	for i, s := range b.sheets {
		typ, dir := "worksheet", "worksheets"
		if name, ok := strings.CutPrefix(s.name, "chart:"); ok {
			s.name, typ, dir = name, "chartsheet", "chartsheets"
		}
		part := fmt.Sprintf("xl/%s/sheet%d.xml", dir, i+1)
		body := s.xml
		if !strings.HasPrefix(body, "<") || strings.HasPrefix(body, "<row") || body == "" {
			body = `<?xml version="1.0" encoding="UTF-8"?><worksheet ` + nsMain + `><sheetData>` + body + `</sheetData></worksheet>`
		}
		put(part, body)
		fmt.Fprintf(&ct, `<Override PartName="/%s" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.%s+xml"/>`, part, typ)
		fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/%s" Target="%s/sheet%d.xml"/>`, i+1, typ, dir, i+1)
		fmt.Fprintf(&sheets, `<sheet name="%s" sheetId="%d" r:id="rId%d"/>`, escapeAttr(s.name), i+1, i+1)
	}
	if len(b.strings) > 0 || b.sstXML != "" {
		sst := b.sstXML
		if sst == "" {
			var sb strings.Builder
			for _, s := range b.strings {
				sb.WriteString("<si><t xml:space=\"preserve\">" + escapeAttr(s) + "</t></si>")
			}
			sst = fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">%s</sst>`, len(b.strings), len(b.strings), sb.String())
		}
		put("xl/sharedStrings.xml", sst)
		ct.WriteString(`<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>`)
		rels.WriteString(`<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>`)
	}
	if b.styles != "" {
		put("xl/styles.xml", b.styles)
		rels.WriteString(`<Relationship Id="rIdT" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>`)
	}
	for name, body := range b.extra {
		put(name, body)
	}
	ct.WriteString(`</Types>`)
	rels.WriteString(`</Relationships>`)
	put("[Content_Types].xml", ct.String())
	put("_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)
	put("xl/_rels/workbook.xml.rels", rels.String())
	names := ""
	if b.names != "" {
		names = "<definedNames>" + b.names + "</definedNames>"
	}
	put("xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook `+nsMain+`><sheets>`+sheets.String()+`</sheets>`+names+b.workbook+`</workbook>`)
	must(t, zw.Close())
	return buf.Bytes()
}

func escapeAttr(s string) string { return string(escapeText(nil, s)) }

// allCells reads every non-empty cell of every sheet as "Sheet!A1 = value
// =formula" lines, through Window.
func allCells(t testing.TB, wb *Workbook) []string {
	t.Helper()
	var out []string
	for _, s := range wb.Sheets() {
		g, err := Window(context.Background(), wb, WindowQuery{Sheet: s.Name, FirstRow: 1, Rows: MaxWindowRows, FirstCol: 1, Cols: MaxWindowCols})
		must(t, err)
		for _, c := range g.Cells {
			out = append(out, fmt.Sprintf("%s!%s = %s", s.Name, c.Cell, show(c.Value)))
		}
	}
	sort.Strings(out)
	return out
}
