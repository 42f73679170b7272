package polls_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/i18n"
	"github.com/civichub/civichub/id"
	"github.com/civichub/civichub/polls"
	"github.com/civichub/civichub/ratelimit"
	"github.com/civichub/civichub/sqlitestore"
)

type quiet struct{}

func (quiet) Changed(string)                              {}
func (quiet) Revalidate(context.Context, ...string) error { return nil }

// interleaved stores, just before the service's first UpdatePoll, another
// change of the same poll, as the scheduler or another manager on another
// node might: the service's write then finds a newer revision.
type interleaved struct {
	polls.Store
	once sync.Once
}

func (s *interleaved) UpdatePoll(ctx context.Context, p *polls.Poll) error {
	var err error
	s.once.Do(func() {
		other, e := s.Store.Poll(ctx, p.ID)
		if e != nil {
			err = e
			return
		}
		other.UpdatedAt = time.Now().UTC().Truncate(time.Millisecond)
		err = s.Store.UpdatePoll(ctx, other)
	})
	if err != nil {
		return err
	}
	return s.Store.UpdatePoll(ctx, p)
}

// TestUpdateAppliesAgainAfterAConcurrentChange: a manager's close is not
// refused because the scheduler (or anyone) stored a change of the poll
// between the service's read and its write.
func TestUpdateAppliesAgainAfterAConcurrentChange(t *testing.T) {
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := sqlitestore.Open(ctx, t.TempDir(), logger)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	admin := &accounts.User{ID: id.New(), Email: "admin@example.vn", Name: "Quản trị", Role: accounts.Admin, PasswordHash: "!", AuthVersion: 1, CreatedAt: time.Now().UTC()}
	if err := db.Accounts().CreateUser(ctx, admin); err != nil {
		t.Fatal(err)
	}
	store := &interleaved{Store: db.Polls()}
	svc := polls.NewService(store, db.Accounts(), quiet{}, ratelimit.NewMemory(), polls.Options{}, logger)
	v := polls.Viewer{User: admin}
	p, err := svc.Create(ctx, v, polls.NewPoll{Question: i18n.Text{VI: "Ý kiến?"}, Options: []i18n.Text{{VI: "Có"}, {VI: "Không"}},
		Audience: polls.Everyone, Results: polls.Always, Status: polls.Open})
	if err != nil {
		t.Fatal(err)
	}
	closed := polls.Closed
	got, err := svc.Update(ctx, v, p.ID, polls.Patch{Status: &closed})
	if err != nil {
		t.Fatalf("close after a concurrent change = %v, want it applied again", err)
	}
	if got.Status != polls.Closed {
		t.Errorf("status = %s, want closed", got.Status)
	}
	// The rules still hold on the fresh read: a closed poll does not open.
	open := polls.Open
	if _, err := svc.Update(ctx, v, p.ID, polls.Patch{Status: &open}); err == nil {
		t.Error("a closed poll opened again")
	}
}
