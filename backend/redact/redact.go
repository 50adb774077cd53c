// Package redact finds secrets and personal data in text and removes them,
// for the audit log and its exports, and names them for the review window
// ("this writes an AWS access key").
//
// Detection is gitleaks' (github.com/zricethezav/gitleaks/v8) with its
// default rules (some two hundred kinds of keys and tokens), plus rules of
// our own for what gitleaks leaves to others: passwords in URLs, password
// and token assignments and command-line flags whatever their entropy,
// bearer tokens, private keys cut off before their end, payment card numbers
// (Luhn-checked), IBANs (mod-97-checked), US social security numbers and
// email addresses.
//
// It guarantees that Redact replaces every span any rule finds (overlapping
// spans merged) with "[REDACTED:<rule>]" and returns how many it replaced;
// that Find and Redact never return or log the secret itself beyond its
// offsets; that scanning is bounded by MaxScanBytes per text (Find reports
// that it stopped there) and by the caller's context; and that a Detector is
// safe for concurrent use. gitleaks' rules are loaded once, on first use.
package redact

import (
	"context"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/zricethezav/gitleaks/v8/detect"
)

// MaxScanBytes bounds the text one Find or Redact call reads. Longer text is
// scanned up to that point; Redact then drops the rest, Find reports it as
// truncated.
const MaxScanBytes = 1 << 20

// Finding is one secret or piece of personal data found in a text.
type Finding struct {
	RuleID      string `json:"rule_id"`     // gitleaks' rule id, or one of ours
	Description string `json:"description"` // in plain words: "an AWS access key"
	Start, End  int    `json:"-"`           // byte offsets in the text
	Line        int    `json:"line"`        // 1-based line of Start
}

// Detector finds secrets. The zero value is not usable; call New.
type Detector struct {
	once sync.Once
	gl   *detect.Detector
	err  error
}

// New returns a detector. gitleaks' rules are loaded on first use.
func New() *Detector { return &Detector{} }

// viperMu serializes gitleaks' configuration loading, which goes through a
// process-wide viper instance.
var viperMu sync.Mutex

func (d *Detector) load() (*detect.Detector, error) {
	d.once.Do(func() {
		viperMu.Lock()
		defer viperMu.Unlock()
		d.gl, d.err = detect.NewDetectorDefaultConfig()
	})
	return d.gl, d.err
}

// Warm loads gitleaks' rules now, so that the first real scan does not pay
// for it.
func (d *Detector) Warm() error {
	_, err := d.load()
	return err
}

// Find returns what the rules find in text, by offset, overlapping spans
// merged, and whether text was longer than MaxScanBytes. If gitleaks' rules
// cannot be loaded, only our own rules run and err says why.
func (d *Detector) Find(ctx context.Context, text string) (found []Finding, truncated bool, err error) {
	if len(text) > MaxScanBytes {
		cut := MaxScanBytes
		for cut > 0 && !isRuneStart(text[cut]) {
			cut--
		}
		text, truncated = text[:cut], true
	}
	var spans []Finding
	gl, err := d.load()
	if gl != nil {
		for _, f := range gl.DetectContext(ctx, detect.Fragment{Raw: text}) {
			secret := f.Secret
			if secret == "" {
				secret = f.Match
			}
			spans = appendAll(spans, text, secret, f.RuleID)
		}
	}
	for _, r := range ownRules {
		for _, m := range r.re.FindAllStringSubmatchIndex(text, -1) {
			start, end := m[0], m[1]
			if r.group > 0 && m[2*r.group] >= 0 {
				start, end = m[2*r.group], m[2*r.group+1]
			}
			if start < end && (r.valid == nil || r.valid(text[start:end])) {
				spans = append(spans, Finding{RuleID: r.id, Start: start, End: end})
			}
		}
	}
	return merge(spans, text), truncated, err
}

// appendAll adds a span for every place secret occurs in text.
func appendAll(spans []Finding, text, secret, rule string) []Finding {
	if strings.TrimSpace(secret) == "" {
		return spans
	}
	for off := 0; ; {
		i := strings.Index(text[off:], secret)
		if i < 0 {
			return spans
		}
		spans = append(spans, Finding{RuleID: rule, Start: off + i, End: off + i + len(secret)})
		off += i + len(secret)
	}
}

// merge sorts spans and joins those that overlap; the earliest-starting
// rule names a joined span. It fills in lines and descriptions.
func merge(spans []Finding, text string) []Finding {
	if len(spans) == 0 {
		return nil
	}
	sort.Slice(spans, func(i, j int) bool {
		if spans[i].Start != spans[j].Start {
			return spans[i].Start < spans[j].Start
		}
		return spans[i].End > spans[j].End
	})
	out := spans[:1]
	for _, s := range spans[1:] {
		last := &out[len(out)-1]
		if s.Start < last.End {
			last.End = max(last.End, s.End)
			continue
		}
		out = append(out, s)
	}
	line, at := 1, 0
	for i := range out {
		line += strings.Count(text[at:out[i].Start], "\n")
		at = out[i].Start
		out[i].Line = line
		out[i].Description = Describe(out[i].RuleID)
	}
	return out
}

// Redact returns text with every finding replaced by [REDACTED:<rule>], and
// how many it replaced. Text past MaxScanBytes is dropped, as it was not
// scanned. It implements store.Redactor.
func (d *Detector) Redact(text string) (string, int) {
	found, truncated, _ := d.Find(context.Background(), text)
	if len(found) == 0 && !truncated {
		return text, 0
	}
	var b strings.Builder
	at := 0
	for _, f := range found {
		b.WriteString(text[at:f.Start])
		b.WriteString("[REDACTED:")
		b.WriteString(f.RuleID)
		b.WriteString("]")
		at = f.End
	}
	end := len(text)
	if truncated {
		end = MaxScanBytes
		for end > at && !isRuneStart(text[end]) {
			end--
		}
	}
	if at < end {
		b.WriteString(text[at:end])
	}
	if truncated {
		b.WriteString("[NOT SCANNED: cut]")
	}
	return b.String(), len(found)
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// rule is one of our own patterns. group selects the secret inside the
// match (0: all of it); valid, when set, must accept the secret.
type rule struct {
	id    string
	re    *regexp.Regexp
	group int
	valid func(string) bool
}

var ownRules = []rule{
	{id: "url-password", group: 1,
		re: regexp.MustCompile(`(?i)\b[a-z][a-z0-9+.-]*://[^\s/?#@:]*:([^\s/?#@]+)@`)},
	{id: "password-assignment", group: 1,
		re: regexp.MustCompile(`(?i)(?:pass(?:word|wd|phrase)?|pwd|secret|token|api[-_]?key|access[-_]?key|private[-_]?key|client[-_]?secret|auth)["']?\s*[:=]\s*("[^"\n]+"|'[^'\n]+'|[^\s"',;&]+)`)},
	{id: "password-flag", group: 1,
		re: regexp.MustCompile(`(?i)(?:^|[\s'"])--?(?:pass(?:word|wd|phrase)?|pwd|token|secret|api-?key|access-?key|auth)(?:=|\s+)('[^']+'|"[^"]+"|[^\s'"]+)`)},
	{id: "bearer-token", group: 1,
		re: regexp.MustCompile(`(?i)\b(?:bearer|basic)\s+([A-Za-z0-9._~+/=-]{12,})`)},
	{id: "private-key",
		re: regexp.MustCompile(`-----BEGIN[A-Z0-9 ]*PRIVATE KEY[A-Z0-9 ]*-----(?s:.*?)(?:-----END[A-Z0-9 ]*PRIVATE KEY[A-Z0-9 ]*-----|\z)`)},
	{id: "payment-card", valid: luhn,
		re: regexp.MustCompile(`\b(?:\d[ -]?){12,18}\d\b`)},
	{id: "iban", valid: iban,
		re: regexp.MustCompile(`\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b`)},
	{id: "us-ssn",
		re: regexp.MustCompile(`\b(?:00[1-9]|0[1-9]\d|[1-578]\d\d|6[0-57-9]\d|66[0-57-9])-(?:0[1-9]|[1-9]\d)-(?:000[1-9]|00[1-9]\d|0[1-9]\d\d|[1-9]\d\d\d)\b`)},
	{id: "email-address",
		re: regexp.MustCompile(`\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b`)},
}

// luhn accepts 13 to 19 digits (spaces and dashes ignored) that pass the
// Luhn check and start as a payment card does.
func luhn(s string) bool {
	var digits []int
	for _, c := range s {
		if c >= '0' && c <= '9' {
			digits = append(digits, int(c-'0'))
		}
	}
	if len(digits) < 13 || len(digits) > 19 || digits[0] < 2 || digits[0] > 6 {
		return false
	}
	sum := 0
	for i := range digits {
		d := digits[len(digits)-1-i]
		if i%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

// iban accepts an IBAN whose check digits are right (ISO 13616 mod 97).
func iban(s string) bool {
	s = strings.ReplaceAll(s, " ", "")
	if len(s) < 15 || len(s) > 34 {
		return false
	}
	s = s[4:] + s[:4]
	rem := 0
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			rem = (rem*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			rem = (rem*100 + int(c-'A'+10)) % 97
		default:
			return false
		}
	}
	return rem == 1
}
