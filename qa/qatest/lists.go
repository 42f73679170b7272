package qatest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/civichub/civichub/id"
	"github.com/civichub/civichub/qa"
)

// listed is the status cycle of the list suite's questions.
var cycle = []qa.Status{qa.Submitted, qa.Accepted, qa.Assigned, qa.Answered, qa.Closed, qa.Rejected, qa.Accepted, qa.Assigned}

// people are the list suite's agencies, askers and staff.
type people struct{ a, b, asker, staff1, staff2 string }

// makeLists stores 40 questions to two agencies, in every status, from two
// askers and others, assigned to two staff members, private and public,
// with deadlines that tie and questions without one. Their IDs rise with
// their creation, their deadlines do not.
func makeLists(t *testing.T, s qa.Store) (people, []*qa.Question) {
	p := people{a: id.New(), b: id.New(), asker: id.New(), staff1: id.New(), staff2: id.New()}
	var all []*qa.Question
	for i := range 40 {
		agency := p.a
		if i%3 == 2 {
			agency = p.b
		}
		q := NewQuestion(agency, base.Add(time.Duration(i)*time.Hour))
		q.Status = cycle[i%len(cycle)]
		q.Deadline = at(base.Add(time.Duration((i*7)%5) * day))
		switch q.Status {
		case qa.Submitted:
			q.Deadline, q.AcceptedAt = time.Time{}, time.Time{}
		case qa.Assigned:
			q.AssigneeID = p.staff1
			if i%4 == 3 {
				q.AssigneeID = p.staff2
			}
		case qa.Answered, qa.Closed:
			// Answer times tie and do not follow the IDs.
			q.AnsweredAt = at(base.Add(time.Duration((i*5)%3) * day))
		}
		if i%4 == 0 {
			q.AskerID = p.asker
		}
		q.Private = i%5 == 0
		q.Listed = !q.Private && q.Status != qa.Submitted && q.Status != qa.Rejected
		all = append(all, mustCreate(t, s, q))
	}
	return p, all
}

// listQueries are the queries the list suite checks, against model.
func listQueries(p people, now time.Time) []qa.Query {
	open := []qa.Status{qa.Submitted, qa.Accepted, qa.Assigned}
	return []qa.Query{
		{},
		{Sort: qa.Newest},
		{Sort: qa.ByDeadline},
		{AgencyID: p.a},
		{AgencyID: p.b, Sort: qa.ByDeadline},
		{AgencyID: p.a, Statuses: open, Sort: qa.ByDeadline}, // the staff queue
		{AgencyID: p.a, Statuses: open},
		{AgencyID: p.a, Statuses: []qa.Status{qa.Submitted}},
		{AgencyID: p.b, Statuses: []qa.Status{qa.Rejected}, Sort: qa.ByDeadline},
		{AgencyID: p.a, Statuses: open, DueBefore: now, Sort: qa.ByDeadline}, // overdue
		{DueBefore: now},
		{DueBefore: now, Sort: qa.ByDeadline},
		{ListedOnly: true},
		{ListedOnly: true, Sort: qa.ByDeadline},
		{ListedOnly: true, AgencyID: p.b},
		{ListedOnly: true, Statuses: []qa.Status{qa.Answered, qa.Closed}},
		{ListedOnly: true, AgencyID: p.a, Statuses: []qa.Status{qa.Answered}},
		{AskerID: p.asker},
		{AskerID: p.asker, ListedOnly: true, Sort: qa.ByDeadline},
		{AssigneeID: p.staff1, Sort: qa.ByDeadline},
		{AssigneeID: p.staff2, Statuses: []qa.Status{qa.Assigned}},
		{AgencyID: p.b, AssigneeID: p.staff1, Statuses: open, Sort: qa.ByDeadline},
		{Statuses: []qa.Status{qa.Closed, qa.Accepted}, Sort: qa.ByDeadline},
		{AgencyID: id.New()},
		{AskerID: id.New(), Sort: qa.ByDeadline},
		{ListedOnly: true, Statuses: []qa.Status{qa.Answered, qa.Closed}, Sort: qa.RecentlyAnswered}, // the answers feed
		{Sort: qa.RecentlyAnswered},
		{AgencyID: p.a, Sort: qa.RecentlyAnswered},
	}
}

// model returns what Questions must: all filtered by q and sorted by its
// sort, without a cursor or limit.
func model(all []*qa.Question, q qa.Query) []*qa.Question {
	var out []*qa.Question
	for _, x := range all {
		if (q.AgencyID == "" || x.AgencyID == q.AgencyID) && (len(q.Statuses) == 0 || slices.Contains(q.Statuses, x.Status)) &&
			(q.AskerID == "" || x.AskerID == q.AskerID) && (q.AssigneeID == "" || x.AssigneeID == q.AssigneeID) &&
			(!q.ListedOnly || x.Listed) && (q.DueBefore.IsZero() || !x.Deadline.IsZero() && x.Deadline.Before(q.DueBefore)) &&
			(q.Sort != qa.RecentlyAnswered || !x.AnsweredAt.IsZero()) {
			out = append(out, x)
		}
	}
	slices.SortFunc(out, func(a, b *qa.Question) int {
		if q.Sort == qa.RecentlyAnswered {
			if c := b.AnsweredAt.Compare(a.AnsweredAt); c != 0 {
				return c
			}
			return strings.Compare(b.ID, a.ID)
		}
		if q.Sort == qa.ByDeadline {
			if c := a.Deadline.Compare(b.Deadline); c != 0 {
				return c
			}
			return strings.Compare(a.ID, b.ID)
		}
		return strings.Compare(b.ID, a.ID)
	})
	return out
}

// walk pages through Questions with q's limit and returns every ID in order.
func walk(t *testing.T, s qa.Store, q qa.Query) []string {
	t.Helper()
	var got []string
	for range 100 {
		page, err := s.Questions(ctx, q)
		if err != nil {
			t.Fatalf("Questions(%+v) = %v", q, err)
		}
		if q.Limit > 0 && len(page) > q.Limit {
			t.Fatalf("Questions(limit %d) returned %d", q.Limit, len(page))
		}
		got = append(got, ids(page)...)
		if q.Limit <= 0 || len(page) < q.Limit {
			return got
		}
		last := page[len(page)-1]
		q.AfterTime, q.AfterID = last.Deadline, last.ID
		if q.Sort == qa.RecentlyAnswered {
			q.AfterTime = last.AnsweredAt
		}
	}
	t.Fatalf("Questions(%+v) did not end", q)
	return nil
}

func queryName(p people, q qa.Query) string {
	s := fmt.Sprintf("%+v", q)
	for v, name := range map[string]string{p.a: "A", p.b: "B", p.asker: "asker", p.staff1: "staff1", p.staff2: "staff2"} {
		s = strings.ReplaceAll(s, v, name)
	}
	return s
}

// checkLists checks every list query against the model of all, by pages of
// several sizes.
func checkLists(t *testing.T, s qa.Store, p people, all []*qa.Question) {
	t.Helper()
	now := at(base.Add(2*day + time.Hour))
	for _, q := range listQueries(p, now) {
		want := model(all, q)
		// Pages of 2 cross every boundary a cursor can fall on; 7 and
		// unlimited check the ends. (Each page is a query: on FerretDB,
		// which sorts in memory, more sizes cost minutes under -race.)
		for _, limit := range []int{0, 2, 7} {
			q.Limit = limit
			if got := walk(t, s, q); !slices.Equal(got, ids(want)) {
				t.Errorf("Questions(%s) by pages of %d =\n%v\nwant\n%v", queryName(p, q), limit, got, ids(want))
			}
		}
		q.Limit = 0
		page, err := s.Questions(ctx, q)
		if err != nil {
			t.Fatalf("Questions = %v", err)
		}
		for i := range min(len(page), len(want)) {
			if !equalFields(page[i], want[i]) {
				t.Errorf("Questions(%s)[%d] =\n%s\nwant\n%s", queryName(p, q), i, show(page[i]), show(want[i]))
			}
		}
	}
}

func testQuestionsFilters(t *testing.T, s qa.Store) {
	p, all := makeLists(t, s)
	checkLists(t, s, p, all)
}

// testQuestionsFollowUpdates changes the agency, status, assignee, deadline
// and listing of questions with UpdateQuestion, and checks that every list
// follows.
func testQuestionsFollowUpdates(t *testing.T, s qa.Store) {
	p, all := makeLists(t, s)
	for i, q := range all {
		if i%3 != 1 {
			continue
		}
		switch i % 4 {
		case 0:
			q.AgencyID = p.b
		case 1:
			q.Status, q.AssigneeID, q.Deadline = qa.Assigned, p.staff2, at(base.Add(-day))
		case 2:
			q.Status, q.AssigneeID, q.AnsweredAt = qa.Answered, "", at(base.Add(day))
		case 3:
			q.Listed, q.Deadline = !q.Listed, time.Time{}
		}
		mustUpdate(t, s, q)
	}
	checkLists(t, s, p, all)
}

// testQuestionsPaging checks cursors that are not a question of the list:
// a keyset continues after it wherever it falls.
func testQuestionsPaging(t *testing.T, s qa.Store) {
	agency := id.New()
	var all []*qa.Question
	var gaps []string // gaps[i] sorts between all[i-1] and all[i]
	for i := range 9 {
		gaps = append(gaps, id.New())
		q := NewQuestion(agency, base)
		q.Deadline = at(base.Add(time.Duration(i/3) * day)) // three by deadline
		if i < 3 {
			q.Status, q.Deadline = qa.Submitted, time.Time{}
		}
		all = append(all, mustCreate(t, s, q))
	}
	newest := slices.Clone(all)
	slices.Reverse(newest)
	tests := []struct {
		name string
		q    qa.Query
		want []*qa.Question
	}{
		{"newest after a gap", qa.Query{AgencyID: agency, AfterID: gaps[5]}, newest[4:]},
		{"newest after the first", qa.Query{AgencyID: agency, AfterID: all[8].ID, Limit: 2}, newest[1:3]},
		{"newest after an ID past all", qa.Query{AgencyID: agency, AfterID: id.New()}, newest},
		{"deadline within the zero deadlines", qa.Query{AgencyID: agency, Sort: qa.ByDeadline, AfterID: all[1].ID}, all[2:]},
		{"deadline after a gap among the zero deadlines", qa.Query{AgencyID: agency, Sort: qa.ByDeadline, AfterID: gaps[1]}, all[1:]},
		{"deadline after a gap in a tie", qa.Query{AgencyID: agency, Sort: qa.ByDeadline, AfterTime: all[4].Deadline, AfterID: gaps[5], Limit: 3}, all[5:8]},
		{"deadline after a time between deadlines", qa.Query{AgencyID: agency, Sort: qa.ByDeadline, AfterTime: all[4].Deadline.Add(time.Hour), AfterID: gaps[0]}, all[6:]},
		{"deadline after the last", qa.Query{AgencyID: agency, Sort: qa.ByDeadline, AfterTime: all[8].Deadline, AfterID: all[8].ID}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Questions(ctx, tc.q)
			if err != nil || !slices.Equal(ids(got), ids(tc.want)) {
				t.Errorf("Questions = %v, %v; want %v", ids(got), err, ids(tc.want))
			}
		})
	}
}

func testCountQuestions(t *testing.T, s qa.Store) {
	p, all := makeLists(t, s)
	now := at(base.Add(2*day + time.Hour))
	for _, q := range listQueries(p, now) {
		n := len(model(all, q))
		// A cursor and a limit do not count.
		q.Limit, q.AfterID, q.AfterTime = 1, all[len(all)/2].ID, base.Add(day)
		for _, max := range []int{0, 1, 3, 1000} {
			want := n
			if max > 0 {
				want = min(n, max)
			}
			if got, err := s.CountQuestions(ctx, q, max); err != nil || got != want {
				t.Errorf("CountQuestions(%s, %d) = %d, %v; want %d", queryName(p, q), max, got, err, want)
			}
		}
	}
}
