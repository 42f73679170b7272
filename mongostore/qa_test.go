package mongostore_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/civichub/civichub/id"
	"github.com/civichub/civichub/qa"
	"github.com/civichub/civichub/qa/qatest"
)

// ferretGaps are the conformance subtests that FerretDB v1 cannot pass,
// with the reason. Each is a guarantee the store gets from MongoDB alone.
var ferretGaps = map[string]string{
	// UpdateQuestion is one update on the condition {_id, revision}. MongoDB
	// matches and writes a document atomically, so of updates from one
	// revision exactly one matches; FerretDB v1 reads the matching documents
	// and writes them back in separate steps, so several concurrent updates
	// from one revision all match and all report success, the last write
	// winning (seen: 8 of 10 succeeded). See PollsStore.UpdatePoll.
	"ConcurrentUpdateQuestion": "FerretDB v1 does not run a conditional update atomically: concurrent updates of one revision can all succeed",
}

func TestQAStore(t *testing.T) {
	qatest.Run(t, func(t *testing.T) qa.Store {
		_, sub, _ := strings.Cut(t.Name(), "/")
		if reason, ok := ferretGaps[sub]; ok {
			t.Skip(reason)
		}
		db, _ := openDB(t)
		return db.QA()
	})
}

// The tests below check what the conformance suite cannot see: the stored
// documents and indexes.

// indexes describes the indexes of coll in database name, sorted, as
// "{key:1,...}" with " unique" for a unique one.
func indexes(t *testing.T, name, coll string) []string {
	t.Helper()
	specs, err := admin.Database(name).Collection(coll).Indexes().ListSpecifications(context.Background())
	if err != nil {
		t.Fatalf("ListSpecifications(%s) = %v", coll, err)
	}
	var got []string
	for _, s := range specs {
		elems, err := s.KeysDocument.Elements()
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, e := range elems {
			keys = append(keys, fmt.Sprintf("%s:%d", e.Key(), e.Value().AsInt64()))
		}
		desc := "{" + strings.Join(keys, ",") + "}"
		if s.Unique != nil && *s.Unique {
			desc += " unique"
		}
		got = append(got, desc)
	}
	slices.Sort(got)
	return got
}

func TestQAIndexes(t *testing.T) {
	_, name := openDB(t)
	want := map[string][]string{
		"qa_questions": {"{_id:1}", "{agency_id:1,status:1,deadline:1,_id:1}", "{asker_id:1,_id:1}",
			"{assignee_id:1,deadline:1,_id:1}", "{legs.agency_id:1,legs_end:1}", "{listed:1,_id:1}", "{listed:1,answered_at:1,_id:1}",
			"{overdue_notified:1,deadline:1}", "{tokens:1,_id:1}"},
		"qa_answers":   {"{_id:1}", "{question_id:1} unique"},
		"qa_revisions": {"{_id:1}", "{answer_id:1,number:1}"},
		"qa_comments":  {"{_id:1}", "{question_id:1,_id:1}"},
		"qa_upvotes":   {"{_id:1}", "{question_id:1}"},
		"qa_follows":   {"{_id:1}", "{question_id:1,user_id:1}"},
	}
	for coll, wantIdx := range want {
		if got := indexes(t, name, coll); !slices.Equal(got, wantIdx) {
			t.Errorf("indexes on %s = %q, want %q", coll, got, wantIdx)
		}
	}
}

// rawDoc returns the stored document with _id id in coll.
func rawDoc(t *testing.T, name, coll, id string) bson.Raw {
	t.Helper()
	raw, err := admin.Database(name).Collection(coll).FindOne(context.Background(), bson.D{{Key: "_id", Value: id}}).Raw()
	if err != nil {
		t.Fatalf("FindOne(%s %s) = %v", coll, id, err)
	}
	return raw
}

func checkTypes(t *testing.T, what string, raw bson.Raw, want map[string]bson.Type) {
	t.Helper()
	for field, w := range want {
		if got := raw.Lookup(strings.Split(field, ".")...).Type; got != w {
			t.Errorf("%s: %s has BSON type %v, want %v", what, field, got, w)
		}
	}
}

func checkAbsent(t *testing.T, what string, raw bson.Raw, fields ...string) {
	t.Helper()
	for _, f := range fields {
		if _, err := raw.LookupErr(strings.Split(f, ".")...); err == nil {
			t.Errorf("%s stores %s", what, f)
		}
	}
}

func TestQADocuments(t *testing.T) {
	db, name := openDB(t)
	s := db.QA()
	ctx := context.Background()
	now := time.Now()

	accepted := qatest.NewQuestion(id.New(), now, "thu", "tuc")
	if err := s.CreateQuestion(ctx, accepted); err != nil {
		t.Fatal(err)
	}
	raw := rawDoc(t, name, "qa_questions", accepted.ID)
	checkTypes(t, "an accepted question", raw, map[string]bson.Type{
		"created_at": bson.TypeDateTime, "accepted_at": bson.TypeDateTime, "deadline": bson.TypeDateTime,
		"legs_end": bson.TypeDateTime, "sanitizer": bson.TypeInt64, "revision": bson.TypeInt64,
		"tokens": bson.TypeArray, "history.0.at": bson.TypeDateTime, "legs.0.started_at": bson.TypeDateTime,
		"legs.0.clock_at": bson.TypeDateTime, "contact.phone": bson.TypeString, "listed": bson.TypeBoolean,
	})
	// Counts are taken on read, never kept on the question.
	checkAbsent(t, "a question", raw, "upvotes", "comments", "answered_at", "closed_at", "legs.0.ended_at",
		"legs.0.outcome", "history.0.from_status", "assignee_id")

	submitted := qatest.NewSubmitted(id.New(), now, "cho", "duyet")
	submitted.Contact, submitted.Field = qa.Contact{}, ""
	if err := s.CreateQuestion(ctx, submitted); err != nil {
		t.Fatal(err)
	}
	raw = rawDoc(t, name, "qa_questions", submitted.ID)
	checkAbsent(t, "a submitted question", raw, "accepted_at", "contact", "field", "legs.0.clock_at", "legs.0.deadline")
	if tokens := raw.Lookup("tokens").Array(); len(mustValues(t, tokens)) != 0 {
		t.Errorf("a question not listed stores tokens %v", tokens)
	}
	// No deadline is the earliest datetime, so that it sorts first.
	if d := raw.Lookup("deadline").Time(); !d.Equal(time.Time{}) {
		t.Errorf("deadline of a submitted question = %v, want the zero time", d)
	}

	// An update removes what is no longer set.
	a := qatest.NewAnswer(accepted, now)
	if err := s.AddAnswer(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := s.AddRevision(ctx, a.ID, &qa.Revision{Number: 1, AuthorID: id.New(), Body: "b", BodyHTML: "<p>b</p>",
		Sanitizer: 2, Reason: "r", At: now}); err != nil {
		t.Fatal(err)
	}
	checkTypes(t, "an answer", rawDoc(t, name, "qa_answers", a.ID), map[string]bson.Type{
		"published_at": bson.TypeDateTime, "sanitizer": bson.TypeInt64})
	checkTypes(t, "a revision", rawDoc(t, name, "qa_revisions", a.ID+"|1"), map[string]bson.Type{
		"at": bson.TypeDateTime, "sanitizer": bson.TypeInt64, "number": bson.TypeInt64, "answer_id": bson.TypeString})

	accepted.Contact, accepted.AcceptedAt, accepted.Listed = qa.Contact{}, time.Time{}, false
	if err := s.UpdateQuestion(ctx, accepted); err != nil {
		t.Fatal(err)
	}
	raw = rawDoc(t, name, "qa_questions", accepted.ID)
	checkAbsent(t, "an updated question", raw, "contact", "accepted_at")
	if tokens := raw.Lookup("tokens").Array(); len(mustValues(t, tokens)) != 0 {
		t.Errorf("a question no longer listed stores tokens %v", tokens)
	}
}

func mustValues(t *testing.T, a bson.RawArray) []bson.RawValue {
	t.Helper()
	vs, err := a.Values()
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

// TestQALegsEnd checks the field Legs narrows by: the latest start or end
// of any leg, far in the future while one is open.
func TestQALegsEnd(t *testing.T) {
	db, name := openDB(t)
	s := db.QA()
	ctx := context.Background()
	start := time.Date(2025, 3, 14, 8, 30, 0, 0, time.UTC)
	a, b := id.New(), id.New()
	q := qatest.NewQuestion(a, start)
	if err := s.CreateQuestion(ctx, q); err != nil {
		t.Fatal(err)
	}
	legsEnd := func() time.Time {
		t.Helper()
		return rawDoc(t, name, "qa_questions", q.ID).Lookup("legs_end").Time().UTC()
	}
	if got := legsEnd(); got.Year() != 9999 {
		t.Errorf("legs_end with an open leg = %v, want in 9999", got)
	}
	fwd, done := start.Add(48*time.Hour), start.Add(96*time.Hour)
	q.Legs[0].Outcome, q.Legs[0].EndedAt = qa.LegForwarded, fwd
	q.Legs = append(q.Legs, qa.Leg{AgencyID: b, StartedAt: fwd, Outcome: qa.LegAnswered, EndedAt: done})
	if err := s.UpdateQuestion(ctx, q); err != nil {
		t.Fatal(err)
	}
	if got := legsEnd(); !got.Equal(done) {
		t.Errorf("legs_end with every leg ended = %v, want %v", got, done)
	}
	// A leg of a that ended before since is not returned, though the
	// question's legs_end (b's answer) is after it.
	if legs, err := s.Legs(ctx, a, fwd.Add(time.Hour)); err != nil || len(legs) != 0 {
		t.Errorf("Legs(a, after its forward) = %+v, %v; want none", legs, err)
	}
	if legs, err := s.Legs(ctx, a, done.Add(time.Hour)); err != nil || len(legs) != 0 {
		t.Errorf("Legs(a, after everything) = %+v, %v; want none", legs, err)
	}
	if legs, err := s.Legs(ctx, b, done); err != nil || len(legs) != 1 || legs[0].QuestionID != q.ID {
		t.Errorf("Legs(b, at its end) = %+v, %v; want its one leg", legs, err)
	}
}
