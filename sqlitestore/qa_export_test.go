package sqlitestore

import (
	"time"

	"github.com/civichub/civichub/qa"
)

// QAPlansForTest lists the Q&A store's hot reads and the index each must
// search.
func QAPlansForTest() []PlanCase {
	now := time.Now()
	list := func(name, index string, q qa.Query) PlanCase {
		text, args := listSQL(q)
		return PlanCase{Name: name, Query: text, Index: index, Args: args}
	}
	count := func(name, index string, q qa.Query) PlanCase {
		where, args := listWhere(q)
		return PlanCase{Name: name, Query: `SELECT count(*) FROM (SELECT 1 FROM qa_questions` + where + ` LIMIT ?)`,
			Index: index, Args: append(args, 1000)}
	}
	queue := qa.Query{AgencyID: "a", Statuses: []qa.Status{qa.Accepted}, Sort: qa.ByDeadline, Limit: 50}
	next := queue
	next.AfterTime, next.AfterID = now, "x"
	overdue := next
	overdue.DueBefore = now
	return []PlanCase{
		list("queue page, one status", "qa_questions_queue", queue),
		list("queue next page", "qa_questions_queue", next),
		list("queue overdue", "qa_questions_queue", overdue),
		list("public newest", "qa_questions_listed", qa.Query{ListedOnly: true, Limit: 20}),
		list("public newest next page", "qa_questions_listed", qa.Query{ListedOnly: true, AfterID: "x", Limit: 20}),
		list("agency public newest", "qa_questions_agency", qa.Query{AgencyID: "a", ListedOnly: true, AfterID: "x", Limit: 20}),
		list("agency newest", "qa_questions_agency", qa.Query{AgencyID: "a", Limit: 20}),
		list("answers feed", "qa_questions_answered", qa.Query{ListedOnly: true, Statuses: []qa.Status{qa.Answered, qa.Closed}, Sort: qa.RecentlyAnswered, Limit: 10}),
		list("answers feed next page", "qa_questions_answered", qa.Query{ListedOnly: true, Statuses: []qa.Status{qa.Answered, qa.Closed}, Sort: qa.RecentlyAnswered, AfterID: "x", Limit: 10}),
		list("asker newest", "qa_questions_asker", qa.Query{AskerID: "u", AfterID: "x", Limit: 20}),
		list("assignee by deadline", "qa_questions_assignee", qa.Query{AssigneeID: "u", Sort: qa.ByDeadline, AfterID: "x", Limit: 20}),
		count("count agency open", "COVERING INDEX qa_questions_queue",
			qa.Query{AgencyID: "a", Statuses: []qa.Status{qa.Submitted, qa.Accepted, qa.Assigned}}),
		count("count agency overdue", "COVERING INDEX qa_questions_queue",
			qa.Query{AgencyID: "a", Statuses: []qa.Status{qa.Accepted, qa.Assigned}, DueBefore: now}),
		{"overdue unnotified", overdueQuery, "qa_questions_overdue", []any{zeroMS, ms(now), 100}},
		{"legs started", legsQuery, "COVERING INDEX qa_legs_started", []any{"a", ms(now)}},
		{"legs ended", legsQuery, "COVERING INDEX qa_legs_ended", []any{"a", ms(now)}},
		{"question legs", `SELECT ` + legCols + ` FROM qa_legs WHERE question_id = ? ORDER BY seq`, "PRIMARY KEY", []any{"q"}},
		{"comments", `SELECT ` + commentCols + ` FROM qa_comments WHERE question_id = ? AND id > ? ORDER BY id LIMIT ?`,
			"qa_comments_question", []any{"q", "", 50}},
		{"search", qaSearchSQL(3), "PRIMARY KEY", []any{"a", "~", 20, "b", "c"}},
		{"unindex", `DELETE FROM qa_search WHERE question_id = ? AND token IN (SELECT value FROM json_each(?))`,
			"PRIMARY KEY", []any{"q", `["a","b"]`}},
	}
}
