package redact

import (
	"context"
	"fmt"
	"strings"

	"countersign/backend/proposal"
)

// MaxFindings bounds the findings ScanProposal returns.
const MaxFindings = 100

// ActionFinding is one secret in a proposal, as the review window shows it:
// where it is and what it is, never the secret itself.
type ActionFinding struct {
	Action      int    `json:"action"` // index of the action; -1 for the proposal's summary or rationale
	Field       string `json:"field"`  // "content", "edit 2", "command line", "url", "body", "input", "cell Sheet1!B2", "summary", "rationale"
	Line        int    `json:"line"`   // 1-based line within that field
	RuleID      string `json:"rule_id"`
	Description string `json:"description"` // "an AWS access key"
}

// ProposalScan is what ScanProposal found.
type ProposalScan struct {
	Findings []ActionFinding `json:"findings"`
	// Truncated: a text was longer than MaxScanBytes, there were more than
	// MaxFindings findings, or the context ended, so not everything was read.
	Truncated bool `json:"truncated"`
}

// field is one text of a proposal to scan.
type field struct {
	action int
	name   string
	text   string
}

func fieldsOf(p *proposal.Proposal) []field {
	fs := []field{{-1, "summary", p.Summary}, {-1, "rationale", p.Rationale}}
	for i, a := range p.Actions {
		add := func(name, text string) {
			if text != "" {
				fs = append(fs, field{i, name, text})
			}
		}
		add("content", a.Content)
		for j, e := range a.Edits {
			add(fmt.Sprintf("edit %d", j+1), e.New)
		}
		for _, c := range a.Cells {
			add("cell "+c.Sheet+"!"+c.Cell, c.Value+c.Formula)
		}
		add("command line", strings.Join(a.Argv, " "))
		add("url", a.URL)
		add("body", a.Body)
		add("input", string(a.Input))
	}
	return fs
}

// ScanProposal finds secrets and personal data in what a proposal would
// write, run or send, and in its summary and rationale.
func (d *Detector) ScanProposal(ctx context.Context, p *proposal.Proposal) ProposalScan {
	out := ProposalScan{Findings: []ActionFinding{}}
	for _, f := range fieldsOf(p) {
		if ctx.Err() != nil {
			out.Truncated = true
			break
		}
		found, truncated, _ := d.Find(ctx, f.text)
		out.Truncated = out.Truncated || truncated
		for _, x := range found {
			if len(out.Findings) == MaxFindings {
				out.Truncated = true
				return out
			}
			out.Findings = append(out.Findings, ActionFinding{Action: f.action, Field: f.name, Line: x.Line,
				RuleID: x.RuleID, Description: x.Description})
		}
	}
	return out
}
