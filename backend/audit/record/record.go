// Package record defines an audit record: the fields it holds, the exact
// bytes it is stored and exported as, and its RFC 6962 leaf hash.
//
// It guarantees that Encode is canonical: a record has one encoding, Parse
// accepts only bytes that Encode would produce (so no two byte strings parse
// as the same record), and Head reads a record's position, the hash it holds
// of the record before it and its event id from the first bytes alone,
// without decoding the rest. The leaf hash is RFC 6962's: SHA-256 of a zero
// byte and the record's bytes.
//
// A record holds no content, only its SHA-256: free text (summaries, deny
// reasons, command lines, URLs) enters a record only after redaction by the
// writer, and this package does not redact.
package record

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// Version is the record format's "v".
const Version = 1

// HashSize is the size of a leaf hash.
const HashSize = sha256.Size

// Record is one audit record. Field order is the encoding's order: the first
// four fields (v, seq, prev, event_id) always come first, so Head can read
// them.
type Record struct {
	V       int    `json:"v"`
	Seq     int64  `json:"seq"`      // position in the log, from 1
	Prev    string `json:"prev"`     // hex leaf hash of record Seq-1; "" for record 1
	EventID int64  `json:"event_id"` // the events row this record stands for
	// Timestamp is when the event happened, RFC 3339 in UTC with nanoseconds.
	Timestamp string `json:"timestamp"`
	// Action is the event: proposed, approved, denied, key.rotated, ...
	Action   string `json:"action"`
	AgentID  string `json:"agent_id,omitempty"`
	UserID   string `json:"user_id,omitempty"`   // the person, when a person acted
	IntentID string `json:"intent_id,omitempty"` // the proposal
	// Outcome is the proposal's status after the event, or the result of an
	// event about no proposal.
	Outcome string `json:"outcome,omitempty"`
	// Resources are the proposal's actions: kind, redacted target and the
	// SHA-256 of their content or parameters as stored.
	Resources []Resource `json:"resources,omitempty"`
	// Hash is the SHA-256 (hex) of what the event is about, as stored; the
	// writer documents what that is per event.
	Hash string `json:"hash,omitempty"`
	// Signature is the intent token's signature (its third JWS segment) when
	// the event is a signed decision, and KeyID the key that made it.
	Signature    string `json:"signature,omitempty"`
	KeyID        string `json:"key_id,omitempty"`
	PolicyID     string `json:"policy_id,omitempty"`
	CapabilityID string `json:"capability_id,omitempty"`
	Summary      string `json:"summary,omitempty"` // redacted
	Reason       string `json:"reason,omitempty"`  // redacted
	// Detail holds the event's other data, its strings redacted.
	Detail map[string]any `json:"detail,omitempty"`
	// Redacted counts the secrets and personal data removed from this record.
	Redacted int `json:"redacted,omitempty"`
}

// Resource is one action of a proposal as a record names it.
type Resource struct {
	Kind   string `json:"kind"`
	Target string `json:"target,omitempty"`
	SHA256 string `json:"sha256,omitempty"`
}

// Time parses Timestamp.
func (r *Record) Time() (time.Time, error) { return time.Parse(time.RFC3339Nano, r.Timestamp) }

// FormatTime is how a record writes a time.
func FormatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// Encode returns the record's canonical bytes.
func Encode(r *Record) ([]byte, error) {
	if r.V != Version {
		return nil, fmt.Errorf("record: version %d, want %d", r.V, Version)
	}
	if r.Seq < 1 {
		return nil, fmt.Errorf("record: seq %d, want at least 1", r.Seq)
	}
	if (r.Seq == 1) != (r.Prev == "") {
		return nil, fmt.Errorf("record: record %d has prev %q", r.Seq, r.Prev)
	}
	if r.Prev != "" && !isHex(r.Prev, HashSize) {
		return nil, fmt.Errorf("record: prev %q is not a hex SHA-256", r.Prev)
	}
	if r.Action == "" {
		return nil, errors.New("record: no action")
	}
	if _, err := r.Time(); err != nil {
		return nil, fmt.Errorf("record: timestamp: %w", err)
	}
	return appendRecord(make([]byte, 0, 512), r)
}

// appendRecord writes what json.Marshal(r) writes for valid UTF-8, faster:
// records are encoded inside the transaction that writes them.
func appendRecord(b []byte, r *Record) ([]byte, error) {
	b = append(b, `{"v":`...)
	b = strconv.AppendInt(b, int64(r.V), 10)
	b = append(b, `,"seq":`...)
	b = strconv.AppendInt(b, r.Seq, 10)
	b = append(b, `,"prev":`...)
	b = appendString(b, r.Prev)
	b = append(b, `,"event_id":`...)
	b = strconv.AppendInt(b, r.EventID, 10)
	b = append(b, `,"timestamp":`...)
	b = appendString(b, r.Timestamp)
	b = append(b, `,"action":`...)
	b = appendString(b, r.Action)
	b = appendField(b, "agent_id", r.AgentID)
	b = appendField(b, "user_id", r.UserID)
	b = appendField(b, "intent_id", r.IntentID)
	b = appendField(b, "outcome", r.Outcome)
	if len(r.Resources) > 0 {
		b = append(b, `,"resources":[`...)
		for i, res := range r.Resources {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"kind":`...)
			b = appendString(b, res.Kind)
			b = appendField(b, "target", res.Target)
			b = appendField(b, "sha256", res.SHA256)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = appendField(b, "hash", r.Hash)
	b = appendField(b, "signature", r.Signature)
	b = appendField(b, "key_id", r.KeyID)
	b = appendField(b, "policy_id", r.PolicyID)
	b = appendField(b, "capability_id", r.CapabilityID)
	b = appendField(b, "summary", r.Summary)
	b = appendField(b, "reason", r.Reason)
	if len(r.Detail) > 0 {
		var err error
		b = append(b, `,"detail":`...)
		if b, err = appendValue(b, r.Detail); err != nil {
			return nil, fmt.Errorf("record: detail: %w", err)
		}
	}
	if r.Redacted != 0 {
		b = append(b, `,"redacted":`...)
		b = strconv.AppendInt(b, int64(r.Redacted), 10)
	}
	return append(b, '}'), nil
}

// appendValue writes a decoded JSON value as encoding/json does (object
// keys sorted); types other than those of decoded JSON go to json.Marshal.
func appendValue(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendString(b, x), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case json.Number:
		if !json.Valid([]byte(x)) {
			return nil, fmt.Errorf("invalid number %q", x)
		}
		return append(b, x...), nil
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			var err error
			if b, err = appendValue(b, x[k]); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	case []any:
		b = append(b, '[')
		for i, y := range x {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendValue(b, y); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	}
	d, err := json.Marshal(v)
	return append(b, d...), err
}

// appendField writes an omitempty string member.
func appendField(b []byte, name, v string) []byte {
	if v == "" {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendString(b, v)
}

const hexDigits = "0123456789abcdef"

// appendString writes s as encoding/json does (HTML characters, control
// characters, U+2028 and U+2029 escaped), except that a byte that is not
// UTF-8 becomes U+FFFD itself rather than its escape, so that decoding and
// encoding again gives the same bytes.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, "\uFFFD"...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// Parse reads a record and checks that data is exactly its canonical
// encoding.
func Parse(data []byte) (*Record, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	var r Record
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	again, err := Encode(&r)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(again, data) {
		return nil, errors.New("record: not in canonical form")
	}
	return &r, nil
}

// LeafHash is the record's RFC 6962 leaf hash: SHA-256(0x00 || data).
func LeafHash(data []byte) [HashSize]byte {
	if len(data) < 2048 {
		var buf [2049]byte // on the stack: records are small
		n := copy(buf[1:], data)
		return sha256.Sum256(buf[:n+1])
	}
	h := sha256.New()
	h.Write([]byte{0})
	h.Write(data)
	var out [HashSize]byte
	h.Sum(out[:0])
	return out
}

// Head is what Head reads from the start of a record.
type Head struct {
	Seq     int64
	Prev    [HashSize]byte
	HasPrev bool
	EventID int64
}

var (
	headV       = []byte(`{"v":1,"seq":`)
	headPrev    = []byte(`,"prev":"`)
	headEventID = []byte(`","event_id":`)
)

// ReadHead reads seq, prev and event_id from the first bytes of an encoded
// record. It does not check the rest of the record. It allocates nothing:
// the verifier calls it once per record.
func ReadHead(data []byte) (Head, error) {
	var h Head
	rest, ok := bytes.CutPrefix(data, headV)
	if !ok {
		return h, errors.New("record: does not start as a version 1 record")
	}
	var err error
	if h.Seq, rest, err = number(rest); err != nil {
		return h, fmt.Errorf("record: seq: %w", err)
	}
	if rest, ok = bytes.CutPrefix(rest, headPrev); !ok {
		return h, errors.New("record: no prev after seq")
	}
	if len(rest) > 0 && rest[0] != '"' {
		if len(rest) < 2*HashSize {
			return h, errors.New("record: prev is cut short")
		}
		for i := range HashSize {
			hi, lo := unhex(rest[2*i]), unhex(rest[2*i+1])
			if hi > 15 || lo > 15 {
				return h, errors.New("record: prev is not lower-case hex")
			}
			h.Prev[i] = hi<<4 | lo
		}
		h.HasPrev, rest = true, rest[2*HashSize:]
	}
	if rest, ok = bytes.CutPrefix(rest, headEventID); !ok {
		return h, errors.New("record: no event_id after prev")
	}
	if h.EventID, _, err = number(rest); err != nil {
		return h, fmt.Errorf("record: event_id: %w", err)
	}
	return h, nil
}

// unhexTable maps a lower-case hex digit to its value and every other byte
// to 255.
var unhexTable = func() (t [256]byte) {
	for i := range t {
		t[i] = 255
	}
	for i, c := range hexDigits {
		t[c] = byte(i)
	}
	return t
}()

// unhex is the value of a lower-case hex digit, or 255.
func unhex(c byte) byte { return unhexTable[c] }

// number reads a JSON non-negative integer with no leading zero.
func number(b []byte) (int64, []byte, error) {
	n := 0
	var v int64
	for n < len(b) && n < 18 && b[n] >= '0' && b[n] <= '9' {
		v = v*10 + int64(b[n]-'0')
		n++
	}
	if n == 0 || (n > 1 && b[0] == '0') || (n < len(b) && b[n] >= '0' && b[n] <= '9') {
		return 0, b, errors.New("not a number")
	}
	return v, b[n:], nil
}

// isHex reports whether s is exactly n bytes in lower-case hex.
func isHex(s string, n int) bool {
	if len(s) != 2*n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// HexHash is the lower-case hex of a hash, as prev holds it.
func HexHash(h [HashSize]byte) string { return hex.EncodeToString(h[:]) }
