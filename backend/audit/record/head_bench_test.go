package record

import "testing"

func BenchmarkReadHead(b *testing.B) {
	data, _ := Encode(full())
	for b.Loop() {
		if _, err := ReadHead(data); err != nil {
			b.Fatal(err)
		}
	}
}
