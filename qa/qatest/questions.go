package qatest

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/civichub/civichub/id"
	"github.com/civichub/civichub/qa"
)

// variants returns questions in every shape a store must keep: each status,
// private, without contact or field, forwarded, answered, closed, rejected.
func variants(agency, other string) map[string]*qa.Question {
	staff := id.New()
	submitted := NewSubmitted(agency, base, "chua", "duyet")
	submitted.Field, submitted.Contact = "", qa.Contact{}

	private := NewQuestion(agency, base.Add(time.Hour), "rieng", "tu")
	private.Private, private.Listed = true, false
	private.Contact = qa.Contact{Phone: "0236 3822 111"}

	assigned := NewQuestion(agency, base.Add(2*time.Hour), "phan", "cong")
	assigned.Status, assigned.AssigneeID = qa.Assigned, staff
	assigned.History = append(assigned.History, qa.Change{At: at(base.Add(3 * time.Hour)), ActorID: id.New(),
		Action: string(qa.Assigned), FromStatus: qa.Accepted, ToStatus: qa.Assigned, AssigneeID: staff})

	forwarded := NewQuestion(other, base.Add(3*time.Hour), "chuyen")
	fwdAt := at(base.Add(4 * time.Hour))
	forwarded.Legs[0].Outcome, forwarded.Legs[0].EndedAt = qa.LegForwarded, fwdAt
	forwarded.Legs = append(forwarded.Legs, qa.Leg{AgencyID: agency, StartedAt: fwdAt, ClockAt: fwdAt, Deadline: fwdAt.Add(7 * day)})
	forwarded.AgencyID, forwarded.AcceptedAt, forwarded.Deadline = agency, fwdAt, fwdAt.Add(7*day)
	forwarded.History = append(forwarded.History, qa.Change{At: fwdAt, ActorID: staff, Action: "forwarded",
		FromAgency: other, ToAgency: agency, Reason: "Không thuộc thẩm quyền"})

	answered := NewQuestion(agency, base.Add(4*time.Hour), "da", "tra", "loi", "tra")
	ansAt := at(base.Add(2 * day))
	answered.Status, answered.AnsweredAt, answered.UpdatedAt = qa.Answered, ansAt, ansAt
	answered.Legs[0].Outcome, answered.Legs[0].EndedAt = qa.LegAnswered, ansAt
	answered.History = append(answered.History, qa.Change{At: ansAt, ActorID: staff, Action: string(qa.Answered),
		FromStatus: qa.Accepted, ToStatus: qa.Answered})

	closed := NewQuestion(agency, base.Add(5*time.Hour), "dong")
	closed.Status, closed.AnsweredAt, closed.ClosedAt = qa.Closed, ansAt, at(base.Add(3*day))
	closed.OverdueNotified = true
	closed.Legs[0].Outcome, closed.Legs[0].EndedAt = qa.LegAnswered, ansAt

	rejected := NewSubmitted(agency, base.Add(6*time.Hour), "tu", "choi")
	rejected.Status, rejected.RejectReason = qa.Rejected, "Nội dung không rõ ràng"
	rejected.Legs[0].Outcome, rejected.Legs[0].EndedAt = qa.LegRejected, at(base.Add(7*time.Hour))

	return map[string]*qa.Question{"submitted": submitted, "private": private, "assigned": assigned,
		"forwarded": forwarded, "answered": answered, "closed": closed, "rejected": rejected}
}

func testCreateQuestion(t *testing.T, s qa.Store) {
	agency, other := id.New(), id.New()
	for name, q := range variants(agency, other) {
		t.Run(name, func(t *testing.T) {
			want := copyQuestion(q)
			if !q.Listed {
				want.Tokens = nil // kept only while listed
			}
			mustCreate(t, s, q)
			got := mustGet(t, s, q.ID)
			if !equalQuestions(got, want) {
				t.Errorf("Question =\n%s\nwant\n%s", show(got), show(want))
			}
			if got.Revision != 0 {
				t.Errorf("Revision after CreateQuestion = %d, want 0", got.Revision)
			}
			for _, tm := range []time.Time{got.CreatedAt, got.UpdatedAt, got.History[0].At, got.Legs[0].StartedAt} {
				if tm.Location() != time.UTC {
					t.Errorf("time %v read back in %v, want UTC", tm, tm.Location())
				}
			}
		})
	}
	if _, err := s.Question(ctx, id.New()); !errors.Is(err, qa.ErrQuestionNotFound) {
		t.Errorf("Question(unknown) = %v, want ErrQuestionNotFound", err)
	}
	q := mustCreate(t, s, NewQuestion(agency, base))
	dup := NewQuestion(other, base.Add(time.Hour))
	dup.ID = q.ID
	if err := s.CreateQuestion(ctx, dup); err == nil {
		t.Errorf("CreateQuestion(an ID taken) = nil, want an error")
	}
	if got := mustGet(t, s, q.ID); !equalQuestions(got, q) {
		t.Errorf("a refused CreateQuestion changed the question: %s", show(got))
	}
}

func testUpdateQuestion(t *testing.T, s qa.Store) {
	agency, other := id.New(), id.New()
	q := mustCreate(t, s, NewQuestion(agency, base, "cu"))
	if _, err := s.Upvote(ctx, q.ID, id.New()); err != nil {
		t.Fatal(err)
	}
	if err := s.AddComment(ctx, NewComment(q.ID, base.Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	a, b := mustGet(t, s, q.ID), mustGet(t, s, q.ID)
	if a.Revision != 0 || a.Upvotes != 1 || a.Comments != 1 {
		t.Fatalf("after an upvote and a comment: revision %d, %d upvotes, %d comments; want 0, 1, 1", a.Revision, a.Upvotes, a.Comments)
	}
	// A forward to other, with every field the store keeps changed.
	fwd := at(base.Add(day))
	staff := id.New()
	a.AgencyID, a.Field, a.Title, a.Body, a.BodyHTML, a.Sanitizer = other, "xay-dung", "Tiêu đề mới", "Mới", "<p>Mới</p>", 2
	a.Private, a.Contact = true, qa.Contact{Email: "b@example.vn"}
	a.Status, a.AssigneeID, a.RejectReason = qa.Assigned, staff, "không"
	a.UpdatedAt, a.AcceptedAt, a.Deadline = fwd, fwd, fwd.Add(5*day)
	a.AnsweredAt, a.ClosedAt, a.OverdueNotified, a.Listed = fwd.Add(time.Hour), fwd.Add(2*time.Hour), true, false
	a.Legs[0].Outcome, a.Legs[0].EndedAt = qa.LegForwarded, fwd
	a.Legs = append(a.Legs, qa.Leg{AgencyID: other, StartedAt: fwd, ClockAt: fwd, Deadline: fwd.Add(5 * day)})
	a.History = append(a.History, qa.Change{At: fwd, ActorID: staff, Action: "forwarded", FromAgency: agency, ToAgency: other})
	a.Tokens = []string{"moi"}
	want := copyQuestion(a)
	want.Tokens = nil // no longer listed
	want.Revision = 1
	// Fields the store never changes: the asker, the creation, the counts.
	a.AskerID, a.CreatedAt, a.Upvotes, a.Comments = id.New(), fwd, 7, 9
	if err := s.UpdateQuestion(ctx, a); err != nil {
		t.Fatalf("UpdateQuestion = %v", err)
	}
	if a.Revision != 1 {
		t.Errorf("Revision after UpdateQuestion = %d, want 1", a.Revision)
	}
	got := mustGet(t, s, q.ID)
	if !equalQuestions(got, want) {
		t.Errorf("after UpdateQuestion:\n%s\nwant\n%s", show(got), show(want))
	}
	if err := s.UpdateQuestion(ctx, b); !errors.Is(err, qa.ErrStale) {
		t.Errorf("UpdateQuestion(revision 0 after 1) = %v, want ErrStale", err)
	}
	if b.Revision != 0 {
		t.Errorf("a stale UpdateQuestion set Revision %d", b.Revision)
	}
	if got := mustGet(t, s, q.ID); !equalQuestions(got, want) {
		t.Errorf("a stale update changed the question: %s", show(got))
	}
	// The second update, on the current revision, raises it again and
	// keeps the counts raised in between.
	if _, err := s.Upvote(ctx, q.ID, id.New()); err != nil {
		t.Fatal(err)
	}
	got.Title = "Lần ba"
	if err := s.UpdateQuestion(ctx, got); err != nil || got.Revision != 2 {
		t.Fatalf("second UpdateQuestion = %v, revision %d; want 2", err, got.Revision)
	}
	after := mustGet(t, s, q.ID)
	if after.Title != "Lần ba" || after.Revision != 2 || after.Upvotes != 2 || after.Comments != 1 {
		t.Errorf("after the second update: %q, revision %d, %d upvotes, %d comments; want Lần ba, 2, 2, 1",
			after.Title, after.Revision, after.Upvotes, after.Comments)
	}
	ghost := NewQuestion(agency, base)
	if err := s.UpdateQuestion(ctx, ghost); !errors.Is(err, qa.ErrQuestionNotFound) {
		t.Errorf("UpdateQuestion(unknown) = %v, want ErrQuestionNotFound", err)
	}
}

// testConcurrentUpdateQuestion updates one revision of a question from 10
// goroutines at once: exactly one wins, the others get ErrStale.
func testConcurrentUpdateQuestion(t *testing.T, s qa.Store) {
	q := mustCreate(t, s, NewQuestion(id.New(), base))
	const workers = 10
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for i := range workers {
		c := copyQuestion(q)
		c.Title = string(rune('A' + i))
		wg.Go(func() { errs[i] = s.UpdateQuestion(ctx, c) })
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner < 0:
			winner = i
		case err == nil:
			t.Errorf("updates %d and %d of the same revision both succeeded", winner, i)
		case !errors.Is(err, qa.ErrStale):
			t.Errorf("UpdateQuestion = %v, want nil or ErrStale", err)
		}
	}
	if winner < 0 {
		t.Fatalf("no concurrent UpdateQuestion succeeded: %v", errs)
	}
	got := mustGet(t, s, q.ID)
	if want := string(rune('A' + winner)); got.Title != want || got.Revision != 1 {
		t.Errorf("after concurrent updates: title %q, revision %d; want %q (the winner's), 1", got.Title, got.Revision, want)
	}
}

func testQuestionsByID(t *testing.T, s qa.Store) {
	agency, other := id.New(), id.New()
	var want []*qa.Question
	for _, q := range variants(agency, other) {
		mustCreate(t, s, q)
		want = append(want, q)
	}
	slices.SortFunc(want, byID)
	ask := append(ids(want), id.New())
	got, err := s.QuestionsByID(ctx, ask)
	if err != nil {
		t.Fatalf("QuestionsByID = %v", err)
	}
	slices.SortFunc(got, byID)
	if !slices.EqualFunc(got, want, equalFields) {
		t.Errorf("QuestionsByID =\n%s\nwant\n%s", show(got), show(want))
	}
	if got, err := s.QuestionsByID(ctx, ask[:2]); err != nil || len(got) != 2 {
		t.Errorf("QuestionsByID(2) = %d, %v; want 2", len(got), err)
	}
	for _, ask := range [][]string{nil, {id.New()}} {
		if got, err := s.QuestionsByID(ctx, ask); err != nil || len(got) != 0 {
			t.Errorf("QuestionsByID(%v) = %v, %v; want none", ask, ids(got), err)
		}
	}
}

func byID(a, b *qa.Question) int {
	switch {
	case a.ID < b.ID:
		return -1
	case a.ID > b.ID:
		return 1
	}
	return 0
}

func testOverdueUnnotified(t *testing.T, s qa.Store) {
	now := at(base.Add(30 * day))
	mk := func(status qa.Status, deadline time.Time, notified bool) *qa.Question {
		q := NewQuestion(id.New(), base)
		q.Status, q.Deadline, q.OverdueNotified = status, at(deadline), notified
		if status == qa.Submitted {
			q.Listed = false
		}
		return mustCreate(t, s, q)
	}
	tie := now.Add(-2 * day)
	overdue := []*qa.Question{
		mk(qa.Assigned, now.Add(-5*day), false),
		mk(qa.Accepted, tie, false),
		mk(qa.Assigned, tie, false),
		mk(qa.Submitted, now.Add(-time.Millisecond), false),
	}
	mk(qa.Accepted, now.Add(-9*day), true) // told already
	mk(qa.Answered, now.Add(-9*day), false)
	mk(qa.Closed, now.Add(-9*day), false)
	mk(qa.Rejected, now.Add(-9*day), false)
	mk(qa.Accepted, now, false)               // due now, not yet overdue
	mk(qa.Assigned, now.Add(day), false)      // not yet due
	mk(qa.Submitted, time.Time{}, false)      // no deadline
	slices.SortStableFunc(overdue[1:3], byID) // the tie by ID
	for _, limit := range []int{1, 3, 4, 10} {
		got, err := s.OverdueUnnotified(ctx, now, limit)
		want := overdue[:min(limit, len(overdue))]
		if err != nil || !slices.Equal(ids(got), ids(want)) {
			t.Errorf("OverdueUnnotified(limit %d) = %v, %v; want %v", limit, ids(got), err, ids(want))
			continue
		}
		// Whole questions, ready for UpdateQuestion.
		for i, q := range got {
			if !equalQuestions(q, want[i]) {
				t.Errorf("overdue question %d =\n%s\nwant\n%s", i, show(q), show(want[i]))
			}
		}
	}
	first, err := s.OverdueUnnotified(ctx, now, 1)
	if err != nil || len(first) != 1 {
		t.Fatalf("OverdueUnnotified = %d, %v", len(first), err)
	}
	first[0].OverdueNotified = true
	mustUpdate(t, s, first[0])
	if got, err := s.OverdueUnnotified(ctx, now, 10); err != nil || !slices.Equal(ids(got), ids(overdue[1:])) {
		t.Errorf("OverdueUnnotified after notifying the first = %v, %v; want %v", ids(got), err, ids(overdue[1:]))
	}
}
