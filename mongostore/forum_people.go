package mongostore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/civichub/civichub/forum"
)

type flagDoc struct {
	ID        string    `bson:"_id"` // post|user
	PostID    string    `bson:"post_id"`
	UserID    string    `bson:"user_id"`
	Reason    string    `bson:"reason"`
	Note      string    `bson:"note,omitempty"`
	CreatedAt time.Time `bson:"created_at"`
}

func (d *flagDoc) flag() *forum.Flag {
	return &forum.Flag{PostID: d.PostID, UserID: d.UserID, Reason: forum.ReasonCode(d.Reason), Note: d.Note,
		CreatedAt: d.CreatedAt.UTC()}
}

// AddFlag implements forum.Store. The flag's _id is post|user, so the
// server refuses a second flag of one user (forum.ErrAlreadyFlagged) however
// the calls interleave; the count returned is the post's flag documents,
// counted after the insert, so the last of concurrent flags sees them all.
// The first flag marks the post flagged (an update only while it is not).
// An unknown post is forum.ErrPostNotFound.
func (s *ForumStore) AddFlag(ctx context.Context, f *forum.Flag) (int, error) {
	posts := s.db.Collection(postsColl)
	if err := exists(ctx, posts, f.PostID, forum.ErrPostNotFound, "post"); err != nil {
		return 0, err
	}
	flags := s.db.Collection(flagsColl)
	_, err := flags.InsertOne(ctx, flagDoc{ID: pairID(f.PostID, f.UserID), PostID: f.PostID, UserID: f.UserID,
		Reason: string(f.Reason), Note: f.Note, CreatedAt: f.CreatedAt})
	switch {
	case mongo.IsDuplicateKeyError(err):
		return 0, forum.ErrAlreadyFlagged
	case err != nil:
		return 0, fmt.Errorf("mongostore: insert flag: %w", err)
	}
	_, err = posts.UpdateOne(ctx, bson.D{key("_id", f.PostID), key("flagged", bson.D{key("$ne", true)})},
		bson.D{key("$set", bson.D{key("flagged", true)})})
	if err != nil {
		return 0, fmt.Errorf("mongostore: mark post flagged: %w", err)
	}
	n, err := flags.CountDocuments(ctx, bson.D{key("post_id", f.PostID)})
	if err != nil {
		return 0, fmt.Errorf("mongostore: count flags: %w", err)
	}
	return int(n), nil
}

// Flags implements forum.Store, oldest first.
func (s *ForumStore) Flags(ctx context.Context, postID string) ([]*forum.Flag, error) {
	return find(ctx, s.db.Collection(flagsColl), bson.D{key("post_id", postID)},
		options.Find().SetSort(bson.D{key("created_at", 1), key("user_id", 1)}), "list flags", (*flagDoc).flag)
}

// Follow implements forum.Store: an upsert of the document thread|user, so
// following twice is no error.
func (s *ForumStore) Follow(ctx context.Context, userID, threadID string) error {
	_, err := s.db.Collection(followsColl).UpdateOne(ctx, byID(pairID(threadID, userID)),
		bson.D{key("$setOnInsert", bson.D{key("thread_id", threadID), key("user_id", userID)})},
		options.UpdateOne().SetUpsert(true))
	if err != nil && !mongo.IsDuplicateKeyError(err) { // a concurrent Follow inserted it
		return fmt.Errorf("mongostore: follow: %w", err)
	}
	return nil
}

// Unfollow implements forum.Store; unfollowing a thread not followed is no
// error.
func (s *ForumStore) Unfollow(ctx context.Context, userID, threadID string) error {
	if _, err := s.db.Collection(followsColl).DeleteOne(ctx, byID(pairID(threadID, userID))); err != nil {
		return fmt.Errorf("mongostore: unfollow: %w", err)
	}
	return nil
}

// Following implements forum.Store.
func (s *ForumStore) Following(ctx context.Context, userID, threadID string) (bool, error) {
	err := exists(ctx, s.db.Collection(followsColl), pairID(threadID, userID), mongo.ErrNoDocuments, "follow")
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return false, nil
	case err != nil:
		return false, err
	}
	return true, nil
}

// Followers implements forum.Store, by user ID.
func (s *ForumStore) Followers(ctx context.Context, threadID string) ([]string, error) {
	type followDoc struct {
		UserID string `bson:"user_id"`
	}
	opts := options.Find().SetSort(bson.D{key("user_id", 1)}).SetProjection(bson.D{key("user_id", 1)})
	ids, err := find(ctx, s.db.Collection(followsColl), bson.D{key("thread_id", threadID)}, opts, "list followers",
		func(d *followDoc) *string { return &d.UserID })
	if err != nil {
		return nil, err
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = *id
	}
	return out, nil
}

type notificationDoc struct {
	ID        string    `bson:"_id"`
	UserID    string    `bson:"user_id"`
	ThreadID  string    `bson:"thread_id"`
	PostID    string    `bson:"post_id"`
	ActorID   string    `bson:"actor_id"`
	CreatedAt time.Time `bson:"created_at"`
	Read      bool      `bson:"read"`
}

func (d *notificationDoc) notification() *forum.Notification {
	return &forum.Notification{ID: d.ID, UserID: d.UserID, ThreadID: d.ThreadID, PostID: d.PostID, ActorID: d.ActorID,
		CreatedAt: d.CreatedAt.UTC(), Read: d.Read}
}

// AddNotifications implements forum.Store: one unordered InsertMany.
func (s *ForumStore) AddNotifications(ctx context.Context, ns []*forum.Notification) error {
	if len(ns) == 0 {
		return nil
	}
	docs := make([]notificationDoc, len(ns))
	for i, n := range ns {
		docs[i] = notificationDoc{ID: n.ID, UserID: n.UserID, ThreadID: n.ThreadID, PostID: n.PostID, ActorID: n.ActorID,
			CreatedAt: n.CreatedAt, Read: n.Read}
	}
	if _, err := s.db.Collection(notificationsColl).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false)); err != nil {
		return fmt.Errorf("mongostore: insert notifications: %w", err)
	}
	return nil
}

// beforeFilter selects _id below before, or everything when before is "".
func beforeFilter(filter bson.D, before string) bson.D {
	if before == "" {
		return filter
	}
	return append(filter, key("_id", bson.D{key("$lt", before)}))
}

// Notifications implements forum.Store.
func (s *ForumStore) Notifications(ctx context.Context, userID, before string, limit int) ([]*forum.Notification, error) {
	opts := limitOpt(options.Find().SetSort(bson.D{key("_id", -1)}), limit)
	return find(ctx, s.db.Collection(notificationsColl), beforeFilter(bson.D{key("user_id", userID)}, before), opts,
		"list notifications", (*notificationDoc).notification)
}

// UnreadCount implements forum.Store.
func (s *ForumStore) UnreadCount(ctx context.Context, userID string) (int, error) {
	n, err := s.db.Collection(notificationsColl).CountDocuments(ctx, bson.D{key("user_id", userID), key("read", false)})
	if err != nil {
		return 0, fmt.Errorf("mongostore: count unread: %w", err)
	}
	return int(n), nil
}

// MarkRead implements forum.Store.
func (s *ForumStore) MarkRead(ctx context.Context, userID, upTo string) error {
	filter := bson.D{key("user_id", userID), key("read", false)}
	if upTo != "" {
		filter = append(filter, key("_id", bson.D{key("$lte", upTo)}))
	}
	_, err := s.db.Collection(notificationsColl).UpdateMany(ctx, filter, bson.D{key("$set", bson.D{key("read", true)})})
	if err != nil {
		return fmt.Errorf("mongostore: mark read: %w", err)
	}
	return nil
}

// wordDoc is a watched word. Its _id is the word, so there is one document
// per word and PutWord is one replace.
type wordDoc struct {
	Word        string    `bson:"_id"`
	ID          string    `bson:"id"`
	Action      string    `bson:"action"`
	Replacement string    `bson:"replacement,omitempty"`
	CreatedAt   time.Time `bson:"created_at"`
}

func (d *wordDoc) word() *forum.WatchedWord {
	return &forum.WatchedWord{ID: d.ID, Word: d.Word, Action: forum.WordAction(d.Action), Replacement: d.Replacement,
		CreatedAt: d.CreatedAt.UTC()}
}

// PutWord implements forum.Store: an upserting replace of the word's
// document, so a word already watched takes w's ID, action, replacement and
// time.
func (s *ForumStore) PutWord(ctx context.Context, w *forum.WatchedWord) error {
	doc := wordDoc{Word: w.Word, ID: w.ID, Action: string(w.Action), Replacement: w.Replacement, CreatedAt: w.CreatedAt}
	coll := s.db.Collection(wordsColl)
	_, err := coll.ReplaceOne(ctx, byID(w.Word), doc, options.Replace().SetUpsert(true))
	if mongo.IsDuplicateKeyError(err) { // a concurrent PutWord inserted it: replace that
		_, err = coll.ReplaceOne(ctx, byID(w.Word), doc)
	}
	if err != nil {
		return fmt.Errorf("mongostore: put word: %w", err)
	}
	return nil
}

// DeleteWord implements forum.Store.
func (s *ForumStore) DeleteWord(ctx context.Context, id string) error {
	res, err := s.db.Collection(wordsColl).DeleteOne(ctx, bson.D{key("id", id)})
	if err != nil {
		return fmt.Errorf("mongostore: delete word: %w", err)
	}
	if res.DeletedCount == 0 {
		return forum.ErrWordNotFound
	}
	return nil
}

// Words implements forum.Store, by word.
func (s *ForumStore) Words(ctx context.Context) ([]*forum.WatchedWord, error) {
	return find(ctx, s.db.Collection(wordsColl), bson.D{}, options.Find().SetSort(bson.D{key("_id", 1)}),
		"list words", (*wordDoc).word)
}

type auditDoc struct {
	ID         string    `bson:"_id"`
	ActorID    string    `bson:"actor_id"`
	Action     string    `bson:"action"`
	TargetType string    `bson:"target_type"`
	TargetID   string    `bson:"target_id"`
	Reason     string    `bson:"reason,omitempty"`
	Details    string    `bson:"details,omitempty"`
	At         time.Time `bson:"at"`
}

func (d *auditDoc) entry() *forum.AuditEntry {
	return &forum.AuditEntry{ID: d.ID, ActorID: d.ActorID, Action: d.Action, TargetType: d.TargetType,
		TargetID: d.TargetID, Reason: d.Reason, Details: d.Details, At: d.At.UTC()}
}

// AddAudit implements forum.Store. The store only ever inserts into the
// audit collection; making it append-only for other clients is the
// database's access control (a role with insert and find only).
func (s *ForumStore) AddAudit(ctx context.Context, e *forum.AuditEntry) error {
	_, err := s.db.Collection(auditColl).InsertOne(ctx, auditDoc{ID: e.ID, ActorID: e.ActorID, Action: e.Action,
		TargetType: e.TargetType, TargetID: e.TargetID, Reason: e.Reason, Details: e.Details, At: e.At})
	if err != nil {
		return fmt.Errorf("mongostore: insert audit entry: %w", err)
	}
	return nil
}

// Audit implements forum.Store.
func (s *ForumStore) Audit(ctx context.Context, before string, limit int) ([]*forum.AuditEntry, error) {
	opts := limitOpt(options.Find().SetSort(bson.D{key("_id", -1)}), limit)
	return find(ctx, s.db.Collection(auditColl), beforeFilter(bson.D{}, before), opts, "list audit", (*auditDoc).entry)
}
