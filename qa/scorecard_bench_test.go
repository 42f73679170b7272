package qa_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/i18n"
	"github.com/civichub/civichub/id"
	"github.com/civichub/civichub/qa"
	"github.com/civichub/civichub/sqlitestore"
)

// BenchmarkScorecard computes the scorecard of the busiest of 30 agencies
// sharing 50,000 questions of the last 400 days, on SQLite, without the
// card cache: the clock moves past its time to live before every call.
//
//	go test -run '^$' -bench Scorecard -benchtime 200x -count 5 ./qa/
func BenchmarkScorecard(b *testing.B) {
	f := newFixture(b, nil, nil)
	db := f.svc.Store().(*sqlitestore.QAStore)
	now := f.clock.Now().UTC()
	agencies := []*accounts.Agency{f.xd}
	for i := range 29 {
		a := &accounts.Agency{ID: id.New(), Slug: fmt.Sprintf("co-quan-%d", i), Name: i18n.Text{VI: fmt.Sprintf("Cơ quan %d", i)}, CreatedAt: now}
		if err := f.accounts.CreateAgency(f.ctx, a); err != nil {
			b.Fatal(err)
		}
		agencies = append(agencies, a)
	}
	rnd := uint64(0x9e3779b97f4a7c15)
	next := func(n int) int {
		rnd ^= rnd << 13
		rnd ^= rnd >> 7
		rnd ^= rnd << 17
		return int(rnd % uint64(n))
	}
	qs := make([]*qa.Question, 0, 50_000)
	for i := range 50_000 {
		// A tenth of the questions go to the first agency, the rest
		// spread over the others.
		ag := agencies[1+next(29)]
		if i%10 == 0 {
			ag = agencies[0]
		}
		start := now.Add(-time.Duration(next(400*24)) * time.Hour)
		clock := start.Add(time.Duration(next(48)) * time.Hour)
		leg := qa.Leg{AgencyID: ag.ID, StartedAt: start, ClockAt: clock, Deadline: clock.AddDate(0, 0, 7)}
		q := &qa.Question{ID: id.New(), AgencyID: ag.ID, AskerID: f.resident.ID, Title: "Câu hỏi về thủ tục hành chính",
			Body: "Nội dung.", BodyHTML: "<p>Nội dung.</p>", Status: qa.Accepted, CreatedAt: start, UpdatedAt: start,
			AcceptedAt: clock, Deadline: leg.Deadline}
		if end := clock.Add(time.Duration(next(12*24)) * time.Hour); end.Before(now) && next(10) < 9 {
			leg.Outcome, leg.EndedAt = qa.LegAnswered, end
			q.Status, q.AnsweredAt, q.Deadline = qa.Answered, end, time.Time{}
		}
		q.Legs = []qa.Leg{leg}
		q.History = []qa.Change{{At: start, ActorID: f.resident.ID, Action: "submitted"}}
		qs = append(qs, q)
	}
	if err := db.Import(f.ctx, qs); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		f.clock.set(f.clock.Now().Add(time.Minute))
		sc, err := f.svc.Scorecard(f.ctx, f.xd.ID)
		if err != nil {
			b.Fatal(err)
		}
		if sc.Windows[2].Received < 4000 {
			b.Fatalf("busiest agency received %d in a year", sc.Windows[2].Received)
		}
	}
}
