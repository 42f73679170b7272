// Package forumtest is the conformance suite every forum.Store
// implementation must pass. Store packages call Run from their tests with a
// constructor that returns a fresh, empty store.
//
// The suite pins down what forum.go leaves to the store: CreateThread and
// AddPost set the post's Number, ThreadID and Revision (1) and the thread's
// PostCount and LastPostAt; lists with a Limit of zero or less are not
// limited; Followers are ordered by user ID and Words by word.
package forumtest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/civichub/civichub/forum"
	"github.com/civichub/civichub/i18n"
	"github.com/civichub/civichub/id"
)

// Run runs the suite. newStore must return an empty store for each call.
func Run(t *testing.T, newStore func(t *testing.T) forum.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s forum.Store)
	}{
		{"Categories", testCategories},
		{"CreateThread", testCreateThread},
		{"AddPostNumbers", testAddPostNumbers},
		{"ConcurrentAddPost", testConcurrentAddPost},
		{"PostsRange", testPostsRange},
		{"ThreadsNewestFirst", testThreadsNewestFirst},
		{"ThreadsOldestFirst", testThreadsOldestFirst},
		{"PinnedAndDeleted", testPinnedAndDeleted},
		{"UpdateThread", testUpdateThread},
		{"UpdatePost", testUpdatePost},
		{"PostsToRender", testPostsToRender},
		{"ReviewQueue", testReviewQueue},
		{"Flags", testFlags},
		{"ConcurrentFlags", testConcurrentFlags},
		{"Follows", testFollows},
		{"Notifications", testNotifications},
		{"Words", testWords},
		{"Audit", testAudit},
		{"Search", testSearch},
		{"SearchPaging", testSearchPaging},
		{"SearchFollowsChanges", testSearchFollowsChanges},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newStore(t)) })
	}
}

var ctx = context.Background()

// at truncates to milliseconds, the precision both stores keep.
func at(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

// base is a fixed time the tests count from, so that orderings by time do
// not depend on the clock.
var base = time.Date(2025, 3, 14, 8, 30, 0, 0, time.UTC)

// NewCategory returns a category with slug that has not been stored.
func NewCategory(slug string) *forum.Category {
	return &forum.Category{ID: id.New(), Slug: slug, Name: i18n.Text{VI: "Góp ý " + slug, EN: "Feedback " + slug},
		Description: i18n.Text{VI: "Ý kiến của người dân"}, CreatedAt: at(time.Now())}
}

// NewThread returns a thread of category with its first post, neither
// stored; both are dated when.
func NewThread(categoryID string, when time.Time, titleTokens ...string) (*forum.Thread, *forum.Post) {
	when = at(when)
	th := &forum.Thread{ID: id.New(), CategoryID: categoryID, Title: "Sở Xây dựng trả lời", AuthorID: id.New(),
		CreatedAt: when, LastPostAt: when, TitleTokens: titleTokens}
	return th, NewPost(th.ID, when)
}

// NewPost returns a post of thread dated when, not stored.
func NewPost(threadID string, when time.Time, tokens ...string) *forum.Post {
	return &forum.Post{ID: id.New(), ThreadID: threadID, AuthorID: id.New(), Body: "Xin hỏi **Sở** về việc này",
		BodyHTML: "<p>Xin hỏi <strong>Sở</strong> về việc này</p>", Sanitizer: 1, CreatedAt: at(when), Tokens: tokens}
}

func mustCategory(t *testing.T, s forum.Store, slug string) *forum.Category {
	t.Helper()
	c := NewCategory(slug)
	if err := s.CreateCategory(ctx, c); err != nil {
		t.Fatalf("CreateCategory(%q) = %v", slug, err)
	}
	return c
}

func mustThread(t *testing.T, s forum.Store, categoryID string, when time.Time, titleTokens ...string) (*forum.Thread, *forum.Post) {
	t.Helper()
	th, p := NewThread(categoryID, when, titleTokens...)
	if err := s.CreateThread(ctx, th, p); err != nil {
		t.Fatalf("CreateThread = %v", err)
	}
	return th, p
}

func mustPost(t *testing.T, s forum.Store, threadID string, when time.Time, tokens ...string) *forum.Post {
	t.Helper()
	p := NewPost(threadID, when, tokens...)
	if err := s.AddPost(ctx, p); err != nil {
		t.Fatalf("AddPost = %v", err)
	}
	return p
}

func mustGetThread(t *testing.T, s forum.Store, id string) *forum.Thread {
	t.Helper()
	th, err := s.Thread(ctx, id)
	if err != nil {
		t.Fatalf("Thread(%s) = %v", id, err)
	}
	return th
}

func mustGetPost(t *testing.T, s forum.Store, id string) *forum.Post {
	t.Helper()
	p, err := s.Post(ctx, id)
	if err != nil {
		t.Fatalf("Post(%s) = %v", id, err)
	}
	return p
}

func mustUpdatePost(t *testing.T, s forum.Store, p *forum.Post) {
	t.Helper()
	if err := s.UpdatePost(ctx, p, nil); err != nil {
		t.Fatalf("UpdatePost(%s) = %v", p.ID, err)
	}
}

func mustUpdateThread(t *testing.T, s forum.Store, th *forum.Thread) {
	t.Helper()
	if err := s.UpdateThread(ctx, th); err != nil {
		t.Fatalf("UpdateThread(%s) = %v", th.ID, err)
	}
}

// equalThreads compares every field, times with Equal and nil tokens equal
// to none.
func equalThreads(a, b *forum.Thread) bool {
	return a.ID == b.ID && a.CategoryID == b.CategoryID && a.Title == b.Title && a.AuthorID == b.AuthorID &&
		a.Pinned == b.Pinned && a.Locked == b.Locked && a.Deleted == b.Deleted && a.PostCount == b.PostCount &&
		a.LastPostAt.Equal(b.LastPostAt) && a.CreatedAt.Equal(b.CreatedAt) && slices.Equal(a.TitleTokens, b.TitleTokens)
}

func equalPosts(a, b *forum.Post) bool {
	return a.ID == b.ID && a.ThreadID == b.ThreadID && a.Number == b.Number && a.AuthorID == b.AuthorID &&
		a.Body == b.Body && a.BodyHTML == b.BodyHTML && a.Sanitizer == b.Sanitizer &&
		a.CreatedAt.Equal(b.CreatedAt) && a.EditedAt.Equal(b.EditedAt) && a.AgencyID == b.AgencyID &&
		a.StaffTitle == b.StaffTitle && a.Hidden == b.Hidden && a.HiddenReason == b.HiddenReason &&
		a.Deleted == b.Deleted && a.Review == b.Review && a.FlagCount == b.FlagCount &&
		slices.Equal(a.Tokens, b.Tokens) && a.Revision == b.Revision
}

func threadIDs(ts []*forum.Thread) []string {
	out := make([]string, len(ts))
	for i, th := range ts {
		out[i] = th.ID
	}
	return out
}

func postIDs(ps []*forum.Post) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

func numbers(ps []*forum.Post) []int {
	out := make([]int, len(ps))
	for i, p := range ps {
		out[i] = p.Number
	}
	return out
}

func seq(from, to int) []int {
	var out []int
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

func show(v any) string { return fmt.Sprintf("%+v", v) }
