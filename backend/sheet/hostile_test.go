package sheet

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// rawZip writes entries; a nil body with size > 0 declares size bytes it
// does not hold (a lying header), a reader body is compressed as given.
type zipEntry struct {
	name     string
	body     string
	stream   func(w io.Writer) // streamed content instead of body
	declared uint64            // the uncompressed size the header claims; 0: the true size
	method   uint16
}

func rawZip(t testing.TB, entries ...zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		var raw bytes.Buffer
		crc := crc32.NewIEEE()
		var n uint64
		fw, err := flate.NewWriter(&raw, flate.BestSpeed)
		must(t, err)
		cw := io.MultiWriter(fw, crc, countWriter{&n})
		if e.stream != nil {
			e.stream(cw)
		} else {
			io.WriteString(cw, e.body)
		}
		must(t, fw.Close())
		fh := &zip.FileHeader{Name: e.name, Method: zip.Deflate, CRC32: crc.Sum32(), CompressedSize64: uint64(raw.Len()), UncompressedSize64: n}
		if e.declared > 0 {
			fh.UncompressedSize64 = e.declared
		}
		if e.method != 0 {
			fh.Method = e.method
		}
		w, err := zw.CreateRaw(fh)
		must(t, err)
		_, err = w.Write(raw.Bytes())
		must(t, err)
	}
	must(t, zw.Close())
	return buf.Bytes()
}

type countWriter struct{ n *uint64 }

func (c countWriter) Write(b []byte) (int, error) { *c.n += uint64(len(b)); return len(b), nil }

// minimalParts are the parts of a one-sheet workbook other than the sheet.
func minimalParts(sheetXML zipEntry) []zipEntry {
	return []zipEntry{
		{name: "[Content_Types].xml", body: `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`},
		{name: "_rels/.rels", body: `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{name: "xl/workbook.xml", body: `<workbook ` + nsMain + `><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{name: "xl/_rels/workbook.xml.rels", body: `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`},
		sheetXML,
	}
}

// repeat streams head, then unit until n bytes, then tail.
func repeat(head, unit, tail string, n int) func(w io.Writer) {
	return func(w io.Writer) {
		io.WriteString(w, head)
		chunk := []byte(strings.Repeat(unit, 64<<10/len(unit)))
		for written := 0; written < n; written += len(chunk) {
			w.Write(chunk)
		}
		io.WriteString(w, tail)
	}
}

const sheetHead = `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`

// readAll opens a workbook and compares it with itself, which reads every
// part a preview reads.
func readAll(b []byte, o Options) error {
	wb, err := Open(bytes.NewReader(b), int64(len(b)), o)
	if err != nil {
		return err
	}
	defer wb.Close()
	_, err = Diff(context.Background(), wb, wb, o)
	return err
}

func TestHostileFiles(t *testing.T) {
	good := book(t, base)
	ole := func(stream string) []byte {
		b := make([]byte, 4096)
		copy(b, oleMagic)
		binary.LittleEndian.PutUint16(b[0x1E:], 9) // 512-byte sectors
		binary.LittleEndian.PutUint32(b[0x30:], 0) // directory in sector 0
		for i, c := range stream {
			b[512+2*i] = byte(c)
		}
		return b
	}
	random := make([]byte, 5000)
	r := rand.New(rand.NewPCG(7, 7))
	for i := range random {
		random[i] = byte(r.UintN(256))
	}
	manyEntries := func() []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for i := range 30000 {
			zw.CreateHeader(&zip.FileHeader{Name: "f/" + strconv.Itoa(i), Method: zip.Store})
		}
		zw.Close()
		return buf.Bytes()
	}
	sheet := func(body string) []byte {
		return rawZip(t, minimalParts(zipEntry{name: "xl/worksheets/sheet1.xml", body: sheetHead + body + `</sheetData></worksheet>`})...)
	}
	small := Options{MaxExpandedBytes: 16 << 20}
	tests := []struct {
		name string
		file []byte
		opts Options
		is   error
		msg  string
	}{
		{"a sheet declaring more than the limit", rawZip(t, minimalParts(zipEntry{name: "xl/worksheets/sheet1.xml", body: sheetHead, declared: 5 << 30})...), Options{},
			ErrTooLarge, "the workbook expands to more than 4096 MB"},
		{"a highly compressible sheet over a small limit", rawZip(t, minimalParts(zipEntry{name: "xl/worksheets/sheet1.xml", stream: repeat(sheetHead, "<row/>", "</sheetData></worksheet>", 32<<20)})...), small,
			ErrTooLarge, "the workbook expands to more than 16 MB"},
		{"a highly compressible sheet within the limit", rawZip(t, minimalParts(zipEntry{name: "xl/worksheets/sheet1.xml", stream: repeat(sheetHead, "<row/>", "</sheetData></worksheet>", 32<<20)})...), Options{},
			ErrUnsupported, `the workbook is damaged: sheet "S" has more than 1048576 rows`},
		{"a sheet expanding past its declared size", rawZip(t, minimalParts(zipEntry{name: "xl/worksheets/sheet1.xml", stream: repeat(sheetHead, "<row/><row r=\"1\"/>", "", 8<<20), declared: 1 << 20})...), Options{},
			ErrUnsupported, "the workbook is damaged"},
		{"a shared string table expanding past its declared size", rawZip(t, append(minimalParts(zipEntry{name: "xl/worksheets/sheet1.xml", body: sheetHead + `<row r="1"><c r="A1" t="s"><v>900000</v></c></row></sheetData></worksheet>`}),
			zipEntry{name: "xl/sharedStrings.xml", stream: repeat("<sst>", "<si><t>a</t></si>", "</sst>", 16<<20), declared: 4096})...), Options{},
			ErrUnsupported, "the workbook is damaged"},
		{"one endless text", rawZip(t, minimalParts(zipEntry{name: "xl/worksheets/sheet1.xml", stream: repeat(sheetHead+`<row r="1"><c r="A1" t="inlineStr"><is><t>`, "aaaa", "", 4<<20)})...), Options{},
			ErrTooLarge, "one XML token of the workbook expands to more than 1 MB"},
		{"a truncated workbook", good[:len(good)/2], Options{}, ErrUnsupported, "the workbook is damaged: the zip archive has no end record (the file may be truncated)"},
		{"random bytes", random, Options{}, ErrUnsupported, "this is not an .xlsx workbook (it is not a zip archive); Countersign can preview .xlsx and .csv"},
		{"random bytes after a zip signature", append([]byte("PK\x03\x04"), random...), Options{}, ErrUnsupported, "the workbook is damaged: the zip archive has no end record (the file may be truncated)"},
		{"an empty file", nil, Options{}, ErrUnsupported, "the file is empty or too short to be a workbook; Countersign can preview .xlsx and .csv"},
		{"an .xls file", ole("Workbook"), Options{}, ErrUnsupported, "this is an old .xls file (BIFF); Countersign can preview .xlsx and .csv"},
		{"an encrypted workbook", ole("EncryptedPackage"), Options{}, ErrUnsupported, "the workbook is encrypted (password-protected); Countersign cannot preview its cells"},
		{"another OLE2 file", ole("WordDocument"), Options{}, ErrUnsupported, "this is an OLE2 compound file (an old Office format), not an .xlsx workbook; Countersign can preview .xlsx and .csv"},
		{"an OpenDocument spreadsheet", rawZip(t, zipEntry{name: "mimetype", body: "application/vnd.oasis.opendocument.spreadsheet"}, zipEntry{name: "content.xml", body: "<x/>"}), Options{},
			ErrUnsupported, "this is an OpenDocument spreadsheet (.ods); Countersign can preview .xlsx and .csv"},
		{"a binary workbook", rawZip(t, zipEntry{name: "[Content_Types].xml", body: "<Types/>"}, zipEntry{name: "xl/workbook.bin", body: "x"}), Options{},
			ErrUnsupported, "this is a binary workbook (.xlsb); Countersign can preview .xlsx and .csv"},
		{"a Word document", rawZip(t, zipEntry{name: "[Content_Types].xml", body: "<Types/>"}, zipEntry{name: "word/document.xml", body: "x"}), Options{},
			ErrUnsupported, "this is a Word document, not a workbook; Countersign can preview .xlsx and .csv"},
		{"a sheet whose part is missing", rawZip(t, minimalParts(zipEntry{name: "xl/worksheets/other.xml", body: sheetHead + `</sheetData></worksheet>`})...), Options{},
			ErrUnsupported, `the workbook is damaged: sheet "S" has no part with its cells (xl/worksheets/sheet1.xml is missing)`},
		{"a zip of something else", rawZip(t, zipEntry{name: "readme.txt", body: "hi"}), Options{},
			ErrUnsupported, "this zip archive is not an .xlsx workbook (it has no [Content_Types].xml); Countersign can preview .xlsx and .csv"},
		{"thirty thousand entries", manyEntries(), Options{}, ErrTooLarge, "the workbook's zip directory has more than 20000 entries; Countersign does not preview it cell by cell"},
		{"a DOCTYPE", rawZip(t, minimalParts(zipEntry{name: "xl/worksheets/sheet1.xml", body: `<!DOCTYPE x [<!ENTITY a "aaaa">]>` + sheetHead + `</sheetData></worksheet>`})...), Options{},
			ErrUnsupported, "the workbook's XML holds a DOCTYPE or other declaration, which spreadsheets never contain"},
		{"an unknown entity", sheet(`<row r="1"><c r="A1" t="inlineStr"><is><t>&a;</t></is></c></row>`), Options{}, ErrUnsupported, "the workbook is damaged: the unknown XML entity &a;"},
		{"rows out of order", sheet(`<row r="2"/><row r="1"/>`), Options{}, ErrUnsupported, `the workbook is damaged: sheet "S" lists row 1 after row 2`},
		{"cells out of order", sheet(`<row r="1"><c r="B1"/><c r="A1"/></row>`), Options{}, ErrUnsupported, `the workbook is damaged: sheet "S" lists cell A1 out of order`},
		{"a cell in another row", sheet(`<row r="1"><c r="A2"/></row>`), Options{}, ErrUnsupported, `the workbook is damaged: sheet "S" has a cell "A2" in row 1`},
		{"a shared string that does not exist", sheet(`<row r="1"><c r="A1" t="s"><v>3</v></c></row>`), Options{}, ErrUnsupported, "the workbook is damaged: a cell refers to shared string 3, but the table has 0"},
		{"a shared formula before its definition", sheet(`<row r="1"><c r="A1"><f t="shared" si="4"/></c></row>`), Options{}, ErrUnsupported,
			`cell A1 of sheet "S" uses shared formula 4 before the cell that defines it; Countersign cannot preview it`},
		{"a sheet cut off", rawZip(t, minimalParts(zipEntry{name: "xl/worksheets/sheet1.xml", body: sheetHead + `<row r="1"><c r="A1"><v>1`})...), Options{}, ErrUnsupported, "the workbook is damaged: an XML part ends early"},
		{"an unknown compression method", rawZip(t, minimalParts(zipEntry{name: "xl/worksheets/sheet1.xml", body: sheetHead, method: 99})...), Options{},
			ErrUnsupported, "the workbook's part xl/worksheets/sheet1.xml uses zip compression method 99, which Countersign cannot read"},
		{"nesting a little deep", sheet(`<row r="1"><c r="A1">` + strings.Repeat("<x>", 200) + strings.Repeat("</x>", 200) + `<v>1</v></c></row>`), Options{}, nil, ""},
		{"nesting too deep", sheet(`<row r="1"><c r="A1">` + strings.Repeat("<x>", 100000) + strings.Repeat("</x>", 100000) + `<v>1</v></c></row>`), Options{}, ErrUnsupported, "the workbook is damaged: XML elements nest more than 256 deep"},
		{"tags that do not match", sheet(`<row r="1"><c r="A1"><v>1</c></v></row>`), Options{}, ErrUnsupported, "the workbook is damaged: the XML end tag </c> does not close the element open there"},
		{"an element never closed", sheet(`<x>`), Options{}, ErrUnsupported, "the workbook is damaged: the XML end tag </sheetData> does not close the element open there"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			err := readAll(tt.file, tt.opts)
			runtime.ReadMemStats(&after)
			if tt.is == nil {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if !errors.Is(err, tt.is) {
				t.Fatalf("err = %v, want %v", err, tt.is)
			}
			if !strings.HasPrefix(err.Error(), tt.msg) {
				t.Errorf("err = %q, want it to start with %q", err, tt.msg)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
				t.Errorf("reading allocated %d MB", alloc>>20)
			}
		})
	}
}
