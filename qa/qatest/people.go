package qatest

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/civichub/civichub/id"
	"github.com/civichub/civichub/qa"
)

func commentIDs(cs []*qa.Comment) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

func equalComments(a, b *qa.Comment) bool {
	x, y := *a, *b
	same := x.CreatedAt.Equal(y.CreatedAt)
	x.CreatedAt, y.CreatedAt = time.Time{}, time.Time{}
	return same && x == y
}

func testComments(t *testing.T, s qa.Store) {
	q := mustCreate(t, s, NewQuestion(id.New(), base))
	other := mustCreate(t, s, NewQuestion(id.New(), base))
	var made []*qa.Comment
	for i := range 5 {
		c := NewComment(q.ID, base.Add(time.Duration(i)*time.Minute))
		if i == 2 { // by the agency's staff
			c.AgencyID, c.StaffTitle = q.AgencyID, "Chuyên viên"
		}
		if err := s.AddComment(ctx, c); err != nil {
			t.Fatalf("AddComment = %v", err)
		}
		made = append(made, c)
		if err := s.AddComment(ctx, NewComment(other.ID, base)); err != nil {
			t.Fatal(err)
		}
	}
	all, err := s.Comments(ctx, q.ID, "", 0)
	if err != nil || !slices.EqualFunc(all, made, equalComments) {
		t.Errorf("Comments = %s, %v; want %s", show(all), err, show(made))
	}
	for _, limit := range []int{1, 2, 3, 5, 6} {
		var got []string
		after := ""
		for range 10 {
			page, err := s.Comments(ctx, q.ID, after, limit)
			if err != nil {
				t.Fatalf("Comments = %v", err)
			}
			if len(page) > limit {
				t.Fatalf("Comments(limit %d) returned %d", limit, len(page))
			}
			got = append(got, commentIDs(page)...)
			if len(page) < limit {
				break
			}
			after = page[len(page)-1].ID
		}
		if !slices.Equal(got, commentIDs(made)) {
			t.Errorf("Comments by pages of %d = %v, want %v", limit, got, commentIDs(made))
		}
	}
	got := mustGet(t, s, q.ID)
	if got.Comments != 5 || got.Revision != 0 {
		t.Errorf("question after 5 comments: Comments %d, Revision %d; want 5, 0", got.Comments, got.Revision)
	}
	if c, err := s.Comment(ctx, made[2].ID); err != nil || !equalComments(c, made[2]) {
		t.Errorf("Comment = %s, %v; want %s", show(c), err, show(made[2]))
	} else if c.CreatedAt.Location() != time.UTC {
		t.Errorf("Comment: CreatedAt in %v, want UTC", c.CreatedAt.Location())
	}
	if err := s.SetCommentHidden(ctx, made[1].ID, true); err != nil {
		t.Fatalf("SetCommentHidden = %v", err)
	}
	made[1].Hidden = true
	if c, err := s.Comment(ctx, made[1].ID); err != nil || !c.Hidden {
		t.Errorf("Comment after hiding = %s, %v; want hidden", show(c), err)
	}
	// The list keeps hidden comments (the service shows what stands in for
	// them), and the count keeps them too.
	if all, err := s.Comments(ctx, q.ID, "", 0); err != nil || !slices.EqualFunc(all, made, equalComments) {
		t.Errorf("Comments after hiding = %s, %v; want %s", show(all), err, show(made))
	}
	if got := mustGet(t, s, q.ID); got.Comments != 5 {
		t.Errorf("Comments after hiding one = %d, want 5", got.Comments)
	}
	if err := s.SetCommentHidden(ctx, made[1].ID, false); err != nil {
		t.Fatalf("SetCommentHidden(false) = %v", err)
	}
	if c, err := s.Comment(ctx, made[1].ID); err != nil || c.Hidden {
		t.Errorf("Comment after restoring = %s, %v; want not hidden", show(c), err)
	}
	if _, err := s.Comment(ctx, id.New()); !errors.Is(err, qa.ErrCommentNotFound) {
		t.Errorf("Comment(unknown) = %v, want ErrCommentNotFound", err)
	}
	if err := s.SetCommentHidden(ctx, id.New(), true); !errors.Is(err, qa.ErrCommentNotFound) {
		t.Errorf("SetCommentHidden(unknown) = %v, want ErrCommentNotFound", err)
	}
	if err := s.AddComment(ctx, NewComment(id.New(), base)); !errors.Is(err, qa.ErrQuestionNotFound) {
		t.Errorf("AddComment(unknown question) = %v, want ErrQuestionNotFound", err)
	}
	if cs, err := s.Comments(ctx, id.New(), "", 10); err != nil || len(cs) != 0 {
		t.Errorf("Comments(unknown question) = %v, %v; want none", commentIDs(cs), err)
	}
}

func testUpvotes(t *testing.T, s qa.Store) {
	q := mustCreate(t, s, NewQuestion(id.New(), base))
	other := mustCreate(t, s, NewQuestion(id.New(), base))
	u1, u2, u3 := id.New(), id.New(), id.New()
	steps := []struct {
		name   string
		do     func(ctx context.Context, q, u string) (int, error)
		user   string
		want   int
		voters []string
	}{
		{"upvote", s.Upvote, u1, 1, []string{u1}},
		{"upvote again", s.Upvote, u1, 1, []string{u1}},
		{"second user", s.Upvote, u2, 2, []string{u1, u2}},
		{"unvote", s.Unvote, u1, 1, []string{u2}},
		{"unvote again", s.Unvote, u1, 1, []string{u2}},
		{"unvote never upvoted", s.Unvote, u3, 1, []string{u2}},
		{"upvote after unvote", s.Upvote, u1, 2, []string{u1, u2}},
	}
	for _, st := range steps {
		n, err := st.do(ctx, q.ID, st.user)
		if err != nil || n != st.want {
			t.Errorf("%s = %d, %v; want %d", st.name, n, err, st.want)
		}
		for _, u := range []string{u1, u2, u3} {
			want := slices.Contains(st.voters, u)
			if got, err := s.Upvoted(ctx, q.ID, u); err != nil || got != want {
				t.Errorf("after %s: Upvoted = %v, %v; want %v", st.name, got, err, want)
			}
		}
	}
	if n, err := s.Upvote(ctx, other.ID, u2); err != nil || n != 1 {
		t.Errorf("Upvote(other question) = %d, %v; want 1", n, err)
	}
	if got := mustGet(t, s, q.ID); got.Upvotes != 2 || got.Revision != 0 {
		t.Errorf("question after upvotes: Upvotes %d, Revision %d; want 2, 0", got.Upvotes, got.Revision)
	}
	for name, do := range map[string]func(ctx context.Context, q, u string) (int, error){"Upvote": s.Upvote, "Unvote": s.Unvote} {
		if _, err := do(ctx, id.New(), u1); !errors.Is(err, qa.ErrQuestionNotFound) {
			t.Errorf("%s(unknown question) = %v, want ErrQuestionNotFound", name, err)
		}
	}
	if got, err := s.Upvoted(ctx, id.New(), u1); err != nil || got {
		t.Errorf("Upvoted(unknown question) = %v, %v; want false", got, err)
	}
}

// testConcurrentUpvotes upvotes one question by 30 users at once, then
// once more by one user 10 times at once, then unvotes by the 30 at once:
// every user counts exactly once.
func testConcurrentUpvotes(t *testing.T, s qa.Store) {
	q := mustCreate(t, s, NewQuestion(id.New(), base))
	const users = 30
	var voters []string
	for range users {
		voters = append(voters, id.New())
	}
	counts := make([]int, users)
	var wg sync.WaitGroup
	for i, u := range voters {
		wg.Go(func() {
			n, err := s.Upvote(ctx, q.ID, u)
			if err != nil {
				t.Errorf("Upvote = %v", err)
			}
			counts[i] = n
		})
	}
	wg.Wait()
	if slices.Max(counts) != users || slices.Min(counts) < 1 {
		t.Errorf("counts returned by concurrent Upvote = %v, want 1..%d with %d among them", counts, users, users)
	}
	if got := mustGet(t, s, q.ID); got.Upvotes != users {
		t.Errorf("Upvotes after %d concurrent upvotes = %d", users, got.Upvotes)
	}
	same := id.New()
	for range 10 {
		wg.Go(func() {
			if _, err := s.Upvote(ctx, q.ID, same); err != nil {
				t.Errorf("Upvote = %v", err)
			}
		})
	}
	wg.Wait()
	if got := mustGet(t, s, q.ID); got.Upvotes != users+1 {
		t.Errorf("Upvotes after one user's 10 concurrent upvotes = %d, want %d", got.Upvotes, users+1)
	}
	for _, u := range voters {
		wg.Go(func() {
			if _, err := s.Unvote(ctx, q.ID, u); err != nil {
				t.Errorf("Unvote = %v", err)
			}
		})
	}
	wg.Wait()
	if got := mustGet(t, s, q.ID); got.Upvotes != 1 {
		t.Errorf("Upvotes after %d concurrent unvotes = %d, want 1", users, got.Upvotes)
	}
	if n, err := s.Unvote(ctx, q.ID, same); err != nil || n != 0 {
		t.Errorf("last Unvote = %d, %v; want 0", n, err)
	}
}

func testFollows(t *testing.T, s qa.Store) {
	q := mustCreate(t, s, NewQuestion(id.New(), base))
	other := mustCreate(t, s, NewQuestion(id.New(), base))
	var users []string
	for range 4 {
		users = append(users, id.New())
	}
	u0, u1, u2, u3 := users[0], users[1], users[2], users[3]
	for _, u := range []string{u3, u1, u2, u1} { // following twice is no error
		if err := s.Follow(ctx, q.ID, u); err != nil {
			t.Fatalf("Follow = %v", err)
		}
	}
	if err := s.Follow(ctx, other.ID, u0); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Followers(ctx, q.ID); err != nil || !slices.Equal(got, []string{u1, u2, u3}) {
		t.Errorf("Followers = %v, %v; want %v", got, err, []string{u1, u2, u3})
	}
	for i, want := range []bool{false, true, true, true} {
		if got, err := s.Following(ctx, q.ID, users[i]); err != nil || got != want {
			t.Errorf("Following(user %d) = %v, %v; want %v", i, got, err, want)
		}
	}
	for range 2 { // unfollowing twice is no error
		if err := s.Unfollow(ctx, q.ID, u2); err != nil {
			t.Errorf("Unfollow = %v", err)
		}
	}
	if got, err := s.Followers(ctx, q.ID); err != nil || !slices.Equal(got, []string{u1, u3}) {
		t.Errorf("Followers after Unfollow = %v, %v; want %v", got, err, []string{u1, u3})
	}
	if got, err := s.Following(ctx, q.ID, u2); err != nil || got {
		t.Errorf("Following after Unfollow = %v, %v; want false", got, err)
	}
	if got, err := s.Followers(ctx, other.ID); err != nil || !slices.Equal(got, []string{u0}) {
		t.Errorf("Followers(other) = %v, %v; want %v", got, err, []string{u0})
	}
	unknown := id.New()
	if err := s.Follow(ctx, unknown, u1); !errors.Is(err, qa.ErrQuestionNotFound) {
		t.Errorf("Follow(unknown question) = %v, want ErrQuestionNotFound", err)
	}
	if err := s.Unfollow(ctx, unknown, u1); err != nil {
		t.Errorf("Unfollow(unknown question) = %v, want nil", err)
	}
	if got, err := s.Following(ctx, unknown, u1); err != nil || got {
		t.Errorf("Following(unknown question) = %v, %v; want false", got, err)
	}
	if got, err := s.Followers(ctx, unknown); err != nil || len(got) != 0 {
		t.Errorf("Followers(unknown question) = %v, %v; want none", got, err)
	}
}

func testAnswerDays(t *testing.T, s qa.Store) {
	a, b := id.New(), id.New()
	check := func(agency string, want int) {
		t.Helper()
		if got, err := s.AnswerDays(ctx, agency); err != nil || got != want {
			t.Errorf("AnswerDays = %d, %v; want %d", got, err, want)
		}
	}
	check(a, 0)
	for _, days := range []int{15, 7, 0, 10} {
		if err := s.SetAnswerDays(ctx, a, days); err != nil {
			t.Fatalf("SetAnswerDays(%d) = %v", days, err)
		}
		check(a, days)
		check(b, 0)
	}
	if err := s.SetAnswerDays(ctx, b, 5); err != nil {
		t.Fatal(err)
	}
	check(a, 10)
	check(b, 5)
}
