package mongostore

import (
	"context"
	"fmt"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/civichub/civichub/forum"
)

// Search implements forum.Store with {$all: tokens} on the multikey
// indexes {title_tokens, _id} and {tokens, _id}: titles of threads not
// deleted, newest first, then posts neither hidden, deleted nor pending,
// newest first. A post's thread may be deleted without the post changing,
// so posts are read in batches and those of deleted threads dropped until
// the page is full or the posts run out.
func (s *ForumStore) Search(ctx context.Context, q forum.SearchQuery) ([]*forum.SearchHit, error) {
	tokens := slices.Compact(slices.Sorted(slices.Values(q.Tokens)))
	tokens = slices.DeleteFunc(tokens, func(t string) bool { return t == "" })
	if len(tokens) == 0 {
		return nil, nil
	}
	var hits []*forum.SearchHit
	if q.AfterID == "" || q.AfterTier == 0 {
		var err error
		if hits, err = s.searchTitles(ctx, tokens, q.AfterID, q.Limit); err != nil {
			return nil, err
		}
		if q.Limit > 0 && len(hits) >= q.Limit {
			return hits, nil
		}
	}
	after := ""
	if q.AfterTier == 1 {
		after = q.AfterID
	}
	want := 0 // all
	if q.Limit > 0 {
		want = q.Limit - len(hits)
	}
	posts, err := s.searchPosts(ctx, tokens, after, want)
	if err != nil {
		return nil, err
	}
	return append(hits, posts...), nil
}

func (s *ForumStore) searchTitles(ctx context.Context, tokens []string, after string, limit int) ([]*forum.SearchHit, error) {
	filter := beforeFilter(bson.D{key("title_tokens", bson.D{key("$all", tokens)}), key("deleted", false)}, after)
	opts := limitOpt(options.Find().SetSort(bson.D{key("_id", -1)}).
		SetProjection(bson.D{key("title", 1), key("created_at", 1)}), limit)
	return find(ctx, s.db.Collection(threadsColl), filter, opts, "search threads", func(d *threadDoc) *forum.SearchHit {
		return &forum.SearchHit{Tier: 0, Kind: "thread", ThreadID: d.ID, Title: d.Title, At: d.CreatedAt.UTC()}
	})
}

// searchPosts returns up to want post hits (all when want is 0) below after.
func (s *ForumStore) searchPosts(ctx context.Context, tokens []string, after string, want int) ([]*forum.SearchHit, error) {
	var hits []*forum.SearchHit
	for {
		filter := beforeFilter(bson.D{key("tokens", bson.D{key("$all", tokens)}), key("hidden", false),
			key("deleted", false), key("review", bson.D{key("$ne", string(forum.ReviewPending))})}, after)
		asked := want - len(hits)
		opts := limitOpt(options.Find().SetSort(bson.D{key("_id", -1)}).SetProjection(bson.D{
			key("thread_id", 1), key("body", 1), key("created_at", 1)}), asked)
		var docs []postDoc
		if err := findAll(ctx, s.db.Collection(postsColl), filter, opts, &docs); err != nil {
			return nil, fmt.Errorf("mongostore: search posts: %w", err)
		}
		if len(docs) == 0 {
			return hits, nil
		}
		ids := make([]string, len(docs))
		for i, d := range docs {
			ids[i] = d.ThreadID
		}
		threads, err := s.threadTitles(ctx, ids)
		if err != nil {
			return nil, err
		}
		for _, d := range docs {
			if t, ok := threads[d.ThreadID]; ok && !t.Deleted {
				hits = append(hits, &forum.SearchHit{Tier: 1, Kind: "post", ThreadID: d.ThreadID, PostID: d.ID,
					Title: t.Title, Excerpt: d.Body, At: d.CreatedAt.UTC()})
			}
		}
		// A batch short of what was asked was the last; so is any batch
		// when everything was asked for.
		if want == 0 || len(hits) >= want || len(docs) < asked {
			return hits, nil
		}
		after = docs[len(docs)-1].ID
	}
}
