package forumtest

import (
	"errors"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/civichub/civichub/forum"
	"github.com/civichub/civichub/id"
)

func testAddPostNumbers(t *testing.T, s forum.Store) {
	c := mustCategory(t, s, "c")
	th, _ := mustThread(t, s, c.ID, base)
	other, _ := mustThread(t, s, c.ID, base)
	for i := 2; i <= 4; i++ {
		p := NewPost(th.ID, base.Add(time.Duration(i)*time.Minute), "tu")
		p.Hidden, p.HiddenReason = i == 3, forum.ReasonSpam // hidden posts are numbered too
		if err := s.AddPost(ctx, p); err != nil {
			t.Fatalf("AddPost = %v", err)
		}
		if p.Number != i || p.Revision != 1 {
			t.Errorf("post %d got number %d, revision %d", i, p.Number, p.Revision)
		}
		if got := mustGetPost(t, s, p.ID); !equalPosts(got, p) {
			t.Errorf("Post = %s\nwant %s", show(got), show(p))
		}
	}
	got := mustGetThread(t, s, th.ID)
	if got.PostCount != 4 || !got.LastPostAt.Equal(base.Add(4*time.Minute)) {
		t.Errorf("thread after 3 replies: %d posts, last at %v; want 4, %v", got.PostCount, got.LastPostAt, base.Add(4*time.Minute))
	}
	if p := mustPost(t, s, other.ID, base); p.Number != 2 {
		t.Errorf("numbers are per thread: got %d, want 2", p.Number)
	}
	if err := s.AddPost(ctx, NewPost(id.New(), base)); !errors.Is(err, forum.ErrThreadNotFound) {
		t.Errorf("AddPost(unknown thread) = %v, want ErrThreadNotFound", err)
	}
}

// testConcurrentAddPost adds posts to one thread from 20 goroutines: the
// numbers are 1..N without gaps or duplicates, each post has the number it
// was given, and the thread counts all of them.
func testConcurrentAddPost(t *testing.T, s forum.Store) {
	c := mustCategory(t, s, "c")
	th, first := mustThread(t, s, c.ID, base)
	const workers, each = 20, 2
	later := base.Add(time.Hour)
	var mu sync.Mutex
	var added []*forum.Post
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				p := NewPost(th.ID, later)
				if err := s.AddPost(ctx, p); err != nil {
					t.Errorf("AddPost = %v", err)
					return
				}
				mu.Lock()
				added = append(added, p)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	const n = workers*each + 1
	want := map[string]int{first.ID: 1}
	for _, p := range added {
		want[p.ID] = p.Number
	}
	posts, err := s.Posts(ctx, th.ID, 1, n+5)
	if err != nil {
		t.Fatalf("Posts = %v", err)
	}
	if got := numbers(posts); !slices.Equal(got, seq(1, n)) {
		t.Errorf("numbers after concurrent AddPost = %v, want 1..%d", got, n)
	}
	for _, p := range posts {
		if want[p.ID] != p.Number {
			t.Errorf("post %s stored as number %d, AddPost said %d", p.ID, p.Number, want[p.ID])
		}
	}
	got := mustGetThread(t, s, th.ID)
	if got.PostCount != n || !got.LastPostAt.Equal(later) {
		t.Errorf("thread: %d posts, last at %v; want %d, %v", got.PostCount, got.LastPostAt, n, later)
	}
}

func testPostsRange(t *testing.T, s forum.Store) {
	c := mustCategory(t, s, "c")
	th, first := mustThread(t, s, c.ID, base)
	other, _ := mustThread(t, s, c.ID, base)
	all := []*forum.Post{first}
	for i := range 11 {
		all = append(all, mustPost(t, s, th.ID, base.Add(time.Duration(i)*time.Second)))
		mustPost(t, s, other.ID, base)
	}
	tests := []struct {
		name     string
		from, to int
		want     []int
	}{
		{"first page", 1, 5, seq(1, 5)},
		{"middle page", 6, 10, seq(6, 10)},
		{"last page, short", 11, 15, seq(11, 12)},
		{"one post", 7, 7, []int{7}},
		{"past the end", 13, 20, nil},
		{"empty range", 5, 4, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Posts(ctx, th.ID, tc.from, tc.to)
			if err != nil || !slices.Equal(numbers(got), tc.want) {
				t.Fatalf("Posts(%d, %d) = %v, %v; want %v", tc.from, tc.to, numbers(got), err, tc.want)
			}
			for _, p := range got {
				if !equalPosts(p, all[p.Number-1]) {
					t.Errorf("post %d = %s\nwant %s", p.Number, show(p), show(all[p.Number-1]))
				}
			}
		})
	}
	if got, err := s.Posts(ctx, id.New(), 1, 10); err != nil || len(got) != 0 {
		t.Errorf("Posts(unknown thread) = %v, %v; want none", postIDs(got), err)
	}
}

func testUpdatePost(t *testing.T, s forum.Store) {
	c := mustCategory(t, s, "c")
	th, _ := mustThread(t, s, c.ID, base)
	p := mustPost(t, s, th.ID, base, "cu")
	a, b := mustGetPost(t, s, p.ID), mustGetPost(t, s, p.ID)
	editor := id.New()
	edit := &forum.Edit{ID: id.New(), PostID: p.ID, Body: a.Body, EditorID: editor, At: at(base.Add(time.Minute))}
	a.Body, a.BodyHTML, a.Tokens, a.Sanitizer = "Nội dung mới", "<p>Nội dung mới</p>", []string{"noi", "dung", "moi"}, 2
	a.EditedAt, a.AgencyID, a.StaffTitle = edit.At, id.New(), "Phó giám đốc"
	if err := s.UpdatePost(ctx, a, edit); err != nil {
		t.Fatalf("UpdatePost = %v", err)
	}
	if a.Revision != 2 {
		t.Errorf("revision after an update = %d, want 2", a.Revision)
	}
	if got := mustGetPost(t, s, p.ID); !equalPosts(got, a) {
		t.Errorf("after UpdatePost: %s\nwant %s", show(got), show(a))
	}
	b.Hidden, b.HiddenReason = true, forum.ReasonAbuse
	stale := &forum.Edit{ID: id.New(), PostID: p.ID, Body: b.Body, EditorID: editor, At: at(base.Add(2 * time.Minute))}
	if err := s.UpdatePost(ctx, b, stale); !errors.Is(err, forum.ErrStale) {
		t.Errorf("UpdatePost(old revision) = %v, want ErrStale", err)
	}
	if got := mustGetPost(t, s, p.ID); !equalPosts(got, a) {
		t.Errorf("a stale update changed the post: %s", show(got))
	}
	// A moderator's hide, on the current revision, without an edit.
	a.Hidden, a.HiddenReason = true, forum.ReasonAbuse
	mustUpdatePost(t, s, a)
	second := &forum.Edit{ID: id.New(), PostID: p.ID, Body: a.Body, EditorID: editor, At: at(base.Add(3 * time.Minute))}
	a.Body, a.EditedAt = "Lần ba", second.At
	if err := s.UpdatePost(ctx, a, second); err != nil || a.Revision != 4 {
		t.Fatalf("third UpdatePost = %v, revision %d; want 4", err, a.Revision)
	}
	edits, err := s.Edits(ctx, p.ID)
	if err != nil || len(edits) != 2 {
		t.Fatalf("Edits = %d, %v; want 2 (not the stale one)", len(edits), err)
	}
	for i, want := range []*forum.Edit{edit, second} {
		if *edits[i] != *want {
			t.Errorf("edit %d = %+v, want %+v", i, edits[i], want)
		}
	}
	if got, err := s.Edits(ctx, id.New()); err != nil || len(got) != 0 {
		t.Errorf("Edits(unknown) = %d, %v; want none", len(got), err)
	}
	ghost := NewPost(th.ID, base)
	ghost.Revision = 1
	if err := s.UpdatePost(ctx, ghost, nil); !errors.Is(err, forum.ErrPostNotFound) {
		t.Errorf("UpdatePost(unknown) = %v, want ErrPostNotFound", err)
	}
}

func testPostsToRender(t *testing.T, s forum.Store) {
	c := mustCategory(t, s, "c")
	th, first := mustThread(t, s, c.ID, base) // sanitizer 1
	var old []string
	for i := range 5 {
		p := NewPost(th.ID, base)
		p.Sanitizer = 1 + i%2
		if err := s.AddPost(ctx, p); err != nil {
			t.Fatal(err)
		}
		if p.Sanitizer == 1 {
			old = append(old, p.ID)
		}
	}
	old = append(old, first.ID)
	sort.Strings(old)
	var got []string
	for range 10 {
		page, err := s.PostsToRender(ctx, 2, 2)
		if err != nil {
			t.Fatalf("PostsToRender = %v", err)
		}
		if len(page) > 2 {
			t.Fatalf("PostsToRender(limit 2) returned %d", len(page))
		}
		if len(page) == 0 {
			break
		}
		for _, p := range page {
			got = append(got, p.ID)
			p.Sanitizer = 2
			mustUpdatePost(t, s, p)
		}
	}
	sort.Strings(got)
	if !slices.Equal(got, old) {
		t.Errorf("rendered again %v, want %v", got, old)
	}
	if page, err := s.PostsToRender(ctx, 3, 100); err != nil || len(page) != 6 {
		t.Errorf("PostsToRender(3) = %d posts, %v; want all 6", len(page), err)
	}
}

func testReviewQueue(t *testing.T, s forum.Store) {
	c := mustCategory(t, s, "c")
	a, _ := mustThread(t, s, c.ID, base)
	b, _ := mustThread(t, s, c.ID, base)
	var want []string
	for i := range 6 {
		th := a
		if i%2 == 1 {
			th = b
		}
		p := NewPost(th.ID, base)
		if i != 2 {
			p.Review = forum.ReviewPending
			want = append(want, p.ID)
		}
		if i == 4 {
			p.Hidden, p.HiddenReason = true, forum.ReasonPending
		}
		if err := s.AddPost(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	after := ""
	for range 10 {
		page, err := s.ReviewQueue(ctx, after, 2)
		if err != nil {
			t.Fatalf("ReviewQueue = %v", err)
		}
		got = append(got, postIDs(page)...)
		if len(page) < 2 {
			break
		}
		after = page[len(page)-1].ID
	}
	if !slices.Equal(got, want) {
		t.Errorf("ReviewQueue oldest first = %v, want %v", got, want)
	}
	p := mustGetPost(t, s, want[0])
	p.Review = forum.NoReview
	mustUpdatePost(t, s, p)
	page, err := s.ReviewQueue(ctx, "", 0)
	if err != nil || !slices.Equal(postIDs(page), want[1:]) {
		t.Errorf("ReviewQueue after a review = %v, %v; want %v", postIDs(page), err, want[1:])
	}
}
