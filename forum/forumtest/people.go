package forumtest

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/civichub/civichub/forum"
	"github.com/civichub/civichub/id"
)

func flag(p *forum.Post, user string) *forum.Flag {
	return &forum.Flag{PostID: p.ID, UserID: user, Reason: forum.ReasonSpam, Note: "quảng cáo", CreatedAt: at(time.Now())}
}

func testFlags(t *testing.T, s forum.Store) {
	c := mustCategory(t, s, "c")
	th, p := mustThread(t, s, c.ID, base)
	q := mustPost(t, s, th.ID, base)
	var made []*forum.Flag
	for i, user := range []string{"u1", "u2", "u3"} {
		f := flag(p, user)
		n, err := s.AddFlag(ctx, f)
		if err != nil || n != i+1 {
			t.Errorf("AddFlag(%s) = %d, %v; want %d", user, n, err, i+1)
		}
		made = append(made, f)
	}
	if n, err := s.AddFlag(ctx, flag(p, "u2")); !errors.Is(err, forum.ErrAlreadyFlagged) {
		t.Errorf("AddFlag(same user again) = %d, %v; want ErrAlreadyFlagged", n, err)
	}
	if n, err := s.AddFlag(ctx, flag(q, "u2")); err != nil || n != 1 {
		t.Errorf("AddFlag(u2 on another post) = %d, %v; want 1", n, err)
	}
	if _, err := s.AddFlag(ctx, &forum.Flag{PostID: id.New(), UserID: "u1", Reason: forum.ReasonSpam}); !errors.Is(err, forum.ErrPostNotFound) {
		t.Errorf("AddFlag(unknown post) = %v, want ErrPostNotFound", err)
	}
	got, err := s.Flags(ctx, p.ID)
	if err != nil || len(got) != 3 {
		t.Fatalf("Flags = %d, %v; want 3", len(got), err)
	}
	sort.Slice(got, func(i, j int) bool { return got[i].UserID < got[j].UserID })
	for i := range made {
		if *got[i] != *made[i] {
			t.Errorf("flag %d = %+v, want %+v", i, got[i], made[i])
		}
	}
	stored := mustGetPost(t, s, p.ID)
	if stored.FlagCount != 3 || stored.Revision != 1 {
		t.Errorf("flagged post: FlagCount %d, Revision %d; want 3, 1 (a flag is not an edit)", stored.FlagCount, stored.Revision)
	}
	// An update of the post keeps its flags.
	stored.Hidden, stored.HiddenReason = true, forum.ReasonPending
	mustUpdatePost(t, s, stored)
	if after := mustGetPost(t, s, p.ID); after.FlagCount != 3 {
		t.Errorf("FlagCount after UpdatePost = %d, want 3", after.FlagCount)
	}
	if posts, err := s.Posts(ctx, th.ID, 1, 2); err != nil || len(posts) != 2 || posts[0].FlagCount != 3 || posts[1].FlagCount != 1 {
		t.Errorf("Posts = %s, %v; want flag counts 3 and 1", show(posts), err)
	}
}

// testConcurrentFlags flags one post from 20 users at once, and from one
// user 10 times at once: each user's flag counts exactly once.
func testConcurrentFlags(t *testing.T, s forum.Store) {
	c := mustCategory(t, s, "c")
	_, p := mustThread(t, s, c.ID, base)
	const users = 20
	counts := make([]int, users)
	var wg sync.WaitGroup
	for i := range users {
		wg.Go(func() {
			n, err := s.AddFlag(ctx, flag(p, fmt.Sprintf("user-%02d", i)))
			if err != nil {
				t.Errorf("AddFlag = %v", err)
			}
			counts[i] = n
		})
	}
	wg.Wait()
	if m := slices.Max(counts); m != users || slices.Min(counts) < 1 {
		t.Errorf("counts returned by concurrent AddFlag = %v, want 1..%d with %d among them", counts, users, users)
	}
	var mu sync.Mutex
	ok, dup := 0, 0
	for range 10 {
		wg.Go(func() {
			_, err := s.AddFlag(ctx, flag(p, "same-user"))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, forum.ErrAlreadyFlagged):
				dup++
			default:
				t.Errorf("AddFlag = %v", err)
			}
		})
	}
	wg.Wait()
	if ok != 1 || dup != 9 {
		t.Errorf("10 concurrent flags of one user: %d stored, %d already flagged; want 1 and 9", ok, dup)
	}
	if got := mustGetPost(t, s, p.ID); got.FlagCount != users+1 {
		t.Errorf("FlagCount = %d, want %d", got.FlagCount, users+1)
	}
	if fs, err := s.Flags(ctx, p.ID); err != nil || len(fs) != users+1 {
		t.Errorf("Flags = %d, %v; want %d", len(fs), err, users+1)
	}
}

func testFollows(t *testing.T, s forum.Store) {
	c := mustCategory(t, s, "c")
	th, _ := mustThread(t, s, c.ID, base)
	other, _ := mustThread(t, s, c.ID, base)
	for _, u := range []string{"u3", "u1", "u2", "u1"} { // following twice is no error
		if err := s.Follow(ctx, u, th.ID); err != nil {
			t.Fatalf("Follow(%s) = %v", u, err)
		}
	}
	if err := s.Follow(ctx, "u9", other.ID); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Followers(ctx, th.ID); err != nil || !slices.Equal(got, []string{"u1", "u2", "u3"}) {
		t.Errorf("Followers = %v, %v; want [u1 u2 u3]", got, err)
	}
	for user, want := range map[string]bool{"u1": true, "u9": false, "nobody": false} {
		if got, err := s.Following(ctx, user, th.ID); err != nil || got != want {
			t.Errorf("Following(%s) = %v, %v; want %v", user, got, err, want)
		}
	}
	for range 2 { // unfollowing twice is no error
		if err := s.Unfollow(ctx, "u2", th.ID); err != nil {
			t.Errorf("Unfollow = %v", err)
		}
	}
	if got, err := s.Followers(ctx, th.ID); err != nil || !slices.Equal(got, []string{"u1", "u3"}) {
		t.Errorf("Followers after Unfollow = %v, %v; want [u1 u3]", got, err)
	}
	if got, err := s.Followers(ctx, id.New()); err != nil || len(got) != 0 {
		t.Errorf("Followers(unknown) = %v, %v; want none", got, err)
	}
}

func testNotifications(t *testing.T, s forum.Store) {
	user, other := id.New(), id.New()
	var ns []*forum.Notification
	var ids []string // user's, oldest first
	for i := range 6 {
		n := &forum.Notification{ID: id.New(), UserID: user, ThreadID: id.New(), PostID: id.New(), ActorID: id.New(),
			CreatedAt: at(base.Add(time.Duration(i) * time.Second))}
		if i == 3 {
			n.UserID = other
		} else {
			ids = append(ids, n.ID)
		}
		ns = append(ns, n)
	}
	if err := s.AddNotifications(ctx, ns); err != nil {
		t.Fatalf("AddNotifications = %v", err)
	}
	if err := s.AddNotifications(ctx, nil); err != nil {
		t.Errorf("AddNotifications(none) = %v", err)
	}
	newest := slices.Clone(ids)
	slices.Reverse(newest)
	var got []string
	before := ""
	for range 10 {
		page, err := s.Notifications(ctx, user, before, 2)
		if err != nil {
			t.Fatalf("Notifications = %v", err)
		}
		for _, n := range page {
			got = append(got, n.ID)
		}
		if len(page) < 2 {
			break
		}
		before = page[len(page)-1].ID
	}
	if !slices.Equal(got, newest) {
		t.Errorf("Notifications newest first = %v, want %v", got, newest)
	}
	page, err := s.Notifications(ctx, user, "", 1)
	if err != nil || len(page) != 1 || *page[0] != *ns[5] {
		t.Errorf("newest notification = %s, %v; want %+v", show(page), err, ns[5])
	}
	unread := func(u string, want int) {
		t.Helper()
		if n, err := s.UnreadCount(ctx, u); err != nil || n != want {
			t.Errorf("UnreadCount = %d, %v; want %d", n, err, want)
		}
	}
	unread(user, 5)
	if err := s.MarkRead(ctx, user, ids[2]); err != nil {
		t.Fatalf("MarkRead = %v", err)
	}
	unread(user, 2)
	all, _ := s.Notifications(ctx, user, "", 0)
	for _, n := range all {
		if want := n.ID <= ids[2]; n.Read != want {
			t.Errorf("notification %s read = %v, want %v", n.ID, n.Read, want)
		}
	}
	unread(other, 1)
	if err := s.MarkRead(ctx, user, ""); err != nil {
		t.Fatalf("MarkRead(all) = %v", err)
	}
	unread(user, 0)
	unread(other, 1)
}

func testWords(t *testing.T, s forum.Store) {
	word := func(w string, a forum.WordAction, repl string) *forum.WatchedWord {
		return &forum.WatchedWord{ID: id.New(), Word: w, Action: a, Replacement: repl, CreatedAt: at(time.Now())}
	}
	spam, bad := word("spam", forum.WordReview, ""), word("lua dao", forum.WordBlock, "")
	for _, w := range []*forum.WatchedWord{spam, bad} {
		if err := s.PutWord(ctx, w); err != nil {
			t.Fatalf("PutWord(%q) = %v", w.Word, err)
		}
	}
	again := word("spam", forum.WordReplace, "***")
	if err := s.PutWord(ctx, again); err != nil {
		t.Fatalf("PutWord(same word) = %v", err)
	}
	ws, err := s.Words(ctx)
	if err != nil || len(ws) != 2 {
		t.Fatalf("Words = %d, %v; want 2", len(ws), err)
	}
	if ws[0].Word != "lua dao" || ws[1].Word != "spam" {
		t.Errorf("Words = %q, %q; want by word", ws[0].Word, ws[1].Word)
	}
	if w := ws[1]; w.Action != forum.WordReplace || w.Replacement != "***" || w.ID != again.ID {
		t.Errorf("replaced word = %+v, want action replace, replacement ***, and PutWord's ID %s", w, again.ID)
	}
	if err := s.DeleteWord(ctx, again.ID); err != nil {
		t.Errorf("DeleteWord = %v", err)
	}
	if err := s.DeleteWord(ctx, again.ID); !errors.Is(err, forum.ErrWordNotFound) {
		t.Errorf("DeleteWord(deleted) = %v, want ErrWordNotFound", err)
	}
	ws, err = s.Words(ctx)
	if err != nil || len(ws) != 1 || *ws[0] != *bad {
		t.Errorf("Words after DeleteWord = %s, %v; want only %+v", show(ws), err, bad)
	}
}

func testAudit(t *testing.T, s forum.Store) {
	var made []*forum.AuditEntry
	for i := range 5 {
		e := &forum.AuditEntry{ID: id.New(), ActorID: id.New(), Action: "post.hide", TargetType: "post", TargetID: id.New(),
			Reason: "spam", Details: fmt.Sprintf(`{"n":%d}`, i), At: at(base.Add(time.Duration(i) * time.Second))}
		if i == 2 {
			e.Reason, e.Details = "", ""
		}
		if err := s.AddAudit(ctx, e); err != nil {
			t.Fatalf("AddAudit = %v", err)
		}
		made = append(made, e)
	}
	slices.Reverse(made)
	var got []*forum.AuditEntry
	before := ""
	for range 10 {
		page, err := s.Audit(ctx, before, 2)
		if err != nil {
			t.Fatalf("Audit = %v", err)
		}
		got = append(got, page...)
		if len(page) < 2 {
			break
		}
		before = page[len(page)-1].ID
	}
	if len(got) != len(made) {
		t.Fatalf("Audit returned %d entries, want %d", len(got), len(made))
	}
	for i := range made {
		if *got[i] != *made[i] {
			t.Errorf("entry %d = %+v, want %+v", i, got[i], made[i])
		}
	}
}
