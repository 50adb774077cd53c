// Package client talks to a running Countersign's agent gateway: the
// command line's propose and status commands, the Claude Code hook and the
// MCP server all go through it.
//
// It guarantees that: it finds the gateway only through the discovery file
// in the data directory and, where there is a Unix socket, talks to it alone
// (never sending the token to a loopback port a stale file names); a gateway
// that is not there (no discovery file, nobody listening) is reported as
// ErrNotRunning, never as a decision; every error the gateway sends comes
// back as an *APIError with its code, field and Retry-After; and nothing in
// it can decide a proposal, because the gateway has no such endpoint.
// Requests never outlive their context.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"countersign/backend/gateway/api"
	"countersign/backend/proposal"
)

// ErrNotRunning: no gateway answers for this data directory.
var ErrNotRunning = errors.New("Countersign is not running")

// NotRunningMessage is what people are told when the app is not running.
const NotRunningMessage = "Countersign is not running. Start it with `countersign` (or `make run`), then try again."

// EnvToken names the environment variable that holds an agent's token.
const EnvToken = "COUNTERSIGN_TOKEN"

// APIError is an error response of the gateway.
type APIError struct {
	Status     int
	RetryAfter time.Duration
	api.ErrorDetail
}

func (e *APIError) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s (%s)", e.Field, e.Message, e.Code)
	}
	return fmt.Sprintf("%s (%s)", e.Message, e.Code)
}

// Discover reads the discovery file in dataDir. A missing file is
// ErrNotRunning.
func Discover(dataDir string) (api.Discovery, error) {
	b, err := os.ReadFile(filepath.Join(dataDir, api.DiscoveryFile))
	if errors.Is(err, fs.ErrNotExist) {
		return api.Discovery{}, fmt.Errorf("%w (no %s in %s)", ErrNotRunning, api.DiscoveryFile, dataDir)
	}
	if err != nil {
		return api.Discovery{}, err
	}
	var d api.Discovery
	if err := json.Unmarshal(b, &d); err != nil {
		return api.Discovery{}, fmt.Errorf("%s in %s is damaged: %w", api.DiscoveryFile, dataDir, err)
	}
	if d.Version != api.DiscoveryVersion {
		return api.Discovery{}, fmt.Errorf("%s in %s has version %d; this build reads version %d", api.DiscoveryFile, dataDir, d.Version, api.DiscoveryVersion)
	}
	return d, nil
}

// Client calls one gateway as one agent. It is safe for concurrent use.
type Client struct {
	hc    *http.Client
	token string
}

// New returns a client for the gateway d describes, authenticating with
// token. Connections go to the Unix socket when there is one, and only to
// it: after a crash the loopback port named in a stale discovery file may
// belong to another program, which must never receive the token. Only where
// there is no socket (Windows) does the client use the loopback port.
func New(d api.Discovery, token string) (*Client, error) {
	var tcpAddr string
	if d.HTTP != "" {
		u, err := url.Parse(d.HTTP)
		if err != nil || u.Scheme != "http" || u.Host == "" {
			return nil, fmt.Errorf("the discovery file names %q, not an http://host:port address", d.HTTP)
		}
		host, _, err := net.SplitHostPort(u.Host)
		if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
			return nil, fmt.Errorf("the discovery file names %q, which is not a loopback address", d.HTTP)
		}
		tcpAddr = u.Host
	}
	if d.Socket == "" && tcpAddr == "" {
		return nil, fmt.Errorf("%w (the discovery file names no address)", ErrNotRunning)
	}
	var dialer net.Dialer
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			network, addr := "tcp", tcpAddr
			if d.Socket != "" {
				network, addr = "unix", d.Socket
			}
			c, err := dialer.DialContext(ctx, network, addr)
			if err != nil {
				return nil, &dialError{err}
			}
			return c, nil
		},
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       30 * time.Second,
		ResponseHeaderTimeout: 0, // long polls
		DisableCompression:    true,
		Proxy:                 nil, // never through a proxy
	}
	return &Client{hc: &http.Client{Transport: tr}, token: token}, nil
}

// dialError marks a failure to reach the gateway at all.
type dialError struct{ err error }

func (e *dialError) Error() string { return e.err.Error() }
func (e *dialError) Unwrap() error { return e.err }

// Close releases idle connections.
func (c *Client) Close() { c.hc.CloseIdleConnections() }

// base is the URL every request uses; the dialer picks the real address, and
// "localhost" is a Host the gateway accepts on both.
const base = "http://localhost"

func (c *Client) do(ctx context.Context, method, path string, body any, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("User-Agent", "countersign-client/1")
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		var de *dialError
		if errors.As(err, &de) {
			return fmt.Errorf("%w: %v", ErrNotRunning, de.err)
		}
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return fmt.Errorf("reading the gateway's answer: %w", err)
	}
	if resp.StatusCode >= 300 {
		ae := &APIError{Status: resp.StatusCode}
		var eb api.ErrorBody
		if json.Unmarshal(data, &eb) == nil && eb.Error.Code != "" {
			ae.ErrorDetail = eb.Error
		} else {
			ae.Code, ae.Message = "http_"+strconv.Itoa(resp.StatusCode), strings.TrimSpace(string(data))
		}
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
			ae.RetryAfter = time.Duration(s) * time.Second
		}
		return ae
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("the gateway's answer does not parse: %w", err)
		}
	}
	return nil
}

// Submit submits a proposal.
func (c *Client) Submit(ctx context.Context, r api.SubmitRequest) (*api.Proposal, error) {
	var p api.Proposal
	if err := c.do(ctx, http.MethodPost, "/v1/proposals", r, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// Get reads one proposal, with previews.
func (c *Client) Get(ctx context.Context, id string) (*api.Proposal, error) {
	var p api.Proposal
	if err := c.do(ctx, http.MethodGet, "/v1/proposals/"+url.PathEscape(id), nil, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// Wait long-polls once: it returns when the proposal leaves pending or
// after timeout (at most api.MaxWait) with the proposal still pending.
func (c *Client) Wait(ctx context.Context, id string, timeout time.Duration) (*api.Proposal, error) {
	timeout = min(max(timeout, 0), api.MaxWait)
	var p api.Proposal
	path := "/v1/proposals/" + url.PathEscape(id) + "/wait?timeout=" + url.QueryEscape(timeout.String())
	if err := c.do(ctx, http.MethodGet, path, nil, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// WaitDecided waits until the proposal leaves pending or ctx ends, in long
// polls of at most poll each. After each poll that ends still pending, tick
// (if not nil) is called with the proposal and the time waited so far. It
// honours Retry-After when the gateway asks to slow down.
func (c *Client) WaitDecided(ctx context.Context, id string, poll time.Duration, tick func(*api.Proposal, time.Duration)) (*api.Proposal, error) {
	start := time.Now()
	if poll <= 0 {
		poll = api.DefaultWait
	}
	for {
		d := poll
		if dl, ok := ctx.Deadline(); ok {
			d = min(d, max(time.Until(dl), 0))
		}
		p, err := c.Wait(ctx, id, d)
		var ae *APIError
		switch {
		case errors.As(err, &ae) && (ae.Status == http.StatusTooManyRequests || ae.Status == http.StatusServiceUnavailable) && ae.RetryAfter > 0:
			t := time.NewTimer(ae.RetryAfter)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, ctx.Err()
			case <-t.C:
			}
			continue
		case err != nil:
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, err
		case p.Status != proposal.StatusPending && p.Status != proposal.StatusExecuting:
			// Executing: approved and being carried out; the result follows.
			return p, nil
		}
		if tick != nil {
			tick(p, time.Since(start))
		}
		if err := ctx.Err(); err != nil {
			return p, err
		}
	}
}

// Withdraw takes back a pending proposal.
func (c *Client) Withdraw(ctx context.Context, id string) (*api.Proposal, error) {
	var p api.Proposal
	if err := c.do(ctx, http.MethodPost, "/v1/proposals/"+url.PathEscape(id)+"/withdraw", struct{}{}, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// List returns one page of the agent's own proposals, newest first.
func (c *Client) List(ctx context.Context, offset, limit int) (*api.List, error) {
	q := url.Values{}
	if offset > 0 {
		q.Set("offset", strconv.Itoa(offset))
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	path := "/v1/proposals"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	var l api.List
	if err := c.do(ctx, http.MethodGet, path, nil, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// FindByRef returns the proposal the agent submitted with client_ref ref,
// if the gateway still knows it.
func (c *Client) FindByRef(ctx context.Context, ref string) (*api.Summary, bool, error) {
	var l api.List
	if err := c.do(ctx, http.MethodGet, "/v1/proposals?client_ref="+url.QueryEscape(ref), nil, &l); err != nil {
		return nil, false, err
	}
	if len(l.Items) == 0 {
		return nil, false, nil
	}
	return &l.Items[0], true, nil
}

// Observe records files' state after the agent carried out an approved
// proposal itself.
func (c *Client) Observe(ctx context.Context, id string, r api.ObserveRequest) (*api.ObserveResponse, error) {
	var out api.ObserveResponse
	if err := c.do(ctx, http.MethodPost, "/v1/proposals/"+url.PathEscape(id)+"/observed", r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
