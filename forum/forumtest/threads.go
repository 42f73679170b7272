package forumtest

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/civichub/civichub/forum"
	"github.com/civichub/civichub/id"
)

func testCategories(t *testing.T, s forum.Store) {
	c := NewCategory("gop-y")
	c.AgencyID, c.Position = id.New(), 2
	if err := s.CreateCategory(ctx, c); err != nil {
		t.Fatalf("CreateCategory = %v", err)
	}
	got, err := s.Category(ctx, c.ID)
	if err != nil || *got != *c {
		t.Errorf("Category = %+v, %v; want %+v", got, err, c)
	}
	if err := s.CreateCategory(ctx, NewCategory("gop-y")); !errors.Is(err, forum.ErrSlugTaken) {
		t.Errorf("CreateCategory(same slug) = %v, want ErrSlugTaken", err)
	}
	if _, err := s.Category(ctx, id.New()); !errors.Is(err, forum.ErrCategoryNotFound) {
		t.Errorf("Category(unknown) = %v, want ErrCategoryNotFound", err)
	}
	first := NewCategory("hoi-dap") // no agency, position 0
	if err := s.CreateCategory(ctx, first); err != nil {
		t.Fatal(err)
	}
	tie := NewCategory("thu-tuc")
	tie.Position = 2
	if err := s.CreateCategory(ctx, tie); err != nil {
		t.Fatal(err)
	}
	all, err := s.Categories(ctx)
	if err != nil {
		t.Fatalf("Categories = %v", err)
	}
	var slugs []string
	for _, c := range all {
		slugs = append(slugs, c.Slug)
	}
	// Position 0, then the two of position 2 by ID (c was made first).
	if want := []string{"hoi-dap", "gop-y", "thu-tuc"}; !slices.Equal(slugs, want) {
		t.Errorf("Categories = %v, want %v", slugs, want)
	}
	if len(all) > 0 && all[0].AgencyID != "" {
		t.Errorf("category without agency read back with %q", all[0].AgencyID)
	}
}

func testCreateThread(t *testing.T, s forum.Store) {
	c := mustCategory(t, s, "gop-y")
	th, p := NewThread(c.ID, base, "so", "xay", "dung")
	th.PostCount, th.LastPostAt = 0, time.Time{} // the store sets them
	p.ThreadID, p.Number = "", 0                 // and these
	p.AgencyID, p.StaffTitle = id.New(), "Chánh văn phòng"
	if err := s.CreateThread(ctx, th, p); err != nil {
		t.Fatalf("CreateThread = %v", err)
	}
	if p.Number != 1 || p.ThreadID != th.ID || p.Revision != 1 {
		t.Errorf("first post: number %d, thread %q, revision %d; want 1, %q, 1", p.Number, p.ThreadID, p.Revision, th.ID)
	}
	if th.PostCount != 1 || !th.LastPostAt.Equal(p.CreatedAt) {
		t.Errorf("thread: post count %d, last post at %v; want 1, %v", th.PostCount, th.LastPostAt, p.CreatedAt)
	}
	if got := mustGetThread(t, s, th.ID); !equalThreads(got, th) {
		t.Errorf("Thread = %s\nwant %s", show(got), show(th))
	}
	if got := mustGetPost(t, s, p.ID); !equalPosts(got, p) {
		t.Errorf("Post = %s\nwant %s", show(got), show(p))
	}
	if _, err := s.Thread(ctx, id.New()); !errors.Is(err, forum.ErrThreadNotFound) {
		t.Errorf("Thread(unknown) = %v, want ErrThreadNotFound", err)
	}
	if _, err := s.Post(ctx, id.New()); !errors.Is(err, forum.ErrPostNotFound) {
		t.Errorf("Post(unknown) = %v, want ErrPostNotFound", err)
	}
	lost, lp := NewThread(id.New(), base)
	if err := s.CreateThread(ctx, lost, lp); !errors.Is(err, forum.ErrCategoryNotFound) {
		t.Errorf("CreateThread(unknown category) = %v, want ErrCategoryNotFound", err)
	}
	if _, err := s.Thread(ctx, lost.ID); !errors.Is(err, forum.ErrThreadNotFound) {
		t.Errorf("a thread refused for its category was stored: Thread = %v", err)
	}
}

func testUpdateThread(t *testing.T, s forum.Store) {
	a, b := mustCategory(t, s, "a"), mustCategory(t, s, "b")
	th, _ := mustThread(t, s, a.ID, base, "cu")
	mustPost(t, s, th.ID, base.Add(time.Minute))
	got := mustGetThread(t, s, th.ID)
	got.Title, got.TitleTokens = "Tiêu đề mới", []string{"tieu", "de", "moi"}
	got.Pinned, got.Locked, got.CategoryID = true, true, b.ID
	mustUpdateThread(t, s, got)
	after := mustGetThread(t, s, th.ID)
	if !equalThreads(after, got) {
		t.Errorf("after UpdateThread: %s\nwant %s", show(after), show(got))
	}
	if after.PostCount != 2 || !after.LastPostAt.Equal(base.Add(time.Minute)) {
		t.Errorf("UpdateThread changed the activity: %d posts, last %v", after.PostCount, after.LastPostAt)
	}
	if pinned, err := s.PinnedThreads(ctx, b.ID); err != nil || !slices.Equal(threadIDs(pinned), []string{th.ID}) {
		t.Errorf("PinnedThreads(new category) = %v, %v", threadIDs(pinned), err)
	}
	if pinned, err := s.PinnedThreads(ctx, a.ID); err != nil || len(pinned) != 0 {
		t.Errorf("PinnedThreads(old category) = %v, %v; want none", threadIDs(pinned), err)
	}
	ghost, _ := NewThread(a.ID, base)
	if err := s.UpdateThread(ctx, ghost); !errors.Is(err, forum.ErrThreadNotFound) {
		t.Errorf("UpdateThread(unknown) = %v, want ErrThreadNotFound", err)
	}
	after.CategoryID = id.New()
	if err := s.UpdateThread(ctx, after); !errors.Is(err, forum.ErrCategoryNotFound) {
		t.Errorf("UpdateThread(unknown category) = %v, want ErrCategoryNotFound", err)
	}
}

// activity makes 25 threads in c whose last activity is spread over time
// with ties (three threads share each minute), and moves some of them up
// with a reply. It returns the threads in the order Threads must list them.
func activity(t *testing.T, s forum.Store, c *forum.Category) []string {
	var made []*forum.Thread
	for i := range 25 {
		th, _ := mustThread(t, s, c.ID, base.Add(time.Duration(i/3)*time.Minute))
		made = append(made, th)
	}
	for _, i := range []int{2, 7, 11} {
		mustPost(t, s, made[i].ID, base.Add(time.Hour+time.Duration(i%2)*time.Minute))
	}
	// A reply dated earlier than the thread's last activity does not lower it.
	mustPost(t, s, made[20].ID, base.Add(-time.Hour))
	var stored []*forum.Thread
	for _, th := range made {
		stored = append(stored, mustGetThread(t, s, th.ID))
	}
	if got := stored[20]; !got.LastPostAt.Equal(base.Add(6*time.Minute)) || got.PostCount != 2 {
		t.Errorf("after an older reply: last post at %v, %d posts; want %v, 2", got.LastPostAt, got.PostCount, base.Add(6*time.Minute))
	}
	slices.SortFunc(stored, func(a, b *forum.Thread) int {
		if c := b.LastPostAt.Compare(a.LastPostAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return threadIDs(stored)
}

// walk pages through Threads with limit and returns every ID in order.
func walk(t *testing.T, s forum.Store, q forum.ThreadPage) []string {
	t.Helper()
	var got []string
	for range 100 {
		page, err := s.Threads(ctx, q)
		if err != nil {
			t.Fatalf("Threads(%+v) = %v", q, err)
		}
		got = append(got, threadIDs(page)...)
		if len(page) < q.Limit || q.Limit <= 0 {
			return got
		}
		last := page[len(page)-1]
		q.AfterTime, q.AfterID = last.LastPostAt, last.ID
	}
	t.Fatalf("Threads(%+v) did not end", q)
	return nil
}

func testThreadsNewestFirst(t *testing.T, s forum.Store) {
	c, other := mustCategory(t, s, "c"), mustCategory(t, s, "other")
	mustThread(t, s, other.ID, base.Add(time.Hour))
	want := activity(t, s, c)
	for _, limit := range []int{1, 4, 5, 25, 100} {
		if got := walk(t, s, forum.ThreadPage{CategoryID: c.ID, Limit: limit}); !slices.Equal(got, want) {
			t.Errorf("Threads by pages of %d =\n%v\nwant\n%v", limit, got, want)
		}
	}
	if got := walk(t, s, forum.ThreadPage{CategoryID: c.ID}); !slices.Equal(got, want) {
		t.Errorf("Threads without a limit = %v, want %v", got, want)
	}
	if got := walk(t, s, forum.ThreadPage{CategoryID: id.New(), Limit: 10}); len(got) != 0 {
		t.Errorf("Threads(unknown category) = %v, want none", got)
	}
}

func testThreadsOldestFirst(t *testing.T, s forum.Store) {
	c := mustCategory(t, s, "c")
	want := activity(t, s, c)
	slices.Reverse(want)
	for _, limit := range []int{1, 4, 7, 100} {
		if got := walk(t, s, forum.ThreadPage{CategoryID: c.ID, Oldest: true, Limit: limit}); !slices.Equal(got, want) {
			t.Errorf("oldest Threads by pages of %d =\n%v\nwant\n%v", limit, got, want)
		}
	}
	// The last page of the category is the first page of Oldest.
	page, err := s.Threads(ctx, forum.ThreadPage{CategoryID: c.ID, Oldest: true, Limit: 3})
	if err != nil || !slices.Equal(threadIDs(page), want[:3]) {
		t.Errorf("oldest 3 = %v, %v; want %v", threadIDs(page), err, want[:3])
	}
}

func testPinnedAndDeleted(t *testing.T, s forum.Store) {
	c := mustCategory(t, s, "c")
	var ts []*forum.Thread
	for i := range 6 {
		th, _ := mustThread(t, s, c.ID, base.Add(time.Duration(i)*time.Minute))
		ts = append(ts, th)
	}
	for _, i := range []int{1, 4} {
		ts[i].Pinned = true
		mustUpdateThread(t, s, ts[i])
	}
	for _, i := range []int{2, 4} {
		ts[i].Deleted = true
		mustUpdateThread(t, s, ts[i])
	}
	pinned, err := s.PinnedThreads(ctx, c.ID)
	if want := []string{ts[1].ID}; err != nil || !slices.Equal(threadIDs(pinned), want) {
		t.Errorf("PinnedThreads = %v, %v; want %v (the deleted pinned one left out)", threadIDs(pinned), err, want)
	}
	want := []string{ts[5].ID, ts[3].ID, ts[0].ID}
	if got := walk(t, s, forum.ThreadPage{CategoryID: c.ID, Limit: 2}); !slices.Equal(got, want) {
		t.Errorf("Threads = %v, want %v (no pinned, no deleted)", got, want)
	}
	want = []string{ts[5].ID, ts[3].ID, ts[2].ID, ts[0].ID}
	if got := walk(t, s, forum.ThreadPage{CategoryID: c.ID, Limit: 2, WithDeleted: true}); !slices.Equal(got, want) {
		t.Errorf("Threads WithDeleted = %v, want %v", got, want)
	}
	slices.Reverse(want)
	if got := walk(t, s, forum.ThreadPage{CategoryID: c.ID, Limit: 3, WithDeleted: true, Oldest: true}); !slices.Equal(got, want) {
		t.Errorf("oldest Threads WithDeleted = %v, want %v", got, want)
	}
	// A new post moves a pinned thread up among the pinned ones.
	ts[0].Pinned = true
	mustUpdateThread(t, s, ts[0])
	mustPost(t, s, ts[0].ID, base.Add(time.Hour))
	pinned, err = s.PinnedThreads(ctx, c.ID)
	if want := []string{ts[0].ID, ts[1].ID}; err != nil || !slices.Equal(threadIDs(pinned), want) {
		t.Errorf("PinnedThreads after a reply = %v, %v; want %v", threadIDs(pinned), err, want)
	}
}
