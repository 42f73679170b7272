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

// answerDoc is an answer with its revisions. RevisionCount is
// len(Revisions), kept so that AddRevision can set a condition on it.
type answerDoc struct {
	ID            string        `bson:"_id"`
	QuestionID    string        `bson:"question_id"`
	AgencyID      string        `bson:"agency_id"`
	AuthorID      string        `bson:"author_id"`
	StaffTitle    string        `bson:"staff_title,omitempty"`
	Body          string        `bson:"body"`
	BodyHTML      string        `bson:"body_html"`
	Sanitizer     int64         `bson:"sanitizer"`
	PublishedAt   time.Time     `bson:"published_at"`
	Revisions     []revisionDoc `bson:"revisions"`
	RevisionCount int64         `bson:"revision_count"`
}

// revisionDoc is qa.Revision with its sanitizer version stored as int64.
type revisionDoc struct {
	Number     int64     `bson:"number"`
	AuthorID   string    `bson:"author_id"`
	StaffTitle string    `bson:"staff_title,omitempty"`
	Body       string    `bson:"body"`
	BodyHTML   string    `bson:"body_html"`
	Sanitizer  int64     `bson:"sanitizer"`
	Reason     string    `bson:"reason"`
	At         time.Time `bson:"at"`
}

func newRevisionDoc(r *qa.Revision) revisionDoc {
	return revisionDoc{Number: int64(r.Number), AuthorID: r.AuthorID, StaffTitle: r.StaffTitle, Body: r.Body,
		BodyHTML: r.BodyHTML, Sanitizer: int64(r.Sanitizer), Reason: r.Reason, At: r.At}
}

func (d *answerDoc) answer() *qa.Answer {
	a := &qa.Answer{ID: d.ID, QuestionID: d.QuestionID, AgencyID: d.AgencyID, AuthorID: d.AuthorID,
		StaffTitle: d.StaffTitle, Body: d.Body, BodyHTML: d.BodyHTML, Sanitizer: int(d.Sanitizer),
		PublishedAt: d.PublishedAt.UTC(), Revisions: make([]qa.Revision, len(d.Revisions))}
	for i, r := range d.Revisions {
		a.Revisions[i] = qa.Revision{Number: int(r.Number), AuthorID: r.AuthorID, StaffTitle: r.StaffTitle,
			Body: r.Body, BodyHTML: r.BodyHTML, Sanitizer: int(r.Sanitizer), Reason: r.Reason, At: r.At.UTC()}
	}
	return a
}

// AddAnswer implements qa.Store. The unique index on question_id decides
// qa.ErrAlreadyAnswered, so of concurrent answers to one question exactly
// one is stored. Answer IDs are random, so a duplicate key is the question.
// An unknown question is qa.ErrQuestionNotFound.
func (s *QAStore) AddAnswer(ctx context.Context, a *qa.Answer) error {
	if err := s.questionExists(ctx, a.QuestionID); err != nil {
		return err
	}
	d := answerDoc{ID: a.ID, QuestionID: a.QuestionID, AgencyID: a.AgencyID, AuthorID: a.AuthorID,
		StaffTitle: a.StaffTitle, Body: a.Body, BodyHTML: a.BodyHTML, Sanitizer: int64(a.Sanitizer),
		PublishedAt: a.PublishedAt, Revisions: make([]revisionDoc, len(a.Revisions)),
		RevisionCount: int64(len(a.Revisions))}
	for i := range a.Revisions {
		d.Revisions[i] = newRevisionDoc(&a.Revisions[i])
	}
	_, err := s.db.Collection(answersColl).InsertOne(ctx, d)
	switch {
	case mongo.IsDuplicateKeyError(err):
		return qa.ErrAlreadyAnswered
	case err != nil:
		return fmt.Errorf("mongostore: insert answer: %w", err)
	}
	return nil
}

// AnswerFor implements qa.Store.
func (s *QAStore) AnswerFor(ctx context.Context, questionID string) (*qa.Answer, error) {
	return findOne(ctx, s.db.Collection(answersColl), bson.D{key("question_id", questionID)}, qa.ErrAnswerNotFound,
		"answer", (*answerDoc).answer)
}

// Answer returns the answer with id, or qa.ErrAnswerNotFound.
func (s *QAStore) Answer(ctx context.Context, id string) (*qa.Answer, error) {
	return findOne(ctx, s.db.Collection(answersColl), byID(id), qa.ErrAnswerNotFound, "answer", (*answerDoc).answer)
}

// AddRevision implements qa.Store: one update on the condition {_id,
// revision_count: r.Number-1} that pushes r and raises revision_count; the
// answer's first text is left as it is. It returns qa.ErrStale when the
// answer has another number of revisions and qa.ErrAnswerNotFound when
// there is no such answer.
func (s *QAStore) AddRevision(ctx context.Context, answerID string, r *qa.Revision) error {
	coll := s.db.Collection(answersColl)
	res, err := coll.UpdateOne(ctx, bson.D{key("_id", answerID), key("revision_count", int64(r.Number-1))}, bson.D{
		key("$push", bson.D{key("revisions", newRevisionDoc(r))}),
		key("$set", bson.D{key("revision_count", int64(r.Number))}),
	})
	if err != nil {
		return fmt.Errorf("mongostore: add revision: %w", err)
	}
	if res.MatchedCount == 0 {
		if err := exists(ctx, coll, answerID, qa.ErrAnswerNotFound, "answer"); err != nil {
			return err
		}
		return qa.ErrStale
	}
	return nil
}

type qaCommentDoc struct {
	ID         string    `bson:"_id"`
	QuestionID string    `bson:"question_id"`
	AuthorID   string    `bson:"author_id"`
	Body       string    `bson:"body"`
	BodyHTML   string    `bson:"body_html"`
	Sanitizer  int64     `bson:"sanitizer"`
	CreatedAt  time.Time `bson:"created_at"`
	AgencyID   string    `bson:"agency_id,omitempty"`
	StaffTitle string    `bson:"staff_title,omitempty"`
	Hidden     bool      `bson:"hidden"`
}

func (d *qaCommentDoc) comment() *qa.Comment {
	return &qa.Comment{ID: d.ID, QuestionID: d.QuestionID, AuthorID: d.AuthorID, Body: d.Body, BodyHTML: d.BodyHTML,
		Sanitizer: int(d.Sanitizer), CreatedAt: d.CreatedAt.UTC(), AgencyID: d.AgencyID, StaffTitle: d.StaffTitle,
		Hidden: d.Hidden}
}

// AddComment implements qa.Store. It only inserts c: a question's Comments
// is counted from its comments when the question is read (see QAStore). An
// unknown question is qa.ErrQuestionNotFound.
func (s *QAStore) AddComment(ctx context.Context, c *qa.Comment) error {
	if err := s.questionExists(ctx, c.QuestionID); err != nil {
		return err
	}
	_, err := s.db.Collection(qaCommentsColl).InsertOne(ctx, qaCommentDoc{ID: c.ID, QuestionID: c.QuestionID,
		AuthorID: c.AuthorID, Body: c.Body, BodyHTML: c.BodyHTML, Sanitizer: int64(c.Sanitizer), CreatedAt: c.CreatedAt,
		AgencyID: c.AgencyID, StaffTitle: c.StaffTitle, Hidden: c.Hidden})
	if err != nil {
		return fmt.Errorf("mongostore: insert comment: %w", err)
	}
	return nil
}

// Comments implements qa.Store: a range of the {question_id, _id} index; a
// limit of zero or less is no limit.
func (s *QAStore) Comments(ctx context.Context, questionID, after string, limit int) ([]*qa.Comment, error) {
	filter := bson.D{key("question_id", questionID)}
	if after != "" {
		filter = append(filter, key("_id", bson.D{key("$gt", after)}))
	}
	opts := limitOpt(options.Find().SetSort(bson.D{key("_id", 1)}), limit)
	return find(ctx, s.db.Collection(qaCommentsColl), filter, opts, "list comments", (*qaCommentDoc).comment)
}

// Comment returns the comment with id, or qa.ErrCommentNotFound.
func (s *QAStore) Comment(ctx context.Context, id string) (*qa.Comment, error) {
	return findOne(ctx, s.db.Collection(qaCommentsColl), byID(id), qa.ErrCommentNotFound, "comment", (*qaCommentDoc).comment)
}

// SetCommentHidden hides or shows the comment with id, or returns
// qa.ErrCommentNotFound. A hidden comment still counts in its question's
// Comments.
func (s *QAStore) SetCommentHidden(ctx context.Context, id string, hidden bool) error {
	res, err := s.db.Collection(qaCommentsColl).UpdateOne(ctx, byID(id), bson.D{key("$set", bson.D{key("hidden", hidden)})})
	switch {
	case err != nil:
		return fmt.Errorf("mongostore: set comment hidden: %w", err)
	case res.MatchedCount == 0:
		return qa.ErrCommentNotFound
	}
	return nil
}

// withCounts sets the Upvotes and Comments of qs from their documents in
// qa_upvotes and qa_comments: one aggregation each, $group with a single
// $sum, which FerretDB computes right.
func (s *QAStore) withCounts(ctx context.Context, qs []*qa.Question) error {
	if len(qs) == 0 {
		return nil
	}
	ids := make([]string, len(qs))
	for i, q := range qs {
		ids[i] = q.ID
	}
	upvotes, err := s.countByQuestion(ctx, upvotesColl, ids)
	if err != nil {
		return err
	}
	comments, err := s.countByQuestion(ctx, qaCommentsColl, ids)
	if err != nil {
		return err
	}
	for _, q := range qs {
		q.Upvotes, q.Comments = upvotes[q.ID], comments[q.ID]
	}
	return nil
}

// countByQuestion counts the documents of coll of each question of ids.
func (s *QAStore) countByQuestion(ctx context.Context, coll string, ids []string) (map[string]int, error) {
	if len(ids) == 1 { // a plain count, which MongoDB answers from the index
		n, err := s.db.Collection(coll).CountDocuments(ctx, bson.D{key("question_id", ids[0])})
		if err != nil {
			return nil, fmt.Errorf("mongostore: count %s: %w", coll, err)
		}
		return map[string]int{ids[0]: int(n)}, nil
	}
	cur, err := s.db.Collection(coll).Aggregate(ctx, mongo.Pipeline{
		{key("$match", bson.D{key("question_id", bson.D{key("$in", ids)})})},
		{key("$group", bson.D{key("_id", "$question_id"), key("n", bson.D{key("$sum", 1)})})},
	})
	if err != nil {
		return nil, fmt.Errorf("mongostore: count %s: %w", coll, err)
	}
	var counts []struct {
		QuestionID string `bson:"_id"`
		N          int64  `bson:"n"`
	}
	if err := cur.All(ctx, &counts); err != nil {
		return nil, fmt.Errorf("mongostore: count %s: %w", coll, err)
	}
	out := make(map[string]int, len(counts))
	for _, c := range counts {
		out[c.QuestionID] = int(c.N)
	}
	return out, nil
}
