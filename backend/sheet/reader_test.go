package sheet

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

// TestReaderMatchesExcelize reads workbooks excelize wrote, cell by cell,
// and compares every value and formula with what excelize reads.
func TestReaderMatchesExcelize(t *testing.T) {
	regular := book(t, func(f *excelize.File) {
		date, _ := f.NewStyle(&excelize.Style{NumFmt: 22})
		f.SetCellValue("Sheet1", "A1", 42)
		f.SetCellValue("Sheet1", "B1", -3.25)
		f.SetCellValue("Sheet1", "C1", 1e-7)
		f.SetCellValue("Sheet1", "D1", "plain text")
		f.SetCellValue("Sheet1", "E1", "  spaces kept  ")
		f.SetCellValue("Sheet1", "F1", "ünïcödé ✓ 😀")
		f.SetCellValue("Sheet1", "G1", "line\nbreak\ttab")
		f.SetCellValue("Sheet1", "H1", true)
		f.SetCellValue("Sheet1", "I1", false)
		f.SetCellValue("Sheet1", "J1", 45000.5)
		f.SetCellStyle("Sheet1", "J1", "J1", date)
		f.SetCellValue("Sheet1", "K1", "<&>\"'")
		f.SetCellValue("Sheet1", "L1", "_x0041_ stays")
		f.SetCellRichText("Sheet1", "A2", []excelize.RichTextRun{{Text: "bold "}, {Text: "and not"}})
		f.SetCellFormula("Sheet1", "B2", "SUM(A1:C1)")
		typ, ref := "shared", "C2:C9"
		f.SetCellFormula("Sheet1", "C2", "A2&B$2", excelize.FormulaOpts{Type: &typ, Ref: &ref})
		f.SetCellValue("Sheet1", "D12", "after a gap")
		f.MergeCell("Sheet1", "E12", "F13")
		f.NewSheet("Other")
		for c := 1; c <= 500; c += 7 {
			cell, _ := excelize.CoordinatesToCellName(c, 3)
			f.SetCellValue("Other", cell, c)
		}
	})
	streamed := func() []byte {
		f := excelize.NewFile()
		defer f.Close()
		sw, err := f.NewStreamWriter("Sheet1")
		must(t, err)
		for r := 1; r <= 50; r++ {
			cell, _ := excelize.CoordinatesToCellName(1, r)
			must(t, sw.SetRow(cell, []any{r, fmt.Sprintf("inline %d", r), float64(r) / 3, excelize.Cell{Formula: fmt.Sprintf("A%d*2", r), Value: r * 2}, r%2 == 0}))
		}
		must(t, sw.Flush())
		var buf bytes.Buffer
		must(t, f.Write(&buf))
		return buf.Bytes()
	}()
	for name, b := range map[string][]byte{"regular": regular, "streamed": streamed} {
		t.Run(name, func(t *testing.T) {
			x, err := excelize.OpenReader(bytes.NewReader(b), excelize.Options{RawCellValue: true})
			must(t, err)
			defer x.Close()
			wb := open(t, b)
			for _, s := range wb.Sheets() {
				g, err := Window(context.Background(), wb, WindowQuery{Sheet: s.Name, FirstRow: 1, Rows: 100, FirstCol: 1, Cols: 600})
				must(t, err)
				var got, want []string
				for _, c := range g.Cells {
					v := c.Value.Value
					if c.Value.Type == TypeBool {
						v = map[string]string{"TRUE": "1", "FALSE": "0"}[v]
					}
					got = append(got, fmt.Sprintf("%s %q =%s", c.Cell, v, c.Value.Formula))
				}
				rows, err := x.GetRows(s.Name, excelize.Options{RawCellValue: true})
				must(t, err)
				for r, row := range rows {
					for c := range row {
						cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
						formula, err := x.GetCellFormula(s.Name, cell)
						must(t, err)
						if row[c] == "" && formula == "" {
							continue
						}
						want = append(want, fmt.Sprintf("%s %q =%s", cell, row[c], formula))
					}
				}
				if d := cmp.Diff(got, want); d != "" {
					t.Errorf("sheet %s (-got +want):\n%s", s.Name, d)
				}
			}
		})
	}
}

// TestReaderShapes reads XML that other writers produce.
func TestReaderShapes(t *testing.T) {
	tests := []struct {
		name string
		book rawBook
		want []string
	}{
		{
			name: "entities, CDATA, character references and line ends",
			book: rawBook{sheets: []rawSheet{{"S", "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos; &#65;&#x42;</t></is></c>" +
				"<c r=\"B1\" t=\"inlineStr\"><is><t><![CDATA[<raw> & stuff]]></t></is></c>" +
				"<c r=\"C1\" t=\"inlineStr\"><is><t>one\r\ntwo\rthree&#13;</t></is></c></row>"}}},
			want: []string{"S!A1 = string a <b> & \"c\" 'd' AB", "S!B1 = string <raw> & stuff", "S!C1 = string one\ntwo\nthree\r"},
		},
		{
			name: "rich text, phonetic runs and OOXML escapes",
			book: rawBook{
				sheets: []rawSheet{{"S", `<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="inlineStr"><is><r><t>x</t></r><rPh><t>ignored</t></rPh><r><t>y</t></r></is></c></row>`}},
				sstXML: `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><r><rPr><b/></rPr><t>東京</t></r><r><t xml:space="preserve"> 都</t></r><rPh sb="0" eb="2"><t>トウキョウ</t></rPh><phoneticPr fontId="1"/></si>` +
					`<si><t>a_x000D_b_x005F_x0041_c_xD83D__xDE00_</t></si></sst>`,
			},
			want: []string{"S!A1 = string 東京 都", "S!B1 = string a\rb_x0041_c😀", "S!C1 = string xy"},
		},
		{
			name: "a namespace prefix, ISO dates, errors and formula results",
			book: rawBook{sheets: []rawSheet{{"S", `<?xml version="1.0"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>` +
				`<x:row r="2"><x:c r="A2" t="d"><x:v>2024-03-15T00:00:00</x:v></x:c><x:c r="B2" t="e"><x:v>#N/A</x:v></x:c><x:c r="C2" t="str"><x:f>"a"&amp;"b"</x:f><x:v>ab</x:v></x:c><x:c r="D2" t="b"><x:f>1=1</x:f><x:v>1</x:v></x:c></x:row>` +
				`</x:sheetData></x:worksheet>`}}},
			want: []string{"S!A2 = date 2024-03-15T00:00:00", "S!B2 = error #N/A", "S!C2 = string ab =\"a\"&\"b\"", "S!D2 = bool TRUE =1=1"},
		},
		{
			name: "shared formulas with sheet names and out of the grid",
			book: rawBook{sheets: []rawSheet{{"S", `<row r="1"><c r="A1"><f t="shared" ref="A1:B2" si="3">Other!A1+'My S'!$B1+A1048576</f></c><c r="B1"><f t="shared" si="3"/></c></row>` +
				`<row r="2"><c r="A2"><f t="shared" si="3"/></c><c r="B2"><f t="shared" si="3"/></c></row>`}}},
			want: []string{"S!A1 = =Other!A1+'My S'!$B1+A1048576 uncalculated", "S!A2 = =Other!A2+'My S'!$B2+#REF! uncalculated",
				"S!B1 = =Other!B1+'My S'!$B1+B1048576 uncalculated", "S!B2 = =Other!B2+'My S'!$B2+#REF! uncalculated"},
		},
		{
			name: "dates by number format",
			book: rawBook{
				sheets: []rawSheet{{"S", `<row r="1"><c r="A1" s="1"><v>45366</v></c><c r="B1" s="2"><v>0.75</v></c><c r="C1" s="3"><v>45366.5</v></c><c r="D1" s="4"><v>1.5</v></c><c r="E1" s="5"><v>3</v></c></row>`}},
				styles: `<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="3"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/><numFmt numFmtId="165" formatCode="[h]:mm"/><numFmt numFmtId="166" formatCode="&quot;day&quot; 0"/></numFmts>` +
					`<cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="21"/><xf numFmtId="22"/><xf numFmtId="165"/><xf numFmtId="166"/></cellXfs></styleSheet>`,
			},
			want: []string{"S!A1 = date 45366 (2024-03-15)", "S!B1 = date 0.75 (18:00:00)", "S!C1 = date 45366.5 (2024-03-15 12:00:00)", "S!D1 = number 1.5", "S!E1 = number 3"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d := cmp.Diff(allCells(t, open(t, tt.book.bytes(t))), tt.want); d != "" {
				t.Errorf("cells (-got +want):\n%s", d)
			}
		})
	}
}

func TestFormatDateKind(t *testing.T) {
	tests := []struct {
		code string
		want dateKind
	}{
		{"General", notDate}, {"0.00", notDate}, {"#,##0", notDate}, {"0.00E+00", notDate}, {`"yd" 0`, notDate}, {"@", notDate},
		{"yyyy-mm-dd", dateOnly}, {"d-mmm-yy", dateOnly}, {"mmm yyyy", dateOnly}, {"[$-409]mmmm d, yyyy;@", dateOnly}, {"mm", dateOnly},
		{"h:mm AM/PM", timeOnly}, {"hh:mm:ss", timeOnly}, {"mm:ss", timeOnly}, {"h:mm:ss.0", timeOnly},
		{"m/d/yy h:mm", dateTime}, {"yyyy-mm-dd hh:mm:ss", dateTime},
		{"[h]:mm:ss", notDate}, {"[mm]:ss", notDate}, {`[Red]yyyy`, dateOnly}, {`\d 0`, notDate},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			if got := formatDateKind(tt.code); got != tt.want {
				t.Errorf("formatDateKind(%q) = %d, want %d", tt.code, got, tt.want)
			}
		})
	}
}

// TestNoChangesAgainstItself compares each test workbook with itself.
func TestNoChangesAgainstItself(t *testing.T) {
	b := book(t, with(base, func(f *excelize.File) {
		f.SetCellRichText("Sheet1", "C3", []excelize.RichTextRun{{Text: "a"}, {Text: "b"}})
		f.NewSheet("Two")
		f.SetCellValue("Two", "Z99", strings.Repeat("x", 1000))
	}))
	cs := diffBytes(t, b, b)
	if cs.Summary != "no changes" || len(cs.Sheets) != 0 {
		t.Errorf("%+v", cs)
	}
}
