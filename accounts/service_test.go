package accounts_test

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/apperr"
	"github.com/civichub/civichub/ratelimit"
	"github.com/civichub/civichub/sqlitestore"
)

// cheap hashing keeps these tests fast; the real parameters are exercised by
// the end-to-end tests and the login benchmark.
var testParams = &argon2id.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func newService(t *testing.T, limits accounts.Limits) (*accounts.Service, *clock) {
	db, err := sqlitestore.Open(context.Background(), t.TempDir(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clk := &clock{now: time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)}
	svc := accounts.NewService(db.Accounts(), accounts.NewHasher(2, testParams), ratelimit.NewMemory(),
		accounts.Options{SessionTTL: time.Hour, Limits: limits, Now: clk.Now}, slog.New(slog.DiscardHandler))
	return svc, clk
}

var (
	ctx = context.Background()
	ip  = netip.MustParseAddr("192.0.2.10")
)

func TestSessionExpires(t *testing.T) {
	svc, clk := newService(t, accounts.Limits{})
	_, token, err := svc.Register(ctx, accounts.NewUser{Email: "a@example.vn", Password: "password123", Name: "A"}, ip)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.Authenticate(ctx, token); err != nil {
		t.Fatalf("Authenticate(fresh) = %v", err)
	}
	clk.Add(time.Hour)
	if _, _, err := svc.Authenticate(ctx, token); !errors.Is(err, accounts.ErrSessionExpired) {
		t.Errorf("Authenticate(after TTL) = %v, want ErrSessionExpired", err)
	}
}

func TestRoleChangeRotatesSession(t *testing.T) {
	svc, _ := newService(t, accounts.Limits{})
	u, token, err := svc.Register(ctx, accounts.NewUser{Email: "b@example.vn", Password: "password123", Name: "B"}, ip)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetRole(ctx, accounts.System, u.ID, accounts.Moderator); err != nil {
		t.Fatal(err)
	}
	got, rotated, err := svc.Authenticate(ctx, token)
	if err != nil || rotated == "" || got.Role != accounts.Moderator {
		t.Fatalf("Authenticate after role change = %v, rotated %q, %v; want moderator with a new token", got, rotated, err)
	}
	if _, _, err := svc.Authenticate(ctx, token); !errors.Is(err, accounts.ErrSessionExpired) {
		t.Errorf("old token after rotation = %v, want ErrSessionExpired", err)
	}
	if _, again, err := svc.Authenticate(ctx, rotated); err != nil || again != "" {
		t.Errorf("Authenticate(rotated) = %q, %v, want no further rotation", again, err)
	}
}

func TestLogoutRevokes(t *testing.T) {
	svc, _ := newService(t, accounts.Limits{})
	_, token, _ := svc.Register(ctx, accounts.NewUser{Email: "c@example.vn", Password: "password123", Name: "C"}, ip)
	if err := svc.Logout(ctx, token); err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.Authenticate(ctx, token); !errors.Is(err, accounts.ErrSessionExpired) {
		t.Errorf("Authenticate after logout = %v, want ErrSessionExpired", err)
	}
}

func TestLoginErrorsAreGeneric(t *testing.T) {
	svc, _ := newService(t, accounts.Limits{})
	svc.Register(ctx, accounts.NewUser{Email: "d@example.vn", Password: "password123", Name: "D"}, ip)
	_, _, wrongPassword := svc.Login(ctx, "d@example.vn", "not the password", ip)
	_, _, unknownUser := svc.Login(ctx, "nobody@example.vn", "password123", ip)
	if !errors.Is(wrongPassword, accounts.ErrBadCredentials) || !errors.Is(unknownUser, accounts.ErrBadCredentials) {
		t.Errorf("Login errors = %v and %v, want ErrBadCredentials for both", wrongPassword, unknownUser)
	}
}

func TestRegisterRateLimitPerIP(t *testing.T) {
	svc, _ := newService(t, accounts.Limits{RegisterPerIP: ratelimit.Rate{N: 2, Per: time.Hour}})
	for i, email := range []string{"e1@example.vn", "e2@example.vn", "e3@example.vn"} {
		_, _, err := svc.Register(ctx, accounts.NewUser{Email: email, Password: "password123", Name: "E"}, ip)
		if want := i == 2; (apperr.CodeOf(err) == apperr.RateLimited) != want {
			t.Errorf("Register #%d = %v, want rate limited %v", i+1, err, want)
		}
	}
	other := netip.MustParseAddr("192.0.2.11")
	if _, _, err := svc.Register(ctx, accounts.NewUser{Email: "e4@example.vn", Password: "password123", Name: "E"}, other); err != nil {
		t.Errorf("Register from another IP = %v, want nil", err)
	}
}

func TestRightsAreChecked(t *testing.T) {
	svc, _ := newService(t, accounts.Limits{})
	resident, _, _ := svc.Register(ctx, accounts.NewUser{Email: "f@example.vn", Password: "password123", Name: "F"}, ip)
	moderator, _ := svc.CreateUser(ctx, accounts.System, accounts.NewUser{Email: "m@example.vn", Password: "password123", Name: "M", Role: accounts.Moderator})
	for _, actor := range []*accounts.User{nil, resident, moderator} {
		want := apperr.Forbidden
		if actor == nil {
			want = apperr.Unauthorized
		}
		if _, err := svc.CreateAgency(ctx, actor, accounts.NewAgency{Slug: "so-x", Name: accountsText("Sở X")}); apperr.CodeOf(err) != want {
			t.Errorf("CreateAgency by %v = %v, want %s", actor, err, want)
		}
		if _, err := svc.SetRole(ctx, actor, resident.ID, accounts.Admin); apperr.CodeOf(err) != want {
			t.Errorf("SetRole by %v = %v, want %s", actor, err, want)
		}
		if _, err := svc.Users(ctx, actor, accounts.ListParams{Limit: 10}); apperr.CodeOf(err) != want {
			t.Errorf("Users by %v = %v, want %s", actor, err, want)
		}
	}
}

func TestHasher(t *testing.T) {
	h := accounts.NewHasher(1, testParams)
	hash, err := h.Hash(ctx, "password123")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := h.Check(ctx, "password123", hash); !ok || err != nil {
		t.Errorf("Check(right) = %v, %v", ok, err)
	}
	if ok, _ := h.Check(ctx, "password124", hash); ok {
		t.Error("Check(wrong) = true")
	}
	if ok, _ := h.Check(ctx, "password123", ""); ok {
		t.Error("Check(no hash) = true, want false")
	}
}
