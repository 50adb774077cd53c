package policy

import (
	"fmt"

	"countersign/backend/proposal"
)

// Budget limits what one agent may have auto-approved per hour. A zero field
// sets no limit.
type Budget struct {
	Writes  int   `json:"writes,omitempty"`  // files written, edited, changed or moved
	Deletes int   `json:"deletes,omitempty"` // files deleted
	Bytes   int64 `json:"bytes,omitempty"`   // content bytes written or sent
}

// Usage is what an agent did in the past hour, counted as Budget counts.
type Usage struct {
	Writes  int   `json:"writes"`
	Deletes int   `json:"deletes"`
	Bytes   int64 `json:"bytes"`
}

// UsageOf counts what p would add to its agent's usage.
func UsageOf(p *proposal.Proposal) Usage {
	var u Usage
	for i := range p.Actions {
		a := &p.Actions[i]
		switch a.Kind {
		case proposal.KindFileWrite, proposal.KindFileEdit, proposal.KindSheetUpdate, proposal.KindFileMove:
			u.Writes++
		case proposal.KindFileDelete:
			u.Deletes++
		}
		u.Bytes += actionBytes(a)
	}
	return u
}

// overBudget says, in words, why p would take its agent over budget, or ""
// when it would not.
func (e *Engine) overBudget(p *proposal.Proposal, used Usage) string {
	b, ok := e.opts.Budgets[p.AgentID]
	if !ok {
		b, ok = e.opts.Budgets[""]
	}
	if !ok {
		return ""
	}
	who := agentWords(p.AgentID)
	more := UsageOf(p)
	check := func(limit, done, adds int64, did, unit string) string {
		if limit <= 0 || done+adds <= limit {
			return ""
		}
		if done >= limit {
			return fmt.Sprintf("%s has %s %s this hour; its budget is %s", who, did, count(done, unit), count(limit, unit))
		}
		return fmt.Sprintf("%s has %s %s this hour and this proposal adds %s; its budget is %s",
			who, did, count(done, unit), count(adds, unit), count(limit, unit))
	}
	for _, r := range []string{
		check(int64(b.Writes), int64(used.Writes), int64(more.Writes), "written", "file"),
		check(int64(b.Deletes), int64(used.Deletes), int64(more.Deletes), "deleted", "file"),
		check(b.Bytes, used.Bytes, more.Bytes, "written or sent", "byte"),
	} {
		if r != "" {
			return r
		}
	}
	return ""
}

func count(n int64, unit string) string {
	if unit == "byte" && n >= 1<<20 {
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
