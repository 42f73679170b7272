package mongostore

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/civichub/civichub/qa"
)

// The Q&A collections.
const (
	questionsColl  = "qa_questions"
	answersColl    = "qa_answers"
	revisionsColl  = "qa_revisions"
	qaCommentsColl = "qa_comments"
	upvotesColl    = "qa_upvotes"
	qaFollowsColl  = "qa_follows"
	answerDaysColl = "qa_answer_days"
)

// QAStore implements qa.Store. It is safe for concurrent use, also from
// several nodes. Errors other than the qa sentinel errors each method
// documents are driver errors wrapped with a "mongostore:" prefix.
//
// A question is one document in qa_questions that embeds its History and
// Legs, so a status change, its history entry and its leg change are one
// document write: UpdateQuestion is a $set on the condition {_id, revision}.
// The Legs of a scorecard are found through the index {legs.agency_id,
// legs_end} (multikey on the first), legs_end being the latest start or end
// of any leg (far in the future while one is open), and the matching legs
// picked out in Go (no $elemMatch). Search tokens are stored only while
// the question is listed, and a search is {$all: tokens} on the multikey
// index {tokens, _id}.
//
// An answer is its own document in qa_answers; the unique index on
// question_id is what allows one answer per question, however concurrent
// AddAnswer calls interleave. Each revision is a document of its own in
// qa_revisions with _id answer|number, so that concurrent revisions of one
// number are decided by an insert, which FerretDB decides right too; a
// conditional $push into the answer would not be (see below).
//
// Comments, upvotes (_id question|user, so one per user), follows and
// per-agency answer days are documents of their own. No count is kept on
// the question: Upvotes and Comments are counted from qa_upvotes and
// qa_comments whenever questions are read (one $group with a single $sum per
// page). A kept counter would be written by every upvote, and FerretDB v1
// runs an update as a read followed by a whole-document write, so
// concurrent counter writes lose one another, and a counter write racing an
// UpdateQuestion could even undo the status change; a recount stored after
// each change could also be overtaken by an older recount.
//
// On MongoDB every conditional single-document update is atomic, so of two
// UpdateQuestion calls from one revision exactly one succeeds. FerretDB v1
// matches and writes in two steps, so there both can succeed, the later
// write winning (see PollsStore.UpdatePoll); FerretDB is for tests.
type QAStore struct {
	db *mongo.Database
}

var _ qa.Store = (*QAStore)(nil)

// QA returns the Q&A store, which uses db's connection. It is cheap; the
// store is safe for concurrent use.
func (db *DB) QA() *QAStore { return &QAStore{db: db.db} }

func qaIndexes() []collectionIndexes {
	asc := func(keys ...string) bson.D {
		d := make(bson.D, len(keys))
		for i, k := range keys {
			d[i] = bson.E{Key: k, Value: 1}
		}
		return d
	}
	unique := options.Index().SetUnique(true)
	return []collectionIndexes{
		{questionsColl, []mongo.IndexModel{
			// An agency's queue and the staff dashboard, newest first or
			// by deadline; the public lists; an asker's and an
			// assignee's questions.
			{Keys: asc("agency_id", "status", "deadline", "_id")},
			{Keys: asc("listed", "_id")},
			// The answers feed: listed questions by answer time.
			{Keys: asc("listed", "answered_at", "_id")},
			{Keys: asc("asker_id", "_id")},
			{Keys: asc("assignee_id", "deadline", "_id")},
			// The overdue scan.
			{Keys: asc("overdue_notified", "deadline")},
			// Scorecards: an agency's legs that may end at or after a time.
			{Keys: asc("legs.agency_id", "legs_end")},
			{Keys: asc("tokens", "_id")},
		}},
		{answersColl, []mongo.IndexModel{{Keys: asc("question_id"), Options: unique}}},
		// _id is answer|number, which makes the pair unique.
		{revisionsColl, []mongo.IndexModel{{Keys: asc("answer_id", "number")}}},
		{qaCommentsColl, []mongo.IndexModel{{Keys: asc("question_id", "_id")}}},
		// _id is question|user, which makes the pair unique.
		{upvotesColl, []mongo.IndexModel{{Keys: asc("question_id")}}},
		{qaFollowsColl, []mongo.IndexModel{{Keys: asc("question_id", "user_id")}}},
	}
}

// optTime is nil for the zero time, so that a time not yet set is not
// stored.
func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func fromOptTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// questionDoc is a question. Deadline is always stored (the zero time as
// the earliest BSON datetime) so that questions without one sort first by
// deadline, as qa.ByDeadline asks.
type questionDoc struct {
	ID              string      `bson:"_id"`
	AgencyID        string      `bson:"agency_id"`
	AskerID         string      `bson:"asker_id"`
	Field           string      `bson:"field,omitempty"`
	Title           string      `bson:"title"`
	Body            string      `bson:"body"`
	BodyHTML        string      `bson:"body_html"`
	Sanitizer       int64       `bson:"sanitizer"`
	Private         bool        `bson:"private"`
	Contact         *qa.Contact `bson:"contact,omitempty"`
	Status          string      `bson:"status"`
	AssigneeID      string      `bson:"assignee_id,omitempty"`
	RejectReason    string      `bson:"reject_reason,omitempty"`
	CreatedAt       time.Time   `bson:"created_at"`
	UpdatedAt       time.Time   `bson:"updated_at"`
	AcceptedAt      *time.Time  `bson:"accepted_at,omitempty"`
	Deadline        time.Time   `bson:"deadline"`
	AnsweredAt      *time.Time  `bson:"answered_at,omitempty"`
	ClosedAt        *time.Time  `bson:"closed_at,omitempty"`
	OverdueNotified bool        `bson:"overdue_notified"`
	Listed          bool        `bson:"listed"`
	History         []qa.Change `bson:"history"`
	Legs            []qa.Leg    `bson:"legs"`
	LegsEnd         time.Time   `bson:"legs_end"`
	Tokens          []string    `bson:"tokens"`
	Revision        int64       `bson:"revision"`
}

func contactDoc(c qa.Contact) *qa.Contact {
	if c.Empty() {
		return nil
	}
	return &c
}

// listedTokens are the tokens stored for q: none unless it is listed.
func listedTokens(q *qa.Question) []string {
	if !q.Listed {
		return []string{}
	}
	return nonNil(q.Tokens)
}

func nonNilSlice[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func newQuestionDoc(q *qa.Question) *questionDoc {
	return &questionDoc{ID: q.ID, AgencyID: q.AgencyID, AskerID: q.AskerID, Field: q.Field, Title: q.Title,
		Body: q.Body, BodyHTML: q.BodyHTML, Sanitizer: int64(q.Sanitizer), Private: q.Private,
		Contact: contactDoc(q.Contact), Status: string(q.Status), AssigneeID: q.AssigneeID,
		RejectReason: q.RejectReason, CreatedAt: q.CreatedAt, UpdatedAt: q.UpdatedAt,
		AcceptedAt: optTime(q.AcceptedAt), Deadline: q.Deadline, AnsweredAt: optTime(q.AnsweredAt),
		ClosedAt: optTime(q.ClosedAt), OverdueNotified: q.OverdueNotified, Listed: q.Listed,
		History: nonNilSlice(q.History), Legs: nonNilSlice(q.Legs), LegsEnd: legsEnd(q.Legs), Tokens: listedTokens(q),
		Revision: q.Revision}
}

func (d *questionDoc) question() *qa.Question {
	q := &qa.Question{ID: d.ID, AgencyID: d.AgencyID, AskerID: d.AskerID, Field: d.Field, Title: d.Title,
		Body: d.Body, BodyHTML: d.BodyHTML, Sanitizer: int(d.Sanitizer), Private: d.Private,
		Status: qa.Status(d.Status), AssigneeID: d.AssigneeID, RejectReason: d.RejectReason,
		CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(), AcceptedAt: fromOptTime(d.AcceptedAt),
		Deadline: d.Deadline.UTC(), AnsweredAt: fromOptTime(d.AnsweredAt), ClosedAt: fromOptTime(d.ClosedAt),
		OverdueNotified: d.OverdueNotified, Listed: d.Listed, Tokens: d.Tokens, Revision: d.Revision}
	if d.Contact != nil {
		q.Contact = *d.Contact
	}
	if d.History != nil {
		q.History = make([]qa.Change, len(d.History))
		for i, c := range d.History {
			c.At = c.At.UTC()
			q.History[i] = c
		}
	}
	if d.Legs != nil {
		q.Legs = make([]qa.Leg, len(d.Legs))
		for i, l := range d.Legs {
			q.Legs[i] = utcLeg(l, d.ID)
		}
	}
	return q
}

// utcLeg returns l of question id with its times in UTC.
func utcLeg(l qa.Leg, id string) qa.Leg {
	l.QuestionID = id
	l.StartedAt, l.ClockAt, l.Deadline, l.EndedAt = l.StartedAt.UTC(), l.ClockAt.UTC(), l.Deadline.UTC(), l.EndedAt.UTC()
	return l
}

// openLegEnd stands for the end of a leg that is still open: the
// greatest time a BSON datetime of millisecond precision keeps in Go.
var openLegEnd = time.Date(9999, 12, 31, 23, 59, 59, 999e6, time.UTC)

// legsEnd is the latest start or end of any of legs, openLegEnd when one is
// open: every leg of a question with legs_end before since started and
// ended before since, so Legs can leave the question out.
func legsEnd(legs []qa.Leg) time.Time {
	var end time.Time
	for _, l := range legs {
		if l.EndedAt.IsZero() {
			return openLegEnd
		}
		end = maxTime(end, l.StartedAt, l.EndedAt)
	}
	return end
}

func maxTime(ts ...time.Time) time.Time {
	var m time.Time
	for _, t := range ts {
		if t.After(m) {
			m = t
		}
	}
	return m
}

// questionExists returns nil if the question with id exists, else
// qa.ErrQuestionNotFound. Questions are never removed, so a check before
// attaching something to one stays true.
func (s *QAStore) questionExists(ctx context.Context, id string) error {
	return exists(ctx, s.db.Collection(questionsColl), id, qa.ErrQuestionNotFound, "question")
}

// listProjection leaves out what lists of questions do not return.
var listProjection = bson.D{key("history", 0), key("legs", 0), key("tokens", 0)}

// CreateQuestion implements qa.Store: it inserts q with Revision 0 (and
// sets q.Revision to 0), storing its tokens only if it is listed. A
// question with the same ID is an error.
func (s *QAStore) CreateQuestion(ctx context.Context, q *qa.Question) error {
	q.Revision = 0
	if _, err := s.db.Collection(questionsColl).InsertOne(ctx, newQuestionDoc(q)); err != nil {
		return fmt.Errorf("mongostore: insert question: %w", err)
	}
	return nil
}

// Question implements qa.Store: the question with its History and Legs, and
// its Upvotes and Comments counted, or qa.ErrQuestionNotFound.
func (s *QAStore) Question(ctx context.Context, id string) (*qa.Question, error) {
	q, err := findOne(ctx, s.db.Collection(questionsColl), byID(id), qa.ErrQuestionNotFound, "question", (*questionDoc).question)
	if err != nil {
		return nil, err
	}
	if err := s.withCounts(ctx, []*qa.Question{q}); err != nil {
		return nil, err
	}
	return q, nil
}

// QuestionsByID implements qa.Store.
func (s *QAStore) QuestionsByID(ctx context.Context, ids []string) ([]*qa.Question, error) {
	if len(ids) == 0 {
		return []*qa.Question{}, nil
	}
	filter := bson.D{key("_id", bson.D{key("$in", ids)})}
	return s.findQuestions(ctx, filter, options.Find().SetProjection(listProjection), "find questions")
}

// findQuestions returns the questions filter selects, with their counts.
func (s *QAStore) findQuestions(ctx context.Context, filter bson.D, opts *options.FindOptionsBuilder, what string) ([]*qa.Question, error) {
	qs, err := find(ctx, s.db.Collection(questionsColl), filter, opts, what, (*questionDoc).question)
	if err != nil {
		return nil, err
	}
	if err := s.withCounts(ctx, qs); err != nil {
		return nil, err
	}
	return qs, nil
}

// UpdateQuestion implements qa.Store: one update on the condition {_id,
// revision: q.Revision} that sets every field but the asker and creation
// time (times not set are removed, tokens kept only while q is listed) and
// the next revision, then sets q.Revision. It returns qa.ErrStale when the
// revision has moved on and qa.ErrQuestionNotFound when there is no such
// question; q is then unchanged.
func (s *QAStore) UpdateQuestion(ctx context.Context, q *qa.Question) error {
	next := q.Revision + 1
	set := bson.D{
		key("agency_id", q.AgencyID), key("title", q.Title), key("body", q.Body), key("body_html", q.BodyHTML),
		key("sanitizer", int64(q.Sanitizer)), key("private", q.Private), key("status", string(q.Status)),
		key("updated_at", q.UpdatedAt), key("deadline", q.Deadline), key("overdue_notified", q.OverdueNotified),
		key("listed", q.Listed), key("history", nonNilSlice(q.History)), key("legs", nonNilSlice(q.Legs)),
		key("legs_end", legsEnd(q.Legs)), key("tokens", listedTokens(q)), key("revision", next),
	}
	var unset bson.D
	optional := func(name string, v any, empty bool) {
		if empty {
			unset = append(unset, key(name, ""))
		} else {
			set = append(set, key(name, v))
		}
	}
	optional("field", q.Field, q.Field == "")
	optional("contact", q.Contact, q.Contact.Empty())
	optional("assignee_id", q.AssigneeID, q.AssigneeID == "")
	optional("reject_reason", q.RejectReason, q.RejectReason == "")
	optional("accepted_at", q.AcceptedAt, q.AcceptedAt.IsZero())
	optional("answered_at", q.AnsweredAt, q.AnsweredAt.IsZero())
	optional("closed_at", q.ClosedAt, q.ClosedAt.IsZero())
	update := bson.D{key("$set", set)}
	if len(unset) > 0 {
		update = append(update, key("$unset", unset))
	}
	coll := s.db.Collection(questionsColl)
	res, err := coll.UpdateOne(ctx, bson.D{key("_id", q.ID), key("revision", q.Revision)}, update)
	if err != nil {
		return fmt.Errorf("mongostore: update question: %w", err)
	}
	if res.MatchedCount == 0 {
		if err := s.questionExists(ctx, q.ID); err != nil {
			return err
		}
		return qa.ErrStale
	}
	q.Revision = next
	return nil
}
