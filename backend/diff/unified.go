package diff

import (
	"strconv"
	"strings"
	"unsafe"
)

const noNewlineMarker = "\\ No newline at end of file\n"

// unifiedWriter renders changes as git prints them: a "diff --git" header,
// mode lines for created and deleted files, "---"/"+++" names and "@@" hunks
// with Context lines around each change, merging hunks whose context would
// touch or overlap.
type unifiedWriter struct {
	path                 string
	oldExists, newExists bool
	a, b                 *text
	context, maxLines    int
}

// hunkRange is a hunk before rendering: changes cs[first..last] and the
// context around them, as 0-based line ranges.
type hunkRange struct {
	first, last      int
	oldStart, oldEnd int
	newStart, newEnd int
}

func (w *unifiedWriter) hunkRanges(cs []change) []hunkRange {
	var out []hunkRange
	n := w.a.len()
	for s := 0; s < len(cs); {
		e := s
		for e+1 < len(cs) && cs[e+1].a0-cs[e].a1 <= 2*w.context {
			e++
		}
		before := min(w.context, cs[s].a0)
		after := min(w.context, n-cs[e].a1)
		out = append(out, hunkRange{
			first: s, last: e,
			oldStart: cs[s].a0 - before, oldEnd: cs[e].a1 + after,
			newStart: cs[s].b0 - before, newEnd: cs[e].b1 + after,
		})
		s = e + 1
	}
	return out
}

// lineRef is one line of a hunk before rendering.
type lineRef struct {
	kind LineKind
	old  int // 0-based index in a, or -1
	new  int // 0-based index in b, or -1
}

// visit calls f for the lines of hunk h in order, at most limit of them.
func visit(h hunkRange, cs []change, limit int, f func(lineRef)) {
	emitted := 0
	emit := func(l lineRef) bool {
		if emitted >= limit {
			return false
		}
		emitted++
		f(l)
		return true
	}
	ctx := func(a0, a1, b0 int) bool {
		for i := a0; i < a1; i++ {
			if !emit(lineRef{KindContext, i, b0 + i - a0}) {
				return false
			}
		}
		return true
	}
	i, j := h.oldStart, h.newStart
	for k := h.first; k <= h.last; k++ {
		c := cs[k]
		if !ctx(i, c.a0, j) {
			return
		}
		for x := c.a0; x < c.a1; x++ {
			if !emit(lineRef{KindDel, x, -1}) {
				return
			}
		}
		for y := c.b0; y < c.b1; y++ {
			if !emit(lineRef{KindAdd, -1, y}) {
				return
			}
		}
		i, j = c.a1, c.b1
	}
	ctx(i, h.oldEnd, j)
}

func (w *unifiedWriter) write(cs []change) (string, []Hunk, bool) {
	ranges := w.hunkRanges(cs)
	// Size the output exactly, so it is allocated once and the Text of every
	// Line can point into it.
	var head strings.Builder
	w.header(&head, len(cs) > 0)
	size := head.Len()
	for _, h := range ranges {
		size += 64 + w.linesSize(w.a, h.oldStart, h.oldEnd)
		for _, c := range cs[h.first : h.last+1] {
			size += w.linesSize(w.b, c.b0, c.b1)
		}
	}
	buf := make([]byte, 0, size)
	buf = append(buf, head.String()...)

	hunks := make([]Hunk, 0, len(ranges))
	left := w.maxLines
	truncated := false
	for _, h := range ranges {
		if left == 0 {
			truncated = true
			break
		}
		count := h.oldEnd - h.oldStart
		for _, c := range cs[h.first : h.last+1] {
			count += c.b1 - c.b0
		}
		hk := Hunk{}
		if count > left {
			truncated = true
			count = left
			visit(h, cs, count, func(l lineRef) {
				if l.kind != KindAdd {
					hk.OldLines++
				}
				if l.kind != KindDel {
					hk.NewLines++
				}
			})
		} else {
			hk.OldLines, hk.NewLines = h.oldEnd-h.oldStart, h.newEnd-h.newStart
		}
		left -= count
		hk.OldStart = startNumber(h.oldStart, hk.OldLines)
		hk.NewStart = startNumber(h.newStart, hk.NewLines)
		hk.Header = "@@ -" + rangeText(hk.OldStart, hk.OldLines) + " +" + rangeText(hk.NewStart, hk.NewLines) + " @@"
		buf = append(buf, hk.Header...)
		buf = append(buf, '\n')
		hk.Lines = make([]Line, 0, count)
		visit(h, cs, count, func(l lineRef) {
			var t *text
			var i int
			ln := Line{Kind: l.kind}
			switch l.kind {
			case KindContext:
				ln.Old, ln.New = int32(l.old+1), int32(l.new+1)
				t, i = w.a, l.old
				buf = append(buf, ' ')
			case KindDel:
				ln.Old = int32(l.old + 1)
				t, i = w.a, l.old
				buf = append(buf, '-')
			case KindAdd:
				ln.New = int32(l.new + 1)
				t, i = w.b, l.new
				buf = append(buf, '+')
			}
			content := t.content(i)
			start := len(buf)
			buf = append(buf, content...)
			ln.Text = frozen(buf[start:])
			buf = append(buf, '\n')
			// A context line is the last line of both files at once, so one
			// marker covers both.
			if t.noNewline(i) {
				ln.NoNewline = true
				buf = append(buf, noNewlineMarker...)
			}
			hk.Lines = append(hk.Lines, ln)
		})
		hunks = append(hunks, hk)
	}
	return frozen(buf), hunks, truncated
}

// frozen returns b as a string without copying. The bytes b covers are
// never written again: the output is only appended to, and if an append
// moves it, the old array stays as it was.
func frozen(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// linesSize is the size of lines i..j-1 of t in the unified output.
func (w *unifiedWriter) linesSize(t *text, i, j int) int {
	n := int(t.offs[j]-t.offs[i]) + (j - i)
	if j > i && t.noNewline(j-1) {
		n += 1 + len(noNewlineMarker)
	}
	return n
}

// startNumber is the line number a hunk header names: the first line of the
// range, or the line before it when the range is empty.
func startNumber(start0, count int) int {
	if count == 0 {
		return start0
	}
	return start0 + 1
}

func rangeText(start, count int) string {
	if count == 1 {
		return strconv.Itoa(start)
	}
	return strconv.Itoa(start) + "," + strconv.Itoa(count)
}

func (w *unifiedWriter) header(sb *strings.Builder, hunks bool) {
	a, b := quotePath("a/"+w.path), quotePath("b/"+w.path)
	sb.WriteString("diff --git " + a + " " + b + "\n")
	switch {
	case !w.oldExists:
		sb.WriteString("new file mode 100644\n")
	case !w.newExists:
		sb.WriteString("deleted file mode 100644\n")
	}
	if !hunks {
		// GNU patch needs the blob names to create or delete an empty file;
		// e69de29 is git's name for the empty blob.
		switch {
		case !w.oldExists && w.b != nil && w.b.len() == 0:
			sb.WriteString("index 0000000..e69de29\n")
		case !w.newExists && w.a != nil && w.a.len() == 0:
			sb.WriteString("index e69de29..0000000\n")
		}
		return
	}
	if !w.oldExists {
		a = "/dev/null"
	}
	if !w.newExists {
		b = "/dev/null"
	}
	// Like git, end names that contain a space with a tab, so GNU patch
	// reads the whole name.
	sb.WriteString("--- " + a + tabIfSpace(a) + "\n+++ " + b + tabIfSpace(b) + "\n")
}

func tabIfSpace(name string) string {
	if strings.Contains(name, " ") {
		return "\t"
	}
	return ""
}

// binaryPatch is what git prints for a changed binary file.
func binaryPatch(path string, oldExists, newExists bool) string {
	w := unifiedWriter{path: path, oldExists: oldExists, newExists: newExists}
	var sb strings.Builder
	w.header(&sb, false)
	a, b := quotePath("a/"+path), quotePath("b/"+path)
	if !oldExists {
		a = "/dev/null"
	}
	if !newExists {
		b = "/dev/null"
	}
	sb.WriteString("Binary files " + a + " and " + b + " differ\n")
	return sb.String()
}

// quotePath quotes a name the way git does (core.quotePath): names with
// control characters, '"', '\\' or bytes outside ASCII are written as C
// strings in double quotes, which git apply and GNU patch both read.
func quotePath(name string) string {
	needs := false
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x7f {
			needs = true
			break
		}
	}
	if !needs {
		return name
	}
	var sb strings.Builder
	sb.WriteByte('"')
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch c {
		case '\a':
			sb.WriteString(`\a`)
		case '\b':
			sb.WriteString(`\b`)
		case '\t':
			sb.WriteString(`\t`)
		case '\n':
			sb.WriteString(`\n`)
		case '\v':
			sb.WriteString(`\v`)
		case '\f':
			sb.WriteString(`\f`)
		case '\r':
			sb.WriteString(`\r`)
		case '"':
			sb.WriteString(`\"`)
		case '\\':
			sb.WriteString(`\\`)
		default:
			if c < 0x20 || c >= 0x7f {
				sb.WriteByte('\\')
				sb.WriteByte('0' + c>>6)
				sb.WriteByte('0' + c>>3&7)
				sb.WriteByte('0' + c&7)
			} else {
				sb.WriteByte(c)
			}
		}
	}
	sb.WriteByte('"')
	return sb.String()
}
