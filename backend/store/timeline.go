package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"countersign/backend/proposal"
)

// The timeline: every proposal, newest first, with its decision, filtered
// and searched, a page at a time.
//
// Pages are cut by a keyset cursor, never by OFFSET, so a deep page costs
// what the first one does and proposals arriving meanwhile neither repeat
// nor skip rows on the pages after. Each filter has an index that yields its
// proposals newest first (see migration 0007); a query with several filters
// walks the index of one of them, chosen in the order agent, status, risk,
// kind (status only when it names at most maxStatusLegs statuses, if a risk
// or kind is given too), and checks the others on each row. A filter with several values
// walks one index range per value, merged newest first by SQLite.
//
// Text and Path are answered from the full-text index, whose documents sort
// newest first by their rowid (creation time to the microsecond, then the
// order they were indexed), so a search reads its matches in page order too.
// That index is kept by a catch-up indexer (IndexText), never by the insert,
// so a search covers the proposals indexed so far: with the indexer running
// (StartTextIndexer), everything but the last interval's changes.

// TimelineQuery selects and pages the timeline. Zero fields do not filter.
type TimelineQuery struct {
	Agent    string
	Statuses []proposal.Status
	Kinds    []proposal.Kind
	Risks    []proposal.Risk
	From, To time.Time // created at or after From, and before To
	// Path keeps proposals with an action whose path or destination is Path
	// or lies under it, component-wise: "docs" matches "docs" and
	// "docs/a.md", not "docs2/a.md". A trailing slash is ignored.
	Path string
	// Text is full-text search over summary, rationale, action paths and the
	// decision's reason. Words are matched whole, all of them; a word ending
	// in * matches as a prefix. Other punctuation is taken literally.
	Text string
	// IDs, when set, keeps only these proposals (at most MaxTimelineIDs):
	// which of some proposals that just changed match the other filters.
	// They are read by primary key, on one page (no cursor, Limit ignored);
	// the search among them covers what the text index holds (IndexText).
	IDs    []string
	Cursor string // from the previous page; "" for the first
	// Skip leaves out this many rows after the cursor (at most MaxSkip): a
	// page some way after a position the UI holds the cursor of.
	Skip  int
	Limit int // default 50, at most 200
}

// MaxTimelineIDs bounds TimelineQuery.IDs.
const MaxTimelineIDs = 200

// TimelineItem is one proposal on the timeline.
type TimelineItem struct {
	Summary
	Verdict   proposal.Verdict // "" while undecided or expired without a decision
	DecidedBy string
	Reason    string
}

const (
	timelineDefaultLimit = 50
	timelineMaxLimit     = 200
	// maxStatusLegs: with a risk or kind filter too, the status index is
	// walked only for this many statuses at most.
	maxStatusLegs = 2
)

// ErrBadQuery: a timeline query names an unknown status, kind or risk, or
// carries a cursor this build did not hand out for it.
var ErrBadQuery = errors.New("store: invalid timeline query")

// kindIndexes names the partial index of each action kind.
var kindIndexes = map[proposal.Kind]string{
	proposal.KindFileWrite:   "proposals_kind_file_write",
	proposal.KindFileEdit:    "proposals_kind_file_edit",
	proposal.KindFileDelete:  "proposals_kind_file_delete",
	proposal.KindFileMove:    "proposals_kind_file_move",
	proposal.KindDirCreate:   "proposals_kind_dir_create",
	proposal.KindSheetUpdate: "proposals_kind_sheet_update",
	proposal.KindCommandRun:  "proposals_kind_command_run",
	proposal.KindNetRequest:  "proposals_kind_net_request",
	proposal.KindToolCall:    "proposals_kind_tool_call",
}

var knownRisks = map[proposal.Risk]bool{proposal.RiskLow: true, proposal.RiskMedium: true,
	proposal.RiskHigh: true, proposal.RiskCritical: true}

const timelineColumns = `p.id, p.agent_id, p.summary, p.risk, p.status, p.created_at, p.expires_at,
	p.action_count, p.kinds, p.decided_at, d.verdict, d.decided_by, d.reason`

// timelineSQL is one query built for a TimelineQuery.
type timelineSQL struct {
	sql  string
	args []any
	fts  bool // rows end with the document's rowid, and the cursor is one
	none bool // nothing can match
}

// cursor is a position on the timeline: the last row of a page.
type cursor struct {
	created int64
	id      string
	doc     int64
	fts     bool
}

func (c cursor) encode() string {
	if c.fts {
		return base64.RawURLEncoding.EncodeToString([]byte("d" + strconv.FormatInt(c.doc, 10)))
	}
	return base64.RawURLEncoding.EncodeToString([]byte("c" + strconv.FormatInt(c.created, 10) + ":" + c.id))
}

func decodeCursor(s string, fts bool) (cursor, bool, error) {
	if s == "" {
		return cursor{}, false, nil
	}
	bad := fmt.Errorf("%w: the cursor is not one of this query's", ErrBadQuery)
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 2 {
		return cursor{}, false, bad
	}
	switch {
	case b[0] == 'd' && fts:
		n, err := strconv.ParseInt(string(b[1:]), 10, 64)
		if err != nil {
			return cursor{}, false, bad
		}
		return cursor{doc: n, fts: true}, true, nil
	case b[0] == 'c' && !fts:
		ts, id, ok := strings.Cut(string(b[1:]), ":")
		n, err := strconv.ParseInt(ts, 10, 64)
		if !ok || err != nil {
			return cursor{}, false, bad
		}
		return cursor{created: n, id: id}, true, nil
	}
	return cursor{}, false, bad
}

// ftsQuery turns user text into a safe FTS5 query: every whitespace-separated
// word becomes a quoted string (so no word is read as syntax), and a word
// ending in * a quoted prefix. Words are ANDed. It returns "" for no words.
func ftsQuery(text string) string {
	var terms []string
	for _, w := range strings.Fields(text) {
		prefix := strings.HasSuffix(w, "*")
		w = strings.TrimRight(w, "*")
		if !hasToken(w) {
			continue // only punctuation: FTS5 would find nothing to match
		}
		t := `"` + strings.ReplaceAll(w, `"`, `""`) + `"`
		if prefix {
			t += "*"
		}
		terms = append(terms, t)
	}
	return strings.Join(terms, " ")
}

// hasToken reports whether s holds a letter or digit, which the unicode61
// tokenizer makes a token of.
func hasToken(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }) >= 0
}

// pathPhrase is the FTS5 query that finds every document whose paths column
// holds path's tokens in a row: a superset of the proposals Path matches.
func pathPhrase(path string) string {
	toks := strings.FieldsFunc(path, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
	if len(toks) == 0 {
		return ""
	}
	return `paths : "` + strings.Join(toks, " ") + `"`
}

// build returns the SQL of one page of q, reading limit rows.
func (q *TimelineQuery) build(limit int) (timelineSQL, error) {
	for _, st := range q.Statuses {
		if !st.Known() {
			return timelineSQL{}, fmt.Errorf("%w: unknown status %q", ErrBadQuery, st)
		}
	}
	for _, k := range q.Kinds {
		if kindIndexes[k] == "" {
			return timelineSQL{}, fmt.Errorf("%w: unknown action kind %q", ErrBadQuery, k)
		}
	}
	for _, r := range q.Risks {
		if !knownRisks[r] {
			return timelineSQL{}, fmt.Errorf("%w: unknown risk %q", ErrBadQuery, r)
		}
	}
	var match []string
	if t := ftsQuery(q.Text); t != "" {
		match = append(match, t)
	}
	path := q.Path
	if path != "" && path != "/" {
		path = strings.TrimRight(path, "/")
	}
	if ph := pathPhrase(path); ph != "" {
		match = append(match, ph)
	}
	if strings.TrimSpace(q.Text) != "" && ftsQuery(q.Text) == "" {
		// Only punctuation: nothing can match. A search that finds nothing
		// is answered as one, not as no filter at all.
		return timelineSQL{none: true}, nil
	}
	fts := len(match) > 0
	if len(q.IDs) > MaxTimelineIDs {
		return timelineSQL{}, fmt.Errorf("%w: more than %d ids", ErrBadQuery, MaxTimelineIDs)
	}
	if len(q.IDs) > 0 && (q.Cursor != "" || q.Skip != 0) {
		return timelineSQL{}, fmt.Errorf("%w: a query by ids has one page, so no cursor", ErrBadQuery)
	}
	if q.Skip < 0 || q.Skip > MaxSkip {
		return timelineSQL{}, fmt.Errorf("%w: skip %d is not between 0 and %d", ErrBadQuery, q.Skip, MaxSkip)
	}
	cur, hasCur, err := decodeCursor(q.Cursor, fts)
	if err != nil {
		return timelineSQL{}, err
	}

	// The row checks every plan applies, with their arguments.
	var where []string
	var args []any
	add := func(cond string, a ...any) { where = append(where, cond); args = append(args, a...) }
	if !q.From.IsZero() {
		add("p.created_at >= ?", q.From.UnixNano())
	}
	if !q.To.IsZero() {
		add("p.created_at < ?", q.To.UnixNano())
	}
	if path != "" {
		lo, hi := path+"/", path+"0" // '0' follows '/': the range holds what lies under path
		if path == "/" {
			lo, hi = "/", "0"
		}
		add(`EXISTS (SELECT 1 FROM actions a WHERE a.proposal_id = p.id AND
			(a.path = ? OR (a.path >= ? AND a.path < ?) OR a.to_path = ? OR (a.to_path >= ? AND a.to_path < ?)))`,
			path, lo, hi, path, lo, hi)
	}
	inList := func(col string, n int, vals func(i int) any) {
		ph := strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
		vs := make([]any, n)
		for i := range vs {
			vs[i] = vals(i)
		}
		add(col+" IN ("+ph+")", vs...)
	}

	if len(q.IDs) > 0 {
		// Each proposal by its key, checked against every filter; the
		// search through its own document in the text index.
		if q.Agent != "" {
			add("p.agent_id = ?", q.Agent)
		}
		if len(q.Statuses) > 0 {
			inList("p.status", len(q.Statuses), func(i int) any { return string(q.Statuses[i]) })
		}
		if len(q.Risks) > 0 {
			inList("p.risk", len(q.Risks), func(i int) any { return string(q.Risks[i]) })
		}
		if len(q.Kinds) > 0 {
			where = append(where, kindCheck(q.Kinds))
		}
		ids := dedupe(q.IDs)
		conds := append([]string{"p.id IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ") + ")"}, where...)
		all := make([]any, 0, len(ids)+len(args)+2)
		for _, id := range ids {
			all = append(all, id)
		}
		all = append(all, args...)
		from := "proposals p"
		if fts {
			from = "proposals p CROSS JOIN timeline_docs td ON td.proposal_id = p.id CROSS JOIN timeline_fts f ON f.rowid = td.doc"
			conds = append(conds, "timeline_fts MATCH ?")
			all = append(all, strings.Join(match, " AND "))
		}
		return timelineSQL{sql: `SELECT ` + timelineColumns + ` FROM ` + from + `
			LEFT JOIN decisions d ON d.proposal_id = p.id
			WHERE ` + strings.Join(conds, " AND ") + `
			ORDER BY p.created_at DESC, p.id DESC LIMIT ?`, args: append(all, limit)}, nil
	}

	if fts {
		if q.Agent != "" {
			add("p.agent_id = ?", q.Agent)
		}
		if len(q.Statuses) > 0 {
			inList("p.status", len(q.Statuses), func(i int) any { return string(q.Statuses[i]) })
		}
		if len(q.Risks) > 0 {
			inList("p.risk", len(q.Risks), func(i int) any { return string(q.Risks[i]) })
		}
		if len(q.Kinds) > 0 {
			where = append(where, kindCheck(q.Kinds))
		}
		// The rowid bounds of the date range come first: FTS5 uses them.
		var pre []string
		var preArgs []any
		if hasCur {
			pre, preArgs = append(pre, "f.rowid < ?"), append(preArgs, cur.doc)
		}
		if !q.From.IsZero() {
			pre, preArgs = append(pre, "f.rowid >= ?"), append(preArgs, docBase(q.From.UnixNano()))
		}
		if !q.To.IsZero() {
			pre, preArgs = append(pre, "f.rowid < ?"), append(preArgs, docBase(q.To.UnixNano())+docSlots)
		}
		conds := append(append([]string{"timeline_fts MATCH ?"}, pre...), where...)
		all := append(append([]any{strings.Join(match, " AND ")}, preArgs...), args...)
		all = append(all, limit, q.Skip)
		return timelineSQL{fts: true, args: all, sql: `SELECT ` + timelineColumns + `, f.rowid
			FROM timeline_fts f CROSS JOIN proposals p ON p.id = f.id
			LEFT JOIN decisions d ON d.proposal_id = p.id
			WHERE ` + strings.Join(conds, " AND ") + `
			ORDER BY f.rowid DESC LIMIT ? OFFSET ?`}, nil
	}

	if hasCur {
		add("(p.created_at, p.id) < (?, ?)", cur.created, cur.id)
	}
	// The index to walk, and one range of it per value.
	type leg struct {
		index, cond string
		args        []any
	}
	var legs []leg
	// Many statuses at once (the History sends every status but pending
	// when none is chosen) narrow little: with a risk or a kind, walk their
	// index and check the status on each row instead.
	byStatus := len(q.Statuses) > 0 && (len(q.Risks) == 0 && len(q.Kinds) == 0 || len(dedupe(q.Statuses)) <= maxStatusLegs)
	statusCheck := func() {
		if len(q.Statuses) > 0 {
			inList("p.status", len(q.Statuses), func(i int) any { return string(q.Statuses[i]) })
		}
	}
	switch {
	case q.Agent != "":
		legs = []leg{{"proposals_by_agent", "p.agent_id = ?", []any{q.Agent}}}
		statusCheck()
		fallthrough
	case byStatus:
		if legs == nil {
			for _, st := range dedupe(q.Statuses) {
				legs = append(legs, leg{"proposals_by_status", "p.status = ?", []any{string(st)}})
			}
		}
		if len(q.Risks) > 0 {
			inList("p.risk", len(q.Risks), func(i int) any { return string(q.Risks[i]) })
		}
		if len(q.Kinds) > 0 {
			where = append(where, kindCheck(q.Kinds))
		}
	case len(q.Risks) > 0:
		statusCheck()
		for _, r := range dedupe(q.Risks) {
			legs = append(legs, leg{"proposals_by_risk", "p.risk = ?", []any{string(r)}})
		}
		if len(q.Kinds) > 0 {
			where = append(where, kindCheck(q.Kinds))
		}
	case len(q.Kinds) > 0:
		statusCheck()
		// A proposal holding several of the kinds is read from the first
		// of their legs only.
		ks := dedupe(q.Kinds)
		for i, k := range ks {
			// The literal term lets SQLite match the partial index; k is one
			// of the known kinds, checked above.
			cond := "instr(p.kinds, '" + string(k) + "') > 0"
			if i > 0 {
				cond += " AND NOT " + kindCheck(ks[:i])
			}
			legs = append(legs, leg{kindIndexes[k], cond, nil})
		}
	default:
		legs = []leg{{"proposals_by_created", "1", nil}}
	}
	var parts []string
	var all []any
	for _, l := range legs {
		conds := append([]string{l.cond}, where...)
		parts = append(parts, `SELECT `+timelineColumns+`
			FROM proposals p INDEXED BY `+l.index+` LEFT JOIN decisions d ON d.proposal_id = p.id
			WHERE `+strings.Join(conds, " AND "))
		all = append(append(all, l.args...), args...)
	}
	order := " ORDER BY p.created_at DESC, p.id DESC LIMIT ? OFFSET ?"
	if len(parts) > 1 {
		order = " ORDER BY 6 DESC, 1 DESC LIMIT ? OFFSET ?" // created_at, id
	}
	return timelineSQL{sql: strings.Join(parts, " UNION ALL ") + order, args: append(all, limit, q.Skip)}, nil
}

func kindCheck(kinds []proposal.Kind) string {
	var or []string
	for _, k := range dedupe(kinds) {
		or = append(or, "instr(p.kinds, '"+string(k)+"') > 0")
	}
	return "(" + strings.Join(or, " OR ") + ")"
}

func dedupe[T comparable](xs []T) []T {
	var out []T
	seen := map[T]bool{}
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// Timeline returns one page of the timeline, newest first, and the cursor of
// the next page ("" after the last). Pages never overlap nor skip a
// proposal, whatever is inserted between them.
func (s *Store) Timeline(ctx context.Context, q TimelineQuery) ([]TimelineItem, string, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = timelineDefaultLimit
	}
	limit = min(limit, timelineMaxLimit)
	if len(q.IDs) > 0 {
		limit = timelineMaxLimit
	}
	tq, err := q.build(limit + 1)
	if err != nil || tq.none {
		return []TimelineItem{}, "", err
	}
	rows, err := s.db.QueryContext(ctx, tq.sql, tq.args...)
	if err != nil {
		return nil, "", s.timelineErr(err)
	}
	defer rows.Close()
	items := []TimelineItem{}
	var docs []int64
	for rows.Next() {
		var (
			it                       TimelineItem
			risk, st, kinds          string
			created, expires, decide sql.NullInt64
			verdict, by, reason      sql.NullString
			doc                      int64
		)
		dest := []any{&it.ID, &it.AgentID, &it.Summary.Summary, &risk, &st, &created, &expires,
			&it.ActionCount, &kinds, &decide, &verdict, &by, &reason}
		if tq.fts {
			dest = append(dest, &doc)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, "", s.timelineErr(err)
		}
		it.Risk, it.Status = proposal.Risk(risk), proposal.Status(st)
		it.CreatedAt, it.ExpiresAt, it.DecidedAt = fromNanos(created), fromNanos(expires), fromNanos(decide)
		if kinds != "" {
			for _, k := range strings.Split(kinds, ",") {
				it.Kinds = append(it.Kinds, proposal.Kind(k))
			}
		}
		it.Verdict, it.DecidedBy, it.Reason = proposal.Verdict(verdict.String), by.String, reason.String
		items = append(items, it)
		docs = append(docs, doc)
	}
	if err := rows.Err(); err != nil {
		return nil, "", s.timelineErr(err)
	}
	if len(items) <= limit {
		return items, "", nil
	}
	items = items[:limit]
	last := items[limit-1]
	next := cursor{created: last.CreatedAt.UnixNano(), id: last.ID, doc: docs[limit-1], fts: tq.fts}
	return items, next.encode(), nil
}

// timelineErr reports an FTS5 syntax error (which ftsQuery should never
// produce) as a bad query, and wraps the others.
func (s *Store) timelineErr(err error) error {
	if strings.Contains(err.Error(), "fts5:") {
		return fmt.Errorf("%w: search: %v", ErrBadQuery, err)
	}
	return s.wrap("timeline", err)
}

// Export formats.
const (
	FormatJSONL = "jsonl"
	FormatCSV   = "csv"
)

// timelineRecord is a TimelineItem as an export writes it.
type timelineRecord struct {
	ID          string   `json:"id"`
	CreatedAt   string   `json:"created_at"`
	Agent       string   `json:"agent"`
	Summary     string   `json:"summary"`
	Risk        string   `json:"risk"`
	Status      string   `json:"status"`
	Kinds       []string `json:"kinds"`
	ActionCount int      `json:"action_count"`
	ExpiresAt   string   `json:"expires_at,omitempty"`
	DecidedAt   string   `json:"decided_at,omitempty"`
	Verdict     string   `json:"verdict,omitempty"`
	DecidedBy   string   `json:"decided_by,omitempty"`
	Reason      string   `json:"reason,omitempty"`
}

var timelineCSVHeader = []string{"id", "created_at", "agent", "summary", "risk", "status", "kinds",
	"action_count", "expires_at", "decided_at", "verdict", "decided_by", "reason"}

func exportTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func recordOf(it *TimelineItem) timelineRecord {
	kinds := make([]string, len(it.Kinds))
	for i, k := range it.Kinds {
		kinds[i] = string(k)
	}
	return timelineRecord{ID: it.ID, CreatedAt: exportTime(it.CreatedAt), Agent: it.AgentID,
		Summary: it.Summary.Summary, Risk: string(it.Risk), Status: string(it.Status), Kinds: kinds,
		ActionCount: it.ActionCount, ExpiresAt: exportTime(it.ExpiresAt), DecidedAt: exportTime(it.DecidedAt),
		Verdict: string(it.Verdict), DecidedBy: it.DecidedBy, Reason: it.Reason}
}

// timelineWriter writes timeline records in an export format.
type timelineWriter struct {
	put   func(r timelineRecord) error
	flush func() error
}

func newTimelineWriter(w io.Writer, format string) (*timelineWriter, error) {
	switch format {
	case FormatJSONL:
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		return &timelineWriter{put: func(r timelineRecord) error { return enc.Encode(r) },
			flush: func() error { return nil }}, nil
	case FormatCSV:
		cw := csv.NewWriter(w)
		if err := cw.Write(timelineCSVHeader); err != nil {
			return nil, err
		}
		return &timelineWriter{
			put: func(r timelineRecord) error {
				return cw.Write([]string{r.ID, r.CreatedAt, r.Agent, r.Summary, r.Risk, r.Status,
					strings.Join(r.Kinds, " "), strconv.Itoa(r.ActionCount), r.ExpiresAt, r.DecidedAt,
					r.Verdict, r.DecidedBy, r.Reason})
			},
			flush: func() error { cw.Flush(); return cw.Error() },
		}, nil
	}
	return nil, fmt.Errorf("store: export format must be %s or %s, not %q", FormatJSONL, FormatCSV, format)
}

func (tw *timelineWriter) write(items []TimelineItem) error {
	for i := range items {
		if err := tw.put(recordOf(&items[i])); err != nil {
			return err
		}
	}
	return tw.flush()
}

// WriteTimeline writes items as ExportTimeline does.
func WriteTimeline(w io.Writer, items []TimelineItem, format string) (int, error) {
	tw, err := newTimelineWriter(w, format)
	if err != nil {
		return 0, err
	}
	if err := tw.write(items); err != nil {
		return 0, err
	}
	return len(items), nil
}

// ExportTimeline writes every proposal q selects (q.Cursor and q.Limit
// aside), newest first, as JSON lines (one object per line) or CSV (a header
// row, then one row each, quoted as RFC 4180 says), reading a page at a
// time. It writes what the timeline shows, never actions' content. It
// returns how many it wrote.
func (s *Store) ExportTimeline(ctx context.Context, q TimelineQuery, w io.Writer, format string) (int, error) {
	tw, err := newTimelineWriter(w, format)
	if err != nil {
		return 0, err
	}
	q.Cursor, q.Limit = "", timelineMaxLimit
	n := 0
	for {
		items, next, err := s.Timeline(ctx, q)
		if err != nil {
			return n, err
		}
		if err := tw.write(items); err != nil {
			return n, err
		}
		n += len(items)
		if next == "" {
			return n, nil
		}
		q.Cursor = next
	}
}

// Text index documents: a proposal's document has rowid
// docBase(created_at) + k, k < docSlots, the first k free when it is first
// indexed, so documents sort by creation time to the microsecond.
const docSlots = 1024

func docBase(nanos int64) int64 {
	us := nanos / 1000
	if nanos < 0 && nanos%1000 != 0 {
		us--
	}
	const limit = (1<<63 - 1) / docSlots
	us = max(min(us, limit-1), -limit)
	return us * docSlots
}

// Events whose proposal the text index must (re)read: its creation, and the
// changes that write a decision (with its reason).
var textEvents = map[EventType]bool{EventProposed: true, EventApproved: true, EventDenied: true,
	EventExpired: true, EventWithdrawn: true}

const (
	textBatchEvents  = 2000
	sqlTextWatermark = `SELECT value FROM timeline_index WHERE key = 'events'`
	sqlTextSetMark   = `INSERT INTO timeline_index(key, value) VALUES ('events', ?1)
		ON CONFLICT(key) DO UPDATE SET value = excluded.value`
	sqlTextEvents = `SELECT id, proposal_id, type FROM events WHERE id > ?1 ORDER BY id LIMIT ?2`
	sqlTextSource = `SELECT p.summary, p.rationale, p.created_at, coalesce(d.reason, ''),
		(SELECT coalesce(group_concat(a.path || ' ' || a.to_path, ' '), '') FROM actions a WHERE a.proposal_id = p.id)
		FROM proposals p LEFT JOIN decisions d ON d.proposal_id = p.id WHERE p.id = ?1`
	sqlTextDoc     = `SELECT doc FROM timeline_docs WHERE proposal_id = ?1`
	sqlTextLastDoc = `SELECT max(rowid) FROM timeline_fts WHERE rowid >= ?1 AND rowid < ?2`
	sqlTextDelete  = `DELETE FROM timeline_fts WHERE rowid = ?1`
	sqlTextInsert  = `INSERT INTO timeline_fts(rowid, id, summary, rationale, paths, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6)`
	sqlTextMapDoc  = `INSERT INTO timeline_docs(proposal_id, doc) VALUES (?1, ?2)`
)

// IndexText brings the text index up to date: it reads the events stored
// since its watermark, batchEvents at a time (0: a default), and (re)indexes
// the proposals they create or decide, each batch in a transaction of its
// own with the watermark moved in it. It returns how many documents it
// wrote. It is safe to run alongside everything else; a failed batch is
// retried from the same watermark by the next call.
func (s *Store) IndexText(ctx context.Context, batchEvents int) (int, error) {
	if batchEvents <= 0 {
		batchEvents = textBatchEvents
	}
	total := 0
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		n, read := 0, 0
		err := s.write(ctx, "index text", func(tx *sql.Tx) error {
			var err error
			n, read, err = indexTextBatch(ctx, tx, batchEvents)
			return err
		})
		total += n
		if err != nil || read < batchEvents {
			return total, err
		}
	}
}

func indexTextBatch(ctx context.Context, tx *sql.Tx, batch int) (written, read int, err error) {
	var mark int64
	if err := tx.QueryRowContext(ctx, sqlTextWatermark).Scan(&mark); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, 0, err
	}
	rows, err := tx.QueryContext(ctx, sqlTextEvents, mark, batch)
	if err != nil {
		return 0, 0, err
	}
	var ids []string
	seen := map[string]bool{}
	last := mark
	for rows.Next() {
		var pid sql.NullString
		var typ string
		if err := rows.Scan(&last, &pid, &typ); err != nil {
			rows.Close()
			return 0, 0, err
		}
		read++
		if pid.Valid && textEvents[EventType(typ)] && !seen[pid.String] {
			seen[pid.String] = true
			ids = append(ids, pid.String)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, 0, err
	}
	if read == 0 {
		return 0, 0, nil
	}
	for _, id := range ids {
		ok, err := indexOne(ctx, tx, id)
		if err != nil {
			return 0, 0, fmt.Errorf("index proposal %s: %w", id, err)
		}
		if ok {
			written++
		}
	}
	if _, err := tx.ExecContext(ctx, sqlTextSetMark, last); err != nil {
		return 0, 0, err
	}
	return written, read, nil
}

// indexOne writes the document of proposal id, replacing its old one.
func indexOne(ctx context.Context, tx *sql.Tx, id string) (bool, error) {
	var summary, rationale, reason, paths string
	var created int64
	err := tx.QueryRowContext(ctx, sqlTextSource, id).Scan(&summary, &rationale, &created, &reason, &paths)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var doc int64
	err = tx.QueryRowContext(ctx, sqlTextDoc, id).Scan(&doc)
	switch {
	case err == nil:
		if _, err := tx.ExecContext(ctx, sqlTextDelete, doc); err != nil {
			return false, err
		}
	case errors.Is(err, sql.ErrNoRows):
		base := docBase(created)
		var lastDoc sql.NullInt64
		if err := tx.QueryRowContext(ctx, sqlTextLastDoc, base, base+docSlots).Scan(&lastDoc); err != nil {
			return false, err
		}
		doc = base
		if lastDoc.Valid {
			doc = lastDoc.Int64 + 1
		}
		if doc >= base+docSlots {
			return false, fmt.Errorf("more than %d proposals created in one microsecond", docSlots)
		}
		if _, err := tx.ExecContext(ctx, sqlTextMapDoc, id, doc); err != nil {
			return false, err
		}
	default:
		return false, err
	}
	_, err = tx.ExecContext(ctx, sqlTextInsert, doc, id, summary, rationale, paths, reason)
	return err == nil, err
}

// textIndexer runs IndexText in the background; see StartTextIndexer.
type textIndexer struct {
	mu     sync.Mutex
	cancel context.CancelFunc // nil until started
	done   chan struct{}
	closed bool
}

// StartTextIndexer runs IndexText now and then every interval until the
// store closes, so that searches lag the database by at most about one
// interval (plus the time a catch-up takes). Errors are retried at the next
// tick. Calling it again does nothing.
func (s *Store) StartTextIndexer(every time.Duration) {
	t := &s.textIdx
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cancel != nil || t.closed {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.cancel, t.done = cancel, make(chan struct{})
	go func() {
		defer close(t.done)
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			s.IndexText(ctx, 0) // a failed batch is retried from its watermark
			select {
			case <-tick.C:
			case <-ctx.Done():
				return
			}
		}
	}()
}

// close stops the indexer and waits for it.
func (t *textIndexer) close() {
	t.mu.Lock()
	t.closed = true
	cancel, done := t.cancel, t.done
	t.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}
