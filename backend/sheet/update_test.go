package sheet

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"countersign/backend/proposal"
)

// applyEdits runs Apply and returns the written bytes.
func applyEdits(t testing.TB, wb *Workbook, cells []proposal.CellEdit) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := Apply(context.Background(), wb, cells, &out); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return out.Bytes()
}

// TestPreviewUpdate checks each preview against its expected change set,
// then applies the edits and checks that the written workbook is exactly
// the preview: VerifyApplied passes, comparing the files gives the same
// change set, and excelize reads the edited cells back.
func TestPreviewUpdate(t *testing.T) {
	sharedFormula := rawBook{sheets: []rawSheet{{"S", `<row r="1"><c r="A1"><v>1</v></c><c r="C1"><f t="shared" ref="C1:C4" si="0">A1*2+Other!$B$1</f><v>2</v></c></row>` +
		`<row r="2"><c r="A2"><v>2</v></c><c r="C2"><f t="shared" si="0"/><v>4</v></c></row>` +
		`<row r="3"><c r="A3"><v>3</v></c><c r="C3"><f t="shared" si="0"/><v>6</v></c></row>` +
		`<row r="4"><c r="A4"><v>4</v></c><c r="C4"><f t="shared" si="0"/><v>8</v></c></row>`}, {"Other", `<row r="1"><c r="B1"><v>0</v></c></row>`}}}
	tests := []struct {
		name  string
		book  []byte
		cells []proposal.CellEdit
		want  []string
		// read lists cells and what excelize must read in the written file:
		// a value, or "=formula".
		read map[string]string
	}{
		{
			name:  "a value a SUM depends on",
			book:  book(t, base),
			cells: []proposal.CellEdit{{Sheet: "Sheet1", Cell: "A2", Value: "5"}},
			want: []string{
				"summary: 1 cell in 1 sheet, 1 formula depends on changed cells",
				"sheet Sheet1 modified",
				"  A2 modified: number 2 -> number 5",
				"dep Sheet1!A3 =SUM(A1:A2) <- Sheet1!A2 (1)",
			},
			read: map[string]string{"Sheet1!A2": "5", "Sheet1!A3": "=SUM(A1:A2)"},
		},
		{
			name:  "a formula, given with its equals sign",
			book:  book(t, base),
			cells: []proposal.CellEdit{{Sheet: "Sheet1", Cell: "A3", Formula: "=SUM(A1:A1)*2"}},
			want: []string{
				"summary: 1 cell in 1 sheet",
				"sheet Sheet1 modified",
				"  A3 modified: =SUM(A1:A2) uncalculated -> =SUM(A1:A1)*2 uncalculated [formula]",
			},
			read: map[string]string{"Sheet1!A3": "=SUM(A1:A1)*2"},
		},
		{
			name:  "text to number, and a boolean",
			book:  book(t, base),
			cells: []proposal.CellEdit{{Sheet: "Sheet1", Cell: "B1", Value: "7"}, {Sheet: "Sheet1", Cell: "B2", Value: "true"}},
			want: []string{
				"summary: 2 cells in 1 sheet",
				"sheet Sheet1 modified",
				"  B1 modified: string hello -> number 7 [type]",
				"  B2 added: empty -> bool TRUE",
			},
			read: map[string]string{"Sheet1!B1": "7", "Sheet1!B2": "TRUE"},
		},
		{
			name:  "a new cell in a new row, and text that looks special",
			book:  book(t, base),
			cells: []proposal.CellEdit{{Sheet: "sheet1", Cell: "D5", Value: "<a & \"b\"> _x0041_\nline 2 =1+1 007"}},
			want: []string{
				"summary: 1 cell in 1 sheet, 1 row added, 1 column added",
				"sheet Sheet1 modified",
				"  D5 added: empty -> string <a & \"b\"> _x0041_\nline 2 =1+1 007",
				"  rows added 5",
				"  cols added D",
			},
			read: map[string]string{"Sheet1!D5": "<a & \"b\"> _x0041_\nline 2 =1+1 007"},
		},
		{
			name:  "cells cleared, emptying a row and a column",
			book:  book(t, with(base, func(f *excelize.File) { f.SetCellValue("Sheet1", "C7", 1) })),
			cells: []proposal.CellEdit{{Sheet: "Sheet1", Cell: "C7"}, {Sheet: "Sheet1", Cell: "Z99"}},
			want: []string{
				"summary: 1 cell in 1 sheet, 1 row removed, 1 column removed",
				"sheet Sheet1 modified",
				"  C7 removed: number 1 -> empty",
				"  rows removed 7",
				"  cols removed C",
			},
			read: map[string]string{"Sheet1!C7": ""},
		},
		{
			name:  "what the cells already hold",
			book:  book(t, base),
			cells: []proposal.CellEdit{{Sheet: "Sheet1", Cell: "A1", Value: "1"}, {Sheet: "Sheet1", Cell: "B1", Value: "hello"}, {Sheet: "Sheet1", Cell: "A3", Formula: "SUM(A1:A2)"}},
			want:  []string{"summary: no changes"},
			read:  map[string]string{"Sheet1!A1": "1", "Sheet1!B1": "hello", "Sheet1!A3": "=SUM(A1:A2)"},
		},
		{
			name:  "the cell that defines a shared formula",
			book:  sharedFormula.bytes(t),
			cells: []proposal.CellEdit{{Sheet: "S", Cell: "C1", Value: "0"}, {Sheet: "S", Cell: "A3", Value: "30"}},
			want: []string{
				"summary: 2 cells in 1 sheet, 1 formula depends on changed cells",
				"sheet S modified",
				"  C1 modified: number 2 =A1*2+Other!$B$1 -> number 0 [formula]",
				"  A3 modified: number 3 -> number 30",
				"dep S!C3 =A3*2+Other!$B$1 <- S!A3 (1)",
			},
			read: map[string]string{"S!C1": "0", "S!C2": "=A2*2+Other!$B$1", "S!C3": "=A3*2+Other!$B$1", "S!C4": "=A4*2+Other!$B$1"},
		},
		{
			name:  "a cell another sheet depends on",
			book:  sharedFormula.bytes(t),
			cells: []proposal.CellEdit{{Sheet: "Other", Cell: "B1", Value: "1"}},
			want: []string{
				"summary: 1 cell in 1 sheet, 4 formulas depend on changed cells",
				"sheet Other modified",
				"  B1 modified: number 0 -> number 1",
				"dep S!C1 =A1*2+Other!$B$1 <- Other!B1 (1)",
				"dep S!C2 =A2*2+Other!$B$1 <- Other!B1 (1)",
				"dep S!C3 =A3*2+Other!$B$1 <- Other!B1 (1)",
				"dep S!C4 =A4*2+Other!$B$1 <- Other!B1 (1)",
			},
			read: map[string]string{"Other!B1": "1"},
		},
		{
			name: "rows and cells without numbers, self-closing rows, a prefixed namespace",
			book: rawBook{sheets: []rawSheet{{"P", `<?xml version="1.0"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:dimension ref="A2:B3"/><x:sheetData>` +
				`<x:row r="2"><x:c><x:v>2</x:v></x:c><x:c><x:v>3</x:v></x:c></x:row><x:row><x:c><x:v>4</x:v></x:c></x:row><x:row r="6" spans="1:1"/></x:sheetData></x:worksheet>`}}}.bytes(t),
			cells: []proposal.CellEdit{{Sheet: "P", Cell: "A1", Value: "1"}, {Sheet: "P", Cell: "C2", Value: "x"}, {Sheet: "P", Cell: "B6", Value: "6"}},
			want: []string{
				"summary: 3 cells in 1 sheet, 2 rows added, 1 column added",
				"sheet P modified",
				"  A1 added: empty -> number 1",
				"  C2 added: empty -> string x",
				"  B6 added: empty -> number 6",
				"  rows added 1",
				"  rows added 6",
				"  cols added C",
			},
			read: map[string]string{"P!A1": "1", "P!A2": "2", "P!B2": "3", "P!C2": "x", "P!A3": "4", "P!B6": "6"},
		},
		{
			name:  "an empty sheet",
			book:  rawBook{sheets: []rawSheet{{"E", `<?xml version="1.0"?><worksheet ` + nsMain + `><sheetData/></worksheet>`}}}.bytes(t),
			cells: []proposal.CellEdit{{Sheet: "E", Cell: "B2", Formula: "1+1"}},
			want: []string{
				"summary: 1 cell in 1 sheet, 1 row added, 1 column added",
				"sheet E modified",
				"  B2 added: empty -> =1+1 uncalculated",
				"  rows added 2",
				"  cols added B",
			},
			read: map[string]string{"E!B2": "=1+1"},
		},
		{
			name: "a cell hidden by a merge, on a protected sheet",
			book: book(t, with(base, func(f *excelize.File) {
				f.MergeCell("Sheet1", "D1", "E2")
				f.ProtectSheet("Sheet1", &excelize.SheetProtectionOptions{})
			})),
			cells: []proposal.CellEdit{{Sheet: "Sheet1", Cell: "E2", Value: "hidden"}},
			want: []string{
				"summary: 1 cell in 1 sheet, 1 column added",
				"sheet Sheet1 modified",
				"  E2 added: empty -> string hidden",
				"  cols added E",
				"  warning: the sheet is protected; the spreadsheet app would not let a person make these edits",
				"  warning: E2 is inside the merged range D1:E2, so the sheet does not show its value",
			},
			read: map[string]string{"Sheet1!A1": "1"}, // excelize reads a merged cell as its range's first
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wb := open(t, tt.book)
			cs, err := PreviewUpdate(context.Background(), wb, tt.cells, Options{})
			if err != nil {
				t.Fatalf("PreviewUpdate: %v", err)
			}
			if d := cmp.Diff(digest(cs), tt.want); d != "" {
				t.Errorf("preview (-got +want):\n%s", d)
			}
			written := applyEdits(t, wb, tt.cells)
			after := open(t, written)
			if err := VerifyApplied(context.Background(), wb, after, tt.cells, Options{}); err != nil {
				t.Errorf("VerifyApplied: %v", err)
			}
			diffed, err := Diff(context.Background(), wb, after, Options{})
			if err != nil {
				t.Fatal(err)
			}
			// Warnings about edits are the preview's own.
			var want []string
			for _, line := range digest(cs) {
				if !strings.HasPrefix(line, "  warning: ") {
					want = append(want, line)
				}
			}
			if d := cmp.Diff(digest(diffed), want); d != "" {
				t.Errorf("comparing the written file with the original differs from the preview (-got +want):\n%s", d)
			}
			f, err := excelize.OpenReader(bytes.NewReader(written))
			if err != nil {
				t.Fatalf("excelize cannot open the written workbook: %v", err)
			}
			defer f.Close()
			for ref, want := range tt.read {
				sheet, cell, _ := strings.Cut(ref, "!")
				var got string
				if strings.HasPrefix(want, "=") {
					got, err = f.GetCellFormula(sheet, cell)
					got = "=" + got
				} else {
					got, err = f.GetCellValue(sheet, cell)
				}
				if err != nil || got != want {
					t.Errorf("excelize reads %s as %q (%v), want %q", ref, got, err, want)
				}
			}
			props, err := f.GetCalcProps()
			if err != nil || props.FullCalcOnLoad == nil || !*props.FullCalcOnLoad {
				t.Errorf("the written workbook does not ask for a full recalculation on load")
			}
		})
	}
}

// TestApplyCopiesTheRest checks that parts without edits are copied byte for
// byte and that the calculation chain goes.
func TestApplyCopiesTheRest(t *testing.T) {
	src := rawBook{
		sheets:  []rawSheet{{"A", `<row r="1"><c r="A1"><v>1</v></c><c r="B1"><f>A1+1</f><v>2</v></c></row>`}, {"B", `<row r="1"><c r="A1" t="s"><v>0</v></c></row>`}},
		strings: []string{"untouched"},
		extra: map[string]string{
			"xl/calcChain.xml": `<?xml version="1.0"?><calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><c r="B1" i="1"/></calcChain>`,
			"docProps/app.xml": `<Properties/>`,
		},
		workbook: `<calcPr calcId="191029"/>`,
	}.bytes(t)
	// Register the calculation chain as Excel does.
	src = rewritePart(t, src, "xl/_rels/workbook.xml.rels", func(s string) string {
		return strings.Replace(s, "</Relationships>", `<Relationship Id="rIdC" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/calcChain" Target="calcChain.xml"/></Relationships>`, 1)
	})
	src = rewritePart(t, src, "[Content_Types].xml", func(s string) string {
		return strings.Replace(s, "</Types>", `<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"/></Types>`, 1)
	})
	wb := open(t, src)
	out := applyEdits(t, wb, []proposal.CellEdit{{Sheet: "A", Cell: "B1", Value: "5"}})
	before, after := zipParts(t, src), zipParts(t, out)
	if _, ok := after["xl/calcChain.xml"]; ok {
		t.Errorf("the calculation chain is still there")
	}
	for _, name := range []string{"xl/worksheets/sheet2.xml", "xl/sharedStrings.xml", "docProps/app.xml", "_rels/.rels"} {
		if !bytes.Equal(before[name], after[name]) {
			t.Errorf("%s changed", name)
		}
	}
	if strings.Contains(string(after["[Content_Types].xml"]), "calcChain") || strings.Contains(string(after["xl/_rels/workbook.xml.rels"]), "calcChain") {
		t.Errorf("references to the calculation chain remain")
	}
	if got := string(after["xl/workbook.xml"]); !strings.Contains(got, `<calcPr fullCalcOnLoad="1" calcId="191029"/>`) {
		t.Errorf("workbook.xml = %s", got)
	}
	if got := string(after["xl/worksheets/sheet1.xml"]); !strings.Contains(got, `<c r="A1"><v>1</v></c><c r="B1"><v>5</v></c>`) {
		t.Errorf("sheet1.xml = %s", got)
	}
}

func zipParts(t testing.TB, b []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	must(t, err)
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		must(t, err)
		data, err := io.ReadAll(rc)
		must(t, err)
		out[f.Name] = data
	}
	return out
}

func rewritePart(t testing.TB, b []byte, name string, edit func(string) string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	must(t, err)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, err := f.Open()
		must(t, err)
		data, err := io.ReadAll(rc)
		must(t, err)
		if f.Name == name {
			data = []byte(edit(string(data)))
		}
		w, err := zw.Create(f.Name)
		must(t, err)
		w.Write(data)
	}
	must(t, zw.Close())
	return buf.Bytes()
}

func TestEditErrors(t *testing.T) {
	arrays := rawBook{sheets: []rawSheet{{"S", `<row r="1"><c r="A1"><f t="array" ref="A1:A3">{1;2;3}</f><v>1</v></c></row><row r="2"><c r="A2"><v>2</v></c></row><row r="3"><c r="A3"><v>3</v></c></row>`}, {"chart:Chart", `<?xml version="1.0"?><chartsheet ` + nsMain + `/>`}}}.bytes(t)
	tests := []struct {
		name  string
		cells []proposal.CellEdit
		want  string
	}{
		{"an unknown sheet", []proposal.CellEdit{{Sheet: "Nope", Cell: "A1", Value: "1"}}, `cell edit 1 (Nope!A1): the workbook has no sheet named "Nope"`},
		{"a chart sheet", []proposal.CellEdit{{Sheet: "Chart", Cell: "A1", Value: "1"}}, `cell edit 1 (Chart!A1): sheet "Chart" is a chartsheet, which has no cells`},
		{"a range", []proposal.CellEdit{{Sheet: "S", Cell: "A1:B2", Value: "1"}}, `cell edit 1 (S!A1:B2): "A1:B2" is not a cell address such as B7`},
		{"past the last column", []proposal.CellEdit{{Sheet: "S", Cell: "XFE1", Value: "1"}}, `cell edit 1 (S!XFE1): "XFE1" is not a cell address such as B7`},
		{"value and formula", []proposal.CellEdit{{Sheet: "S", Cell: "B1", Value: "1", Formula: "2"}}, `cell edit 1 (S!B1): an edit sets a value or a formula, not both`},
		{"the same cell twice", []proposal.CellEdit{{Sheet: "S", Cell: "B1", Value: "1"}, {Sheet: "s", Cell: "$B$1", Value: "2"}}, `cell edit 2 (s!$B$1): edit 1 already changes this cell`},
		{"a formula that does not parse", []proposal.CellEdit{{Sheet: "S", Cell: "B1", Formula: `SUM(A1:A3`}}, `cell edit 1 (S!B1): formula "SUM(A1:A3": unbalanced '(' at position 10`},
		{"an empty formula", []proposal.CellEdit{{Sheet: "S", Cell: "B1", Formula: "="}}, `cell edit 1 (S!B1): the formula is empty`},
		{"inside an array formula", []proposal.CellEdit{{Sheet: "S", Cell: "A2", Value: "9"}}, `cell edit 1 (S!A2): the cell is part of the array formula or data table A1:A3, which changes only as a whole`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wb := open(t, arrays)
			_, err := PreviewUpdate(context.Background(), wb, tt.cells, Options{})
			if !errors.Is(err, ErrInvalidEdit) || err.Error() != tt.want {
				t.Errorf("PreviewUpdate error = %v, want %q", err, tt.want)
			}
			err = Apply(context.Background(), wb, tt.cells, io.Discard)
			if !errors.Is(err, ErrInvalidEdit) || err.Error() != tt.want {
				t.Errorf("Apply error = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestTypeOfValue(t *testing.T) {
	tests := []struct {
		in   string
		kind valKind
	}{
		{"0", vNumber}, {"-12", vNumber}, {"3.5", vNumber}, {"1e-3", vNumber}, {"2E+10", vNumber}, {"-0.25", vNumber},
		{"007", vString}, {"+1", vString}, {"1,000", vString}, {"1.", vString}, {".5", vString}, {"NaN", vString},
		{"Inf", vString}, {"1e999", vString}, {"0x10", vString}, {" 1", vString}, {"=1+1", vString}, {"", vString},
		{"TRUE", vBool}, {"false", vBool}, {"yes", vString},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got, _ := typeOfValue(tt.in); got != tt.kind {
				t.Errorf("typeOfValue(%q) = %d, want %d", tt.in, got, tt.kind)
			}
		})
	}
}
