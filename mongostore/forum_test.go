package mongostore_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/civichub/civichub/forum"
	"github.com/civichub/civichub/forum/forumtest"
)

func TestForumStore(t *testing.T) {
	forumtest.Run(t, func(t *testing.T) forum.Store {
		db, _ := openDB(t)
		return db.Forum()
	})
}

// The tests below check what the conformance suite cannot see: the stored
// documents and indexes, and how the store copes with FerretDB.

func TestForumIndexes(t *testing.T) {
	_, name := openDB(t)
	ctx := context.Background()
	want := map[string][]string{
		"forum_categories":    {"{_id:1}", "{slug:1} unique"},
		"forum_threads":       {"{_id:1}", "{category_id:1,pinned:1,deleted:1,last_post_at:1,_id:1}", "{title_tokens:1,_id:1}"},
		"forum_posts":         {"{_id:1}", "{review:1,_id:1}", "{sanitizer:1}", "{thread_id:1,number:1} unique", "{tokens:1,_id:1}"},
		"forum_edits":         {"{_id:1}", "{post_id:1,_id:1}"},
		"forum_flags":         {"{_id:1}", "{post_id:1}"},
		"forum_follows":       {"{_id:1}", "{thread_id:1,user_id:1}"},
		"forum_notifications": {"{_id:1}", "{user_id:1,_id:1}", "{user_id:1,read:1}"},
		"forum_words":         {"{_id:1}", "{id:1}"},
	}
	for coll, wantIdx := range want {
		specs, err := admin.Database(name).Collection(coll).Indexes().ListSpecifications(ctx)
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
		if !slices.Equal(got, wantIdx) {
			t.Errorf("indexes on %s = %q, want %q", coll, got, wantIdx)
		}
	}
}

func TestForumDocuments(t *testing.T) {
	db, name := openDB(t)
	s := db.Forum()
	ctx := context.Background()
	c := forumtest.NewCategory("gop-y")
	if err := s.CreateCategory(ctx, c); err != nil {
		t.Fatal(err)
	}
	th, p := forumtest.NewThread(c.ID, time.Now(), "so", "xay", "dung")
	if err := s.CreateThread(ctx, th, p); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddFlag(ctx, &forum.Flag{PostID: p.ID, UserID: "u1", Reason: forum.ReasonSpam, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	types := map[string]map[string]bson.Type{
		"forum_threads": {"last_post_at": bson.TypeDateTime, "created_at": bson.TypeDateTime, "post_count": bson.TypeInt64,
			"title_tokens": bson.TypeArray, "pinned": bson.TypeBoolean},
		"forum_posts": {"number": bson.TypeInt64, "revision": bson.TypeInt64, "sanitizer": bson.TypeInt64,
			"created_at": bson.TypeDateTime, "tokens": bson.TypeArray, "review": bson.TypeString, "flagged": bson.TypeBoolean},
		"forum_flags": {"created_at": bson.TypeDateTime, "post_id": bson.TypeString},
	}
	ids := map[string]string{"forum_threads": th.ID, "forum_posts": p.ID, "forum_flags": p.ID + "|u1"}
	for coll, fields := range types {
		raw, err := admin.Database(name).Collection(coll).FindOne(ctx, bson.D{{Key: "_id", Value: ids[coll]}}).Raw()
		if err != nil {
			t.Fatalf("FindOne(%s %s) = %v", coll, ids[coll], err)
		}
		for field, want := range fields {
			if got := raw.Lookup(field).Type; got != want {
				t.Errorf("%s.%s has BSON type %v, want %v", coll, field, got, want)
			}
		}
	}
	raw, err := admin.Database(name).Collection("forum_posts").FindOne(ctx, bson.D{{Key: "_id", Value: p.ID}}).Raw()
	if err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{"edited_at", "agency_id", "hidden_reason"} {
		if _, err := raw.LookupErr(field); err == nil {
			t.Errorf("a new post stores %s", field)
		}
	}
}

// TestForumThreadCountFromPosts undoes a thread's $max, as a lost update on
// FerretDB would: Thread still counts the posts.
func TestForumThreadCountFromPosts(t *testing.T) {
	db, name := openDB(t)
	s := db.Forum()
	ctx := context.Background()
	c := forumtest.NewCategory("c")
	if err := s.CreateCategory(ctx, c); err != nil {
		t.Fatal(err)
	}
	start := time.Now().UTC().Truncate(time.Millisecond)
	th, p := forumtest.NewThread(c.ID, start)
	if err := s.CreateThread(ctx, th, p); err != nil {
		t.Fatal(err)
	}
	later := start.Add(time.Minute)
	for range 3 {
		if err := s.AddPost(ctx, forumtest.NewPost(th.ID, later)); err != nil {
			t.Fatal(err)
		}
	}
	_, err := admin.Database(name).Collection("forum_threads").UpdateOne(ctx, bson.D{{Key: "_id", Value: th.ID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "post_count", Value: int64(2)}, {Key: "last_post_at", Value: start}}}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Thread(ctx, th.ID)
	if err != nil || got.PostCount != 4 || !got.LastPostAt.Equal(later) {
		t.Errorf("Thread = %+v, %v; want 4 posts, last at %v", got, err, later)
	}
}

// TestForumSearchSkipsDeletedThreads fills a page from older posts when the
// newest matches are in a deleted thread.
func TestForumSearchSkipsDeletedThreads(t *testing.T) {
	db, _ := openDB(t)
	s := db.Forum()
	ctx := context.Background()
	c := forumtest.NewCategory("c")
	if err := s.CreateCategory(ctx, c); err != nil {
		t.Fatal(err)
	}
	live, p := forumtest.NewThread(c.ID, time.Now())
	gone, q := forumtest.NewThread(c.ID, time.Now())
	for _, tp := range []struct {
		t *forum.Thread
		p *forum.Post
	}{{live, p}, {gone, q}} {
		if err := s.CreateThread(ctx, tp.t, tp.p); err != nil {
			t.Fatal(err)
		}
	}
	var want []string
	for _, th := range []*forum.Thread{live, live, live, gone, gone, gone, gone, gone} {
		p := forumtest.NewPost(th.ID, time.Now(), "dien")
		if err := s.AddPost(ctx, p); err != nil {
			t.Fatal(err)
		}
		if th == live {
			want = append([]string{p.ID}, want...)
		}
	}
	gone.Deleted = true
	if err := s.UpdateThread(ctx, gone); err != nil {
		t.Fatal(err)
	}
	for _, limit := range []int{2, 3, 0} {
		hits, err := s.Search(ctx, forum.SearchQuery{Tokens: []string{"dien"}, Limit: limit})
		var got []string
		for _, h := range hits {
			got = append(got, h.PostID)
		}
		w := want
		if limit > 0 {
			w = want[:limit]
		}
		if err != nil || !slices.Equal(got, w) {
			t.Errorf("Search(limit %d) = %v, %v; want %v", limit, got, err, w)
		}
	}
}
