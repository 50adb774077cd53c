package gateway

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/google/go-cmp/cmp"

	"countersign/backend/gateway/api"
	"countersign/backend/proposal"
)

func loadSpec(t *testing.T) (*openapi3.T, routers.Router) {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.yaml is not a valid OpenAPI 3 document: %v", err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return doc, router
}

// TestRoutesMatchOpenAPI: the route table and the document name the same
// methods on the same paths.
func TestRoutesMatchOpenAPI(t *testing.T) {
	doc, _ := loadSpec(t)
	f := newFixture(t, nil)
	var got, want []string
	for _, rt := range f.gw.Routes() {
		got = append(got, rt.Method+" "+rt.Pattern)
	}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			want = append(want, method+" "+path)
		}
	}
	sort.Strings(got)
	sort.Strings(want)
	if d := cmp.Diff(got, want); d != "" {
		t.Errorf("route table and openapi.yaml differ (-routes +openapi):\n%s", d)
	}
}

// TestResponsesMatchOpenAPI drives the running server through every route,
// with good and bad requests, and checks each response (and each good
// request) against openapi.yaml.
func TestResponsesMatchOpenAPI(t *testing.T) {
	_, router := loadSpec(t)
	f := newFixture(t, func(c *Config) { c.Budgets = Budgets{Rate: 1000, Burst: 1000, MaxPending: 2} })
	ws := t.TempDir()
	if err := os.WriteFile(filepath.Join(ws, "notes.md"), []byte("# Old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	submit := func(sr api.SubmitRequest) string {
		b, _ := json.Marshal(sr)
		return string(b)
	}
	everyKind := api.SubmitRequest{Summary: "Tidy", Rationale: "Asked", Workspace: ws, ExpiresInSec: 600, ClientRef: "ref-1",
		Actions: []proposal.Action{
			{Kind: proposal.KindFileWrite, Path: "notes.md", Content: "# New\n"},
			{Kind: proposal.KindFileEdit, Path: "notes.md", Edits: []proposal.Edit{{Old: "Old", New: "Older"}}},
			{Kind: proposal.KindFileDelete, Path: "gone.md"},
			{Kind: proposal.KindFileMove, Path: "a.md", To: "b.md"},
			{Kind: proposal.KindDirCreate, Path: "q4"},
			{Kind: proposal.KindSheetUpdate, Path: "f.xlsx", Cells: []proposal.CellEdit{{Sheet: "S", Cell: "B2", Formula: "=1+1"}}},
			{Kind: proposal.KindCommandRun, Argv: []string{"make", "test"}, Dir: ws, TimeoutSec: 60, Writes: []string{"out"}},
			{Kind: proposal.KindNetRequest, Method: "POST", URL: "https://example.com/x", Body: "{}"},
			{Kind: proposal.KindToolCall, Tool: "mcp__slack__post", Input: json.RawMessage(`{"text":"hi"}`)},
		}}
	first := f.submit("alice", everyKind)
	second := f.submit("alice", simple(ws))
	f.decide(second.ID, proposal.VerdictApprove, "")
	content := base64.StdEncoding.EncodeToString([]byte("# New\n"))

	tests := []struct {
		name       string
		r          req
		status     int
		badRequest bool // the request itself breaks the document, on purpose
	}{
		{"submit", req{method: "POST", path: "/v1/proposals", agent: "alice", body: submit(simple(ws))}, 201, false},
		{"submit invalid", req{method: "POST", path: "/v1/proposals", agent: "alice", body: `{"summary":"x","actions":[{"kind":"nope"}]}`}, 400, true},
		{"submit over the pending budget", req{method: "POST", path: "/v1/proposals", agent: "alice", body: submit(simple(ws))}, 429, false},
		{"submit not JSON", req{method: "POST", path: "/v1/proposals", agent: "alice", body: "x", header: map[string]string{"Content-Type": "text/plain"}}, 415, true},
		{"submit without a token", req{method: "POST", path: "/v1/proposals", body: submit(simple(ws))}, 401, true},
		{"submit from a web page", req{method: "POST", path: "/v1/proposals", agent: "alice", body: submit(simple(ws)), header: map[string]string{"Origin": "http://x"}}, 403, false},
		{"list", req{method: "GET", path: "/v1/proposals?limit=1", agent: "alice"}, 200, false},
		{"list by reference", req{method: "GET", path: "/v1/proposals?client_ref=ref-1", agent: "alice"}, 200, false},
		{"list with a bad limit", req{method: "GET", path: "/v1/proposals?limit=0", agent: "alice"}, 400, true},
		{"get with previews", req{method: "GET", path: "/v1/proposals/" + first.ID, agent: "alice"}, 200, false},
		{"get decided", req{method: "GET", path: "/v1/proposals/" + second.ID, agent: "alice"}, 200, false},
		{"get another agent's", req{method: "GET", path: "/v1/proposals/" + first.ID, agent: "bob"}, 404, false},
		{"wait pending", req{method: "GET", path: "/v1/proposals/" + first.ID + "/wait?timeout=10ms", agent: "alice"}, 200, false},
		{"wait decided", req{method: "GET", path: "/v1/proposals/" + second.ID + "/wait", agent: "alice"}, 200, false},
		{"wait with a bad timeout", req{method: "GET", path: "/v1/proposals/" + first.ID + "/wait?timeout=forever", agent: "alice"}, 400, false},
		{"observed", req{method: "POST", path: "/v1/proposals/" + second.ID + "/observed", agent: "alice",
			body: `{"files":[{"path":"notes.md","exists":true,"content_base64":"` + content + `"},{"path":"old.md","exists":false}]}`}, 200, false},
		{"observed on a pending proposal", req{method: "POST", path: "/v1/proposals/" + first.ID + "/observed", agent: "alice",
			body: `{"files":[{"path":"notes.md","exists":false}]}`}, 409, false},
		{"observed with a wrong digest", req{method: "POST", path: "/v1/proposals/" + second.ID + "/observed", agent: "alice",
			body: `{"files":[{"path":"notes.md","exists":true,"sha256":"` + strings.Repeat("0", 64) + `","content_base64":"` + content + `"}]}`}, 400, false},
		{"withdraw", req{method: "POST", path: "/v1/proposals/" + first.ID + "/withdraw", agent: "alice"}, 200, false},
		{"withdraw again", req{method: "POST", path: "/v1/proposals/" + first.ID + "/withdraw", agent: "alice", body: "{}"}, 409, false},
		{"body too large", req{method: "POST", path: "/v1/proposals", agent: "alice", body: `{"summary":"` + strings.Repeat("x", int(f.gw.MaxBodyBytes())) + `"}`}, 413, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.do(tt.r)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %.300s", r.status, tt.status, r.body)
			}
			checkHeaders(t, r.header)
			hr, err := http.NewRequest(tt.r.method, "http://localhost"+tt.r.path, bytes.NewReader([]byte(tt.r.body)))
			if err != nil {
				t.Fatal(err)
			}
			if tt.r.body != "" {
				hr.Header.Set("Content-Type", "application/json")
			}
			for k, v := range tt.r.header {
				hr.Header.Set(k, v)
			}
			if tt.r.agent != "" {
				hr.Header.Set("Authorization", "Bearer "+f.tokens[tt.r.agent])
			}
			route, params, err := router.FindRoute(hr)
			if err != nil {
				t.Fatalf("openapi.yaml has no route for %s %s: %v", tt.r.method, tt.r.path, err)
			}
			in := &openapi3filter.RequestValidationInput{Request: hr, PathParams: params, Route: route,
				Options: &openapi3filter.Options{AuthenticationFunc: func(_ context.Context, ai *openapi3filter.AuthenticationInput) error {
					if !strings.HasPrefix(ai.RequestValidationInput.Request.Header.Get("Authorization"), "Bearer ") {
						return ai.NewError(nil)
					}
					return nil
				}}}
			reqErr := openapi3filter.ValidateRequest(context.Background(), in)
			if !tt.badRequest && reqErr != nil {
				t.Errorf("the request breaks openapi.yaml: %v", reqErr)
			}
			if tt.badRequest && reqErr == nil {
				t.Errorf("openapi.yaml accepts a request the server refuses with %d", r.status)
			}
			out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: r.status, Header: r.header,
				Body: io.NopCloser(bytes.NewReader(r.body)), Options: &openapi3filter.Options{IncludeResponseStatus: true}}
			if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
				t.Errorf("the response breaks openapi.yaml: %v\n%.500s", err, r.body)
			}
		})
	}
}
