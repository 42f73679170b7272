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

type postDoc struct {
	ID           string     `bson:"_id"`
	ThreadID     string     `bson:"thread_id"`
	Number       int64      `bson:"number"`
	AuthorID     string     `bson:"author_id"`
	Body         string     `bson:"body"`
	BodyHTML     string     `bson:"body_html"`
	Sanitizer    int64      `bson:"sanitizer"`
	CreatedAt    time.Time  `bson:"created_at"`
	EditedAt     *time.Time `bson:"edited_at,omitempty"`
	AgencyID     string     `bson:"agency_id,omitempty"`
	StaffTitle   string     `bson:"staff_title,omitempty"`
	Hidden       bool       `bson:"hidden"`
	HiddenReason string     `bson:"hidden_reason,omitempty"`
	Deleted      bool       `bson:"deleted"`
	Review       string     `bson:"review"`
	// Flagged is set by the first flag; only flagged posts have their
	// flags counted when read.
	Flagged  bool     `bson:"flagged"`
	Tokens   []string `bson:"tokens"`
	Revision int64    `bson:"revision"`
}

func editedAt(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func newPostDoc(p *forum.Post) *postDoc {
	return &postDoc{ID: p.ID, ThreadID: p.ThreadID, Number: int64(p.Number), AuthorID: p.AuthorID, Body: p.Body,
		BodyHTML: p.BodyHTML, Sanitizer: int64(p.Sanitizer), CreatedAt: p.CreatedAt, EditedAt: editedAt(p.EditedAt),
		AgencyID: p.AgencyID, StaffTitle: p.StaffTitle, Hidden: p.Hidden, HiddenReason: string(p.HiddenReason),
		Deleted: p.Deleted, Review: string(p.Review), Tokens: nonNil(p.Tokens), Revision: p.Revision}
}

func (d *postDoc) post() *forum.Post {
	p := &forum.Post{ID: d.ID, ThreadID: d.ThreadID, Number: int(d.Number), AuthorID: d.AuthorID, Body: d.Body,
		BodyHTML: d.BodyHTML, Sanitizer: int(d.Sanitizer), CreatedAt: d.CreatedAt.UTC(), AgencyID: d.AgencyID,
		StaffTitle: d.StaffTitle, Hidden: d.Hidden, HiddenReason: forum.ReasonCode(d.HiddenReason), Deleted: d.Deleted,
		Review: forum.ReviewState(d.Review), Tokens: d.Tokens, Revision: d.Revision}
	if d.EditedAt != nil {
		p.EditedAt = d.EditedAt.UTC()
	}
	return p
}

// maxNumberTries bounds AddPost's retries: each lost race means another
// post of the thread was stored, so only a flood of concurrent posts in
// one thread can use them up.
const maxNumberTries = 100

// AddPost implements forum.Store. It reads the thread's highest number and
// inserts p with the next; when the unique index {thread_id, number}
// refuses it (forum.ErrNumberTaken: a concurrent post took the number) it
// reads again and retries. It then raises the thread's post_count and
// last_post_at with $max. It sets p.Number and p.Revision (1), and returns
// forum.ErrThreadNotFound when there is no such thread.
func (s *ForumStore) AddPost(ctx context.Context, p *forum.Post) error {
	if err := exists(ctx, s.db.Collection(threadsColl), p.ThreadID, forum.ErrThreadNotFound, "thread"); err != nil {
		return err
	}
	posts := s.db.Collection(postsColl)
	var err error = forum.ErrNumberTaken
	for try := 0; try < maxNumberTries && errors.Is(err, forum.ErrNumberTaken); try++ {
		var highest int
		if highest, err = s.highestNumber(ctx, p.ThreadID); err != nil {
			return err
		}
		p.Number, p.Revision = highest+1, 1
		err = s.insertPost(ctx, posts, p)
	}
	if err != nil {
		return err
	}
	_, err = s.db.Collection(threadsColl).UpdateOne(ctx, byID(p.ThreadID), bson.D{key("$max", bson.D{
		key("post_count", int64(p.Number)), key("last_post_at", p.CreatedAt),
	})})
	if err != nil {
		return fmt.Errorf("mongostore: update thread activity: %w", err)
	}
	return nil
}

func (s *ForumStore) highestNumber(ctx context.Context, threadID string) (int, error) {
	var last struct {
		Number int64 `bson:"number"`
	}
	err := s.db.Collection(postsColl).FindOne(ctx, bson.D{key("thread_id", threadID)}, options.FindOne().
		SetSort(bson.D{key("number", -1)}).SetProjection(bson.D{key("number", 1)})).Decode(&last)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return 0, nil
	case err != nil:
		return 0, fmt.Errorf("mongostore: find highest post number: %w", err)
	}
	return int(last.Number), nil
}

// insertPost inserts p; a duplicate (thread, number) is
// forum.ErrNumberTaken, a duplicate ID an error.
func (s *ForumStore) insertPost(ctx context.Context, posts *mongo.Collection, p *forum.Post) error {
	_, err := posts.InsertOne(ctx, newPostDoc(p))
	if !mongo.IsDuplicateKeyError(err) {
		if err != nil {
			return fmt.Errorf("mongostore: insert post: %w", err)
		}
		return nil
	}
	switch xerr := exists(ctx, posts, p.ID, forum.ErrPostNotFound, "post"); {
	case xerr == nil:
		return fmt.Errorf("mongostore: insert post: a post with ID %s exists: %w", p.ID, err)
	case !errors.Is(xerr, forum.ErrPostNotFound):
		return xerr
	}
	return forum.ErrNumberTaken
}

// Post implements forum.Store.
func (s *ForumStore) Post(ctx context.Context, id string) (*forum.Post, error) {
	var d postDoc
	err := s.db.Collection(postsColl).FindOne(ctx, byID(id)).Decode(&d)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return nil, forum.ErrPostNotFound
	case err != nil:
		return nil, fmt.Errorf("mongostore: find post: %w", err)
	}
	ps, err := s.withFlags(ctx, []postDoc{d})
	if err != nil {
		return nil, err
	}
	return ps[0], nil
}

// findPosts returns the posts filter selects, with their flag counts.
func (s *ForumStore) findPosts(ctx context.Context, filter bson.D, opts *options.FindOptionsBuilder, what string) ([]*forum.Post, error) {
	var docs []postDoc
	if err := findAll(ctx, s.db.Collection(postsColl), filter, opts, &docs); err != nil {
		return nil, fmt.Errorf("mongostore: %s: %w", what, err)
	}
	return s.withFlags(ctx, docs)
}

// withFlags converts docs, counting the flags of the flagged ones in one
// aggregation ($group with a single $sum, which FerretDB computes right).
func (s *ForumStore) withFlags(ctx context.Context, docs []postDoc) ([]*forum.Post, error) {
	out := make([]*forum.Post, len(docs))
	var flagged []string
	for i := range docs {
		out[i] = docs[i].post()
		if docs[i].Flagged {
			flagged = append(flagged, docs[i].ID)
		}
	}
	if len(flagged) == 0 {
		return out, nil
	}
	cur, err := s.db.Collection(flagsColl).Aggregate(ctx, mongo.Pipeline{
		{key("$match", bson.D{key("post_id", bson.D{key("$in", flagged)})})},
		{key("$group", bson.D{key("_id", "$post_id"), key("n", bson.D{key("$sum", 1)})})},
	})
	if err != nil {
		return nil, fmt.Errorf("mongostore: count flags: %w", err)
	}
	var counts []struct {
		PostID string `bson:"_id"`
		N      int64  `bson:"n"`
	}
	if err := cur.All(ctx, &counts); err != nil {
		return nil, fmt.Errorf("mongostore: count flags: %w", err)
	}
	by := make(map[string]int, len(counts))
	for _, c := range counts {
		by[c.PostID] = int(c.N)
	}
	for _, p := range out {
		p.FlagCount = by[p.ID]
	}
	return out, nil
}

// Posts implements forum.Store: a range of the {thread_id, number} index.
func (s *ForumStore) Posts(ctx context.Context, threadID string, from, to int) ([]*forum.Post, error) {
	filter := bson.D{key("thread_id", threadID), key("number", bson.D{key("$gte", from), key("$lte", to)})}
	return s.findPosts(ctx, filter, options.Find().SetSort(bson.D{key("number", 1)}), "list posts")
}

// UpdatePost implements forum.Store. It inserts edit first (its PostID set
// to p.ID), then sets p's content, markup, staff signature, moderation
// state, tokens and next revision on the condition that the stored
// revision is p.Revision, and removes edit again when that matches nothing:
// forum.ErrPostNotFound or forum.ErrStale. The thread, number, author,
// creation time and flags are never changed. On success it sets
// p.Revision.
//
// On MongoDB the conditional update is atomic; on FerretDB two updates
// from one revision can both succeed (see PollsStore.UpdatePoll).
func (s *ForumStore) UpdatePost(ctx context.Context, p *forum.Post, edit *forum.Edit) error {
	edits := s.db.Collection(editsColl)
	if edit != nil {
		edit.PostID = p.ID
		if _, err := edits.InsertOne(ctx, newEditDoc(edit)); err != nil {
			return fmt.Errorf("mongostore: insert edit: %w", err)
		}
	}
	posts := s.db.Collection(postsColl)
	next := p.Revision + 1
	res, err := posts.UpdateOne(ctx, bson.D{key("_id", p.ID), key("revision", p.Revision)}, bson.D{key("$set", bson.D{
		key("body", p.Body), key("body_html", p.BodyHTML), key("sanitizer", int64(p.Sanitizer)),
		key("edited_at", editedAt(p.EditedAt)), key("agency_id", p.AgencyID), key("staff_title", p.StaffTitle),
		key("hidden", p.Hidden), key("hidden_reason", string(p.HiddenReason)), key("deleted", p.Deleted),
		key("review", string(p.Review)), key("tokens", nonNil(p.Tokens)), key("revision", next),
	})})
	if err == nil && res.MatchedCount == 1 {
		p.Revision = next
		return nil
	}
	if edit != nil {
		if _, derr := edits.DeleteOne(context.WithoutCancel(ctx), byID(edit.ID)); derr != nil {
			err = errors.Join(err, derr)
		}
	}
	if err != nil {
		return fmt.Errorf("mongostore: update post: %w", err)
	}
	if err := exists(ctx, posts, p.ID, forum.ErrPostNotFound, "post"); err != nil {
		return err
	}
	return forum.ErrStale
}

type editDoc struct {
	ID       string    `bson:"_id"`
	PostID   string    `bson:"post_id"`
	Body     string    `bson:"body"`
	EditorID string    `bson:"editor_id"`
	At       time.Time `bson:"at"`
}

func newEditDoc(e *forum.Edit) *editDoc {
	return &editDoc{ID: e.ID, PostID: e.PostID, Body: e.Body, EditorID: e.EditorID, At: e.At}
}

func (d *editDoc) edit() *forum.Edit {
	return &forum.Edit{ID: d.ID, PostID: d.PostID, Body: d.Body, EditorID: d.EditorID, At: d.At.UTC()}
}

// Edits implements forum.Store.
func (s *ForumStore) Edits(ctx context.Context, postID string) ([]*forum.Edit, error) {
	return find(ctx, s.db.Collection(editsColl), bson.D{key("post_id", postID)},
		options.Find().SetSort(bson.D{key("_id", 1)}), "list edits", (*editDoc).edit)
}

// PostsToRender implements forum.Store, oldest markup version first.
func (s *ForumStore) PostsToRender(ctx context.Context, version, limit int) ([]*forum.Post, error) {
	opts := limitOpt(options.Find().SetSort(bson.D{key("sanitizer", 1)}), limit)
	return s.findPosts(ctx, bson.D{key("sanitizer", bson.D{key("$lt", version)})}, opts, "list posts to render")
}

// ReviewQueue implements forum.Store.
func (s *ForumStore) ReviewQueue(ctx context.Context, after string, limit int) ([]*forum.Post, error) {
	filter := bson.D{key("review", string(forum.ReviewPending)), key("_id", bson.D{key("$gt", after)})}
	opts := limitOpt(options.Find().SetSort(bson.D{key("_id", 1)}), limit)
	return s.findPosts(ctx, filter, opts, "list review queue")
}
