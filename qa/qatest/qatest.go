// Package qatest is the conformance suite every qa.Store implementation
// must pass. Store packages call Run from their tests with a constructor
// that returns a fresh, empty store.
//
// The suite pins down what qa.go leaves to the store:
//   - times come back at millisecond precision, in UTC, and a zero time
//     (no deadline, not answered) comes back zero;
//   - CreateQuestion stores Revision 0 and UpdateQuestion raises it by one;
//     only UpdateQuestion raises it (an upvote or a comment does not);
//   - a store keeps a question's Tokens only while it is Listed: Question
//     returns none for a question that is not;
//   - Question and OverdueUnnotified return whole questions (History, Legs
//     and, when listed, Tokens), so that what they return can be passed to
//     UpdateQuestion; the lists may leave History, Legs and Tokens out, and
//     Question's legs may leave QuestionID empty;
//   - an empty Sort is Newest; a Limit (or max, or limit) of zero or less
//     does not limit; an empty AfterID starts at the beginning of either
//     sort; DueBefore never keeps a question without a deadline;
//   - writes that attach something to a question (AddAnswer, AddComment,
//     Upvote, Unvote, Follow) and UpdateQuestion return
//     qa.ErrQuestionNotFound for an unknown question; reads about one
//     (Comments, Upvoted, Following, Followers) find nothing, and AnswerFor
//     returns qa.ErrAnswerNotFound; Unfollow of an unknown question is no
//     error;
//   - Comments and Followers are ordered by ID; hiding a comment does not
//     change the question's Comments;
//   - Legs of an agency include its open legs whatever their start (an open
//     leg has not ended, so it ends after any since), and are in no
//     particular order.
package qatest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/civichub/civichub/id"
	"github.com/civichub/civichub/qa"
)

// Run runs the suite. newStore must return an empty store for each call.
func Run(t *testing.T, newStore func(t *testing.T) qa.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s qa.Store)
	}{
		{"CreateQuestion", testCreateQuestion},
		{"UpdateQuestion", testUpdateQuestion},
		{"ConcurrentUpdateQuestion", testConcurrentUpdateQuestion},
		{"QuestionsByID", testQuestionsByID},
		{"QuestionsFilters", testQuestionsFilters},
		{"QuestionsPaging", testQuestionsPaging},
		{"QuestionsFollowUpdates", testQuestionsFollowUpdates},
		{"CountQuestions", testCountQuestions},
		{"OverdueUnnotified", testOverdueUnnotified},
		{"Answers", testAnswers},
		{"ConcurrentAddAnswer", testConcurrentAddAnswer},
		{"Revisions", testRevisions},
		{"ConcurrentAddRevision", testConcurrentAddRevision},
		{"Comments", testComments},
		{"Upvotes", testUpvotes},
		{"ConcurrentUpvotes", testConcurrentUpvotes},
		{"Follows", testFollows},
		{"AnswerDays", testAnswerDays},
		{"Legs", testLegs},
		{"LegsFollowUpdates", testLegsFollowUpdates},
		{"Search", testSearch},
		{"SearchPaging", testSearchPaging},
		{"SearchFollowsChanges", testSearchFollowsChanges},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newStore(t)) })
	}
}

var ctx = context.Background()

// at truncates to milliseconds, the precision both stores keep.
func at(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

// base is a fixed time the tests count from, so that orderings by time do
// not depend on the clock.
var base = time.Date(2025, 3, 14, 8, 30, 0, 0, time.UTC)

const day = 24 * time.Hour

// NewQuestion returns a public question to agencyID with the given search
// tokens, not stored: submitted at when and accepted a minute later, with a
// deadline seven days on, listed, with its history and its one open leg.
func NewQuestion(agencyID string, when time.Time, tokens ...string) *qa.Question {
	when = at(when)
	accepted := when.Add(time.Minute)
	deadline := when.Add(7 * day)
	asker, staff := id.New(), id.New()
	return &qa.Question{
		ID: id.New(), AgencyID: agencyID, AskerID: asker, Field: "dat-dai",
		Title: "Thủ tục cấp giấy phép xây dựng", Body: "Xin hỏi **Sở** về thủ tục",
		BodyHTML: "<p>Xin hỏi <strong>Sở</strong> về thủ tục</p>", Sanitizer: 1,
		Contact: qa.Contact{Name: "Nguyễn Văn A", Phone: "0905 123 456", Email: "a@example.vn", Address: "12 Lê Lợi, Đà Nẵng"},
		Status:  qa.Accepted, CreatedAt: when, UpdatedAt: accepted, AcceptedAt: accepted, Deadline: deadline,
		Listed: true,
		History: []qa.Change{
			{At: when, ActorID: asker, Action: "submitted", ToStatus: qa.Submitted},
			{At: accepted, ActorID: staff, Action: string(qa.Accepted), FromStatus: qa.Submitted, ToStatus: qa.Accepted},
		},
		Legs:   []qa.Leg{{AgencyID: agencyID, StartedAt: when, ClockAt: accepted, Deadline: deadline}},
		Tokens: tokens,
	}
}

// NewSubmitted returns a question to agencyID as just submitted at when,
// not stored: not listed, no deadline, one open leg without a clock.
func NewSubmitted(agencyID string, when time.Time, tokens ...string) *qa.Question {
	q := NewQuestion(agencyID, when, tokens...)
	q.Status, q.Listed, q.UpdatedAt = qa.Submitted, false, q.CreatedAt
	q.AcceptedAt, q.Deadline = time.Time{}, time.Time{}
	q.History = q.History[:1]
	q.Legs = []qa.Leg{{AgencyID: agencyID, StartedAt: q.CreatedAt}}
	return q
}

// NewAnswer returns an answer to q by a staff member of its agency,
// published at when, not stored.
func NewAnswer(q *qa.Question, when time.Time) *qa.Answer {
	return &qa.Answer{ID: id.New(), QuestionID: q.ID, AgencyID: q.AgencyID, AuthorID: id.New(),
		StaffTitle: "Phó Giám đốc Sở", Body: "Trả lời: hồ sơ gồm **3** loại giấy tờ",
		BodyHTML: "<p>Trả lời: hồ sơ gồm <strong>3</strong> loại giấy tờ</p>", Sanitizer: 1, PublishedAt: at(when)}
}

// NewComment returns a comment on the question questionID dated when, not
// stored.
func NewComment(questionID string, when time.Time) *qa.Comment {
	return &qa.Comment{ID: id.New(), QuestionID: questionID, AuthorID: id.New(), Body: "Tôi cũng hỏi *việc này*",
		BodyHTML: "<p>Tôi cũng hỏi <em>việc này</em></p>", Sanitizer: 1, CreatedAt: at(when)}
}

func mustCreate(t *testing.T, s qa.Store, q *qa.Question) *qa.Question {
	t.Helper()
	if err := s.CreateQuestion(ctx, q); err != nil {
		t.Fatalf("CreateQuestion = %v", err)
	}
	return q
}

func mustGet(t *testing.T, s qa.Store, id string) *qa.Question {
	t.Helper()
	q, err := s.Question(ctx, id)
	if err != nil {
		t.Fatalf("Question(%s) = %v", id, err)
	}
	return q
}

func mustUpdate(t *testing.T, s qa.Store, q *qa.Question) {
	t.Helper()
	if err := s.UpdateQuestion(ctx, q); err != nil {
		t.Fatalf("UpdateQuestion(%s) = %v", q.ID, err)
	}
}

// copyQuestion returns a deep copy of q, as a second reader would have it.
func copyQuestion(q *qa.Question) *qa.Question {
	c := *q
	c.History, c.Legs, c.Tokens = slices.Clone(q.History), slices.Clone(q.Legs), slices.Clone(q.Tokens)
	return &c
}

// equalFields compares every field of two questions but History, Legs and
// Tokens, times with Equal.
func equalFields(a, b *qa.Question) bool {
	return a.ID == b.ID && a.AgencyID == b.AgencyID && a.AskerID == b.AskerID && a.Field == b.Field &&
		a.Title == b.Title && a.Body == b.Body && a.BodyHTML == b.BodyHTML && a.Sanitizer == b.Sanitizer &&
		a.Private == b.Private && a.Contact == b.Contact && a.Status == b.Status && a.AssigneeID == b.AssigneeID &&
		a.RejectReason == b.RejectReason && a.CreatedAt.Equal(b.CreatedAt) && a.UpdatedAt.Equal(b.UpdatedAt) &&
		a.AcceptedAt.Equal(b.AcceptedAt) && a.Deadline.Equal(b.Deadline) && a.AnsweredAt.Equal(b.AnsweredAt) &&
		a.ClosedAt.Equal(b.ClosedAt) && a.OverdueNotified == b.OverdueNotified && a.Listed == b.Listed &&
		a.Upvotes == b.Upvotes && a.Comments == b.Comments && a.Revision == b.Revision
}

// equalQuestions compares every field, times with Equal, nil slices equal
// to empty ones, and legs without their QuestionID.
func equalQuestions(a, b *qa.Question) bool {
	return equalFields(a, b) && slices.EqualFunc(a.History, b.History, equalChanges) &&
		slices.EqualFunc(a.Legs, b.Legs, func(x, y qa.Leg) bool { return equalLegs(x, y, false) }) &&
		slices.Equal(a.Tokens, b.Tokens)
}

func equalChanges(a, b qa.Change) bool {
	same := a.At.Equal(b.At)
	a.At, b.At = time.Time{}, time.Time{}
	return same && a == b
}

func equalLegs(a, b qa.Leg, withQuestion bool) bool {
	return (!withQuestion || a.QuestionID == b.QuestionID) && a.AgencyID == b.AgencyID &&
		a.StartedAt.Equal(b.StartedAt) && a.ClockAt.Equal(b.ClockAt) && a.Deadline.Equal(b.Deadline) &&
		a.Outcome == b.Outcome && a.EndedAt.Equal(b.EndedAt)
}

func ids(qs []*qa.Question) []string {
	out := make([]string, len(qs))
	for i, q := range qs {
		out[i] = q.ID
	}
	return out
}

func show(v any) string { return fmt.Sprintf("%+v", v) }
