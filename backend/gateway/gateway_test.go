package gateway

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"countersign/backend/gateway/api"
	"countersign/backend/proposal"
)

func TestValidHost(t *testing.T) {
	tests := []struct {
		host string
		want bool
	}{
		{"localhost", true},
		{"localhost:8080", true},
		{"LOCALHOST:8080", true},
		{"127.0.0.1", true},
		{"127.0.0.1:1", true},
		{"127.0.0.1:65535", true},
		{"[::1]", true},
		{"[::1]:41112", true},
		{"", false},
		{"localhost:", false},
		{"localhost:0", false},
		{"localhost:65536", false},
		{"localhost:99999", false},
		{"localhost:80a", false},
		{"localhost:-1", false},
		{"localhost.", false},
		{"localhost.:80", false},
		{"localhost.evil.com", false},
		{"evil.com", false},
		{"evil.com:80", false},
		{"127.0.0.2", false},
		{"127.0.0.1.nip.io", false},
		{"0.0.0.0:80", false},
		{"[::1", false},
		{"::1", false},
		{"[::2]:80", false},
		{"[::ffff:127.0.0.1]:80", false},
		{"localhost:80:80", false},
		{"user@localhost", false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.host), func(t *testing.T) {
			if got := validHost(tt.host); got != tt.want {
				t.Errorf("validHost(%q) = %v, want %v", tt.host, got, tt.want)
			}
		})
	}
}

// TestEveryRequestIsChecked sends requests a web page, a stranger or a
// confused client could send, and checks each is refused before any handler
// runs, with the security headers set and no CORS headers, ever.
func TestEveryRequestIsChecked(t *testing.T) {
	f := newFixture(t, nil)
	ok := simple(t.TempDir())
	okBody, _ := json.Marshal(ok)
	tests := []struct {
		name     string
		r        req
		status   int
		code     string
		wwwAuth  bool
		retryHdr bool
	}{
		{"an Origin header is refused", req{method: "POST", path: "/v1/proposals", agent: "alice", body: string(okBody),
			header: map[string]string{"Origin": "http://localhost:3000"}}, 403, "forbidden", false, false},
		{"a null Origin is refused", req{method: "GET", path: "/v1/proposals", agent: "alice",
			header: map[string]string{"Origin": "null"}}, 403, "forbidden", false, false},
		{"a Referer header is refused", req{method: "GET", path: "/v1/proposals", agent: "alice",
			header: map[string]string{"Referer": "http://evil.example/"}}, 403, "forbidden", false, false},
		{"a cross-site fetch is refused", req{method: "GET", path: "/v1/proposals", agent: "alice",
			header: map[string]string{"Sec-Fetch-Site": "cross-site"}}, 403, "forbidden", false, false},
		{"a rebound DNS name is refused", req{method: "GET", path: "/v1/proposals", agent: "alice",
			host: "evil.example:1234"}, 403, "forbidden", false, false},
		{"OPTIONS gets 405 and no CORS", req{method: "OPTIONS", path: "/v1/proposals",
			header: map[string]string{"Access-Control-Request-Method": "POST"}}, 405, "method_not_allowed", false, false},
		{"PUT gets 405", req{method: "PUT", path: "/v1/proposals", agent: "alice", body: "{}"}, 405, "method_not_allowed", false, false},
		{"DELETE gets 405", req{method: "DELETE", path: "/v1/proposals/01J00000000000000000000000", agent: "alice"}, 405, "method_not_allowed", false, false},
		{"GET on a POST route gets 405", req{method: "GET", path: "/v1/proposals/01J00000000000000000000000/withdraw", agent: "alice"}, 405, "method_not_allowed", false, false},
		{"no token", req{method: "GET", path: "/v1/proposals"}, 401, "unauthorized", true, false},
		{"a token that is not a bearer token", req{method: "GET", path: "/v1/proposals",
			header: map[string]string{"Authorization": "Basic YWxpY2U6cHc="}}, 401, "unauthorized", true, false},
		{"a malformed token", req{method: "GET", path: "/v1/proposals", token: "cs_short"}, 401, "unauthorized", true, false},
		{"an unknown token", req{method: "GET", path: "/v1/proposals", token: "cs_" + strings.Repeat("A", 43)}, 401, "unauthorized", true, false},
		{"an unknown path", req{method: "GET", path: "/v1/approve", agent: "alice"}, 404, "not_found", false, false},
		{"a body that is not JSON", req{method: "POST", path: "/v1/proposals", agent: "alice", body: "summary=x",
			header: map[string]string{"Content-Type": "text/plain"}}, 415, "unsupported_media", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.do(tt.r)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if e := r.errBody(t); e.Code != tt.code || e.Message == "" {
				t.Errorf("error %+v, want code %q and a message", e, tt.code)
			}
			checkHeaders(t, r.header)
			if got := r.header.Get("WWW-Authenticate") != ""; got != tt.wwwAuth {
				t.Errorf("WWW-Authenticate present = %v, want %v", got, tt.wwwAuth)
			}
		})
	}
	if n := f.countProposals(); n != 0 {
		t.Errorf("%d proposals stored by refused requests", n)
	}
}

func checkHeaders(t *testing.T, h http.Header) {
	t.Helper()
	if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Cache-Control") != "no-store" {
		t.Errorf("security headers missing: %v", h)
	}
	for k := range h {
		if strings.HasPrefix(strings.ToLower(k), "access-control-") {
			t.Errorf("CORS header %s present", k)
		}
	}
	if ct := h.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
}

// TestSubmitRejectsBadInput: every bad body gets a 4xx naming the field, and
// nothing is stored.
func TestSubmitRejectsBadInput(t *testing.T) {
	f := newFixture(t, func(c *Config) {
		c.Limits = proposal.Limits{MaxActions: 3, MaxContentBytes: 500, MaxTotalBytes: 1000}
	})
	ws := t.TempDir()
	wsJSON, _ := json.Marshal(ws)
	w := string(wsJSON)
	action := `{"kind":"file.write","path":"a.txt","content":"x"}`
	tests := []struct {
		name   string
		body   string
		status int
		code   string
		field  string
		msg    string
	}{
		{"malformed JSON", `{"summary": "x", "actions": [`, 400, "invalid", "body", "not valid JSON"},
		{"not an object", `["summary"]`, 400, "invalid", "body", "JSON object"},
		{"null", `null`, 400, "invalid", "body", "JSON object"},
		{"empty object", `{}`, 400, "invalid", "summary", "is empty"},
		{"data after the object", `{"summary":"x","workspace":` + w + `,"actions":[` + action + `]} {}`, 400, "invalid", "body", "after the JSON object"},
		{"an unknown field", `{"summary":"x","workspace":` + w + `,"actions":[` + action + `],"priority":1}`, 400, "invalid", "priority", "not a known field"},
		{"agent_id in the body", `{"agent_id":"bob","summary":"x","workspace":` + w + `,"actions":[` + action + `]}`, 400, "invalid", "agent_id", "from the token"},
		{"an unknown field in an action", `{"summary":"x","workspace":` + w + `,"actions":[` + action + `,{"kind":"file.delete","path":"b","force":true}]}`, 400, "invalid", "actions[1].force", "not a known field"},
		{"a wrong type", `{"summary":42,"workspace":` + w + `,"actions":[` + action + `]}`, 400, "invalid", "summary", "must be a string"},
		{"a wrong type in an action", `{"summary":"x","workspace":` + w + `,"actions":[{"kind":"command.run","argv":"rm -rf /"}]}`, 400, "invalid", "actions[0].argv", "must be an array"},
		{"a missing summary", `{"workspace":` + w + `,"actions":[` + action + `]}`, 400, "invalid", "summary", "is empty"},
		{"missing actions", `{"summary":"x","workspace":` + w + `}`, 400, "invalid", "actions", "no actions"},
		{"too many actions", `{"summary":"x","workspace":` + w + `,"actions":[` + strings.Repeat(action+",", 3) + action + `]}`, 400, "invalid", "actions", "more than the limit of 3"},
		{"an unknown kind", `{"summary":"x","workspace":` + w + `,"actions":[{"kind":"file.chmod","path":"a"}]}`, 400, "invalid", "actions[0].kind", "unknown kind"},
		{"a path with a NUL byte", `{"summary":"x","workspace":` + w + `,"actions":[` + action + `,` + action + `,{"kind":"file.delete","path":"a\u0000b"}]}`, 400, "invalid", "actions[2].path", "NUL"},
		{"a relative path without a workspace", `{"summary":"x","actions":[` + action + `]}`, 400, "invalid", "actions[0].path", "no workspace"},
		{"a relative workspace", `{"summary":"x","workspace":"proj","actions":[` + action + `]}`, 400, "invalid", "workspace", "absolute"},
		{"content over the limit", `{"summary":"x","workspace":` + w + `,"actions":[{"kind":"file.write","path":"a","content":"` + strings.Repeat("x", 501) + `"}]}`, 400, "invalid", "actions[0].content", "limit"},
		{"a deadline too far", `{"summary":"x","workspace":` + w + `,"expires_in_sec":100000,"actions":[` + action + `]}`, 400, "invalid", "expires_in_sec", "between 1 and"},
		{"a negative deadline", `{"summary":"x","workspace":` + w + `,"expires_in_sec":-1,"actions":[` + action + `]}`, 400, "invalid", "expires_in_sec", "between 1 and"},
		{"a long client_ref", `{"summary":"x","workspace":` + w + `,"client_ref":"` + strings.Repeat("r", 201) + `","actions":[` + action + `]}`, 400, "invalid", "client_ref", "limit"},
		{"a body over the size limit", `{"summary":"` + strings.Repeat("x", 1000+bodySlack) + `"}`, 413, "too_large", "body", "limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.do(req{method: "POST", path: "/v1/proposals", agent: "alice", body: tt.body})
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			e := r.errBody(t)
			if e.Code != tt.code || e.Field != tt.field || !strings.Contains(e.Message, tt.msg) {
				t.Errorf("error %+v, want code %q field %q message containing %q", e, tt.code, tt.field, tt.msg)
			}
			checkHeaders(t, r.header)
		})
	}
	if n := f.countProposals(); n != 0 {
		t.Errorf("%d proposals stored by bad requests", n)
	}
	t.Run("several problems are all listed", func(t *testing.T) {
		r := f.do(req{method: "POST", path: "/v1/proposals", agent: "alice",
			body: `{"summary":"","workspace":` + w + `,"actions":[{"kind":"file.delete"},{"kind":"nope"}]}`})
		e := r.errBody(t)
		var fields []string
		for _, d := range e.Details {
			fields = append(fields, d.Field)
		}
		want := []string{"summary", "actions[0].path", "actions[1].kind"}
		if r.status != 400 || e.Field != "summary" || !cmp.Equal(fields, want) {
			t.Errorf("status %d, error %+v; fields %v, want %v", r.status, e, fields, want)
		}
	})
}

func TestSubmitReadWaitWithdrawList(t *testing.T) {
	f := newFixture(t, nil)
	ws := t.TempDir()

	p := f.submit("alice", simple(ws))
	if p.Status != proposal.StatusPending || p.ID == "" || !strings.Contains(p.Message, "Waiting") {
		t.Fatalf("submitted %+v", p)
	}
	stored, err := f.q.Get(context.Background(), p.ID)
	if err != nil || stored.AgentID != "alice" {
		t.Fatalf("stored %+v, %v", stored, err)
	}

	t.Run("get", func(t *testing.T) {
		r := f.do(req{method: "GET", path: "/v1/proposals/" + p.ID, agent: "alice"})
		var got api.Proposal
		if r.status != 200 || json.Unmarshal(r.body, &got) != nil {
			t.Fatalf("%d %s", r.status, r.body)
		}
		if got.ID != p.ID || len(got.Actions) != 1 || got.Actions[0].Path != "notes.md" || got.Actions[0].ContentBytes != 8 {
			t.Errorf("got %+v", got)
		}
		if len(got.Previews) != 1 || !strings.Contains(got.Previews[0].Unified, "+# Notes") {
			t.Errorf("previews %+v", got.Previews)
		}
	})
	t.Run("wait with a zero timeout answers pending at once", func(t *testing.T) {
		r := f.do(req{method: "GET", path: "/v1/proposals/" + p.ID + "/wait?timeout=0s", agent: "alice"})
		if r.status != 200 || !strings.Contains(string(r.body), `"status":"pending"`) {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
	t.Run("wait times out pending", func(t *testing.T) {
		r := f.do(req{method: "GET", path: "/v1/proposals/" + p.ID + "/wait?timeout=20ms", agent: "alice"})
		if r.status != 200 || !strings.Contains(string(r.body), `"status":"pending"`) {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
	t.Run("a bad timeout is refused", func(t *testing.T) {
		for _, v := range []string{"soon", "-1s", "3m", "121"} {
			r := f.do(req{method: "GET", path: "/v1/proposals/" + p.ID + "/wait?timeout=" + v, agent: "alice"})
			if e := r.errBody(t); r.status != 400 || e.Field != "timeout" {
				t.Errorf("timeout=%s: %d %+v", v, r.status, e)
			}
		}
	})
	t.Run("list", func(t *testing.T) {
		f.submit("alice", simple(ws))
		f.submit("bob", simple(ws))
		r := f.do(req{method: "GET", path: "/v1/proposals?limit=1", agent: "alice"})
		var l api.List
		if r.status != 200 || json.Unmarshal(r.body, &l) != nil {
			t.Fatalf("%d %s", r.status, r.body)
		}
		if len(l.Items) != 1 || l.NextOffset == nil || *l.NextOffset != 1 {
			t.Fatalf("page 1 %+v", l)
		}
		r = f.do(req{method: "GET", path: "/v1/proposals?offset=1&limit=5", agent: "alice"})
		l = api.List{}
		json.Unmarshal(r.body, &l)
		if len(l.Items) != 1 || l.NextOffset != nil || l.Items[0].ID != p.ID {
			t.Fatalf("page 2 %+v", l)
		}
		for _, q := range []string{"limit=0", "limit=201", "offset=-1", "limit=x"} {
			r := f.do(req{method: "GET", path: "/v1/proposals?" + q, agent: "alice"})
			if r.status != 400 {
				t.Errorf("%s: %d", q, r.status)
			}
		}
	})
	t.Run("wait returns as soon as the person decides", func(t *testing.T) {
		done := make(chan resp, 1)
		go func() {
			done <- f.do(req{method: "GET", path: "/v1/proposals/" + p.ID + "/wait?timeout=120s", agent: "alice"})
		}()
		f.decide(p.ID, proposal.VerdictDeny, "not in this folder")
		r := <-done
		var got api.Proposal
		if r.status != 200 || json.Unmarshal(r.body, &got) != nil {
			t.Fatalf("%d %s", r.status, r.body)
		}
		if got.Status != proposal.StatusDenied || got.Decision == nil || got.Decision.Reason != "not in this folder" ||
			got.IntentToken != "signed-token" || !strings.Contains(got.Message, "not in this folder") {
			t.Errorf("got %+v", got)
		}
	})
	t.Run("withdrawing a decided proposal is a conflict", func(t *testing.T) {
		r := f.do(req{method: "POST", path: "/v1/proposals/" + p.ID + "/withdraw", agent: "alice"})
		if e := r.errBody(t); r.status != 409 || e.Code != "conflict" {
			t.Errorf("%d %+v", r.status, e)
		}
	})
	t.Run("withdraw", func(t *testing.T) {
		p2 := f.submit("alice", simple(ws))
		r := f.do(req{method: "POST", path: "/v1/proposals/" + p2.ID + "/withdraw", agent: "alice", body: "{}"})
		if r.status != 200 || !strings.Contains(string(r.body), `"status":"withdrawn"`) {
			t.Fatalf("%d %s", r.status, r.body)
		}
		p3 := f.submit("alice", simple(ws))
		r = f.do(req{method: "POST", path: "/v1/proposals/" + p3.ID + "/withdraw", agent: "alice", body: `{"force":true}`})
		if r.status != 400 {
			t.Errorf("withdraw with an unknown field: %d %s", r.status, r.body)
		}
	})
	t.Run("client_ref finds the proposal again", func(t *testing.T) {
		sr := simple(ws)
		sr.ClientRef = "toolu_01"
		p4 := f.submit("alice", sr)
		r := f.do(req{method: "GET", path: "/v1/proposals?client_ref=toolu_01", agent: "alice"})
		var l api.List
		json.Unmarshal(r.body, &l)
		if len(l.Items) != 1 || l.Items[0].ID != p4.ID {
			t.Fatalf("%s", r.body)
		}
		r = f.do(req{method: "GET", path: "/v1/proposals?client_ref=toolu_01", agent: "bob"})
		l = api.List{}
		json.Unmarshal(r.body, &l)
		if len(l.Items) != 0 {
			t.Fatalf("bob sees alice's reference: %s", r.body)
		}
	})
}

// TestAgentsSeeOnlyTheirOwn: another agent's proposal answers exactly like
// one that does not exist.
func TestAgentsSeeOnlyTheirOwn(t *testing.T) {
	f := newFixture(t, nil)
	p := f.submit("alice", simple(t.TempDir()))
	missing := "01J00000000000000000000000"
	obs := `{"files":[{"path":"notes.md","exists":false}]}`
	for _, tt := range []struct{ method, suffix, body string }{
		{"GET", "", ""}, {"GET", "/wait?timeout=1s", ""}, {"POST", "/withdraw", "{}"}, {"POST", "/observed", obs},
	} {
		t.Run(tt.method+" "+tt.suffix, func(t *testing.T) {
			other := f.do(req{method: tt.method, path: "/v1/proposals/" + p.ID + tt.suffix, agent: "bob", body: tt.body})
			none := f.do(req{method: tt.method, path: "/v1/proposals/" + missing + tt.suffix, agent: "bob", body: tt.body})
			if other.status != 404 || none.status != 404 {
				t.Fatalf("statuses %d and %d, want 404", other.status, none.status)
			}
			if a, b := strings.ReplaceAll(string(other.body), p.ID, "ID"), strings.ReplaceAll(string(none.body), missing, "ID"); a != b {
				t.Errorf("another agent's proposal answers %s but a missing one %s", a, b)
			}
		})
	}
	if got, _ := f.q.Get(context.Background(), p.ID); got.Status != proposal.StatusPending {
		t.Errorf("status %s after bob's attempts", got.Status)
	}
}

// TestNoRouteDecides walks every route with every method and bodies that try
// to approve, and checks that no proposal ever becomes approved or denied.
func TestNoRouteDecides(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.Budgets = Budgets{Rate: 1e6, Burst: 1e6, MaxPending: 1e6} })
	ws := t.TempDir()
	for _, rt := range f.gw.Routes() {
		low := strings.ToLower(rt.Pattern)
		for _, word := range []string{"approve", "deny", "decide", "decision", "verdict"} {
			if strings.Contains(low, word) {
				t.Errorf("route %s %s names %q", rt.Method, rt.Pattern, word)
			}
		}
	}
	bodies := []string{"", "{}", `{"verdict":"approve"}`, `{"status":"approved"}`,
		`{"decision":{"verdict":"approve","decided_by":"ada"}}`, `{"files":[{"path":"a","exists":false}]}`}
	methods := []string{"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"}
	paths := map[string]bool{}
	for _, rt := range f.gw.Routes() {
		paths[rt.Pattern] = true
	}
	for pattern := range paths {
		for _, m := range methods {
			for _, b := range bodies {
				p := f.submit("alice", simple(ws))
				path := strings.ReplaceAll(pattern, "{id}", p.ID)
				if strings.HasSuffix(path, "/wait") {
					path += "?timeout=0s"
				}
				f.do(req{method: m, path: path, agent: "alice", body: b})
				got, err := f.q.Get(context.Background(), p.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got.Status != proposal.StatusPending && got.Status != proposal.StatusWithdrawn {
					t.Errorf("%s %s with %s: proposal became %s", m, pattern, b, got.Status)
				}
				if got.Decision != nil {
					t.Errorf("%s %s with %s: a decision was recorded", m, pattern, b)
				}
			}
		}
	}
	counts, err := f.st.CountByStatus(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if counts[proposal.StatusApproved] != 0 || counts[proposal.StatusDenied] != 0 {
		t.Errorf("counts %v", counts)
	}
}

func TestBudgets(t *testing.T) {
	t.Run("request rate", func(t *testing.T) {
		f := newFixture(t, func(c *Config) { c.Budgets = Budgets{Rate: 1, Burst: 2} })
		for i := range 2 {
			if r := f.do(req{method: "GET", path: "/v1/proposals", agent: "alice"}); r.status != 200 {
				t.Fatalf("request %d: %d", i, r.status)
			}
		}
		r := f.do(req{method: "GET", path: "/v1/proposals", agent: "alice"})
		if e := r.errBody(t); r.status != 429 || e.Code != "rate_limited" || r.header.Get("Retry-After") != "1" {
			t.Fatalf("%d %+v Retry-After %q", r.status, e, r.header.Get("Retry-After"))
		}
		if r := f.do(req{method: "GET", path: "/v1/proposals", agent: "bob"}); r.status != 200 {
			t.Fatalf("bob is limited by alice's budget: %d", r.status)
		}
		f.clock.Add(time.Second)
		if r := f.do(req{method: "GET", path: "/v1/proposals", agent: "alice"}); r.status != 200 {
			t.Fatalf("after a second: %d", r.status)
		}
	})
	t.Run("pending proposals", func(t *testing.T) {
		f := newFixture(t, func(c *Config) { c.Budgets = Budgets{Rate: 1000, Burst: 1000, MaxPending: 2} })
		ws := t.TempDir()
		a := f.submit("alice", simple(ws))
		f.submit("alice", simple(ws))
		b, _ := json.Marshal(simple(ws))
		r := f.do(req{method: "POST", path: "/v1/proposals", agent: "alice", body: string(b)})
		if e := r.errBody(t); r.status != 429 || e.Code != "rate_limited" || r.header.Get("Retry-After") == "" {
			t.Fatalf("third pending: %d %+v", r.status, e)
		}
		f.submit("bob", simple(ws))
		f.decide(a.ID, proposal.VerdictApprove, "")
		f.submit("alice", simple(ws))
		if n := f.countProposals(); n != 4 {
			t.Fatalf("%d proposals stored", n)
		}
	})
	t.Run("bad tokens share one budget", func(t *testing.T) {
		f := newFixture(t, func(c *Config) { c.Budgets = Budgets{Rate: 1000, Burst: 1000, FailedAuthRate: 1, FailedAuthBurst: 1} })
		bad := "cs_" + strings.Repeat("B", 43)
		if r := f.do(req{method: "GET", path: "/v1/proposals", token: bad}); r.status != 401 {
			t.Fatalf("%d", r.status)
		}
		if r := f.do(req{method: "GET", path: "/v1/proposals", token: bad}); r.status != 429 {
			t.Fatalf("%d", r.status)
		}
		if r := f.do(req{method: "GET", path: "/v1/proposals", agent: "alice"}); r.status != 200 {
			t.Fatalf("a good token is limited by bad ones: %d", r.status)
		}
	})
}

func TestRevokedAgent(t *testing.T) {
	f := newFixture(t, nil)
	ws := t.TempDir()
	if r := f.do(req{method: "GET", path: "/v1/proposals", agent: "alice"}); r.status != 200 {
		t.Fatal(r.status)
	}
	if err := f.st.RevokeAgent(context.Background(), "alice", time.Now()); err != nil {
		t.Fatal(err)
	}
	// Within the cache's second a submission is still refused, by the store.
	b, _ := json.Marshal(simple(ws))
	if r := f.do(req{method: "POST", path: "/v1/proposals", agent: "alice", body: string(b)}); r.status != 403 {
		t.Fatalf("submit by a revoked agent: %d %s", r.status, r.body)
	}
	f.clock.Add(authTTL)
	r := f.do(req{method: "GET", path: "/v1/proposals", agent: "alice"})
	if e := r.errBody(t); r.status != 401 || e.Code != "unauthorized" {
		t.Fatalf("%d %+v", r.status, e)
	}
	if n := f.countProposals(); n != 0 {
		t.Fatalf("%d proposals stored", n)
	}
}
