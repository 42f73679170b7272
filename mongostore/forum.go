package mongostore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/civichub/civichub/forum"
	"github.com/civichub/civichub/i18n"
)

// The forum collections.
const (
	categoriesColl    = "forum_categories"
	threadsColl       = "forum_threads"
	postsColl         = "forum_posts"
	editsColl         = "forum_edits"
	flagsColl         = "forum_flags"
	followsColl       = "forum_follows"
	notificationsColl = "forum_notifications"
	wordsColl         = "forum_words"
	auditColl         = "forum_audit"
)

// ForumStore implements forum.Store. It is safe for concurrent use, also
// from several nodes. Errors other than the forum sentinel errors each
// method documents are driver errors wrapped with a "mongostore:" prefix.
//
// Posts, edits, flags, follows and notifications are documents of their
// own, never arrays in a parent. Nothing relies on a transaction or on an
// update that reads before it writes, because FerretDB v1 runs each update
// as a read followed by a whole-document write, so concurrent updates of
// one document can lose one another:
//
//   - A post's number comes from an insert: the thread's highest number
//     plus one, under the unique index {thread_id, number}; a collision
//     (another post took the number) reads the highest again and retries.
//     The thread's post_count and last_post_at are then raised with $max.
//     Thread reads take the count from the highest number, so it is exact
//     even where a $max was lost; lists sort on the stored last_post_at.
//   - A flag is a document with _id post|user, so the unique _id allows
//     one per user; a post's FlagCount is the count of its flags, read
//     only for posts marked flagged.
//   - A search uses the multikey indexes on title_tokens and tokens with
//     {$all: tokens}.
//
// On MongoDB every single-document update is atomic. On FerretDB an
// update of a thread (lock, pin) that races the $max of a new post in it,
// or an update of a post that races its first flag, can be undone by the
// other's write; FerretDB is for tests.
type ForumStore struct {
	db *mongo.Database
}

var _ forum.Store = (*ForumStore)(nil)

// Forum returns the forum store, which uses db's connection. It is cheap;
// the store is safe for concurrent use.
func (db *DB) Forum() *ForumStore { return &ForumStore{db: db.db} }

func forumIndexes() []collectionIndexes {
	asc := func(keys ...string) bson.D {
		d := make(bson.D, len(keys))
		for i, k := range keys {
			d[i] = bson.E{Key: k, Value: 1}
		}
		return d
	}
	unique := options.Index().SetUnique(true)
	return []collectionIndexes{
		{categoriesColl, []mongo.IndexModel{{Keys: asc("slug"), Options: unique}}},
		{threadsColl, []mongo.IndexModel{
			// Thread lists: equality on the first three, keyset on the rest.
			{Keys: asc("category_id", "pinned", "deleted", "last_post_at", "_id")},
			{Keys: asc("title_tokens", "_id")},
		}},
		{postsColl, []mongo.IndexModel{
			{Keys: asc("thread_id", "number"), Options: unique},
			{Keys: asc("tokens", "_id")},
			{Keys: asc("review", "_id")},
			{Keys: asc("sanitizer")},
		}},
		{editsColl, []mongo.IndexModel{{Keys: asc("post_id", "_id")}}},
		{flagsColl, []mongo.IndexModel{{Keys: asc("post_id")}}},
		{followsColl, []mongo.IndexModel{{Keys: asc("thread_id", "user_id")}}},
		{notificationsColl, []mongo.IndexModel{{Keys: asc("user_id", "_id")}, {Keys: asc("user_id", "read")}}},
		{wordsColl, []mongo.IndexModel{{Keys: asc("id")}}},
	}
}

func key(k string, v any) bson.E { return bson.E{Key: k, Value: v} }

func byID(id string) bson.D { return bson.D{key("_id", id)} }

// limitOpt sets limit on opts unless it is zero or less.
func limitOpt(opts *options.FindOptionsBuilder, limit int) *options.FindOptionsBuilder {
	if limit > 0 {
		opts.SetLimit(int64(limit))
	}
	return opts
}

// find decodes the documents filter selects into D and converts them.
func find[D, T any](ctx context.Context, coll *mongo.Collection, filter bson.D, opts *options.FindOptionsBuilder, what string, conv func(*D) *T) ([]*T, error) {
	var docs []D
	if err := findAll(ctx, coll, filter, opts, &docs); err != nil {
		return nil, fmt.Errorf("mongostore: %s: %w", what, err)
	}
	out := make([]*T, len(docs))
	for i := range docs {
		out[i] = conv(&docs[i])
	}
	return out, nil
}

// exists reports whether coll has a document with id; no document is
// notFound.
func exists(ctx context.Context, coll *mongo.Collection, id string, notFound error, what string) error {
	err := coll.FindOne(ctx, byID(id), options.FindOne().SetProjection(bson.D{key("_id", 1)})).Err()
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return notFound
	case err != nil:
		return fmt.Errorf("mongostore: find %s: %w", what, err)
	}
	return nil
}

type categoryDoc struct {
	ID          string    `bson:"_id"`
	Slug        string    `bson:"slug"`
	Name        i18n.Text `bson:"name"`
	Description i18n.Text `bson:"description"`
	AgencyID    string    `bson:"agency_id,omitempty"`
	Position    int64     `bson:"position"`
	CreatedAt   time.Time `bson:"created_at"`
}

func (d *categoryDoc) category() *forum.Category {
	return &forum.Category{ID: d.ID, Slug: d.Slug, Name: d.Name, Description: d.Description, AgencyID: d.AgencyID,
		Position: int(d.Position), CreatedAt: d.CreatedAt.UTC()}
}

// CreateCategory implements forum.Store. The unique index on slug decides
// forum.ErrSlugTaken.
func (s *ForumStore) CreateCategory(ctx context.Context, c *forum.Category) error {
	_, err := s.db.Collection(categoriesColl).InsertOne(ctx, categoryDoc{ID: c.ID, Slug: c.Slug, Name: c.Name,
		Description: c.Description, AgencyID: c.AgencyID, Position: int64(c.Position), CreatedAt: c.CreatedAt})
	switch {
	case mongo.IsDuplicateKeyError(err):
		return forum.ErrSlugTaken // IDs are random, so the duplicate is the slug
	case err != nil:
		return fmt.Errorf("mongostore: insert category: %w", err)
	}
	return nil
}

// Category implements forum.Store.
func (s *ForumStore) Category(ctx context.Context, id string) (*forum.Category, error) {
	return findOne(ctx, s.db.Collection(categoriesColl), byID(id), forum.ErrCategoryNotFound, "category", (*categoryDoc).category)
}

// Categories implements forum.Store.
func (s *ForumStore) Categories(ctx context.Context) ([]*forum.Category, error) {
	return find(ctx, s.db.Collection(categoriesColl), bson.D{},
		options.Find().SetSort(bson.D{key("position", 1), key("_id", 1)}), "list categories", (*categoryDoc).category)
}

type threadDoc struct {
	ID          string    `bson:"_id"`
	CategoryID  string    `bson:"category_id"`
	Title       string    `bson:"title"`
	TitleTokens []string  `bson:"title_tokens"`
	AuthorID    string    `bson:"author_id"`
	Pinned      bool      `bson:"pinned"`
	Locked      bool      `bson:"locked"`
	Deleted     bool      `bson:"deleted"`
	PostCount   int64     `bson:"post_count"`
	LastPostAt  time.Time `bson:"last_post_at"`
	CreatedAt   time.Time `bson:"created_at"`
}

func (d *threadDoc) thread() *forum.Thread {
	return &forum.Thread{ID: d.ID, CategoryID: d.CategoryID, Title: d.Title, TitleTokens: d.TitleTokens,
		AuthorID: d.AuthorID, Pinned: d.Pinned, Locked: d.Locked, Deleted: d.Deleted, PostCount: int(d.PostCount),
		LastPostAt: d.LastPostAt.UTC(), CreatedAt: d.CreatedAt.UTC()}
}

func nonNil(ts []string) []string {
	if ts == nil {
		return []string{}
	}
	return ts
}

// CreateThread implements forum.Store: it inserts the thread, then its
// first post (removing the thread again if that fails). It sets p's
// ThreadID, Number (1) and Revision (1) and t's PostCount (1) and
// LastPostAt (p's CreatedAt). It returns forum.ErrCategoryNotFound when t's
// category does not exist.
func (s *ForumStore) CreateThread(ctx context.Context, t *forum.Thread, p *forum.Post) error {
	if err := exists(ctx, s.db.Collection(categoriesColl), t.CategoryID, forum.ErrCategoryNotFound, "category"); err != nil {
		return err
	}
	p.ThreadID, p.Number, p.Revision = t.ID, 1, 1
	t.PostCount, t.LastPostAt = 1, p.CreatedAt
	threads := s.db.Collection(threadsColl)
	_, err := threads.InsertOne(ctx, threadDoc{ID: t.ID, CategoryID: t.CategoryID, Title: t.Title,
		TitleTokens: nonNil(t.TitleTokens), AuthorID: t.AuthorID, Pinned: t.Pinned, Locked: t.Locked, Deleted: t.Deleted,
		PostCount: 1, LastPostAt: t.LastPostAt, CreatedAt: t.CreatedAt})
	if err != nil {
		return fmt.Errorf("mongostore: insert thread: %w", err)
	}
	if _, err := s.db.Collection(postsColl).InsertOne(ctx, newPostDoc(p)); err != nil {
		if _, derr := threads.DeleteOne(context.WithoutCancel(ctx), byID(t.ID)); derr != nil {
			err = errors.Join(err, derr)
		}
		return fmt.Errorf("mongostore: insert first post: %w", err)
	}
	return nil
}

// Thread implements forum.Store. Its PostCount is the thread's highest
// post number, and its LastPostAt at least that post's time, whatever a
// lost $max left in the document (see ForumStore).
func (s *ForumStore) Thread(ctx context.Context, id string) (*forum.Thread, error) {
	t, err := findOne(ctx, s.db.Collection(threadsColl), byID(id), forum.ErrThreadNotFound, "thread", (*threadDoc).thread)
	if err != nil {
		return nil, err
	}
	var last struct {
		Number    int64     `bson:"number"`
		CreatedAt time.Time `bson:"created_at"`
	}
	err = s.db.Collection(postsColl).FindOne(ctx, bson.D{key("thread_id", id)}, options.FindOne().
		SetSort(bson.D{key("number", -1)}).SetProjection(bson.D{key("number", 1), key("created_at", 1)})).Decode(&last)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
	case err != nil:
		return nil, fmt.Errorf("mongostore: find last post: %w", err)
	default:
		t.PostCount = max(t.PostCount, int(last.Number))
		if last.CreatedAt.After(t.LastPostAt) {
			t.LastPostAt = last.CreatedAt.UTC()
		}
	}
	return t, nil
}

// Threads implements forum.Store: one query on the thread list index, the
// keyset as {$or: [{last_post_at: {$lt: t}}, {last_post_at: t, _id: {$lt:
// id}}]} (reversed with Oldest).
func (s *ForumStore) Threads(ctx context.Context, q forum.ThreadPage) ([]*forum.Thread, error) {
	filter := bson.D{key("category_id", q.CategoryID), key("pinned", false)}
	if q.WithDeleted {
		filter = append(filter, key("deleted", bson.D{key("$in", bson.A{false, true})}))
	} else {
		filter = append(filter, key("deleted", false))
	}
	dir, cmp := -1, "$lt"
	if q.Oldest {
		dir, cmp = 1, "$gt"
	}
	if q.AfterID != "" {
		filter = append(filter, key("$or", bson.A{
			bson.D{key("last_post_at", bson.D{key(cmp, q.AfterTime)})},
			bson.D{key("last_post_at", q.AfterTime), key("_id", bson.D{key(cmp, q.AfterID)})},
		}))
	}
	opts := limitOpt(options.Find().SetSort(bson.D{key("last_post_at", dir), key("_id", dir)}), q.Limit)
	return find(ctx, s.db.Collection(threadsColl), filter, opts, "list threads", (*threadDoc).thread)
}

// PinnedThreads implements forum.Store.
func (s *ForumStore) PinnedThreads(ctx context.Context, categoryID string) ([]*forum.Thread, error) {
	filter := bson.D{key("category_id", categoryID), key("pinned", true), key("deleted", false)}
	opts := options.Find().SetSort(bson.D{key("last_post_at", -1), key("_id", -1)})
	return find(ctx, s.db.Collection(threadsColl), filter, opts, "list pinned threads", (*threadDoc).thread)
}

// UpdateThread implements forum.Store: it sets t's category, title and
// title tokens and its pinned, locked and deleted flags, and nothing else.
// It returns forum.ErrCategoryNotFound when the category does not exist and
// forum.ErrThreadNotFound when the thread does not.
func (s *ForumStore) UpdateThread(ctx context.Context, t *forum.Thread) error {
	if err := exists(ctx, s.db.Collection(categoriesColl), t.CategoryID, forum.ErrCategoryNotFound, "category"); err != nil {
		return err
	}
	res, err := s.db.Collection(threadsColl).UpdateOne(ctx, byID(t.ID), bson.D{key("$set", bson.D{
		key("category_id", t.CategoryID), key("title", t.Title), key("title_tokens", nonNil(t.TitleTokens)),
		key("pinned", t.Pinned), key("locked", t.Locked), key("deleted", t.Deleted),
	})})
	if err != nil {
		return fmt.Errorf("mongostore: update thread: %w", err)
	}
	if res.MatchedCount == 0 {
		return forum.ErrThreadNotFound
	}
	return nil
}

// threadTitles returns the title and deleted flag of each thread of ids.
func (s *ForumStore) threadTitles(ctx context.Context, ids []string) (map[string]*threadDoc, error) {
	slices.Sort(ids)
	ids = slices.Compact(ids)
	var docs []threadDoc
	opts := options.Find().SetProjection(bson.D{key("title", 1), key("deleted", 1), key("created_at", 1)})
	if err := findAll(ctx, s.db.Collection(threadsColl), bson.D{key("_id", bson.D{key("$in", ids)})}, opts, &docs); err != nil {
		return nil, fmt.Errorf("mongostore: find threads: %w", err)
	}
	out := make(map[string]*threadDoc, len(docs))
	for i := range docs {
		out[docs[i].ID] = &docs[i]
	}
	return out, nil
}

// idSep joins the parts of a compound _id. IDs have a fixed length and no
// "|", so no two pairs share one.
const idSep = "|"

func pairID(a, b string) string { return strings.Join([]string{a, b}, idSep) }
