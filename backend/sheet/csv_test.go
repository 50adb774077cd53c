package sheet

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func diffCSV(t testing.TB, old, new string, o Options) (*ChangeSet, error) {
	t.Helper()
	return DiffCSV(context.Background(), strings.NewReader(old), strings.NewReader(new), o)
}

func TestDiffCSV(t *testing.T) {
	tests := []struct {
		name     string
		old, new string
		want     []string
	}{
		{
			name: "identical",
			old:  "a,b\n1,2\n", new: "a,b\n1,2\n",
			want: []string{"summary: no changes"},
		},
		{
			name: "a value, with quoted fields",
			old:  "name,note\r\n\"Smith, J\",\"said \"\"hi\"\"\"\r\n",
			new:  "name,note\r\n\"Smith, J\",\"said \"\"bye\"\"\"\r\n",
			want: []string{
				"summary: 1 cell in 1 sheet",
				"sheet  modified",
				`  B2 modified: string said "hi" -> string said "bye"`,
			},
		},
		{
			name: "a line break inside a quoted field",
			old:  "a,\"one\ntwo\"\n", new: "a,\"one\nthree\"\n",
			want: []string{
				"summary: 1 cell in 1 sheet",
				"sheet  modified",
				"  B1 modified: string one\ntwo -> string one\nthree",
			},
		},
		{
			name: "records of different lengths",
			old:  "a,b,c\n1\n", new: "a,b\n1,2,3,4\n",
			want: []string{
				"summary: 4 cells in 1 sheet, 1 column added",
				"sheet  modified",
				"  C1 removed: string c -> empty",
				"  B2 added: empty -> number 2",
				"  C2 added: empty -> number 3",
				"  D2 added: empty -> number 4",
				"  cols added D",
			},
		},
		{
			name: "a number becomes text, rows added",
			old:  "x\n12\n", new: "x\n12a\n\ny\n",
			want: []string{
				"summary: 2 cells in 1 sheet, 1 row added",
				"sheet  modified",
				"  A2 modified: number 12 -> string 12a [type]",
				"  A3 added: empty -> string y",
				"  rows added 3",
			},
		},
		{
			name: "line endings and a byte order mark only",
			old:  "a,b\n1,2\n", new: "\xEF\xBB\xBFa,b\r\n1,2\r\n",
			want: []string{"summary: no changes", "note: a UTF-8 byte order mark is added", "note: line endings change from LF to CRLF"},
		},
		{
			name: "quoting only",
			old:  "a,b\n", new: "\"a\",b\n",
			want: []string{"summary: no changes", "note: the text changes (quoting or spacing) but every cell reads the same"},
		},
		{
			name: "cells a spreadsheet app would run as formulas",
			old:  "a\n", new: "a\n\"=HYPERLINK(\"\"http://x\"\")\"\n-3\n+cmd\n",
			want: []string{
				"summary: 3 cells in 1 sheet, 3 rows added",
				"sheet  modified",
				"  A2 added: empty -> string =HYPERLINK(\"http://x\")",
				"  A3 added: empty -> number -3",
				"  A4 added: empty -> string +cmd",
				"  rows added 2:4",
				"note: 2 cells start with =, +, - or @ (A2, A4); a spreadsheet app opening the file may run them as formulas",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs, err := diffCSV(t, tt.old, tt.new, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(digest(cs), tt.want); d != "" {
				t.Errorf("change set (-got +want):\n%s", d)
			}
		})
	}
}

func TestDiffCSVRefuses(t *testing.T) {
	tests := []struct {
		name     string
		old, new string
		opts     Options
		is       error
		msg      string
	}{
		{"a bare quote", "a\n", "a\"b\n", Options{}, ErrUnsupported, `the new text is not valid CSV (parse error on line 1, column 2: bare " in non-quoted-field)`},
		{"not UTF-8", "a\n", "\xff\xfe\n", Options{}, ErrUnsupported, "the new text is not UTF-8 text (record 1)"},
		{"a NUL byte", "a\x00\n", "a\n", Options{}, ErrUnsupported, "the old text is not UTF-8 text (record 1)"},
		{"an endless quoted field", "a\n", "\"" + strings.Repeat("x\n", 1<<20), Options{MaxCSVRecordBytes: 64 << 10}, ErrTooLarge, "a CSV record is larger than 64 KB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := diffCSV(t, tt.old, tt.new, tt.opts)
			if !errors.Is(err, tt.is) || !strings.HasPrefix(err.Error(), tt.msg) {
				t.Errorf("err = %v, want %v starting %q", err, tt.is, tt.msg)
			}
		})
	}
}

func TestDiffCSVTruncates(t *testing.T) {
	var old, new strings.Builder
	for i := range 300 {
		old.WriteString("1,2,3\n")
		if i%2 == 0 {
			new.WriteString("1,2,4\n")
		} else {
			new.WriteString("1,2,3\n")
		}
	}
	cs, err := diffCSV(t, old.String(), new.String(), Options{MaxCells: 10})
	if err != nil {
		t.Fatal(err)
	}
	if !cs.Truncated || cs.Totals.Cells != 150 || len(cs.Sheets[0].Cells) != 10 || cs.Summary != "150 cells in 1 sheet" {
		t.Errorf("truncated %v, %d cells counted, %d listed, %q", cs.Truncated, cs.Totals.Cells, len(cs.Sheets[0].Cells), cs.Summary)
	}
}

// FuzzCSV checks that any pair of texts gives a change set or a typed
// error, that a text compared with itself has no changed cell, and that
// comparing the other way round counts the same cells.
func FuzzCSV(f *testing.F) {
	seeds := [][2]string{
		{"a,b\n1,2\n", "a,b\n1,3\n"},
		{"\"x,y\",z\r\n", "\"x\ny\",z\r\n"},
		{"a\n", "a\"b\n"},
		{"", "a,,b\n,,\n"},
		{"\xEF\xBB\xBFh\n", "h\r\n"},
		{"1,2,3\n4\n", "1\n4,5,6,7\n"},
		{"=1+1,@x\n", "-1,+2\n"},
		{"\"unterminated\n", "ok\n"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, old, new string) {
		o := Options{MaxCells: 50, MaxCSVRecordBytes: 1 << 16}
		cs, err := diffCSV(t, old, new, o)
		if err != nil {
			if !errors.Is(err, ErrUnsupported) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		listed := 0
		for _, s := range cs.Sheets {
			listed += len(s.Cells)
		}
		if listed > o.MaxCells || listed > cs.Totals.Cells || cs.Truncated != (listed < cs.Totals.Cells) {
			t.Fatalf("listed %d of %d cells, truncated %v", listed, cs.Totals.Cells, cs.Truncated)
		}
		back, err := diffCSV(t, new, old, o)
		if err != nil {
			t.Fatalf("one way %v, the other %v", nil, err)
		}
		if back.Totals.Cells != cs.Totals.Cells || back.Totals.RowsAdded != cs.Totals.RowsRemoved {
			t.Fatalf("forward %+v, backward %+v", cs.Totals, back.Totals)
		}
		self, err := diffCSV(t, new, new, o)
		if err != nil || self.Totals.Cells != 0 || len(self.Sheets) != 0 {
			t.Fatalf("a text compared with itself: %v, %+v", err, self)
		}
	})
}

func TestWindowCSV(t *testing.T) {
	g, err := WindowCSV(context.Background(), strings.NewReader("a,b\n1,2\n3,4\n"), strings.NewReader("a,b\n1,5\n3\n6,7\n"),
		WindowQuery{FirstRow: 2, Rows: 2, FirstCol: 2, Cols: 5}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"B2 number 5 [modified from number 2]", "B3 empty [removed from number 4]"}
	if d := cmp.Diff(gridLines(g), want); d != "" || g.End {
		t.Errorf("grid (-got +want):\n%s\nend %v", d, g.End)
	}
}
