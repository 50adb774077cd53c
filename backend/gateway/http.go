package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"countersign/backend/errs"
	"countersign/backend/gateway/api"
)

// validHost reports whether a request's Host header names this machine's
// loopback interface: "localhost", "127.0.0.1" or "[::1]", each optionally
// with a numeric port. Anything else, including every DNS name a web page
// could rebind to 127.0.0.1, is refused. The same rule applies on the Unix
// socket, where clients send "localhost".
func validHost(host string) bool {
	name, port := host, ""
	if strings.HasPrefix(host, "[") {
		end := strings.IndexByte(host, ']')
		if end < 0 {
			return false
		}
		name, port = host[:end+1], host[end+1:]
	} else if i := strings.IndexByte(host, ':'); i >= 0 {
		name, port = host[:i], host[i:]
	}
	if port != "" {
		p := strings.TrimPrefix(port, ":")
		if p == port || p == "" || len(p) > 5 {
			return false
		}
		for _, c := range p {
			if c < '0' || c > '9' {
				return false
			}
		}
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return false
		}
	}
	switch strings.ToLower(name) {
	case "localhost", "127.0.0.1", "[::1]":
		return true
	}
	return false
}

type ctxKey int

const agentKey ctxKey = iota

// agentOf returns the authenticated agent of a request.
func agentOf(r *http.Request) string {
	id, _ := r.Context().Value(agentKey).(string)
	return id
}

// secure is the outermost handler: headers on every response, then the
// checks a request must pass before anything else looks at it.
func (s *Server) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-store")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")

		// A browser marks what it sends: Origin on cross-origin and unsafe
		// requests, Referer on most, Sec-Fetch-Site always. Agents send none
		// of these, so any of them means a web page is talking to us.
		if r.Header.Get("Origin") != "" || r.Header.Get("Referer") != "" {
			writeError(w, http.StatusForbidden, api.ErrorDetail{Code: string(errs.CodeForbidden),
				Message: "requests from web pages are refused (Origin or Referer header present)"})
			return
		}
		if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "none" {
			writeError(w, http.StatusForbidden, api.ErrorDetail{Code: string(errs.CodeForbidden),
				Message: "requests from web pages are refused (Sec-Fetch-Site header present)"})
			return
		}
		if !validHost(r.Host) {
			writeError(w, http.StatusForbidden, api.ErrorDetail{Code: string(errs.CodeForbidden),
				Message: fmt.Sprintf("Host %q is not a loopback name; use localhost or 127.0.0.1", r.Host)})
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodPost {
			// OPTIONS included: there is no CORS here, ever.
			h.Set("Allow", "GET, POST")
			writeError(w, http.StatusMethodNotAllowed, api.ErrorDetail{Code: api.CodeMethodNotAllowed,
				Message: "method " + r.Method + " is not allowed"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// authed checks the bearer token and the agent's request budget, then puts
// the agent id in the request context.
func (s *Server) authed(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := bearer(r.Header.Get("Authorization"))
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="countersign"`)
			writeError(w, http.StatusUnauthorized, api.ErrorDetail{Code: api.CodeUnauthorized,
				Message: "missing bearer token; create one with `countersign agent add NAME`"})
			return
		}
		agent, err := s.authenticate(r.Context(), tok)
		if errors.Is(err, errBadToken) {
			// Failed attempts share one budget, so a flood of random tokens
			// cannot turn into a flood of database reads.
			if d, ok := s.budget.failedAuth(s.now()); !ok {
				s.tooMany(w, d, "too many requests with bad tokens")
				return
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="countersign", error="invalid_token"`)
			writeError(w, http.StatusUnauthorized, api.ErrorDetail{Code: api.CodeUnauthorized,
				Message: "the token is unknown or has been revoked"})
			return
		}
		if err != nil {
			s.fail(w, err)
			return
		}
		if d, ok := s.budget.request(agent, s.now()); !ok {
			s.tooMany(w, d, "request rate limit for this agent reached")
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), agentKey, agent)))
	})
}

// bearer extracts the token of an "Authorization: Bearer TOKEN" header.
func bearer(h string) (string, bool) {
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}

// tooMany answers 429 with a Retry-After of at least one second.
func (s *Server) tooMany(w http.ResponseWriter, retry time.Duration, msg string) {
	secs := int(math.Ceil(retry.Seconds()))
	w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
	writeError(w, http.StatusTooManyRequests, api.ErrorDetail{Code: api.CodeRateLimited, Message: msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, http.StatusInternalServerError, api.ErrorDetail{Code: string(errs.CodeInternal), Message: "cannot encode the response"})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

func writeError(w http.ResponseWriter, status int, d api.ErrorDetail) {
	b, _ := json.Marshal(api.ErrorBody{Error: d})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// statusOf maps a coded error to its HTTP status.
func statusOf(code errs.Code) int {
	switch code {
	case errs.CodeNotFound:
		return http.StatusNotFound
	case errs.CodeConflict:
		return http.StatusConflict
	case errs.CodeInvalid:
		return http.StatusBadRequest
	case errs.CodeForbidden:
		return http.StatusForbidden
	case errs.CodeUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// fail answers with the error's code. Internal errors are logged and
// reported without their detail.
func (s *Server) fail(w http.ResponseWriter, err error) {
	code := errs.CodeOf(err)
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		code = errs.CodeUnavailable
	}
	d := api.ErrorDetail{Code: string(code), Message: err.Error()}
	if code == errs.CodeInternal {
		s.log.Error("gateway: request failed", "err", err)
		d.Message = "internal error; see the Countersign log"
	}
	if code == errs.CodeUnavailable {
		w.Header().Set("Retry-After", "1")
	}
	var ve validationErrors
	if errors.As(err, &ve) {
		d.Field, d.Message = ve[0].Field, ve[0].Message
		if len(ve) > 1 {
			d.Details = ve
		}
	}
	writeError(w, statusOf(code), d)
}

// fieldError is an invalid request naming its field.
func fieldError(field, format string, args ...any) error {
	return errs.Wrap(errs.CodeInvalid, validationErrors{{Field: field, Message: fmt.Sprintf(format, args...)}})
}

// validationErrors are field problems in API form.
type validationErrors []api.FieldError

func (v validationErrors) Error() string {
	parts := make([]string, len(v))
	for i, e := range v {
		parts[i] = e.Field + ": " + e.Message
	}
	return strings.Join(parts, "; ")
}

// remoteIsLoopback is a last check on TCP connections: the listener is bound
// to 127.0.0.1, so anything else means the socket was not what we think.
func remoteIsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr == "@" || addr == "" // Unix sockets report "@" or nothing
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
