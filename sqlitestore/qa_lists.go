package sqlitestore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/civichub/civichub/qa"
)

// Question lists are built from the query's filters, each an equality on a
// leading index column where one fits: qa_questions_queue (agency, status,
// deadline, id) for an agency by deadline, qa_questions_agency and
// qa_questions_asker for newest first, qa_questions_assignee by deadline,
// and the partial qa_questions_listed for the public's newest first. An
// agency by deadline with several statuses (the staff queue) reads one
// range of the queue index per status and merges them: each range is in
// order, so no page sorts more rows than its limit per status.

// listWhere returns q's filters as a WHERE clause, without the cursor.
// ListedOnly is the literal listed = 1, so that SQLite may use the partial
// index of listed questions.
func listWhere(q qa.Query) (string, []any) {
	var conds []string
	var args []any
	if q.AgencyID != "" {
		conds, args = append(conds, "agency_id = ?"), append(args, q.AgencyID)
	}
	switch len(q.Statuses) {
	case 0:
	case 1:
		conds, args = append(conds, "status = ?"), append(args, string(q.Statuses[0]))
	default:
		conds = append(conds, "status IN ("+marks(len(q.Statuses))+")")
		for _, st := range q.Statuses {
			args = append(args, string(st))
		}
	}
	if q.AskerID != "" {
		conds, args = append(conds, "asker_id = ?"), append(args, q.AskerID)
	}
	if q.AssigneeID != "" {
		conds, args = append(conds, "assignee_id = ?"), append(args, q.AssigneeID)
	}
	if q.ListedOnly {
		conds = append(conds, "listed = 1")
	}
	if q.Sort == qa.RecentlyAnswered {
		conds, args = append(conds, "answered_at > ?"), append(args, zeroMS)
	}
	if !q.DueBefore.IsZero() {
		conds, args = append(conds, "deadline > ? AND deadline < ?"), append(args, zeroMS, ms(q.DueBefore))
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// listSQL returns the query of one page of q.
func listSQL(q qa.Query) (string, []any) {
	where, args := listWhere(q)
	and := func(cond string) {
		if where == "" {
			where = " WHERE " + cond
		} else {
			where += " AND " + cond
		}
	}
	order := " ORDER BY id DESC"
	if q.Sort == qa.RecentlyAnswered {
		order = " ORDER BY answered_at DESC, id DESC"
		if q.AfterID != "" {
			and("(answered_at, id) < (?, ?)")
			args = append(args, ms(q.AfterTime), q.AfterID)
		}
	} else if q.Sort == qa.ByDeadline {
		order = " ORDER BY deadline, id"
		if q.AfterID != "" {
			and("(deadline, id) > (?, ?)")
			args = append(args, ms(q.AfterTime), q.AfterID)
		}
	} else if q.AfterID != "" {
		and("id < ?")
		args = append(args, q.AfterID)
	}
	return `SELECT ` + summaryCols + ` FROM qa_questions` + where + order + ` LIMIT ?`, append(args, limitArg(q.Limit))
}

// Questions implements qa.Store. An empty Sort is Newest.
func (s *QAStore) Questions(ctx context.Context, q qa.Query) ([]*qa.Question, error) {
	if q.Sort == qa.ByDeadline && q.AgencyID != "" && q.AssigneeID == "" && q.AskerID == "" && len(q.Statuses) != 1 {
		return s.queue(ctx, q)
	}
	text, args := listSQL(q)
	return query(ctx, s.db, "list questions", scanQuestion, text, args...)
}

// queue reads an agency's questions by deadline as one page per status,
// each straight off qa_questions_queue, and merges them.
func (s *QAStore) queue(ctx context.Context, q qa.Query) ([]*qa.Question, error) {
	statuses := q.Statuses
	if len(statuses) == 0 {
		statuses = qa.Statuses
	}
	var out []*qa.Question
	for _, st := range slices.Compact(slices.Sorted(slices.Values(statuses))) {
		one := q
		one.Statuses = []qa.Status{st}
		text, args := listSQL(one)
		page, err := query(ctx, s.db, "list questions", scanQuestion, text, args...)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
	}
	slices.SortFunc(out, func(a, b *qa.Question) int {
		if c := a.Deadline.Compare(b.Deadline); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

// CountQuestions implements qa.Store. A max of zero or less does not
// limit the count.
func (s *QAStore) CountQuestions(ctx context.Context, q qa.Query, max int) (int, error) {
	where, args := listWhere(q)
	st, err := s.db.readStmt(ctx, `SELECT count(*) FROM (SELECT 1 FROM qa_questions`+where+` LIMIT ?)`)
	if err != nil {
		return 0, err
	}
	var n int
	if err := st.QueryRowContext(ctx, append(args, limitArg(max))...).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlitestore: count questions: %w", err)
	}
	return n, nil
}

// overdueQuery repeats the WHERE of the partial index qa_questions_overdue
// word for word, so that SQLite uses it.
const overdueQuery = `SELECT ` + questionCols + ` FROM qa_questions
	WHERE overdue_notified = 0 AND status IN ('submitted', 'accepted', 'assigned') AND deadline > ? AND deadline < ?
	ORDER BY deadline, id LIMIT ?`

// OverdueUnnotified implements qa.Store. It returns whole questions, with
// their history, legs and tokens, as Question does.
func (s *QAStore) OverdueUnnotified(ctx context.Context, now time.Time, limit int) ([]*qa.Question, error) {
	qs, err := query(ctx, s.db, "list overdue questions", scanQuestion, overdueQuery, zeroMS, ms(now), limitArg(limit))
	if err != nil || len(qs) == 0 {
		return qs, err
	}
	ids := make([]string, len(qs))
	for i, q := range qs {
		ids[i] = q.ID
	}
	legs, err := query(ctx, s.db, "select legs", scanLeg, `SELECT `+legCols+` FROM qa_legs
		WHERE question_id IN (SELECT value FROM json_each(?)) ORDER BY question_id, seq`, tokensJSON(ids))
	if err != nil {
		return nil, err
	}
	by := make(map[string]*qa.Question, len(qs))
	for _, q := range qs {
		by[q.ID] = q
	}
	for _, l := range legs {
		q := by[l.QuestionID]
		q.Legs = append(q.Legs, *l)
	}
	return qs, nil
}
