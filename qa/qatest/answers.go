package qatest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/civichub/civichub/id"
	"github.com/civichub/civichub/qa"
)

// equalAnswers compares every field, times with Equal and nil revisions
// equal to none.
func equalAnswers(a, b *qa.Answer) bool {
	return a.ID == b.ID && a.QuestionID == b.QuestionID && a.AgencyID == b.AgencyID && a.AuthorID == b.AuthorID &&
		a.StaffTitle == b.StaffTitle && a.Body == b.Body && a.BodyHTML == b.BodyHTML && a.Sanitizer == b.Sanitizer &&
		a.PublishedAt.Equal(b.PublishedAt) && slices.EqualFunc(a.Revisions, b.Revisions, equalRevisions)
}

func equalRevisions(a, b qa.Revision) bool {
	same := a.At.Equal(b.At)
	a.At, b.At = time.Time{}, time.Time{}
	return same && a == b
}

func mustAnswer(t *testing.T, s qa.Store, q *qa.Question) *qa.Answer {
	t.Helper()
	a := NewAnswer(q, base.Add(day))
	if err := s.AddAnswer(ctx, a); err != nil {
		t.Fatalf("AddAnswer = %v", err)
	}
	return a
}

func testAnswers(t *testing.T, s qa.Store) {
	q := mustCreate(t, s, NewQuestion(id.New(), base))
	other := mustCreate(t, s, NewQuestion(id.New(), base))
	if _, err := s.AnswerFor(ctx, q.ID); !errors.Is(err, qa.ErrAnswerNotFound) {
		t.Errorf("AnswerFor(not answered) = %v, want ErrAnswerNotFound", err)
	}
	a := mustAnswer(t, s, q)
	for name, get := range map[string]func() (*qa.Answer, error){
		"Answer":    func() (*qa.Answer, error) { return s.Answer(ctx, a.ID) },
		"AnswerFor": func() (*qa.Answer, error) { return s.AnswerFor(ctx, q.ID) },
	} {
		got, err := get()
		if err != nil || !equalAnswers(got, a) {
			t.Errorf("%s = %s, %v; want %s", name, show(got), err, show(a))
		} else if got.PublishedAt.Location() != time.UTC {
			t.Errorf("%s: PublishedAt in %v, want UTC", name, got.PublishedAt.Location())
		}
	}
	second := NewAnswer(q, base.Add(2*day))
	if err := s.AddAnswer(ctx, second); !errors.Is(err, qa.ErrAlreadyAnswered) {
		t.Errorf("AddAnswer(a second answer) = %v, want ErrAlreadyAnswered", err)
	}
	if got, err := s.AnswerFor(ctx, q.ID); err != nil || got.ID != a.ID {
		t.Errorf("AnswerFor after a refused second answer = %s, %v; want the first", show(got), err)
	}
	if _, err := s.Answer(ctx, second.ID); !errors.Is(err, qa.ErrAnswerNotFound) {
		t.Errorf("Answer(refused) = %v, want ErrAnswerNotFound", err)
	}
	b := mustAnswer(t, s, other)
	if got, err := s.AnswerFor(ctx, other.ID); err != nil || !equalAnswers(got, b) {
		t.Errorf("AnswerFor(other) = %s, %v; want %s", show(got), err, show(b))
	}
	if _, err := s.Answer(ctx, id.New()); !errors.Is(err, qa.ErrAnswerNotFound) {
		t.Errorf("Answer(unknown) = %v, want ErrAnswerNotFound", err)
	}
	if _, err := s.AnswerFor(ctx, id.New()); !errors.Is(err, qa.ErrAnswerNotFound) {
		t.Errorf("AnswerFor(unknown question) = %v, want ErrAnswerNotFound", err)
	}
	lost := NewAnswer(NewQuestion(id.New(), base), base)
	if err := s.AddAnswer(ctx, lost); !errors.Is(err, qa.ErrQuestionNotFound) {
		t.Errorf("AddAnswer(unknown question) = %v, want ErrQuestionNotFound", err)
	}
	// An answer is not an update of its question.
	if got := mustGet(t, s, q.ID); got.Revision != 0 {
		t.Errorf("question revision after AddAnswer = %d, want 0", got.Revision)
	}
}

// testConcurrentAddAnswer answers one question from 20 goroutines at once:
// exactly one answer is stored, the others get ErrAlreadyAnswered.
func testConcurrentAddAnswer(t *testing.T, s qa.Store) {
	q := mustCreate(t, s, NewQuestion(id.New(), base))
	const workers = 20
	answers := make([]*qa.Answer, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for i := range workers {
		answers[i] = NewAnswer(q, base.Add(time.Duration(i)*time.Minute))
		wg.Go(func() { errs[i] = s.AddAnswer(ctx, answers[i]) })
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner < 0:
			winner = i
		case err == nil:
			t.Errorf("answers %d and %d were both stored", winner, i)
		case !errors.Is(err, qa.ErrAlreadyAnswered):
			t.Errorf("AddAnswer = %v, want nil or ErrAlreadyAnswered", err)
		}
	}
	if winner < 0 {
		t.Fatalf("no concurrent AddAnswer succeeded: %v", errs)
	}
	if got, err := s.AnswerFor(ctx, q.ID); err != nil || !equalAnswers(got, answers[winner]) {
		t.Errorf("AnswerFor = %s, %v; want the winner's %s", show(got), err, show(answers[winner]))
	}
}

func newRevision(n int, when time.Time) *qa.Revision {
	return &qa.Revision{Number: n, AuthorID: id.New(), StaffTitle: "Giám đốc Sở", Body: fmt.Sprintf("Bản sửa %d", n),
		BodyHTML: fmt.Sprintf("<p>Bản sửa %d</p>", n), Sanitizer: 1 + n, Reason: "Cập nhật văn bản mới", At: at(when)}
}

func testRevisions(t *testing.T, s qa.Store) {
	q := mustCreate(t, s, NewQuestion(id.New(), base))
	a := mustAnswer(t, s, q)
	want := *a
	if err := s.AddRevision(ctx, a.ID, newRevision(2, base)); !errors.Is(err, qa.ErrStale) {
		t.Errorf("AddRevision(2 of none) = %v, want ErrStale", err)
	}
	for n := 1; n <= 3; n++ {
		r := newRevision(n, base.Add(time.Duration(n)*day))
		if err := s.AddRevision(ctx, a.ID, r); err != nil {
			t.Fatalf("AddRevision(%d) = %v", n, err)
		}
		want.Revisions = append(want.Revisions, *r)
		if err := s.AddRevision(ctx, a.ID, newRevision(n, base)); !errors.Is(err, qa.ErrStale) {
			t.Errorf("AddRevision(%d again) = %v, want ErrStale", n, err)
		}
		got, err := s.Answer(ctx, a.ID)
		if err != nil || !equalAnswers(got, &want) {
			t.Errorf("Answer after revision %d = %s, %v; want %s", n, show(got), err, show(&want))
		}
	}
	if got, err := s.AnswerFor(ctx, q.ID); err != nil || !equalAnswers(got, &want) {
		t.Errorf("AnswerFor after revisions = %s, %v; want %s", show(got), err, show(&want))
	}
	if err := s.AddRevision(ctx, id.New(), newRevision(1, base)); !errors.Is(err, qa.ErrAnswerNotFound) {
		t.Errorf("AddRevision(unknown answer) = %v, want ErrAnswerNotFound", err)
	}
}

// testConcurrentAddRevision adds revision 1 to one answer from 10
// goroutines at once: exactly one is kept.
func testConcurrentAddRevision(t *testing.T, s qa.Store) {
	q := mustCreate(t, s, NewQuestion(id.New(), base))
	a := mustAnswer(t, s, q)
	const workers = 10
	revs := make([]*qa.Revision, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for i := range workers {
		revs[i] = newRevision(1, base.Add(time.Duration(i)*time.Minute))
		revs[i].Reason = fmt.Sprintf("lý do %d", i)
		wg.Go(func() { errs[i] = s.AddRevision(ctx, a.ID, revs[i]) })
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner < 0:
			winner = i
		case err == nil:
			t.Errorf("revisions %d and %d were both kept", winner, i)
		case !errors.Is(err, qa.ErrStale):
			t.Errorf("AddRevision = %v, want nil or ErrStale", err)
		}
	}
	if winner < 0 {
		t.Fatalf("no concurrent AddRevision succeeded: %v", errs)
	}
	got, err := s.Answer(ctx, a.ID)
	if err != nil || len(got.Revisions) != 1 || !equalRevisions(got.Revisions[0], *revs[winner]) {
		t.Errorf("Answer = %s, %v; want the one revision %s", show(got), err, show(revs[winner]))
	}
}
