package sqlitestore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/civichub/civichub/id"
	"github.com/civichub/civichub/qa"
	"github.com/civichub/civichub/sqlitestore"
)

// TestQAQueryPlans checks that the Q&A store's hot reads use the indexes
// the benchmarks rely on, without a table scan or a temporary sort. (The
// public list's first page walks the partial index of listed questions
// from its end, which SQLite reports as a scan of that index.)
func TestQAQueryPlans(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	for _, tc := range sqlitestore.QAPlansForTest() {
		plan, err := db.ForumPlanForTest(ctx, tc.Query, tc.Args...)
		if err != nil {
			t.Fatalf("%s: %v", tc.Name, err)
		}
		t.Logf("%s:\n%s", tc.Name, plan)
		tableScan := false
		for _, line := range strings.Split(plan, "\n") {
			tableScan = tableScan || strings.HasPrefix(line, "SCAN qa_") && !strings.Contains(line, " USING ")
		}
		if !strings.Contains(plan, tc.Index) || strings.Contains(plan, "TEMP B-TREE") || tableScan {
			t.Errorf("%s: plan\n%s\nwant a search of %s without a table scan or temporary b-tree", tc.Name, plan, tc.Index)
		}
	}
}

// The benchmarks below run on benchQuestions questions to benchAgencies
// agencies, asked over two years before qaNow, seeded once per benchmark
// in one transaction. Run them with
//
//	go test -run '^$' -bench 'QAQueue|QALegs' -benchtime 2s ./sqlitestore/
const (
	benchQuestions = 50_000
	benchAgencies  = 30
)

// qaNow is the benchmarks' present, so the seed is the same every run.
var qaNow = time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)

type benchQA struct {
	db       *sqlitestore.DB
	agencies []string
}

// seedQA stores a Q&A section like a province's after two years: most
// questions answered or closed, some rejected, one in ten forwarded once,
// the last three weeks' questions mostly still open and a backlog of one in
// twenty older ones open and overdue.
func seedQA(b *testing.B) *benchQA {
	b.Helper()
	db := MustOpen(b)
	ctx := context.Background()
	f := &benchQA{db: db}
	for range benchAgencies {
		f.agencies = append(f.agencies, id.New())
	}
	rnd := uint64(7)
	next := func(n int) int { // xorshift: the same section every run
		rnd ^= rnd << 13
		rnd ^= rnd >> 7
		rnd ^= rnd << 17
		return int(rnd % uint64(n))
	}
	words := func(n int) []string {
		var ts []string
		for range n {
			ts = append(ts, strings.Fields(phrases[next(len(phrases))*next(len(phrases))/len(phrases)])...)
		}
		return ts
	}
	span := 730 * 24 * time.Hour
	start := qaNow.Add(-span)
	staff := make([]string, benchAgencies*5)
	for i := range staff {
		staff[i] = id.New()
	}
	qs := make([]*qa.Question, 0, benchQuestions)
	for i := range benchQuestions {
		created := start.Add(span / benchQuestions * time.Duration(i)).Truncate(time.Millisecond)
		agency := next(benchAgencies)
		q := &qa.Question{ID: id.New(), AgencyID: f.agencies[agency], AskerID: id.New(), Title: "Hỏi về thủ tục",
			Body: "Xin hỏi", BodyHTML: "<p>Xin hỏi</p>", Sanitizer: 1, Contact: qa.Contact{Phone: "0905 000 000"},
			CreatedAt: created, UpdatedAt: created, Tokens: words(6 + next(10))}
		q.History = []qa.Change{{At: created, ActorID: q.AskerID, Action: "submitted", ToStatus: qa.Submitted}}
		leg := qa.Leg{AgencyID: q.AgencyID, StartedAt: created}
		if next(10) == 0 { // forwarded once, a day on
			fwd := created.Add(24 * time.Hour)
			from := f.agencies[(agency+1+next(benchAgencies-1))%benchAgencies]
			q.Legs = append(q.Legs, qa.Leg{AgencyID: from, StartedAt: created, ClockAt: created.Add(time.Hour),
				Deadline: created.Add(10 * 24 * time.Hour), Outcome: qa.LegForwarded, EndedAt: fwd})
			leg.StartedAt = fwd
		}
		age := qaNow.Sub(created)
		switch r := next(100); {
		case r < 3:
			q.Status, q.RejectReason = qa.Rejected, "không rõ"
		case age < 21*24*time.Hour && r < 80, r >= 95:
			q.Status = []qa.Status{qa.Submitted, qa.Accepted, qa.Assigned, qa.Assigned}[next(4)]
		case r < 70:
			q.Status = qa.Answered
		default:
			q.Status = qa.Closed
		}
		if q.Status != qa.Submitted {
			leg.ClockAt = leg.StartedAt.Add(time.Hour)
			leg.Deadline = leg.ClockAt.Add(time.Duration(7+next(8)) * 24 * time.Hour)
			q.AcceptedAt, q.Deadline = leg.ClockAt, leg.Deadline
		}
		switch q.Status {
		case qa.Assigned:
			q.AssigneeID = staff[agency*5+next(5)]
		case qa.Answered, qa.Closed:
			q.AnsweredAt = leg.ClockAt.Add(time.Duration(next(12*24)) * time.Hour)
			leg.Outcome, leg.EndedAt = qa.LegAnswered, q.AnsweredAt
		case qa.Rejected:
			leg.Outcome, leg.EndedAt = qa.LegRejected, leg.StartedAt.Add(2*time.Hour)
		}
		q.Legs = append(q.Legs, leg)
		q.Private = next(20) == 0
		q.Listed = !q.Private && q.Status != qa.Submitted && q.Status != qa.Rejected
		qs = append(qs, q)
	}
	t0 := time.Now()
	if err := db.QA().Import(ctx, qs); err != nil {
		b.Fatal(err)
	}
	if err := db.ForumExecForTest(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d questions to %d agencies in %v", len(qs), benchAgencies, time.Since(t0).Round(time.Millisecond))
	return f
}

// BenchmarkQAQueue reads a staff queue page: an agency's open questions by
// deadline, 50 at a time, the first page and the one after it.
func BenchmarkQAQueue(b *testing.B) {
	f := seedQA(b)
	s := f.db.QA()
	ctx := context.Background()
	q := qa.Query{AgencyID: f.agencies[0], Statuses: []qa.Status{qa.Submitted, qa.Accepted, qa.Assigned},
		Sort: qa.ByDeadline, Limit: 50}
	open, err := s.CountQuestions(ctx, q, 0)
	if err != nil {
		b.Fatal(err)
	}
	first, err := s.Questions(ctx, q)
	if err != nil || len(first) != 50 {
		b.Fatalf("Questions = %d, %v; want 50", len(first), err)
	}
	second := q
	second.AfterTime, second.AfterID = first[49].Deadline, first[49].ID
	for name, q := range map[string]qa.Query{"first_page": q, "second_page": second} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if qs, err := s.Questions(ctx, q); err != nil || len(qs) == 0 {
					b.Fatalf("Questions = %d, %v", len(qs), err)
				}
			}
			b.ReportMetric(float64(open), "open")
		})
	}
	b.Run("count", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.CountQuestions(ctx, q, 1_000_000); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkQALegs reads an agency's legs of the last 365 days, as its
// scorecard does.
func BenchmarkQALegs(b *testing.B) {
	f := seedQA(b)
	s := f.db.QA()
	ctx := context.Background()
	since := qaNow.AddDate(0, 0, -365)
	var legs []qa.Leg
	for b.Loop() {
		var err error
		if legs, err = s.Legs(ctx, f.agencies[0], since); err != nil || len(legs) == 0 {
			b.Fatalf("Legs = %d, %v", len(legs), err)
		}
	}
	b.ReportMetric(float64(len(legs)), "legs")
}
