package intent

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"countersign/backend/keystore"
	"countersign/backend/proposal"
)

// envRequireNode makes the independent verification fail, not skip, when
// node or the jose package is missing.
const envRequireNode = "COUNTERSIGN_REQUIRE_NODE"

// joseScript returns the path of verify-jose.mjs once node and its npm
// dependencies are there.
func joseScript(t *testing.T) (node, script string) {
	t.Helper()
	script, _ = filepath.Abs(filepath.Join("testdata", "verify-jose.mjs"))
	const install = "npm ci --no-audit --no-fund --prefix backend/intent/testdata/jose"
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join("testdata", "jose", "node_modules", "jose", "package.json"))
	}
	if err != nil {
		if os.Getenv(envRequireNode) == "1" {
			t.Fatalf("%s=1 but node or the jose package is missing (%v); install with: %s", envRequireNode, err, install)
		}
		t.Skipf("node or the jose package is missing (%v); install with: %s", err, install)
	}
	return node, script
}

type joseResult struct {
	Header  map[string]string `json:"header"`
	Payload json.RawMessage   `json:"payload"`
}

func runJose(t *testing.T, node, script, jwks, token string) (joseResult, string, error) {
	t.Helper()
	cmd := exec.Command(node, script, jwks, "-")
	cmd.Stdin = strings.NewReader(token)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var res joseResult
	if err == nil {
		if jerr := json.Unmarshal(stdout.Bytes(), &res); jerr != nil {
			t.Fatalf("verify-jose printed %q: %v", stdout.String(), jerr)
		}
	}
	return res, stderr.String(), err
}

// TestJoseVerifiesWithTheJWKSFile has the npm jose package verify tokens
// made by Issue with keys from the real keystore (file backend), using only
// the JWKS file the keystore exported.
func TestJoseVerifiesWithTheJWKSFile(t *testing.T) {
	node, script := joseScript(t)
	dir := t.TempDir()
	now := time.Now().Add(-time.Minute)
	ks, err := keystore.Open(keystore.NewFile(filepath.Join(dir, keystore.FileName)),
		keystore.Options{DataDir: dir, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	mint := func(v proposal.Verdict, approved []int) (string, Claims) {
		s, err := ks.Signer()
		if err != nil {
			t.Fatal(err)
		}
		c, err := NewClaims(Request{Proposal: sampleProposal(), Verdict: v, DecidedBy: "ana", Approved: approved,
			TargetHashes: sampleHashes, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		return issue(t, s, c), c
	}
	oldTok, oldClaims := mint(proposal.VerdictApprovePart, []int{0, 3})
	now = time.Now()
	if _, err := ks.Rotate(); err != nil {
		t.Fatal(err)
	}
	newTok, newClaims := mint(proposal.VerdictDeny, nil)

	for name, tc := range map[string]struct {
		token  string
		claims Claims
	}{"retired key": {oldTok, oldClaims}, "current key": {newTok, newClaims}} {
		t.Run(name, func(t *testing.T) {
			res, stderr, err := runJose(t, node, script, ks.JWKSPath(), tc.token)
			if err != nil {
				t.Fatalf("jose refused a good token: %v\n%s", err, stderr)
			}
			var got Claims
			if err := json.Unmarshal(res.Payload, &got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(got, tc.claims); diff != "" {
				t.Errorf("payload jose verified (-got +want):\n%s", diff)
			}
			if res.Header["alg"] != "EdDSA" || res.Header["typ"] != TokenType {
				t.Errorf("header %v", res.Header)
			}
		})
	}

	p := strings.Split(newTok, ".")
	_, payload := parts(t, newTok)
	forged := strings.Replace(string(payload), `"decision":"deny"`, `"decision":"approve"`, 1)
	bad := map[string]string{
		"payload re-encoded":   p[0] + "." + b64s([]byte(forged)) + "." + p[2],
		"signature flipped":    p[0] + "." + p[1] + "." + flip(p[2]),
		"alg none":             b64s([]byte(`{"alg":"none","typ":"countersign-intent+jwt"}`)) + "." + p[1] + ".",
		"key not in the JWKS":  issue(t, newTestSigner(9), newClaims),
		"signature of another": p[0] + "." + p[1] + "." + strings.Split(oldTok, ".")[2],
	}
	for name, tok := range bad {
		t.Run(name, func(t *testing.T) {
			if _, stderr, err := runJose(t, node, script, ks.JWKSPath(), tok); err == nil {
				t.Errorf("jose accepted a bad token")
			} else if !strings.Contains(stderr, "verify-jose:") {
				t.Errorf("no reason on stderr: %q", stderr)
			}
		})
	}
}

// flip changes the first character of s to another base64url character.
func flip(s string) string {
	if s[0] == 'A' {
		return "B" + s[1:]
	}
	return "A" + s[1:]
}
