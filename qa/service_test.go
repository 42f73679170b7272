package qa_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/forum"
	"github.com/civichub/civichub/i18n"
	"github.com/civichub/civichub/id"
	"github.com/civichub/civichub/qa"
	"github.com/civichub/civichub/sqlitestore"
	"github.com/civichub/civichub/workdays"
)

// published records what the service publishes: the hub's delivery is
// tested end to end in cmd/civichub; here the clock is the service's.
type published struct {
	mu     sync.Mutex
	events []string // topic + " " + type
}

func (p *published) Publish(_ context.Context, topic, typ string, _ any) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.events = append(p.events, topic+" "+typ)
	return nil
}

func (p *published) Revalidate(context.Context, ...string) error { return nil }

func (p *published) count(event string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, e := range p.events {
		if e == event {
			n++
		}
	}
	return n
}

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

type fixture struct {
	svc                *qa.Service
	pub                *published
	clock              *clock
	xd, tn             *accounts.Agency
	resident, staff    *accounts.User
	otherStaff, binh   *accounts.User
	loc                *time.Location
	accounts           accounts.Store
	ctx                context.Context
	holidays, makeupDs []string
}

func newFixture(t testing.TB, holidays, makeup []string) *fixture {
	t.Helper()
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := sqlitestore.Open(ctx, t.TempDir(), logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	cal, err := workdays.New(loc, holidays, makeup)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{pub: &published{}, clock: &clock{}, loc: loc, accounts: db.Accounts(), ctx: ctx}
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, loc) // a Friday
	f.clock.set(now)
	mkAgency := func(slug, name string) *accounts.Agency {
		a := &accounts.Agency{ID: id.New(), Slug: slug, Name: i18n.Text{VI: name}, CreatedAt: now}
		if err := db.Accounts().CreateAgency(ctx, a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	f.xd, f.tn = mkAgency("so-xay-dung", "Sở Xây dựng"), mkAgency("so-tai-nguyen", "Sở Tài nguyên và Môi trường")
	mkUser := func(name string, agency *accounts.Agency) *accounts.User {
		u := &accounts.User{ID: id.New(), Email: id.New() + "@example.vn", Name: name, Role: accounts.Resident, PasswordHash: "!", AuthVersion: 1, CreatedAt: now.AddDate(0, -1, 0)}
		if err := db.Accounts().CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if agency != nil {
			if err := db.Accounts().PutMembership(ctx, &accounts.Membership{AgencyID: agency.ID, UserID: u.ID, Title: "Chuyên viên", CreatedAt: now}); err != nil {
				t.Fatal(err)
			}
		}
		return u
	}
	f.resident, f.binh = mkUser("Nguyễn Thị Lan", nil), mkUser("Trần Văn Bình", nil)
	f.staff, f.otherStaff = mkUser("Lê Văn Cán Bộ", f.xd), mkUser("Võ Văn Đất", f.tn)
	fs := forum.NewService(db.Forum(), db.Accounts(), nil, nil, nil, forum.Options{}, logger)
	f.svc = qa.NewService(db.QA(), db.Accounts(), fs, f.pub, nil, qa.Options{Calendar: cal, AnswerDays: 5, Now: f.clock.Now}, logger)
	return f
}

func (f *fixture) ask(t *testing.T) *qa.Question {
	t.Helper()
	q, err := f.svc.Ask(f.ctx, f.resident, qa.NewQuestion{AgencyID: f.xd.ID, Title: "Xây nhà 3 tầng có cần giấy phép không?", Body: "Nội dung câu hỏi."})
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func (f *fixture) day(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, f.loc)
}

// TestDeadlineSkipsWeekendsAndHolidaysAndCountsMakeupDays: five working
// days from a Friday morning end with the next Friday, one later per
// holiday, one earlier for a working Saturday.
func TestDeadlineSkipsWeekendsAndHolidaysAndCountsMakeupDays(t *testing.T) {
	for _, tc := range []struct {
		name             string
		holidays, makeup []string
		want             time.Time // the instant the deadline's next day begins
	}{
		{"weekend", nil, nil, time.Date(2026, 12, 12, 0, 0, 0, 0, time.UTC)},
		{"holiday on Tuesday", []string{"2026-12-08"}, nil, time.Date(2026, 12, 15, 0, 0, 0, 0, time.UTC)},
		{"working Saturday", nil, []string{"2026-12-05"}, time.Date(2026, 12, 11, 0, 0, 0, 0, time.UTC)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, tc.holidays, tc.makeup)
			want := time.Date(tc.want.Year(), tc.want.Month(), tc.want.Day(), 0, 0, 0, 0, f.loc)
			q := f.ask(t)
			q, err := f.svc.ChangeStatus(f.ctx, f.staff, q.ID, qa.StatusChange{Status: qa.Accepted})
			if err != nil {
				t.Fatal(err)
			}
			if !q.Deadline.Equal(want) {
				t.Errorf("deadline = %v, want %v", q.Deadline.In(f.loc), want)
			}
		})
	}
}

// TestOverdueIsToldOnceAndCounted: a question past its deadline is told to
// the agency's staff once, listed as overdue and counted on the
// scorecard; its late answer does not count as on time.
func TestOverdueIsToldOnceAndCounted(t *testing.T) {
	f := newFixture(t, nil, nil)
	q := f.ask(t)
	q, err := f.svc.ChangeStatus(f.ctx, f.staff, q.ID, qa.StatusChange{Status: qa.Accepted})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.NotifyOverdue(f.ctx); err != nil {
		t.Fatal(err)
	}
	topic := qa.AgencyTopic(f.xd.ID) + " question.overdue"
	if n := f.pub.count(topic); n != 0 {
		t.Fatalf("%d overdue notices before the deadline", n)
	}
	f.clock.set(q.Deadline.Add(time.Minute))
	for range 2 {
		if err := f.svc.NotifyOverdue(f.ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.pub.count(topic); n != 1 {
		t.Errorf("%d overdue notices, want 1", n)
	}
	list, _, err := f.svc.List(f.ctx, f.staff, qa.ListParams{AgencyID: f.xd.ID, Overdue: true, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || !list[0].Overdue {
		t.Errorf("overdue list = %+v, want the question marked overdue", list)
	}
	sc, err := f.svc.Scorecard(f.ctx, f.xd.ID)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Overdue != 1 || sc.Open != 1 {
		t.Errorf("scorecard open/overdue = %d/%d, want 1/1", sc.Open, sc.Overdue)
	}
	// A card is served again for a while, but a change on this node
	// drops it at once.
	if again, _ := f.svc.Scorecard(f.ctx, f.xd.ID); again != sc {
		t.Errorf("scorecard computed again within its time to live")
	}
	f.ask(t)
	if sc, _ = f.svc.Scorecard(f.ctx, f.xd.ID); sc.Open != 2 || sc.Windows[0].Received != 2 {
		t.Errorf("after a new question: open %d, received %d, want 2 and 2", sc.Open, sc.Windows[0].Received)
	}
	if _, _, err := f.svc.Answer(f.ctx, f.staff, q.ID, "Trả lời muộn."); err != nil {
		t.Fatal(err)
	}
	sc, err = f.svc.Scorecard(f.ctx, f.xd.ID)
	if err != nil {
		t.Fatal(err)
	}
	w := sc.Windows[0]
	if w.Answered != 1 || w.AnsweredOnTime != 0 || w.OnTimeShare == nil || *w.OnTimeShare != 0 || sc.Overdue != 0 {
		t.Errorf("after a late answer: %+v (overdue %d), want answered 1, on time 0", w, sc.Overdue)
	}
	// Accepted on a Friday, answered the Saturday after next, just past
	// the deadline: five working days passed.
	if w.MedianWorkdays == nil || *w.MedianWorkdays != 5 {
		t.Errorf("median working days = %v, want 5", w.MedianWorkdays)
	}
}

// TestForwardRestartsTheClock: the new agency's deadline counts from the
// forward, with its own number of days.
func TestForwardRestartsTheClock(t *testing.T) {
	f := newFixture(t, nil, nil)
	q := f.ask(t)
	if _, err := f.svc.ChangeStatus(f.ctx, f.staff, q.ID, qa.StatusChange{Status: qa.Accepted}); err != nil {
		t.Fatal(err)
	}
	admin := &accounts.User{ID: id.New(), Role: accounts.Admin}
	if err := f.svc.SetAnswerDays(f.ctx, admin, f.tn.ID, 2); err != nil {
		t.Fatal(err)
	}
	f.clock.set(time.Date(2026, 12, 9, 15, 0, 0, 0, f.loc)) // Wednesday
	q, err := f.svc.ForwardQuestion(f.ctx, f.staff, q.ID, qa.Forward{AgencyID: f.tn.ID, Reason: "Thuộc lĩnh vực đất đai"})
	if err != nil {
		t.Fatal(err)
	}
	if want := f.day(2026, 12, 12); !q.Deadline.Equal(want) || q.AgencyID != f.tn.ID || q.Status != qa.Accepted {
		t.Errorf("forwarded: deadline %v agency %s status %s, want %v at the new agency, accepted", q.Deadline.In(f.loc), q.AgencyID, q.Status, want)
	}
	if len(q.Legs) != 2 || q.Legs[0].Outcome != qa.LegForwarded || q.Legs[1].ClockAt.IsZero() {
		t.Errorf("legs = %+v", q.Legs)
	}
	// The old agency's staff can no longer act on it.
	if _, _, err := f.svc.Answer(f.ctx, f.staff, q.ID, "Trả lời"); !errors.Is(err, qa.ErrNotStaff) {
		t.Errorf("answer by the old agency = %v, want ErrNotStaff", err)
	}
	if _, err := f.svc.ForwardQuestion(f.ctx, f.otherStaff, q.ID, qa.Forward{AgencyID: f.tn.ID, Reason: "Lý do chuyển"}); !errors.Is(err, qa.ErrSameAgency) {
		t.Errorf("forward to the same agency = %v, want ErrSameAgency", err)
	}
}

// TestConcurrentStatusChangesKeepTheFlow: of concurrent accepts and
// rejects of one submitted question, exactly one wins and the history has
// one step for it.
func TestConcurrentStatusChangesKeepTheFlow(t *testing.T) {
	f := newFixture(t, nil, nil)
	q := f.ask(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for i := range 20 {
		wg.Go(func() {
			in := qa.StatusChange{Status: qa.Accepted}
			if i%2 == 1 {
				in = qa.StatusChange{Status: qa.Rejected, Reason: "Không thuộc thẩm quyền"}
			}
			_, err := f.svc.ChangeStatus(f.ctx, f.staff, q.ID, in)
			switch {
			case err == nil:
				mu.Lock()
				ok++
				mu.Unlock()
			case errors.Is(err, qa.ErrBadTransition):
			default:
				t.Errorf("change: %v", err)
			}
		})
	}
	wg.Wait()
	got, err := f.svc.Store().Question(f.ctx, q.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ok != 1 || len(got.History) != 2 {
		t.Errorf("%d changes won, history %+v; want one", ok, got.History)
	}
}

// TestAnswerWithoutItsQuestionUpdateIsRepaired: an answer stored when the
// process stopped before its question was updated is finished by the next
// attempt to answer, and by the overdue check.
func TestAnswerWithoutItsQuestionUpdateIsRepaired(t *testing.T) {
	f := newFixture(t, nil, nil)
	for _, via := range []string{"answer", "overdue"} {
		q := f.ask(t)
		q, err := f.svc.ChangeStatus(f.ctx, f.staff, q.ID, qa.StatusChange{Status: qa.Accepted})
		if err != nil {
			t.Fatal(err)
		}
		ans := &qa.Answer{ID: id.New(), QuestionID: q.ID, AgencyID: f.xd.ID, AuthorID: f.staff.ID, Body: "Trả lời.", BodyHTML: "<p>Trả lời.</p>",
			PublishedAt: f.clock.Now().UTC(), Revisions: []qa.Revision{}}
		if err := f.svc.Store().AddAnswer(f.ctx, ans); err != nil {
			t.Fatal(err)
		}
		switch via {
		case "answer":
			if _, _, err := f.svc.Answer(f.ctx, f.staff, q.ID, "Trả lời lần nữa."); !errors.Is(err, qa.ErrAlreadyAnswered) {
				t.Errorf("answer again = %v, want ErrAlreadyAnswered", err)
			}
		case "overdue":
			f.clock.set(q.Deadline.Add(time.Hour))
			if err := f.svc.NotifyOverdue(f.ctx); err != nil {
				t.Fatal(err)
			}
		}
		got, err := f.svc.Store().Question(f.ctx, q.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != qa.Answered || got.Legs[0].Outcome != qa.LegAnswered {
			t.Errorf("via %s: status %s, legs %+v; want answered", via, got.Status, got.Legs)
		}
	}
	if n := f.pub.count(qa.AgencyTopic(f.xd.ID) + " question.overdue"); n != 0 {
		t.Errorf("%d overdue notices for an answered question", n)
	}
}

// TestQueueCounts counts the queue's tabs for the agency's staff only.
func TestQueueCounts(t *testing.T) {
	f := newFixture(t, nil, nil)
	a, b := f.ask(t), f.ask(t)
	f.ask(t)
	if _, err := f.svc.ChangeStatus(f.ctx, f.staff, a.ID, qa.StatusChange{Status: qa.Accepted}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ChangeStatus(f.ctx, f.staff, b.ID, qa.StatusChange{Status: qa.Accepted}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.Answer(f.ctx, f.staff, b.ID, "Trả lời."); err != nil {
		t.Fatal(err)
	}
	f.clock.set(f.clock.Now().AddDate(0, 1, 0))
	got, err := f.svc.QueueCounts(f.ctx, f.staff, f.xd.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"submitted": 1, "accepted": 1, "assigned": 0, "answered": 1, "overdue": 1}
	if !maps.Equal(got, want) {
		t.Errorf("counts = %v, want %v", got, want)
	}
	for _, u := range []*accounts.User{f.resident, f.otherStaff} {
		if _, err := f.svc.QueueCounts(f.ctx, u, f.xd.ID); !errors.Is(err, qa.ErrForbidden) {
			t.Errorf("counts for %s = %v, want ErrForbidden", u.Name, err)
		}
	}
}
