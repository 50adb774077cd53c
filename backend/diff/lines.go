package diff

import (
	"bytes"
	"hash/maphash"
	"math/bits"
)

// text is a file split into lines. A line is the bytes up to and including a
// "\n"; the last line may lack it.
type text struct {
	data []byte
	offs []int32 // line i is data[offs[i]:offs[i+1]]; inputs stay under 2 GiB
}

func countLines(data []byte) int {
	n := bytes.Count(data, []byte{'\n'})
	if len(data) > 0 && data[len(data)-1] != '\n' {
		n++
	}
	return n
}

func splitLines(data []byte) *text {
	n := countLines(data)
	offs := make([]int32, 1, n+1)
	for p := 0; p < len(data); {
		i := bytes.IndexByte(data[p:], '\n')
		if i < 0 {
			p = len(data)
		} else {
			p += i + 1
		}
		offs = append(offs, int32(p))
	}
	return &text{data: data, offs: offs}
}

func (t *text) len() int { return len(t.offs) - 1 }

func (t *text) line(i int) []byte { return t.data[t.offs[i]:t.offs[i+1]] }

// content is line i without its final "\n".
func (t *text) content(i int) []byte {
	l := t.line(i)
	if len(l) > 0 && l[len(l)-1] == '\n' {
		l = l[:len(l)-1]
	}
	return l
}

// noNewline reports whether line i is a last line without "\n".
func (t *text) noNewline(i int) bool {
	return i == t.len()-1 && t.data[len(t.data)-1] != '\n'
}

// intern numbers the distinct lines of a and b in order of first
// appearance, so the ids do not depend on the hash seed: equal ids, equal
// bytes. It returns the ids and the number of distinct lines.
func intern(a, b *text) (ida, idb []int32, n int) {
	total := a.len() + b.len()
	// Sized for half the lines being distinct, as when two versions of a
	// file share most lines; it grows if more are.
	t := internTable{a: a, b: b, seed: maphash.MakeSeed()}
	t.resize(uint64(total/2 + total/8 + 16))
	t.reps = make([]lineRep, 0, total/2+16)
	ida = t.ids(a, 0)
	idb = t.ids(b, 1)
	return ida, idb, len(t.reps)
}

// internTable is an open-addressing hash table of lines. A slot holds the
// high half of the line's hash and its id plus one; zero is empty.
type internTable struct {
	a, b  *text
	seed  maphash.Seed
	slots []uint64
	size  uint64
	reps  []lineRep // the first line with each id
}

// lineRep locates a line: its offset, with the side (0 old, 1 new) in the
// top bit, and its length.
type lineRep struct{ at, len uint32 }

func (t *internTable) bytes(r lineRep) []byte {
	data := t.a.data
	if r.at>>31 == 1 {
		data = t.b.data
	}
	at := r.at &^ (1 << 31)
	return data[at : at+r.len]
}

func (t *internTable) resize(size uint64) {
	t.size = size
	t.slots = make([]uint64, size)
	for id, r := range t.reps {
		h := maphash.Bytes(t.seed, t.bytes(r))
		k := t.home(h)
		for t.slots[k] != 0 {
			if k++; k == t.size {
				k = 0
			}
		}
		t.slots[k] = h>>32<<32 | uint64(id+1)
	}
}

// home is where a hash starts probing: h scaled to [0, size).
func (t *internTable) home(h uint64) uint64 {
	hi, _ := bits.Mul64(h, t.size)
	return hi
}

func (t *internTable) ids(x *text, side uint32) []int32 {
	out := make([]int32, x.len())
	for i := range out {
		l := x.line(i)
		h := maphash.Bytes(t.seed, l)
		tag := h >> 32
		for k := t.home(h); ; {
			s := t.slots[k]
			if s == 0 {
				out[i] = int32(len(t.reps))
				t.reps = append(t.reps, lineRep{side<<31 | uint32(x.offs[i]), uint32(len(l))})
				t.slots[k] = tag<<32 | uint64(len(t.reps))
				if uint64(len(t.reps)) > t.size/5*4 {
					t.resize(t.size * 2)
				}
				break
			}
			if s>>32 == tag {
				id := int32(uint32(s)) - 1
				if r := t.reps[id]; int(r.len) == len(l) && bytes.Equal(t.bytes(r), l) {
					out[i] = id
					break
				}
			}
			if k++; k == t.size {
				k = 0
			}
		}
	}
	return out
}
