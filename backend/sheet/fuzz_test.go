package sheet

import (
	"bytes"
	"context"
	"errors"
	"go/parser"
	"go/token"
	"strings"
	"testing"

	"countersign/backend/proposal"
)

// FuzzSheetXML feeds arbitrary sheet XML through the reader and the writer.
// Whatever the bytes, reading gives cells or a typed error; a workbook
// compared with itself has no changes; and where edits can be applied, the
// written workbook holds exactly the preview (VerifyApplied).
func FuzzSheetXML(f *testing.F) {
	for _, s := range []string{
		`<row r="1"><c r="A1"><v>1</v></c><c r="B1" t="s"><v>2</v></c></row>`,
		`<row><c><v>1</v></c><c t="inlineStr"><is><t>x</t></is></c></row><row r="3" spans="1:2"/>`,
		`<row r="1"><c r="A1"><f t="shared" ref="A1:A3" si="0">B1*2</f><v>2</v></c></row><row r="2"><c r="A2"><f t="shared" si="0"/></c></row>`,
		`<row r="2"><c r="B2" t="str"><f>"a"&amp;"b"</f><v>ab</v></c><c r="C2" t="b"><v>1</v></c><c r="D2" t="e"><v>#N/A</v></c></row>`,
		`<row r="1"><c r="A1"><f t="array" ref="A1:A2">{1;2}</f><v>1</v></c></row><row r="2"><c r="A2"><v>2</v></c></row>`,
		`<row r="1"><c r="B1" s="1"><v><![CDATA[5]]></v></c><c r="C1" t="inlineStr"><is><r><t>a</t></r><rPh><t>b</t></rPh></is></c></row>`,
		`<row r="5"><c r="A5"/></row>`,
		``,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		b := rawBook{
			sheets:  []rawSheet{{"S", `<?xml version="1.0"?><worksheet ` + nsMain + `><sheetData>` + body + `</sheetData></worksheet>`}},
			strings: []string{"a", "b", "c"},
		}.bytes(t)
		typed := func(err error) bool {
			return errors.Is(err, ErrUnsupported) || errors.Is(err, ErrTooLarge) || errors.Is(err, ErrInvalidEdit)
		}
		o := Options{MaxCells: 20}
		wb, err := Open(bytes.NewReader(b), int64(len(b)), o)
		if err != nil {
			if !typed(err) {
				t.Fatalf("Open: untyped error %v", err)
			}
			return
		}
		defer wb.Close()
		cs, err := Diff(context.Background(), wb, wb, o)
		if err != nil {
			if !typed(err) {
				t.Fatalf("Diff: untyped error %v", err)
			}
			return
		}
		if cs.Totals.Cells != 0 || len(cs.Sheets) != 0 {
			t.Fatalf("a workbook compared with itself: %+v", cs)
		}
		edits := []proposal.CellEdit{{Sheet: "S", Cell: "A1", Value: "new"}, {Sheet: "S", Cell: "B2", Formula: "A1&\"x\""}, {Sheet: "S", Cell: "C3"}}
		if _, err := PreviewUpdate(context.Background(), wb, edits, o); err != nil {
			if !typed(err) {
				t.Fatalf("PreviewUpdate: untyped error %v", err)
			}
			return
		}
		var out bytes.Buffer
		if err := Apply(context.Background(), wb, edits, &out); err != nil {
			t.Fatalf("the preview worked but Apply fails: %v", err)
		}
		after, err := Open(bytes.NewReader(out.Bytes()), int64(out.Len()), o)
		if err != nil {
			t.Fatalf("the written workbook does not open: %v", err)
		}
		defer after.Close()
		if err := VerifyApplied(context.Background(), wb, after, edits, o); err != nil {
			t.Fatalf("VerifyApplied: %v\n%s", err, zipParts(t, out.Bytes())["xl/worksheets/sheet1.xml"])
		}
	})
}

// TestPackageDoc keeps the package comment saying what the package
// guarantees.
func TestPackageDoc(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "sheet.go", nil, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil {
		t.Fatal(err)
	}
	doc := f.Doc.Text()
	for _, want := range []string{"Package sheet ", "guarantees", "Exact.", "Bounded.", "Safe on hostile files.", "Cancellable.", "ErrTooLarge", "ErrUnsupported"} {
		if !strings.Contains(doc, want) {
			t.Errorf("package comment does not mention %q", want)
		}
	}
}
