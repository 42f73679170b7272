package forumtest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/civichub/civichub/forum"
)

// corpus is the search suite's forum. Tokens are given folded, as the
// service folds them ("Sở Xây dựng" is so xay dung).
type corpus struct {
	a, b, gone     *forum.Thread // gone is deleted
	aFirst, bFirst *forum.Post
	aReply         *forum.Post
	hidden         *forum.Post // in b, hidden by a moderator
	pending        *forum.Post // in a, waiting for review
	deleted        *forum.Post // in a
	goneFirst      *forum.Post
}

func makeCorpus(t *testing.T, s forum.Store) *corpus {
	c := mustCategory(t, s, "c")
	var k corpus
	k.a, k.aFirst = NewThread(c.ID, base, "so", "xay", "dung", "tra", "loi")
	k.aFirst.Tokens = []string{"xin", "hoi", "so", "xay", "dung"}
	if err := s.CreateThread(ctx, k.a, k.aFirst); err != nil {
		t.Fatal(err)
	}
	k.b, k.bFirst = NewThread(c.ID, base.Add(time.Minute), "da", "nang", "xay", "dung")
	k.b.Title = "Đà Nẵng xây dựng"
	k.bFirst.Tokens = []string{"da", "nang"}
	if err := s.CreateThread(ctx, k.b, k.bFirst); err != nil {
		t.Fatal(err)
	}
	k.aReply = mustPost(t, s, k.a.ID, base.Add(2*time.Minute), "cau", "xay", "dung", "xay")
	k.hidden = mustPost(t, s, k.b.ID, base.Add(3*time.Minute), "xay", "dung")
	k.hidden.Hidden, k.hidden.HiddenReason = true, forum.ReasonSpam
	mustUpdatePost(t, s, k.hidden)
	k.pending = NewPost(k.a.ID, base.Add(4*time.Minute), "xay", "dung", "review")
	k.pending.Review, k.pending.Hidden, k.pending.HiddenReason = forum.ReviewPending, true, forum.ReasonPending
	if err := s.AddPost(ctx, k.pending); err != nil {
		t.Fatal(err)
	}
	k.deleted = mustPost(t, s, k.a.ID, base.Add(5*time.Minute), "xay", "dung")
	k.deleted.Deleted = true
	mustUpdatePost(t, s, k.deleted)
	k.gone, k.goneFirst = NewThread(c.ID, base.Add(6*time.Minute), "xay", "dung")
	k.goneFirst.Tokens = []string{"xay", "dung", "gone"}
	if err := s.CreateThread(ctx, k.gone, k.goneFirst); err != nil {
		t.Fatal(err)
	}
	k.gone.Deleted = true
	mustUpdateThread(t, s, k.gone)
	return &k
}

// hitKey names a hit for comparisons: "t:" and a thread ID, or "p:" and a
// post ID.
func hitKey(h *forum.SearchHit) string {
	if h.Kind == "thread" {
		return "t:" + h.ThreadID
	}
	return "p:" + h.PostID
}

func tk(th *forum.Thread) string { return "t:" + th.ID }
func pk(p *forum.Post) string    { return "p:" + p.ID }

// searchAll pages through Search with limit and returns every hit.
func searchAll(t *testing.T, s forum.Store, limit int, tokens ...string) []*forum.SearchHit {
	t.Helper()
	q := forum.SearchQuery{Tokens: tokens, Limit: limit}
	var all []*forum.SearchHit
	for range 100 {
		page, err := s.Search(ctx, q)
		if err != nil {
			t.Fatalf("Search(%+v) = %v", q, err)
		}
		if len(page) > limit {
			t.Fatalf("Search(limit %d) returned %d hits", limit, len(page))
		}
		all = append(all, page...)
		if len(page) < limit {
			return all
		}
		last := page[len(page)-1]
		q.AfterTier, q.AfterID = last.Tier, last.PostID
		if last.Kind == "thread" {
			q.AfterID = last.ThreadID
		}
	}
	t.Fatalf("Search(%v) did not end", tokens)
	return nil
}

func keys(hs []*forum.SearchHit) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = hitKey(h)
	}
	return out
}

func testSearch(t *testing.T, s forum.Store) {
	k := makeCorpus(t, s)
	tests := []struct {
		tokens []string
		want   []string
	}{
		// Titles first, newest first; then posts, newest first. Hidden,
		// pending and deleted posts and the deleted thread never show.
		{[]string{"xay", "dung"}, []string{tk(k.b), tk(k.a), pk(k.aReply), pk(k.aFirst)}},
		{[]string{"dung", "xay"}, []string{tk(k.b), tk(k.a), pk(k.aReply), pk(k.aFirst)}},
		{[]string{"so", "xay", "dung"}, []string{tk(k.a), pk(k.aFirst)}},
		{[]string{"nang"}, []string{tk(k.b), pk(k.bFirst)}},
		{[]string{"xin"}, []string{pk(k.aFirst)}},
		{[]string{"tra", "loi"}, []string{tk(k.a)}},
		{[]string{"xay", "xay"}, []string{tk(k.b), tk(k.a), pk(k.aReply), pk(k.aFirst)}},
		{[]string{"xay", "nothing"}, nil},
		{[]string{"review"}, nil},
		{[]string{"gone"}, nil},
		{[]string{"xa"}, nil}, // tokens match whole
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.tokens), func(t *testing.T) {
			if got := keys(searchAll(t, s, 20, tc.tokens...)); !slices.Equal(got, tc.want) {
				t.Errorf("Search(%v) = %v, want %v", tc.tokens, got, tc.want)
			}
		})
	}
	hits := searchAll(t, s, 20, "so", "xay", "dung")
	if len(hits) != 2 {
		t.Fatalf("Search(so xay dung) = %d hits, want 2", len(hits))
	}
	want := []forum.SearchHit{
		{Tier: 0, Kind: "thread", ThreadID: k.a.ID, Title: k.a.Title, At: k.a.CreatedAt},
		{Tier: 1, Kind: "post", ThreadID: k.a.ID, PostID: k.aFirst.ID, Title: k.a.Title, Excerpt: k.aFirst.Body, At: k.aFirst.CreatedAt},
	}
	for i, h := range hits {
		w := want[i]
		if h.Tier != w.Tier || h.Kind != w.Kind || h.ThreadID != w.ThreadID || h.PostID != w.PostID ||
			h.Title != w.Title || !h.At.Equal(w.At) || (w.Kind == "post" && h.Excerpt != w.Excerpt) {
			t.Errorf("hit %d = %+v, want %+v", i, *h, w)
		}
	}
	if got := searchAll(t, s, 20); len(got) != 0 {
		t.Errorf("Search(no tokens) = %v, want none", keys(got))
	}
}

func testSearchPaging(t *testing.T, s forum.Store) {
	c := mustCategory(t, s, "c")
	var threads, posts []string
	for i := range 7 {
		// The first posts have no tokens: they are not found.
		th, _ := mustThread(t, s, c.ID, base.Add(time.Duration(i)*time.Minute), "cong", "van")
		threads = append(threads, tk(th))
		for j := range 2 {
			posts = append(posts, pk(mustPost(t, s, th.ID, base.Add(time.Duration(j)*time.Second), "cong", "van", "so")))
		}
	}
	slices.Reverse(threads)
	slices.Reverse(posts)
	want := append(threads, posts...)
	for _, limit := range []int{1, 2, 3, 7, 8, 50} {
		if got := keys(searchAll(t, s, limit, "van", "cong")); !slices.Equal(got, want) {
			t.Errorf("Search by pages of %d =\n%v\nwant\n%v", limit, got, want)
		}
	}
	// A cursor in the posts tier continues there.
	page, err := s.Search(ctx, forum.SearchQuery{Tokens: []string{"cong"}, AfterTier: 1, AfterID: posts[2][2:], Limit: 3})
	if err != nil || !slices.Equal(keys(page), posts[3:6]) {
		t.Errorf("Search after post 3 = %v, %v; want %v", keys(page), err, posts[3:6])
	}
}

// testSearchFollowsChanges checks that search sees restores, title edits,
// token changes and deletions as they are stored.
func testSearchFollowsChanges(t *testing.T, s forum.Store) {
	k := makeCorpus(t, s)
	k.hidden.Hidden, k.hidden.HiddenReason = false, ""
	mustUpdatePost(t, s, k.hidden)
	k.pending.Review, k.pending.Hidden, k.pending.HiddenReason = forum.NoReview, false, ""
	mustUpdatePost(t, s, k.pending)
	k.gone.Deleted = false
	mustUpdateThread(t, s, k.gone)
	want := []string{tk(k.gone), tk(k.b), tk(k.a), pk(k.goneFirst), pk(k.pending), pk(k.hidden), pk(k.aReply), pk(k.aFirst)}
	if got := keys(searchAll(t, s, 3, "xay", "dung")); !slices.Equal(got, want) {
		t.Errorf("after restores: %v\nwant %v", got, want)
	}
	k.a.Title, k.a.TitleTokens = "Mới", []string{"moi"}
	mustUpdateThread(t, s, k.a)
	k.aReply.Tokens = []string{"cau"}
	mustUpdatePost(t, s, k.aReply)
	want = []string{tk(k.gone), tk(k.b), pk(k.goneFirst), pk(k.pending), pk(k.hidden), pk(k.aFirst)}
	if got := keys(searchAll(t, s, 20, "xay", "dung")); !slices.Equal(got, want) {
		t.Errorf("after a title and a post changed: %v\nwant %v", got, want)
	}
	hits := searchAll(t, s, 20, "moi")
	if len(hits) != 1 || hitKey(hits[0]) != tk(k.a) || hits[0].Title != "Mới" {
		t.Errorf("Search(moi) = %s, want thread a titled Mới", show(hits))
	}
	if hits := searchAll(t, s, 20, "hoi"); len(hits) != 1 || hits[0].Title != "Mới" {
		t.Errorf("a post's hit carries its thread's current title: %s", show(hits))
	}
	k.b.Deleted = true
	mustUpdateThread(t, s, k.b)
	want = []string{tk(k.gone), pk(k.goneFirst), pk(k.pending), pk(k.aFirst)}
	if got := keys(searchAll(t, s, 20, "xay", "dung")); !slices.Equal(got, want) {
		t.Errorf("after deleting thread b: %v\nwant %v", got, want)
	}
}
