package mongostore

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Upvotes, follows and answer days, part of QAStore.

type upvoteDoc struct {
	ID         string `bson:"_id"` // question|user
	QuestionID string `bson:"question_id"`
	UserID     string `bson:"user_id"`
}

// Upvote implements qa.Store. The upvote's _id is question|user, so the
// server keeps one per user however the calls interleave; a repeated
// upvote is no error. The count returned is the question's upvotes counted
// after the insert, so the last of concurrent upvotes sees them all. An
// unknown question is qa.ErrQuestionNotFound.
func (s *QAStore) Upvote(ctx context.Context, questionID, userID string) (int, error) {
	if err := s.questionExists(ctx, questionID); err != nil {
		return 0, err
	}
	_, err := s.db.Collection(upvotesColl).InsertOne(ctx, upvoteDoc{ID: pairID(questionID, userID),
		QuestionID: questionID, UserID: userID})
	if err != nil && !mongo.IsDuplicateKeyError(err) {
		return 0, fmt.Errorf("mongostore: insert upvote: %w", err)
	}
	return s.countUpvotes(ctx, questionID)
}

// Unvote implements qa.Store; undoing an upvote that is not there is no
// error, but an unknown question is qa.ErrQuestionNotFound. It returns the
// upvotes counted after the delete.
func (s *QAStore) Unvote(ctx context.Context, questionID, userID string) (int, error) {
	if err := s.questionExists(ctx, questionID); err != nil {
		return 0, err
	}
	if _, err := s.db.Collection(upvotesColl).DeleteOne(ctx, byID(pairID(questionID, userID))); err != nil {
		return 0, fmt.Errorf("mongostore: delete upvote: %w", err)
	}
	return s.countUpvotes(ctx, questionID)
}

func (s *QAStore) countUpvotes(ctx context.Context, questionID string) (int, error) {
	n, err := s.db.Collection(upvotesColl).CountDocuments(ctx, bson.D{key("question_id", questionID)})
	if err != nil {
		return 0, fmt.Errorf("mongostore: count upvotes: %w", err)
	}
	return int(n), nil
}

// Upvoted implements qa.Store.
func (s *QAStore) Upvoted(ctx context.Context, questionID, userID string) (bool, error) {
	return s.has(ctx, upvotesColl, pairID(questionID, userID), "upvote")
}

// has reports whether coll has a document with id.
func (s *QAStore) has(ctx context.Context, coll, id, what string) (bool, error) {
	err := exists(ctx, s.db.Collection(coll), id, mongo.ErrNoDocuments, what)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return false, nil
	case err != nil:
		return false, err
	}
	return true, nil
}

// Follow implements qa.Store: an upsert of the document question|user, so
// following twice is no error. An unknown question is
// qa.ErrQuestionNotFound.
func (s *QAStore) Follow(ctx context.Context, questionID, userID string) error {
	if err := s.questionExists(ctx, questionID); err != nil {
		return err
	}
	_, err := s.db.Collection(qaFollowsColl).UpdateOne(ctx, byID(pairID(questionID, userID)),
		bson.D{key("$setOnInsert", bson.D{key("question_id", questionID), key("user_id", userID)})},
		options.UpdateOne().SetUpsert(true))
	if err != nil && !mongo.IsDuplicateKeyError(err) { // a concurrent Follow inserted it
		return fmt.Errorf("mongostore: follow question: %w", err)
	}
	return nil
}

// Unfollow implements qa.Store; unfollowing a question not followed is no
// error.
func (s *QAStore) Unfollow(ctx context.Context, questionID, userID string) error {
	if _, err := s.db.Collection(qaFollowsColl).DeleteOne(ctx, byID(pairID(questionID, userID))); err != nil {
		return fmt.Errorf("mongostore: unfollow question: %w", err)
	}
	return nil
}

// Following implements qa.Store.
func (s *QAStore) Following(ctx context.Context, questionID, userID string) (bool, error) {
	return s.has(ctx, qaFollowsColl, pairID(questionID, userID), "follow")
}

// Followers implements qa.Store, ordered by user ID.
func (s *QAStore) Followers(ctx context.Context, questionID string) ([]string, error) {
	type followDoc struct {
		UserID string `bson:"user_id"`
	}
	var docs []followDoc
	opts := options.Find().SetSort(bson.D{key("user_id", 1)}).SetProjection(bson.D{key("user_id", 1)})
	if err := findAll(ctx, s.db.Collection(qaFollowsColl), bson.D{key("question_id", questionID)}, opts, &docs); err != nil {
		return nil, fmt.Errorf("mongostore: list followers: %w", err)
	}
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = d.UserID
	}
	return out, nil
}

// AnswerDays implements qa.Store: 0 when the agency has no setting.
func (s *QAStore) AnswerDays(ctx context.Context, agencyID string) (int, error) {
	var d struct {
		Days int64 `bson:"days"`
	}
	err := s.db.Collection(answerDaysColl).FindOne(ctx, byID(agencyID)).Decode(&d)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return 0, nil
	case err != nil:
		return 0, fmt.Errorf("mongostore: find answer days: %w", err)
	}
	return int(d.Days), nil
}

// SetAnswerDays implements qa.Store: an upsert of the agency's document
// (_id the agency ID).
func (s *QAStore) SetAnswerDays(ctx context.Context, agencyID string, days int) error {
	coll := s.db.Collection(answerDaysColl)
	update := bson.D{key("$set", bson.D{key("days", int64(days))})}
	_, err := coll.UpdateOne(ctx, byID(agencyID), update, options.UpdateOne().SetUpsert(true))
	if mongo.IsDuplicateKeyError(err) { // a concurrent SetAnswerDays inserted it: update that
		_, err = coll.UpdateOne(ctx, byID(agencyID), update)
	}
	if err != nil {
		return fmt.Errorf("mongostore: set answer days: %w", err)
	}
	return nil
}
