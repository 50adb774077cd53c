package app

import (
	"time"

	"countersign/backend/store"
)

// Bounds of the Insights range, in days.
const (
	insightsDefaultDays = 30
	insightsMaxDays     = 365
)

// InsightsView is the dashboard's figures as the UI reads them. Durations
// are milliseconds, times RFC 3339.
type InsightsView struct {
	From            time.Time          `json:"from"`
	To              time.Time          `json:"to"`
	ByStatus        map[string]int     `json:"byStatus"`
	Totals          map[string]int     `json:"totals"`
	Agents          []InsightsCounts   `json:"agents"`
	Days            []InsightsCounts   `json:"days"` // Name is the day, YYYY-MM-DD
	Decided         int                `json:"decided"`
	DecisionMedian  int64              `json:"decisionMedianMs"`
	DecisionP90     int64              `json:"decisionP90Ms"`
	AutoApproved    int                `json:"autoApproved"`
	Rules           []store.NamedCount `json:"rules"`
	TopPaths        []store.NamedCount `json:"topPaths"`
	TopCommands     []store.NamedCount `json:"topCommands"`
	Denials         []InsightsDenial   `json:"denials"`
	ReasonsRedacted bool               `json:"reasonsRedacted"`
}

// InsightsCounts are one agent's or one day's status changes by type.
type InsightsCounts struct {
	Name   string         `json:"name"`
	Counts map[string]int `json:"counts"`
}

// InsightsDenial is one denial with its reason (redacted or clipped).
type InsightsDenial struct {
	ID        string    `json:"id"`
	AgentID   string    `json:"agentId"`
	Summary   string    `json:"summary"`
	Reason    string    `json:"reason"`
	DecidedBy string    `json:"decidedBy"`
	DecidedAt time.Time `json:"decidedAt"`
}

// Insights returns the dashboard's figures for the last days days (30 when
// days is 0 or less, at most 365), today included, in local days.
func (a *App) Insights(days int) (InsightsView, error) {
	if days <= 0 {
		days = insightsDefaultDays
	}
	days = min(days, insightsMaxDays)
	now := a.core.Now()
	y, m, d := now.Date()
	from := time.Date(y, m, d-days+1, 0, 0, 0, 0, now.Location())
	to := time.Date(y, m, d+1, 0, 0, 0, 0, now.Location())
	in, err := a.core.Store.Insights(a.ctx, from, to)
	if err != nil {
		return InsightsView{}, err
	}
	return insightsView(in), nil
}

func insightsView(in store.Insights) InsightsView {
	counts := func(m map[store.EventType]int) map[string]int {
		out := make(map[string]int, len(m))
		for k, v := range m {
			out[string(k)] = v
		}
		return out
	}
	v := InsightsView{From: in.From, To: in.To, ByStatus: map[string]int{}, Totals: counts(in.Totals),
		Agents: []InsightsCounts{}, Days: []InsightsCounts{}, Decided: in.Decided,
		DecisionMedian: in.DecisionMedian.Milliseconds(), DecisionP90: in.DecisionP90.Milliseconds(),
		AutoApproved: in.AutoApproved, Rules: in.Rules, TopPaths: in.TopPaths, TopCommands: in.TopCommands,
		Denials: []InsightsDenial{}, ReasonsRedacted: in.ReasonsRedacted}
	for k, n := range in.ByStatus {
		v.ByStatus[string(k)] = n
	}
	for _, ag := range in.Agents {
		v.Agents = append(v.Agents, InsightsCounts{Name: ag.AgentID, Counts: counts(ag.Counts)})
	}
	for _, d := range in.Days {
		v.Days = append(v.Days, InsightsCounts{Name: d.Day.Format(time.DateOnly), Counts: counts(d.Counts)})
	}
	for _, d := range in.Denials {
		v.Denials = append(v.Denials, InsightsDenial{ID: d.ProposalID, AgentID: d.AgentID, Summary: d.Summary,
			Reason: d.Reason, DecidedBy: d.DecidedBy, DecidedAt: d.DecidedAt})
	}
	return v
}
