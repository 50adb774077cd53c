package sheet

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"sync/atomic"

	kflate "github.com/klauspost/compress/flate"
)

// zipPackage is the zip archive of an .xlsx: its directory, read within
// limits, and parts opened through readers that count what they expand to.
type zipPackage struct {
	zr    *zip.Reader
	files map[string]*zip.File // by normalised name
	opts  *Options
	// expanded counts the bytes parts have expanded to as read, for
	// progress.
	expanded atomic.Int64
}

var (
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	// maxDirectoryBytes bounds the zip central directory: an .xlsx has tens or
	// a few thousand entries, and each costs memory when listed.
	maxDirectoryBytes = int64(4 << 20)
	maxEntries        = 20000
)

// openPackage checks what the bytes are and opens the zip directory.
func openPackage(r io.ReaderAt, size int64, o *Options) (*zipPackage, error) {
	if size < 4 {
		return nil, unsupported("the file is empty or too short to be a workbook; Countersign can preview .xlsx and .csv")
	}
	head := make([]byte, 8)
	n, _ := r.ReadAt(head, 0)
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, oleMagic):
		return nil, classifyOLE(r, size)
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
	case bytes.HasPrefix(head, []byte("<?xml")), bytes.HasPrefix(head, []byte("\xEF\xBB\xBF<?xml")):
		return nil, unsupported("this is an XML file, not an .xlsx workbook (Excel 2003 XML and similar are not previewed); Countersign can preview .xlsx and .csv")
	default:
		return nil, unsupported("this is not an .xlsx workbook (it is not a zip archive); Countersign can preview .xlsx and .csv")
	}
	if err := checkDirectory(r, size); err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, &UnsupportedError{Reason: "the workbook is damaged: it is not a readable zip archive (" + err.Error() + ")", Err: err}
	}
	if len(zr.File) > maxEntries {
		return nil, &TooLargeError{What: "the workbook's zip directory", Limit: int64(maxEntries), Unit: "entries"}
	}
	zr.RegisterDecompressor(zip.Deflate, func(r io.Reader) io.ReadCloser { return kflate.NewReader(r) })
	p := &zipPackage{zr: zr, files: make(map[string]*zip.File, len(zr.File)), opts: o}
	var total uint64
	for _, f := range zr.File {
		name := normPart(f.Name)
		if _, dup := p.files[name]; dup {
			return nil, damaged("the zip archive holds %q twice", clip(f.Name))
		}
		p.files[name] = f
		total += f.UncompressedSize64
		if total > uint64(o.MaxExpandedBytes) {
			return nil, &TooLargeError{What: "the workbook", Limit: o.MaxExpandedBytes, Unit: "bytes"}
		}
	}
	if err := p.classify(); err != nil {
		return nil, err
	}
	return p, nil
}

// normPart is the lookup key of a part name: no leading slash, forward
// slashes, lower case (part names are case-insensitive in OPC).
func normPart(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	return strings.ToLower(strings.TrimPrefix(name, "/"))
}

// classify refuses zip archives that are other documents.
func (p *zipPackage) classify() error {
	if f := p.files["mimetype"]; f != nil && f.UncompressedSize64 < 200 {
		if b, err := p.readSmall("mimetype", 200); err == nil && strings.Contains(string(b), "opendocument") {
			if strings.Contains(string(b), "spreadsheet") {
				return unsupported("this is an OpenDocument spreadsheet (.ods); Countersign can preview .xlsx and .csv")
			}
			return unsupported("this is an OpenDocument file, not a workbook; Countersign can preview .xlsx and .csv")
		}
	}
	switch {
	case p.files["xl/workbook.bin"] != nil:
		return unsupported("this is a binary workbook (.xlsb); Countersign can preview .xlsx and .csv")
	case p.files["word/document.xml"] != nil:
		return unsupported("this is a Word document, not a workbook; Countersign can preview .xlsx and .csv")
	case p.files["ppt/presentation.xml"] != nil:
		return unsupported("this is a PowerPoint presentation, not a workbook; Countersign can preview .xlsx and .csv")
	case p.files["[content_types].xml"] == nil:
		return unsupported("this zip archive is not an .xlsx workbook (it has no [Content_Types].xml); Countersign can preview .xlsx and .csv")
	}
	return nil
}

// checkDirectory reads the end-of-central-directory record (and its zip64
// form) and refuses directories too large to list.
func checkDirectory(r io.ReaderAt, size int64) error {
	const eocdLen, maxComment = 22, 65535
	tail := min(size, eocdLen+maxComment)
	buf := make([]byte, tail)
	if _, err := r.ReadAt(buf, size-tail); err != nil && err != io.EOF {
		return damaged("cannot read the end of the zip archive: %v", err)
	}
	i := bytes.LastIndex(buf, []byte("PK\x05\x06"))
	if i < 0 || len(buf)-i < eocdLen {
		return damaged("the zip archive has no end record (the file may be truncated)")
	}
	eocd := buf[i:]
	entries := uint64(binary.LittleEndian.Uint16(eocd[10:]))
	dirSize := uint64(binary.LittleEndian.Uint32(eocd[12:]))
	if entries == 0xFFFF || dirSize == 0xFFFFFFFF {
		loc := size - tail + int64(i) - 20
		if loc >= 0 {
			l := make([]byte, 20)
			if _, err := r.ReadAt(l, loc); err == nil && string(l[:4]) == "PK\x06\x07" {
				off := int64(binary.LittleEndian.Uint64(l[8:]))
				z := make([]byte, 56)
				if off >= 0 && off < size {
					if _, err := r.ReadAt(z, off); err == nil && string(z[:4]) == "PK\x06\x06" {
						entries = binary.LittleEndian.Uint64(z[32:])
						dirSize = binary.LittleEndian.Uint64(z[40:])
					}
				}
			}
		}
	}
	if entries > uint64(maxEntries) {
		return &TooLargeError{What: "the workbook's zip directory", Limit: int64(maxEntries), Unit: "entries"}
	}
	if dirSize > uint64(maxDirectoryBytes) {
		return &TooLargeError{What: "the workbook's zip directory", Limit: maxDirectoryBytes, Unit: "bytes"}
	}
	return nil
}

// classifyOLE names what an OLE2 compound file probably is: an encrypted
// .xlsx (Office keeps those in an OLE2 container) or a legacy .xls.
func classifyOLE(r io.ReaderAt, size int64) error {
	probe := func(name string) bool {
		u := make([]byte, 0, 2*len(name))
		for _, c := range []byte(name) {
			u = append(u, c, 0)
		}
		// The directory sector named in the header, then the file's ends.
		hdr := make([]byte, 512)
		if _, err := r.ReadAt(hdr, 0); err == nil {
			shift := binary.LittleEndian.Uint16(hdr[0x1E:])
			if shift >= 9 && shift <= 12 {
				sector := int64(1) << shift
				sid := int64(binary.LittleEndian.Uint32(hdr[0x30:]))
				dir := make([]byte, sector)
				if n, _ := r.ReadAt(dir, (sid+1)*sector); n > 0 && bytes.Contains(dir[:n], u) {
					return true
				}
			}
		}
		for _, off := range []int64{0, max(0, size-64<<10)} {
			b := make([]byte, min(size, 64<<10))
			if n, _ := r.ReadAt(b, off); n > 0 && bytes.Contains(b[:n], u) {
				return true
			}
		}
		return false
	}
	switch {
	case probe("EncryptedPackage"), probe("EncryptionInfo"):
		return unsupported("the workbook is encrypted (password-protected); Countersign cannot preview its cells")
	case probe("Workbook"), probe("Book"):
		return unsupported("this is an old .xls file (BIFF); Countersign can preview .xlsx and .csv")
	}
	return unsupported("this is an OLE2 compound file (an old Office format), not an .xlsx workbook; Countersign can preview .xlsx and .csv")
}

// errNoPart reports a part the workbook does not have.
var errNoPart = errors.New("no such part")

// open opens a part for streaming. The reader refuses to return more bytes
// than the part's header declares (archive/zip checks this too).
func (p *zipPackage) open(name string) (io.ReadCloser, error) {
	f := p.files[normPart(name)]
	if f == nil {
		return nil, errNoPart
	}
	if f.Flags&0x1 != 0 {
		return nil, unsupported("the workbook is encrypted (zip encryption); Countersign cannot preview its cells")
	}
	if f.Method != zip.Store && f.Method != zip.Deflate {
		return nil, unsupported("the workbook's part %s uses zip compression method %d, which Countersign cannot read", clip(f.Name), f.Method)
	}
	if f.UncompressedSize64 > uint64(p.opts.MaxExpandedBytes) {
		return nil, &TooLargeError{What: "the workbook", Limit: p.opts.MaxExpandedBytes, Unit: "bytes"}
	}
	rc, err := f.Open()
	if err != nil {
		return nil, &UnsupportedError{Reason: fmt.Sprintf("the workbook is damaged: cannot open %s (%v)", clip(f.Name), err), Err: err}
	}
	return &partReader{rc: rc, name: f.Name, left: int64(f.UncompressedSize64), count: &p.expanded}, nil
}

// partSize is the size a part declares, 0 if it is missing.
func (p *zipPackage) partSize(name string) int64 {
	if f := p.files[normPart(name)]; f != nil {
		return int64(f.UncompressedSize64)
	}
	return 0
}

// readSmall reads a whole part of at most limit bytes.
func (p *zipPackage) readSmall(name string, limit int64) ([]byte, error) {
	f := p.files[normPart(name)]
	if f == nil {
		return nil, errNoPart
	}
	if f.UncompressedSize64 > uint64(limit) {
		return nil, &TooLargeError{What: "the workbook part " + clip(f.Name), Limit: limit, Unit: "bytes"}
	}
	rc, err := p.open(name)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b := make([]byte, 0, f.UncompressedSize64)
	b, err = readAllInto(b, rc)
	if err != nil {
		return nil, err
	}
	return b, nil
}

func readAllInto(b []byte, r io.Reader) ([]byte, error) {
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

// partReader counts the bytes a part expands to and stops at its declared
// size, so a part whose header lies cannot expand without bound.
type partReader struct {
	rc    io.ReadCloser
	name  string
	left  int64
	count *atomic.Int64
}

func (r *partReader) Read(b []byte) (int, error) {
	n, err := r.rc.Read(b)
	r.left -= int64(n)
	r.count.Add(int64(n))
	if r.left < 0 {
		return 0, damaged("the part %s expands beyond the size its zip header declares", clip(r.name))
	}
	if err != nil && err != io.EOF {
		return n, &UnsupportedError{Reason: fmt.Sprintf("the workbook is damaged: the part %s cannot be decompressed (%v)", clip(r.name), err), Err: err}
	}
	return n, err
}

func (r *partReader) Close() error { return r.rc.Close() }

// resolveTarget resolves a relationship target against the part that holds
// the relationship.
func resolveTarget(source, target string) string {
	target = strings.ReplaceAll(target, "\\", "/")
	if strings.HasPrefix(target, "/") {
		return path.Clean(target)[1:]
	}
	return strings.TrimPrefix(path.Clean(path.Join(path.Dir(source), target)), "/")
}
