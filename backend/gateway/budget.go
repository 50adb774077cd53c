package gateway

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Budgets bound what one agent may ask of the gateway.
type Budgets struct {
	// Rate and Burst limit requests per agent (token bucket). Zero: 20/s, burst 40.
	Rate  rate.Limit
	Burst int
	// MaxPending caps an agent's pending proposals. Zero: 100.
	MaxPending int
	// MaxWaits caps an agent's concurrent long polls. Zero: 32.
	MaxWaits int
	// FailedAuthRate and FailedAuthBurst limit requests with bad tokens, all
	// agents together. Zero: 20/s, burst 40.
	FailedAuthRate  rate.Limit
	FailedAuthBurst int
	// MaxInflightBytes caps the request bodies being decoded at once, all
	// agents together. Zero: 512 MiB.
	MaxInflightBytes int64
}

// DefaultBudgets returns the budgets used when none are configured.
func DefaultBudgets() Budgets {
	return Budgets{Rate: 20, Burst: 40, MaxPending: 100, MaxWaits: 32, FailedAuthRate: 20, FailedAuthBurst: 40,
		MaxInflightBytes: 512 << 20}
}

func (b Budgets) orDefault() Budgets {
	d := DefaultBudgets()
	if b.Rate <= 0 {
		b.Rate = d.Rate
	}
	if b.Burst <= 0 {
		b.Burst = d.Burst
	}
	if b.MaxPending <= 0 {
		b.MaxPending = d.MaxPending
	}
	if b.MaxWaits <= 0 {
		b.MaxWaits = d.MaxWaits
	}
	if b.FailedAuthRate <= 0 {
		b.FailedAuthRate = d.FailedAuthRate
	}
	if b.FailedAuthBurst <= 0 {
		b.FailedAuthBurst = d.FailedAuthBurst
	}
	if b.MaxInflightBytes <= 0 {
		b.MaxInflightBytes = d.MaxInflightBytes
	}
	return b
}

// budget tracks the budgets of every agent.
type budget struct {
	b          Budgets
	countStore func(ctx context.Context, agent string) (int, error)

	mu      sync.Mutex
	agents  map[string]*agentBudget
	badAuth *rate.Limiter
	bytes   int64
}

// agentBudget is one agent's state.
//
// The pending count is an upper bound kept without reading the database on
// every submission: base is the count read at the last refresh, added the
// submissions committed since, inflight those under way. Decisions and
// expiries only lower the true count, so the bound stays safe; when it
// reaches the cap, the count is read again, and only a true count (plus
// submissions in flight) at the cap refuses.
type agentBudget struct {
	lim      *rate.Limiter
	mu       sync.Mutex // held across a refresh, so one refresh runs per agent
	base     int
	added    int
	inflight int
	fresh    bool // base has been read at least once
	waits    int
}

func newBudget(b Budgets, count func(context.Context, string) (int, error)) *budget {
	b = b.orDefault()
	return &budget{b: b, countStore: count, agents: map[string]*agentBudget{},
		badAuth: rate.NewLimiter(b.FailedAuthRate, b.FailedAuthBurst)}
}

func (g *budget) agent(id string) *agentBudget {
	g.mu.Lock()
	defer g.mu.Unlock()
	a := g.agents[id]
	if a == nil {
		a = &agentBudget{lim: rate.NewLimiter(g.b.Rate, g.b.Burst)}
		g.agents[id] = a
	}
	return a
}

// take spends one token of lim at now, or reports how long to wait.
func take(lim *rate.Limiter, now time.Time) (time.Duration, bool) {
	r := lim.ReserveN(now, 1)
	if !r.OK() {
		return time.Second, false
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return d, false
	}
	return 0, true
}

// request spends one request of an agent's rate budget.
func (g *budget) request(agent string, now time.Time) (time.Duration, bool) {
	return take(g.agent(agent).lim, now)
}

// failedAuth spends one request of the shared bad-token budget.
func (g *budget) failedAuth(now time.Time) (time.Duration, bool) {
	return take(g.badAuth, now)
}

// reservePending reserves room for one more pending proposal. It returns a
// release function to call with whether the proposal was stored, or false if
// the agent is at its cap.
func (g *budget) reservePending(ctx context.Context, agent string) (func(stored bool), bool, error) {
	a := g.agent(agent)
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.fresh || a.base+a.added+a.inflight >= g.b.MaxPending {
		n, err := g.countStore(ctx, agent)
		if err != nil {
			return nil, false, err
		}
		// Submissions in flight may already be counted in n; counting them
		// again errs on the side of refusing.
		a.base, a.added, a.fresh = n, 0, true
		if a.base+a.inflight >= g.b.MaxPending {
			return nil, false, nil
		}
	}
	a.inflight++
	var once sync.Once
	return func(stored bool) {
		once.Do(func() {
			a.mu.Lock()
			a.inflight--
			if stored {
				a.added++
			}
			a.mu.Unlock()
		})
	}, true, nil
}

// startWait counts one long poll; the returned function ends it.
func (g *budget) startWait(agent string) (func(), bool) {
	a := g.agent(agent)
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.waits >= g.b.MaxWaits {
		return nil, false
	}
	a.waits++
	var once sync.Once
	return func() {
		once.Do(func() {
			a.mu.Lock()
			a.waits--
			a.mu.Unlock()
		})
	}, true
}

// takeBytes reserves n bytes of the shared body budget.
func (g *budget) takeBytes(n int64) (func(), bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.bytes+n > g.b.MaxInflightBytes {
		return nil, false
	}
	g.bytes += n
	var once sync.Once
	return func() {
		once.Do(func() {
			g.mu.Lock()
			g.bytes -= n
			g.mu.Unlock()
		})
	}, true
}
