package mongostore

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/civichub/civichub/qa"
)

// answerDoc is an answer without its revisions.
type answerDoc struct {
	ID          string    `bson:"_id"`
	QuestionID  string    `bson:"question_id"`
	AgencyID    string    `bson:"agency_id"`
	AuthorID    string    `bson:"author_id"`
	StaffTitle  string    `bson:"staff_title,omitempty"`
	Body        string    `bson:"body"`
	BodyHTML    string    `bson:"body_html"`
	Sanitizer   int64     `bson:"sanitizer"`
	PublishedAt time.Time `bson:"published_at"`
}

func (d *answerDoc) answer() *qa.Answer {
	return &qa.Answer{ID: d.ID, QuestionID: d.QuestionID, AgencyID: d.AgencyID, AuthorID: d.AuthorID,
		StaffTitle: d.StaffTitle, Body: d.Body, BodyHTML: d.BodyHTML, Sanitizer: int(d.Sanitizer),
		PublishedAt: d.PublishedAt.UTC(), Revisions: []qa.Revision{}}
}

// revisionDoc is one revision of an answer. Its _id is answer|number, so
// the server keeps one revision of each number.
type revisionDoc struct {
	ID         string    `bson:"_id"`
	AnswerID   string    `bson:"answer_id"`
	Number     int64     `bson:"number"`
	AuthorID   string    `bson:"author_id"`
	StaffTitle string    `bson:"staff_title,omitempty"`
	Body       string    `bson:"body"`
	BodyHTML   string    `bson:"body_html"`
	Sanitizer  int64     `bson:"sanitizer"`
	Reason     string    `bson:"reason"`
	At         time.Time `bson:"at"`
}

func revisionID(answerID string, number int) string { return pairID(answerID, strconv.Itoa(number)) }

func newRevisionDoc(answerID string, r *qa.Revision) *revisionDoc {
	return &revisionDoc{ID: revisionID(answerID, r.Number), AnswerID: answerID, Number: int64(r.Number),
		AuthorID: r.AuthorID, StaffTitle: r.StaffTitle, Body: r.Body, BodyHTML: r.BodyHTML,
		Sanitizer: int64(r.Sanitizer), Reason: r.Reason, At: r.At}
}

func (d *revisionDoc) revision() *qa.Revision {
	return &qa.Revision{Number: int(d.Number), AuthorID: d.AuthorID, StaffTitle: d.StaffTitle, Body: d.Body,
		BodyHTML: d.BodyHTML, Sanitizer: int(d.Sanitizer), Reason: d.Reason, At: d.At.UTC()}
}

// AddAnswer implements qa.Store. The unique index on question_id decides
// qa.ErrAlreadyAnswered, so of concurrent answers to one question exactly
// one is stored. Answer IDs are random, so a duplicate key is the question.
// An unknown question is qa.ErrQuestionNotFound. Revisions given with a are
// stored after it, as AddRevision would.
func (s *QAStore) AddAnswer(ctx context.Context, a *qa.Answer) error {
	if err := s.questionExists(ctx, a.QuestionID); err != nil {
		return err
	}
	_, err := s.db.Collection(answersColl).InsertOne(ctx, answerDoc{ID: a.ID, QuestionID: a.QuestionID,
		AgencyID: a.AgencyID, AuthorID: a.AuthorID, StaffTitle: a.StaffTitle, Body: a.Body, BodyHTML: a.BodyHTML,
		Sanitizer: int64(a.Sanitizer), PublishedAt: a.PublishedAt})
	switch {
	case mongo.IsDuplicateKeyError(err):
		return qa.ErrAlreadyAnswered
	case err != nil:
		return fmt.Errorf("mongostore: insert answer: %w", err)
	}
	for i := range a.Revisions {
		if err := s.AddRevision(ctx, a.ID, &a.Revisions[i]); err != nil {
			return err
		}
	}
	return nil
}

// AnswerFor implements qa.Store.
func (s *QAStore) AnswerFor(ctx context.Context, questionID string) (*qa.Answer, error) {
	return s.findAnswer(ctx, bson.D{key("question_id", questionID)})
}

// Answer returns the answer with id and its revisions, or
// qa.ErrAnswerNotFound.
func (s *QAStore) Answer(ctx context.Context, id string) (*qa.Answer, error) {
	return s.findAnswer(ctx, byID(id))
}

// findAnswer returns the answer filter selects with its revisions, read
// after it: a revision is stored only once its answer is.
func (s *QAStore) findAnswer(ctx context.Context, filter bson.D) (*qa.Answer, error) {
	a, err := findOne(ctx, s.db.Collection(answersColl), filter, qa.ErrAnswerNotFound, "answer", (*answerDoc).answer)
	if err != nil {
		return nil, err
	}
	revs, err := find(ctx, s.db.Collection(revisionsColl), bson.D{key("answer_id", a.ID)},
		options.Find().SetSort(bson.D{key("answer_id", 1), key("number", 1)}), "list revisions", (*revisionDoc).revision)
	if err != nil {
		return nil, err
	}
	for _, r := range revs {
		a.Revisions = append(a.Revisions, *r)
	}
	return a, nil
}

// AddRevision implements qa.Store: it inserts r as the document
// answer|r.Number once revision r.Number-1 is found (when r.Number is over
// 1), so the unique _id decides between concurrent revisions of one number
// and, revisions never being removed, numbers have no gaps: an answer with
// revision n-1 and without revision n has exactly n-1. It returns
// qa.ErrStale when revision r.Number exists or r.Number-1 does not (or
// r.Number is not positive), and qa.ErrAnswerNotFound when there is no
// such answer. The answer's first text is left as it is.
func (s *QAStore) AddRevision(ctx context.Context, answerID string, r *qa.Revision) error {
	if err := exists(ctx, s.db.Collection(answersColl), answerID, qa.ErrAnswerNotFound, "answer"); err != nil {
		return err
	}
	if r.Number < 1 {
		return qa.ErrStale
	}
	revs := s.db.Collection(revisionsColl)
	if r.Number > 1 {
		if err := exists(ctx, revs, revisionID(answerID, r.Number-1), qa.ErrStale, "revision"); err != nil {
			return err
		}
	}
	_, err := revs.InsertOne(ctx, newRevisionDoc(answerID, r))
	switch {
	case mongo.IsDuplicateKeyError(err):
		return qa.ErrStale
	case err != nil:
		return fmt.Errorf("mongostore: insert revision: %w", err)
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
