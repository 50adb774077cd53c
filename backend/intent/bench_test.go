package intent

import (
	"crypto/ed25519"
	"testing"
	"time"

	"countersign/backend/proposal"
)

// benchClaims returns claims whose canonical payload is about 1 KB.
func benchClaims(b *testing.B) (Claims, int) {
	b.Helper()
	p := sampleProposal()
	p.Summary = "Tidy projectX: write the todo list, bump the version, drop a stale log and run the tests"
	c, err := NewClaims(Request{Proposal: p, Verdict: proposal.VerdictApprove, DecidedBy: "ana",
		TargetHashes: sampleHashes, Now: t0})
	if err != nil {
		b.Fatal(err)
	}
	payload, _ := canonicalClaims(&c)
	if n := len(payload); n < 900 || n > 1200 {
		b.Fatalf("payload is %d bytes, want about 1 KB", n)
	}
	return c, len(payload)
}

func report(b *testing.B, payloadBytes int) {
	b.ReportMetric(float64(payloadBytes), "payload-bytes")
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(b.N)/s, "ops/s")
	}
}

// BenchmarkIssue measures canonicalising and signing one ~1 KB decision.
func BenchmarkIssue(b *testing.B) {
	s := newTestSigner(1)
	c, n := benchClaims(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Issue(s, c); err != nil {
			b.Fatal(err)
		}
	}
	report(b, n)
}

// BenchmarkVerify measures the full check of one ~1 KB token.
func BenchmarkVerify(b *testing.B) {
	s := newTestSigner(1)
	c, n := benchClaims(b)
	tok, err := Issue(s, c)
	if err != nil {
		b.Fatal(err)
	}
	keys := keyMap{s.kid: s.key.Public().(ed25519.PublicKey)}
	now := t0.Add(time.Minute)
	b.SetBytes(int64(len(tok)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Verify(tok, keys, now); err != nil {
			b.Fatal(err)
		}
	}
	report(b, n)
}

// BenchmarkEd25519Floor is the bare signature and verification of the same
// payload, the floor under BenchmarkIssue and BenchmarkVerify.
func BenchmarkEd25519Floor(b *testing.B) {
	s := newTestSigner(1)
	c, n := benchClaims(b)
	payload, _ := canonicalClaims(&c)
	pub := s.key.Public().(ed25519.PublicKey)
	b.Run("sign", func(b *testing.B) {
		for b.Loop() {
			ed25519.Sign(s.key, payload)
		}
		report(b, n)
	})
	sig := ed25519.Sign(s.key, payload)
	b.Run("verify", func(b *testing.B) {
		for b.Loop() {
			if !ed25519.Verify(pub, payload, sig) {
				b.Fatal("bad signature")
			}
		}
		report(b, n)
	})
}
