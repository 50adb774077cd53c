package sheet

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

// base is the starting workbook of most cases: a few numbers, a text and a
// SUM over them.
func base(f *excelize.File) {
	f.SetCellValue("Sheet1", "A1", 1)
	f.SetCellValue("Sheet1", "A2", 2)
	f.SetCellFormula("Sheet1", "A3", "SUM(A1:A2)")
	f.SetCellValue("Sheet1", "B1", "hello")
}

func with(steps ...func(f *excelize.File)) func(f *excelize.File) {
	return func(f *excelize.File) {
		for _, s := range steps {
			s(f)
		}
	}
}

func TestDiff(t *testing.T) {
	wide := func(change bool) func(f *excelize.File) {
		return func(f *excelize.File) {
			for c := 1; c <= 500; c++ {
				v := c
				if change && c == 499 {
					v = -1
				}
				name, _ := excelize.CoordinatesToCellName(c, 1)
				f.SetCellValue("Sheet1", name, v)
			}
		}
	}
	twoSheets := func(f *excelize.File) {
		f.NewSheet("My Data")
		f.SetCellValue("My Data", "A1", 10)
		f.SetCellValue("My Data", "B2", 20)
		f.SetCellFormula("Sheet1", "C1", "SUM('My Data'!A1:B2)")
	}
	dateBook := func(v int) func(f *excelize.File) {
		return func(f *excelize.File) {
			st, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
			f.SetCellValue("Sheet1", "A1", v)
			f.SetCellStyle("Sheet1", "A1", "A1", st)
		}
	}
	renameBase := func(f *excelize.File) {
		f.NewSheet("Data")
		for r := 1; r <= 10; r++ {
			f.SetCellValue("Data", fmt.Sprintf("A%d", r), r)
			f.SetCellValue("Data", fmt.Sprintf("B%d", r), fmt.Sprintf("item %d", r))
		}
	}
	tests := []struct {
		name     string
		old, new func(f *excelize.File)
		want     []string
	}{
		{
			name: "identical workbooks",
			old:  base, new: base,
			want: []string{"summary: no changes"},
		},
		{
			name: "a value a SUM depends on",
			old:  base, new: with(base, func(f *excelize.File) { f.SetCellValue("Sheet1", "A2", 5) }),
			want: []string{
				"summary: 1 cell in 1 sheet, 1 formula depends on changed cells",
				"sheet Sheet1 modified",
				"  A2 modified: number 2 -> number 5",
				"dep Sheet1!A3 =SUM(A1:A2) <- Sheet1!A2 (1)",
			},
		},
		{
			name: "a formula",
			old:  base, new: with(base, func(f *excelize.File) { f.SetCellFormula("Sheet1", "A3", "SUM(A1:A1)*2") }),
			want: []string{
				"summary: 1 cell in 1 sheet",
				"sheet Sheet1 modified",
				"  A3 modified: =SUM(A1:A2) uncalculated -> =SUM(A1:A1)*2 uncalculated [formula]",
			},
		},
		{
			name: "text to number is a type change",
			old:  base, new: with(base, func(f *excelize.File) { f.SetCellValue("Sheet1", "B1", 7) }),
			want: []string{
				"summary: 1 cell in 1 sheet",
				"sheet Sheet1 modified",
				"  B1 modified: string hello -> number 7 [type]",
			},
		},
		{
			name: "a new cell in a new row and column",
			old:  base, new: with(base, func(f *excelize.File) { f.SetCellValue("Sheet1", "D5", "new") }),
			want: []string{
				"summary: 1 cell in 1 sheet, 1 row added, 1 column added",
				"sheet Sheet1 modified",
				"  D5 added: empty -> string new",
				"  rows added 5",
				"  cols added D",
			},
		},
		{
			name: "a row and a column emptied",
			old:  with(base, func(f *excelize.File) { f.SetCellValue("Sheet1", "C7", 1); f.SetCellValue("Sheet1", "C8", 2) }),
			new:  base,
			want: []string{
				"summary: 2 cells in 1 sheet, 2 rows removed, 1 column removed",
				"sheet Sheet1 modified",
				"  C7 removed: number 1 -> empty",
				"  C8 removed: number 2 -> empty",
				"  rows removed 7:8",
				"  cols removed C",
			},
		},
		{
			name: "a sheet renamed",
			old:  with(base, renameBase),
			new:  with(base, renameBase, func(f *excelize.File) { f.SetSheetName("Data", "Items") }),
			want: []string{
				"summary: 1 sheet renamed",
				"sheet Items renamed from Data",
			},
		},
		{
			name: "a sheet renamed and edited a little",
			old:  with(base, renameBase),
			new: with(base, renameBase, func(f *excelize.File) {
				f.SetSheetName("Data", "Items")
				f.SetCellValue("Items", "B3", "changed")
			}),
			want: []string{
				"summary: 1 cell in 1 sheet, 1 sheet renamed",
				"sheet Items renamed from Data",
				"  B3 modified: string item 3 -> string changed",
			},
		},
		{
			name: "a sheet added",
			old:  base,
			new:  with(base, func(f *excelize.File) { f.NewSheet("Notes"); f.SetCellValue("Notes", "A1", "n") }),
			want: []string{
				"summary: 1 cell in 1 sheet, 1 sheet added",
				"sheet Notes added",
				"  A1 added: empty -> string n",
			},
		},
		{
			name: "a sheet removed",
			old:  with(base, renameBase),
			new:  with(base, renameBase, func(f *excelize.File) { f.DeleteSheet("Data") }),
			want: []string{
				"summary: 20 cells in 1 sheet, 1 sheet removed",
				"sheet Data removed",
				"  A1 removed: number 1 -> empty", "  B1 removed: string item 1 -> empty",
				"  A2 removed: number 2 -> empty", "  B2 removed: string item 2 -> empty",
				"  A3 removed: number 3 -> empty", "  B3 removed: string item 3 -> empty",
				"  A4 removed: number 4 -> empty", "  B4 removed: string item 4 -> empty",
				"  A5 removed: number 5 -> empty", "  B5 removed: string item 5 -> empty",
				"  A6 removed: number 6 -> empty", "  B6 removed: string item 6 -> empty",
				"  A7 removed: number 7 -> empty", "  B7 removed: string item 7 -> empty",
				"  A8 removed: number 8 -> empty", "  B8 removed: string item 8 -> empty",
				"  A9 removed: number 9 -> empty", "  B9 removed: string item 9 -> empty",
				"  A10 removed: number 10 -> empty", "  B10 removed: string item 10 -> empty",
			},
		},
		{
			name: "a sheet hidden",
			old:  with(base, renameBase),
			new:  with(base, renameBase, func(f *excelize.File) { f.SetSheetVisible("Data", false) }),
			want: []string{
				"summary: 1 sheet shown or hidden",
				"sheet Data modified visibility visible->hidden",
			},
		},
		{
			name: "defined names",
			old: with(base, func(f *excelize.File) {
				f.SetDefinedName(&excelize.DefinedName{Name: "Gone", RefersTo: "Sheet1!$B$1"})
				f.SetDefinedName(&excelize.DefinedName{Name: "Input", RefersTo: "Sheet1!$A$1"})
			}),
			new: with(base, func(f *excelize.File) {
				f.SetDefinedName(&excelize.DefinedName{Name: "Input", RefersTo: "Sheet1!$A$2"})
				f.SetDefinedName(&excelize.DefinedName{Name: "Total", RefersTo: "Sheet1!$A$3", Scope: "Sheet1"})
			}),
			want: []string{
				"summary: 3 defined names changed",
				`name Input modified: "Sheet1!$A$1" -> "Sheet1!$A$2"`,
				`name Sheet1!Total added: "" -> "Sheet1!$A$3"`,
				`name Gone removed: "Sheet1!$B$1" -> ""`,
			},
		},
		{
			name: "cells merged",
			old:  base,
			new:  with(base, func(f *excelize.File) { f.MergeCell("Sheet1", "D2", "E3") }),
			want: []string{"summary: 1 merged range added or removed", "sheet Sheet1 modified", "  merge added D2:E3"},
		},
		{
			name: "a date",
			old:  dateBook(45000), new: dateBook(45001),
			want: []string{
				"summary: 1 cell in 1 sheet",
				"sheet Sheet1 modified",
				"  A1 modified: date 45000 (2023-03-15) -> date 45001 (2023-03-16)",
			},
		},
		{
			name: "a number shown as a date is a type change",
			old:  func(f *excelize.File) { f.SetCellValue("Sheet1", "A1", 45000) }, new: dateBook(45000),
			want: []string{
				"summary: 1 cell in 1 sheet",
				"sheet Sheet1 modified",
				"  A1 modified: number 45000 -> date 45000 (2023-03-15) [type]",
			},
		},
		{
			name: "a cell of another sheet with a quoted name",
			old:  with(base, twoSheets), new: with(base, twoSheets, func(f *excelize.File) { f.SetCellValue("My Data", "B2", 21) }),
			want: []string{
				"summary: 1 cell in 1 sheet, 1 formula depends on changed cells",
				"sheet My Data modified",
				"  B2 modified: number 20 -> number 21",
				"dep Sheet1!C1 =SUM('My Data'!A1:B2) <- My Data!B2 (1)",
			},
		},
		{
			name: "whole columns, whole rows and defined names",
			old: with(base, func(f *excelize.File) {
				f.SetDefinedName(&excelize.DefinedName{Name: "Inputs", RefersTo: "Sheet1!$A$1:$A$2"})
				f.SetCellFormula("Sheet1", "D1", "SUM(A:A)")
				f.SetCellFormula("Sheet1", "D2", "COUNTA(2:2)")
				f.SetCellFormula("Sheet1", "D3", "SUM(Inputs)*2")
				f.SetCellFormula("Sheet1", "D4", "SUM($B:$B)")
			}),
			new: nil, // old with A2 changed
			want: []string{
				"summary: 1 cell in 1 sheet, 4 formulas depend on changed cells",
				"sheet Sheet1 modified",
				"  A2 modified: number 2 -> number 3",
				"dep Sheet1!D1 =SUM(A:A) <- Sheet1!A2 (1)",
				"dep Sheet1!D2 =COUNTA(2:2) <- Sheet1!A2 (1)",
				"dep Sheet1!A3 =SUM(A1:A2) <- Sheet1!A2 (1)",
				"dep Sheet1!D3 =SUM(Inputs)*2 <- Sheet1!A2 (1)",
			},
		},
		{
			name: "a wide sheet",
			old:  wide(false), new: wide(true),
			want: []string{
				"summary: 1 cell in 1 sheet",
				"sheet Sheet1 modified",
				"  SE1 modified: number 499 -> number -1",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			newBuild := tt.new
			if newBuild == nil {
				newBuild = with(tt.old, func(f *excelize.File) { f.SetCellValue("Sheet1", "A2", 3) })
			}
			got := digest(diffBytes(t, book(t, tt.old), book(t, newBuild)))
			if d := cmp.Diff(got, tt.want); d != "" {
				t.Errorf("change set (-got +want):\n%s", d)
			}
		})
	}
}

// TestDiffRaw covers shapes written by other tools than excelize.
func TestDiffRaw(t *testing.T) {
	tests := []struct {
		name     string
		old, new rawBook
		want     []string
	}{
		{
			name: "a shared string and an inline string with the same text",
			old:  rawBook{sheets: []rawSheet{{"S", `<row r="1"><c r="A1" t="s"><v>0</v></c></row>`}}, strings: []string{"abc"}},
			new:  rawBook{sheets: []rawSheet{{"S", `<row r="1"><c r="A1" t="inlineStr"><is><t>abc</t></is></c></row>`}}},
			want: []string{"summary: no changes"},
		},
		{
			name: "numbers written differently",
			old:  rawBook{sheets: []rawSheet{{"S", `<row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>0.5</v></c></row>`}}},
			new:  rawBook{sheets: []rawSheet{{"S", `<row r="1"><c r="A1"><v>1.0</v></c><c r="B1"><v>5E-1</v></c></row>`}}},
			want: []string{"summary: no changes"},
		},
		{
			name: "formatting alone, rows and cells without values",
			old:  rawBook{sheets: []rawSheet{{"S", `<row r="1"><c r="A1"><v>1</v></c></row>`}}},
			new:  rawBook{sheets: []rawSheet{{"S", `<row r="1" ht="30" customHeight="1"><c r="A1" s="0"><v>1</v></c><c r="B1" s="0"/></row><row r="2"><c r="A2" t="s"/></row>`}}},
			want: []string{"summary: no changes"},
		},
		{
			name: "cached values, booleans and errors",
			old:  rawBook{sheets: []rawSheet{{"S", `<row r="1"><c r="A1"><f>1/0</f><v>1</v></c><c r="B1" t="b"><v>1</v></c><c r="C1" t="str"><f>"x"</f><v>x</v></c></row>`}}},
			new:  rawBook{sheets: []rawSheet{{"S", `<row r="1"><c r="A1" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="B1" t="b"><v>0</v></c><c r="C1" t="str"><f>"x"</f><v>x</v></c></row>`}}},
			want: []string{
				"summary: 2 cells in 1 sheet",
				"sheet S modified",
				"  A1 modified: number 1 =1/0 -> error #DIV/0! =1/0 [type]",
				"  B1 modified: bool TRUE -> bool FALSE",
			},
		},
		{
			name: "rows without numbers and cells without addresses",
			old:  rawBook{sheets: []rawSheet{{"S", `<row><c><v>1</v></c><c><v>2</v></c></row><row><c r="B2"><v>3</v></c></row>`}}},
			new:  rawBook{sheets: []rawSheet{{"S", `<row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>2</v></c></row><row r="2"><c r="B2"><v>4</v></c></row>`}}},
			want: []string{
				"summary: 1 cell in 1 sheet",
				"sheet S modified",
				"  B2 modified: number 3 -> number 4",
			},
		},
		{
			name: "a forward reference resolved at the end",
			old:  rawBook{sheets: []rawSheet{{"S", `<row r="1"><c r="A1"><f>SUM(A2:A4)</f><v>6</v></c></row><row r="2"><c r="A2"><v>1</v></c></row><row r="3"><c r="A3"><v>2</v></c></row><row r="4"><c r="A4"><v>3</v></c></row>`}, {"T", `<row r="1"><c r="A1"><f>S!A3*2</f><v>4</v></c></row>`}}},
			new:  rawBook{sheets: []rawSheet{{"S", `<row r="1"><c r="A1"><f>SUM(A2:A4)</f><v>6</v></c></row><row r="2"><c r="A2"><v>1</v></c></row><row r="3"><c r="A3"><v>5</v></c></row><row r="4"><c r="A4"><v>3</v></c></row>`}, {"T", `<row r="1"><c r="A1"><f>S!A3*2</f><v>4</v></c></row>`}}},
			want: []string{
				"summary: 1 cell in 1 sheet, 2 formulas depend on changed cells",
				"sheet S modified",
				"  A3 modified: number 2 -> number 5",
				"dep S!A1 =SUM(A2:A4) <- S!A3 (1)",
				"dep T!A1 =S!A3*2 <- S!A3 (1)",
			},
		},
		{
			name: "3-D references and names that cannot be traced",
			old: rawBook{sheets: []rawSheet{
				{"Jan", `<row r="1"><c r="A1"><v>1</v></c></row>`},
				{"Feb", `<row r="1"><c r="A1"><v>2</v></c></row>`},
				{"Sum", `<row r="1"><c r="A1"><f>SUM(Jan:Feb!A1)</f></c><c r="B1"><f>INDIRECT("Feb!A1")</f></c></row>`}}},
			new: rawBook{sheets: []rawSheet{
				{"Jan", `<row r="1"><c r="A1"><v>1</v></c></row>`},
				{"Feb", `<row r="1"><c r="A1"><v>3</v></c></row>`},
				{"Sum", `<row r="1"><c r="A1"><f>SUM(Jan:Feb!A1)</f></c><c r="B1"><f>INDIRECT("Feb!A1")</f></c></row>`}}},
			want: []string{
				"summary: 1 cell in 1 sheet, 1 formula depends on changed cells",
				"sheet Feb modified",
				"  A1 modified: number 2 -> number 3",
				"dep Sum!A1 =SUM(Jan:Feb!A1) <- Feb!A1 (1)",
				"note: 1 formulas use INDIRECT, OFFSET, table references or other workbooks; Countersign does not trace what they depend on",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := digest(diffBytes(t, tt.old.bytes(t), tt.new.bytes(t)))
			if d := cmp.Diff(got, tt.want); d != "" {
				t.Errorf("change set (-got +want):\n%s", d)
			}
		})
	}
}
