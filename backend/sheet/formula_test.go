package sheet

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

// refStrings renders what parseFormula found, for table tests.
func refStrings(t *formulaTemplate) []string {
	var out []string
	for _, r := range t.refs {
		s := ""
		switch {
		case r.external:
			s = "external "
		case r.sheet2 != "":
			s = r.sheet + ".." + r.sheet2 + "!"
		case r.sheet != "":
			s = r.sheet + "!"
		}
		out = append(out, s+string(r.appendA1(nil)))
	}
	for _, n := range t.names {
		if n.sheet != "" {
			out = append(out, "name "+n.sheet+"!"+n.name)
		} else {
			out = append(out, "name "+n.name)
		}
	}
	if t.dynamic {
		out = append(out, "dynamic")
	}
	return out
}

func TestParseFormula(t *testing.T) {
	tests := []struct {
		formula string
		want    []string
	}{
		{"A1", []string{"A1"}},
		{"$A$1+B$2*$C3-d4", []string{"$A$1", "B$2", "$C3", "D4"}},
		{"SUM(A1:B9)", []string{"A1:B9"}},
		{"SUM(B9:A1)", []string{"A1:B9"}},
		{"Sheet2!A1", []string{"Sheet2!A1"}},
		{"'My Sheet'!A1:C3", []string{"My Sheet!A1:C3"}},
		{"'It''s'!B2+Données!C3", []string{"It's!B2", "Données!C3"}},
		{"SUM(A:A)+SUM($A:$C)", []string{"A:A", "$A:$C"}},
		{"SUM(1:1)+COUNT($2:$5)", []string{"1:1", "$2:$5"}},
		{"SUM(Jan:Dec!B3)", []string{"Jan..Dec!B3"}},
		{"SUM('Jan 1:Dec 31'!B3)", []string{"Jan 1..Dec 31!B3"}},
		{"[1]Sheet1!A1+B1", []string{"external A1", "B1"}},
		{`'C:\x\[Book.xlsx]Sheet 1'!A1`, []string{"external A1"}},
		{"SUM(Table1[Amount])", []string{"dynamic"}},
		{"SUM(Table1[[#This Row],[Amount]])+A1", []string{"A1", "dynamic"}},
		{`INDIRECT("A1")`, []string{"dynamic"}},
		{`_xlfn.OFFSET(A1,1,1)`, []string{"A1", "dynamic"}},
		{`"A1"&B2&"x""y"`, []string{"B2"}},
		{"LOG10(100)", nil},
		{"LOG10*2", []string{"LOG10"}},
		{"Revenue*2", []string{"name Revenue"}},
		{"Sheet1!Revenue", []string{"name Sheet1!Revenue"}},
		{"TRUE+FALSE", nil},
		{"1E+5+A1-2.5e-3", []string{"A1"}},
		{"{1,2;3,\"A1\"}+A1", []string{"A1"}},
		{"#REF!+A1+Sheet1!#REF!", []string{"A1"}},
		{"_xlfn.XLOOKUP(A1,B:B,C:C)", []string{"A1", "B:B", "C:C"}},
		{"A1#", []string{"A1", "dynamic"}},
		{"XFD1048576+XFE1+A1048577+R1C1", []string{"XFD1048576", "name XFE1", "name A1048577", "name R1C1"}},
		{"SUM(A1:A3 B2:C2)", []string{"A1:A3", "B2:C2"}},
		{"@A1:A3", []string{"A1:A3"}},
	}
	for _, tt := range tests {
		t.Run(tt.formula, func(t *testing.T) {
			tmpl, err := parseFormula(tt.formula)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(refStrings(tmpl), tt.want); d != "" {
				t.Errorf("references (-got +want):\n%s", d)
			}
		})
	}
}

func TestParseFormulaErrors(t *testing.T) {
	for _, f := range []string{"SUM(", "A1)", `"abc`, "'Sheet", "'Sheet'A1", "[1", "{1,2", "SUM((A1)"} {
		t.Run(f, func(t *testing.T) {
			if _, err := parseFormula(f); err == nil {
				t.Errorf("parseFormula(%q) accepted it", f)
			}
		})
	}
}

func TestShiftFormula(t *testing.T) {
	const f = "A1+$B$2+C$3+$D4+SUM(E5:F6)+G:G+$H:H+7:7+$8:9+Sheet2!H8+'My S'!I9+[1]S!A1+Name+\"A1\""
	tests := []struct {
		dr, dc int32
		want   string
	}{
		{0, 0, f},
		{2, 1, "B3+$B$2+D$3+$D6+SUM(F7:G8)+H:H+$H:I+9:9+$8:11+Sheet2!I10+'My S'!J11+[1]S!A1+Name+\"A1\""},
		{-1, 0, "#REF!+$B$2+C$3+$D3+SUM(E4:F5)+G:G+$H:H+6:6+$8:8+Sheet2!H7+'My S'!I8+[1]S!A1+Name+\"A1\""},
		{0, 16384, "#REF!+$B$2+#REF!+$D4+SUM(#REF!)+#REF!+#REF!+7:7+$8:9+Sheet2!#REF!+'My S'!#REF!+[1]S!A1+Name+\"A1\""},
	}
	tmpl, err := parseFormula(f)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d,%d", tt.dr, tt.dc), func(t *testing.T) {
			if got := string(tmpl.appendShifted(nil, tt.dr, tt.dc)); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestSharedFormulasMatchExcelize derives each cell of shared formulas and
// compares the text with excelize's own derivation (for references without
// a sheet name, which excelize does not shift).
func TestSharedFormulasMatchExcelize(t *testing.T) {
	formulas := []string{"A1*2", "SUM($A$1:A1)", "B$1+$C2", "AVERAGE(A:B)+SUM(1:2)", `IF(A1>0,"A1",B1)`, "LOG10(A1)+Name"}
	b := book(t, func(f *excelize.File) {
		for r := 1; r <= 6; r++ {
			for c := 1; c <= 3; c++ {
				cell, _ := excelize.CoordinatesToCellName(c, r)
				f.SetCellValue("Sheet1", cell, r*c)
			}
		}
		f.SetDefinedName(&excelize.DefinedName{Name: "Name", RefersTo: "Sheet1!$A$1"})
		for i, formula := range formulas {
			col, _ := excelize.ColumnNumberToName(5 + i)
			typ, ref := "shared", fmt.Sprintf("%s2:%s6", col, col)
			must(t, f.SetCellFormula("Sheet1", col+"2", formula, excelize.FormulaOpts{Type: &typ, Ref: &ref}))
		}
	})
	x, err := excelize.OpenReader(strings.NewReader(string(b)))
	must(t, err)
	defer x.Close()
	wb := open(t, b)
	var got, want []string
	for _, line := range allCells(t, wb) {
		if strings.Contains(line, " = =") {
			got = append(got, strings.Replace(line, " = =", " =", 1))
		}
	}
	for i := range formulas {
		col, _ := excelize.ColumnNumberToName(5 + i)
		for r := 2; r <= 6; r++ {
			f, err := x.GetCellFormula("Sheet1", fmt.Sprintf("%s%d", col, r))
			must(t, err)
			want = append(want, fmt.Sprintf("Sheet1!%s%d =%s uncalculated", col, r, f))
		}
	}
	sortStrings(got)
	sortStrings(want)
	if d := cmp.Diff(got, want); d != "" {
		t.Errorf("formulas (-got +want):\n%s", d)
	}
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// FuzzFormula checks the reference parser on any text: it never panics, a
// template renders back to its text, every reference it finds reads back as
// itself, and shifting there and back is the identity.
func FuzzFormula(f *testing.F) {
	for _, s := range []string{
		"SUM(A1:B9)", "'My Sheet'!$A$1:C3+Sheet2!A:A", "Jan:Dec!B3", "[1]S!A1", "Table1[[#This Row],[x]]",
		`IF(A1>0,"a""b",{1,2;3,4})`, "1:1+$2:$3", "A1#+@B2", "#REF!", "'It''s'!B2", "1E+5+.5e-3", "LOG10(X1)",
	} {
		f.Add(s, int16(1), int16(-1))
	}
	f.Fuzz(func(t *testing.T, formula string, dr, dc int16) {
		tmpl, err := parseFormula(formula)
		if err != nil {
			return
		}
		if got := string(tmpl.appendShifted(nil, 0, 0)); got != formula {
			t.Fatalf("render %q, want %q", got, formula)
		}
		for _, r := range tmpl.refs {
			if r.start < 0 || r.end > int32(len(formula)) || r.start >= r.end {
				t.Fatalf("reference span %d..%d of %q", r.start, r.end, formula)
			}
			again, err := parseFormula(string(r.appendA1(nil)))
			if err != nil || len(again.refs) != 1 {
				t.Fatalf("reference %q of %q reads back as %v, %v", r.appendA1(nil), formula, again, err)
			}
			a := again.refs[0]
			if a.kind != r.kind || a.abs != r.abs || a.c1 != r.c1 || a.r1 != r.r1 || a.c2 != r.c2 || a.r2 != r.r2 {
				t.Fatalf("reference %q of %q reads back as %+v, was %+v", r.appendA1(nil), formula, a, r)
			}
			if s, ok := r.shifted(int32(dr), int32(dc)); ok {
				if back, ok := s.shifted(-int32(dr), -int32(dc)); !ok || back != r {
					t.Fatalf("shifting %+v by %d,%d and back gives %+v, %v", r, dr, dc, back, ok)
				}
			}
		}
	})
}
