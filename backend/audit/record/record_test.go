package record

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

var t0 = time.Date(2026, 3, 14, 9, 26, 53, 589793238, time.UTC)

func full() *Record {
	return &Record{V: Version, Seq: 7, Prev: strings.Repeat("ab", 32), EventID: 42, Timestamp: FormatTime(t0),
		Action: "approved", AgentID: "claude-code", UserID: "ada", IntentID: "01J0000000000000000000000",
		Outcome: "approved", Resources: []Resource{{Kind: "file.write", Target: "notes.md", SHA256: strings.Repeat("0", 64)},
			{Kind: "file.delete", Target: "old.txt"}},
		Hash: strings.Repeat("1", 64), Signature: "c2ln", KeyID: "kid", PolicyID: "p1", CapabilityID: "c1",
		Summary: "Tidy <notes> & \"stuff\"\u2028", Reason: "bad\x01", Detail: map[string]any{"b": json.Number("1"), "a": "x<", "c": []any{true, nil, map[string]any{"z": "1", "y": json.Number("2.5")}}, "d": 3},
		Redacted: 2}
}

// TestEncodeIsJSONMarshal: the fast encoder writes exactly what
// encoding/json writes, for every field and escaping rule.
func TestEncodeIsJSONMarshal(t *testing.T) {
	cases := map[string]*Record{
		"every field":  full(),
		"first record": {V: Version, Seq: 1, EventID: 1, Timestamp: FormatTime(t0), Action: "proposed"},
	}
	for _, s := range []string{"", "plain", "<script>", "a&b", "tab\tnl\nret\r", "\x00\x1f\x7f", "\xff\xfe", "é€😀", "\u2028\u2029", `q"b\`} {
		r := full()
		r.Summary, r.Resources[0].Target = s+"x", s+"y"
		cases["string "+s] = r
	}
	for name, r := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := Encode(r)
			if err != nil {
				t.Fatal(err)
			}
			want, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			if !utf8.Valid(got) {
				t.Errorf("not UTF-8: %q", got)
			}
			// encoding/json escapes a byte that is not UTF-8; Encode writes U+FFFD.
			want = bytes.ReplaceAll(want, []byte(`\ufffd`), []byte("\uFFFD"))
			if !bytes.Equal(got, want) {
				t.Errorf("Encode differs from json.Marshal:\n got %s\nwant %s", got, want)
			}
			back, err := Parse(got)
			if err != nil {
				t.Fatalf("Parse(Encode(r)): %v", err)
			}
			again, _ := Encode(back)
			if !bytes.Equal(again, got) {
				t.Errorf("round trip changed the bytes")
			}
		})
	}
}

func TestEncodeRefuses(t *testing.T) {
	for name, edit := range map[string]func(r *Record){
		"version 2":        func(r *Record) { r.V = 2 },
		"seq 0":            func(r *Record) { r.Seq = 0 },
		"no prev after 1":  func(r *Record) { r.Prev = "" },
		"prev on record 1": func(r *Record) { r.Seq = 1 },
		"prev not hex":     func(r *Record) { r.Prev = strings.Repeat("G", 64) },
		"prev upper-case":  func(r *Record) { r.Prev = strings.Repeat("AB", 32) },
		"no action":        func(r *Record) { r.Action = "" },
		"bad timestamp":    func(r *Record) { r.Timestamp = "yesterday" },
	} {
		t.Run(name, func(t *testing.T) {
			r := full()
			edit(r)
			if _, err := Encode(r); err == nil {
				t.Error("encoded")
			}
		})
	}
}

// TestParseAcceptsOnlyCanonical: spacing, member order, unknown members and
// escapes that encoding/json would not write are all refused.
func TestParseAcceptsOnlyCanonical(t *testing.T) {
	good, err := Encode(full())
	if err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string][]byte{
		"space":          bytes.Replace(good, []byte(`"v":1`), []byte(`"v": 1`), 1),
		"member order":   bytes.Replace(good, []byte(`{"v":1,"seq":7`), []byte(`{"seq":7,"v":1`), 1),
		"unknown member": bytes.Replace(good, []byte(`"action"`), []byte(`"extra":1,"action"`), 1),
		"other escape":   bytes.Replace(good, []byte(`\u003c`), []byte(`<`), 1),
		"trailing data":  append(append([]byte{}, good...), ' '),
		"not json":       []byte("nope"),
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Parse(bad); err == nil {
				t.Errorf("accepted %s", bad)
			}
		})
	}
}

func TestReadHead(t *testing.T) {
	r := full()
	b, _ := Encode(r)
	h, err := ReadHead(b)
	if err != nil {
		t.Fatal(err)
	}
	if h.Seq != 7 || h.EventID != 42 || !h.HasPrev || HexHash(h.Prev) != r.Prev {
		t.Errorf("head %+v", h)
	}
	first, _ := Encode(&Record{V: Version, Seq: 1, EventID: 3, Timestamp: FormatTime(t0), Action: "proposed"})
	if h, err := ReadHead(first); err != nil || h.Seq != 1 || h.HasPrev || h.EventID != 3 {
		t.Errorf("first record head %+v %v", h, err)
	}
	for name, bad := range map[string]string{
		"not a record": `{"seq":1}`,
		"seq not num":  `{"v":1,"seq":"1","prev":"","event_id":1}`,
		"leading zero": `{"v":1,"seq":01,"prev":"","event_id":1}`,
		"short prev":   `{"v":1,"seq":2,"prev":"abcd","event_id":1}`,
		"no event id":  `{"v":1,"seq":1,"prev":"","timestamp":""}`,
		"upper hex":    `{"v":1,"seq":2,"prev":"` + strings.Repeat("AB", 32) + `","event_id":1}`,
	} {
		if _, err := ReadHead([]byte(bad)); err == nil {
			t.Errorf("%s: accepted %s", name, bad)
		}
	}
}

func TestLeafHashIsRFC6962(t *testing.T) {
	// RFC 6962 leaf hash of the empty leaf: SHA-256 of one zero byte.
	got := HexHash(LeafHash(nil))
	if diff := cmp.Diff(got, "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"); diff != "" {
		t.Error(diff)
	}
}

func FuzzEncode(f *testing.F) {
	f.Add("summary", "target", "reason")
	f.Add("<>&\u2028", "\xff", "\x00")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		r := full()
		r.Summary, r.Resources[1].Target, r.Reason = a, b, c
		got, err := Encode(r)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(r)
		want = bytes.ReplaceAll(want, []byte(`\ufffd`), []byte("\uFFFD"))
		if !bytes.Equal(got, want) {
			t.Fatalf("Encode %s\njson   %s", got, want)
		}
		if _, err := Parse(got); err != nil {
			t.Fatal(err)
		}
	})
}
