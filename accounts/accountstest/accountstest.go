// Package accountstest is the conformance suite every accounts.Store
// implementation must pass. Store packages call Run from their tests with a
// constructor that returns a fresh, empty store.
package accountstest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/i18n"
	"github.com/civichub/civichub/id"
)

// Run runs the suite. newStore must return an empty store for each call.
func Run(t *testing.T, newStore func(t *testing.T) accounts.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s accounts.Store)
	}{
		{"CreateAndReadUser", testCreateAndReadUser},
		{"EmailUniqueIgnoringCase", testEmailUnique},
		{"ConcurrentSameEmail", testConcurrentSameEmail},
		{"UsersPagination", testUsersPagination},
		{"SetRole", testSetRole},
		{"Suspension", testSuspension},
		{"Sessions", testSessions},
		{"Agencies", testAgencies},
		{"Memberships", testMemberships},
		{"Secret", testSecret},
		{"Revocations", testRevocations},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newStore(t)) })
	}
}

var ctx = context.Background()

// at truncates to milliseconds, the precision both stores keep.
func at(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

func newUser(email string) *accounts.User {
	return &accounts.User{ID: id.New(), Email: email, Name: "Nguyễn Văn A", Role: accounts.Resident,
		PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", AuthVersion: 1, CreatedAt: at(time.Now())}
}

func mustCreateUser(t *testing.T, s accounts.Store, email string) *accounts.User {
	t.Helper()
	u := newUser(email)
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatalf("CreateUser(%q) = %v", email, err)
	}
	return u
}

func testCreateAndReadUser(t *testing.T, s accounts.Store) {
	u := mustCreateUser(t, s, "an@example.vn")
	got, err := s.User(ctx, u.ID)
	if err != nil {
		t.Fatalf("User(%s) = %v", u.ID, err)
	}
	if *got != *u {
		t.Errorf("User(%s) = %+v, want %+v", u.ID, got, u)
	}
	got, err = s.UserByEmail(ctx, "AN@Example.VN")
	if err != nil || got.ID != u.ID {
		t.Errorf("UserByEmail(upper case) = %v, %v, want user %s", got, err, u.ID)
	}
	if _, err := s.User(ctx, id.New()); !errors.Is(err, accounts.ErrUserNotFound) {
		t.Errorf("User(unknown) = %v, want ErrUserNotFound", err)
	}
	if _, err := s.UserByEmail(ctx, "nobody@example.vn"); !errors.Is(err, accounts.ErrUserNotFound) {
		t.Errorf("UserByEmail(unknown) = %v, want ErrUserNotFound", err)
	}
}

func testEmailUnique(t *testing.T, s accounts.Store) {
	mustCreateUser(t, s, "binh@example.vn")
	err := s.CreateUser(ctx, newUser("Binh@EXAMPLE.vn"))
	if !errors.Is(err, accounts.ErrEmailTaken) {
		t.Fatalf("CreateUser(same email, other case) = %v, want ErrEmailTaken", err)
	}
	if n, _ := s.Users(ctx, accounts.ListParams{Limit: 10}); len(n) != 1 {
		t.Errorf("Users() has %d users after a duplicate, want 1", len(n))
	}
}

func testConcurrentSameEmail(t *testing.T, s accounts.Store) {
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			email := "race@example.vn"
			if i%2 == 1 {
				email = "Race@Example.VN"
			}
			errs[i] = s.CreateUser(ctx, newUser(email))
		}()
	}
	wg.Wait()
	var ok, conflicts int
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, accounts.ErrEmailTaken):
			conflicts++
		default:
			t.Errorf("CreateUser = %v, want nil or ErrEmailTaken", err)
		}
	}
	if ok != 1 || conflicts != n-1 {
		t.Errorf("concurrent CreateUser: %d created, %d conflicts, want 1 and %d", ok, conflicts, n-1)
	}
}

func testUsersPagination(t *testing.T, s accounts.Store) {
	var want []string
	for i := range 5 {
		want = append(want, mustCreateUser(t, s, fmt.Sprintf("u%d@example.vn", i)).ID)
	}
	var got []string
	after := ""
	for range 10 {
		page, err := s.Users(ctx, accounts.ListParams{After: after, Limit: 2})
		if err != nil {
			t.Fatalf("Users = %v", err)
		}
		for _, u := range page {
			got = append(got, u.ID)
		}
		if len(page) < 2 {
			break
		}
		after = page[len(page)-1].ID
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Users pages = %v, want %v", got, want)
	}
}

func testSetRole(t *testing.T, s accounts.Store) {
	u := mustCreateUser(t, s, "mod@example.vn")
	got, err := s.SetRole(ctx, u.ID, accounts.Moderator)
	if err != nil {
		t.Fatalf("SetRole = %v", err)
	}
	if got.Role != accounts.Moderator || got.AuthVersion != u.AuthVersion+1 {
		t.Errorf("SetRole = role %s version %d, want moderator %d", got.Role, got.AuthVersion, u.AuthVersion+1)
	}
	if n, err := s.CountRole(ctx, accounts.Moderator); err != nil || n != 1 {
		t.Errorf("CountRole(moderator) = %d, %v, want 1", n, err)
	}
	if _, err := s.SetRole(ctx, id.New(), accounts.Admin); !errors.Is(err, accounts.ErrUserNotFound) {
		t.Errorf("SetRole(unknown) = %v, want ErrUserNotFound", err)
	}
}

func testSessions(t *testing.T, s accounts.Store) {
	u := mustCreateUser(t, s, "sess@example.vn")
	now := at(time.Now())
	live := &accounts.Session{TokenHash: "aa", UserID: u.ID, AuthVersion: 1, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	old := &accounts.Session{TokenHash: "bb", UserID: u.ID, AuthVersion: 1, CreatedAt: now.Add(-2 * time.Hour), ExpiresAt: now.Add(-time.Hour)}
	for _, x := range []*accounts.Session{live, old} {
		if err := s.CreateSession(ctx, x); err != nil {
			t.Fatalf("CreateSession = %v", err)
		}
	}
	got, err := s.Session(ctx, "aa")
	if err != nil || *got != *live {
		t.Errorf("Session(aa) = %+v, %v, want %+v", got, err, live)
	}
	if _, err := s.Session(ctx, "zz"); !errors.Is(err, accounts.ErrSessionExpired) {
		t.Errorf("Session(unknown) = %v, want ErrSessionExpired", err)
	}
	if n, err := s.DeleteExpiredSessions(ctx, now); err != nil || n != 1 {
		t.Errorf("DeleteExpiredSessions = %d, %v, want 1", n, err)
	}
	if err := s.DeleteSession(ctx, "aa"); err != nil {
		t.Errorf("DeleteSession = %v", err)
	}
	if err := s.DeleteSession(ctx, "aa"); err != nil {
		t.Errorf("DeleteSession(again) = %v, want nil", err)
	}
	if _, err := s.Session(ctx, "aa"); !errors.Is(err, accounts.ErrSessionExpired) {
		t.Errorf("Session after delete = %v, want ErrSessionExpired", err)
	}
	for _, h := range []string{"c1", "c2"} {
		_ = s.CreateSession(ctx, &accounts.Session{TokenHash: h, UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)})
	}
	if err := s.DeleteUserSessions(ctx, u.ID); err != nil {
		t.Fatalf("DeleteUserSessions = %v", err)
	}
	if _, err := s.Session(ctx, "c2"); !errors.Is(err, accounts.ErrSessionExpired) {
		t.Errorf("Session after DeleteUserSessions = %v, want ErrSessionExpired", err)
	}
}

func testAgencies(t *testing.T, s accounts.Store) {
	a := &accounts.Agency{ID: id.New(), Slug: "so-xay-dung", Name: i18n.Text{VI: "Sở Xây dựng", EN: "Department of Construction"}, CreatedAt: at(time.Now())}
	if err := s.CreateAgency(ctx, a); err != nil {
		t.Fatalf("CreateAgency = %v", err)
	}
	dup := *a
	dup.ID = id.New()
	if err := s.CreateAgency(ctx, &dup); !errors.Is(err, accounts.ErrSlugTaken) {
		t.Errorf("CreateAgency(same slug) = %v, want ErrSlugTaken", err)
	}
	got, err := s.Agency(ctx, a.ID)
	if err != nil || *got != *a {
		t.Errorf("Agency = %+v, %v, want %+v", got, err, a)
	}
	got, err = s.AgencyBySlug(ctx, "so-xay-dung")
	if err != nil || got.ID != a.ID {
		t.Errorf("AgencyBySlug = %+v, %v", got, err)
	}
	if _, err := s.Agency(ctx, id.New()); !errors.Is(err, accounts.ErrAgencyNotFound) {
		t.Errorf("Agency(unknown) = %v, want ErrAgencyNotFound", err)
	}
	b := &accounts.Agency{ID: id.New(), Slug: "so-tt-tt", Name: i18n.Text{VI: "Sở Thông tin và Truyền thông"}, CreatedAt: at(time.Now())}
	if err := s.CreateAgency(ctx, b); err != nil {
		t.Fatalf("CreateAgency = %v", err)
	}
	list, err := s.Agencies(ctx, accounts.ListParams{After: a.ID, Limit: 10})
	if err != nil || len(list) != 1 || *list[0] != *b {
		t.Errorf("Agencies(after a) = %v, %v, want [b]", list, err)
	}
}

func testMemberships(t *testing.T, s accounts.Store) {
	u := mustCreateUser(t, s, "staff@example.vn")
	a := &accounts.Agency{ID: id.New(), Slug: "so-a", Name: i18n.Text{VI: "Sở A"}, CreatedAt: at(time.Now())}
	b := &accounts.Agency{ID: id.New(), Slug: "so-b", Name: i18n.Text{VI: "Sở B"}, CreatedAt: at(time.Now())}
	for _, x := range []*accounts.Agency{a, b} {
		if err := s.CreateAgency(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	m := &accounts.Membership{AgencyID: a.ID, UserID: u.ID, Title: "Chuyên viên", CreatedAt: at(time.Now())}
	if err := s.PutMembership(ctx, m); err != nil {
		t.Fatalf("PutMembership = %v", err)
	}
	m2 := *m
	m2.Title = "Chuyên viên Phòng Quản lý xây dựng"
	if err := s.PutMembership(ctx, &m2); err != nil {
		t.Fatalf("PutMembership(new title) = %v", err)
	}
	if err := s.PutMembership(ctx, &accounts.Membership{AgencyID: b.ID, UserID: u.ID, Title: "Phó Giám đốc", CreatedAt: at(time.Now())}); err != nil {
		t.Fatal(err)
	}
	ms, err := s.UserMemberships(ctx, u.ID)
	if err != nil || len(ms) != 2 {
		t.Fatalf("UserMemberships = %v, %v, want 2", ms, err)
	}
	if ms[0].AgencyID != a.ID || ms[0].Title != m2.Title {
		t.Errorf("UserMemberships[0] = %+v, want agency %s title %q", ms[0], a.ID, m2.Title)
	}
	staff, err := s.AgencyMemberships(ctx, a.ID)
	if err != nil || len(staff) != 1 || staff[0].UserID != u.ID {
		t.Errorf("AgencyMemberships = %v, %v, want [%s]", staff, err, u.ID)
	}
	if err := s.DeleteMembership(ctx, a.ID, u.ID); err != nil {
		t.Errorf("DeleteMembership = %v", err)
	}
	if err := s.DeleteMembership(ctx, a.ID, u.ID); !errors.Is(err, accounts.ErrStaffNotFound) {
		t.Errorf("DeleteMembership(again) = %v, want ErrStaffNotFound", err)
	}
	if ms, _ := s.UserMemberships(ctx, u.ID); len(ms) != 1 {
		t.Errorf("UserMemberships after delete = %d, want 1", len(ms))
	}
}

func testSecret(t *testing.T, s accounts.Store) {
	calls := 0
	gen := func() []byte { calls++; return []byte(fmt.Sprintf("secret-%d", calls)) }
	a, err := s.Secret(ctx, "visitor", gen)
	if err != nil {
		t.Fatalf("Secret = %v", err)
	}
	b, err := s.Secret(ctx, "visitor", gen)
	if err != nil || string(a) != string(b) {
		t.Errorf("Secret twice = %q, %q, want the same", a, b)
	}
	c, _ := s.Secret(ctx, "other", gen)
	if string(c) == string(a) {
		t.Errorf("Secret(other) = %q, the same as Secret(visitor)", c)
	}
}

func testRevocations(t *testing.T, s accounts.Store) {
	base := at(time.Now())
	var want []string
	for i := range 4 {
		r := &accounts.Revocation{ID: id.New(), UserID: fmt.Sprintf("user-%d", i), At: base.Add(time.Duration(i) * time.Second)}
		if err := s.AddRevocation(ctx, r); err != nil {
			t.Fatalf("AddRevocation = %v", err)
		}
		want = append(want, r.UserID)
	}
	got, err := s.Revocations(ctx, base.Add(time.Second))
	if err != nil {
		t.Fatalf("Revocations = %v", err)
	}
	var users []string
	for _, r := range got {
		users = append(users, r.UserID)
	}
	if fmt.Sprint(users) != fmt.Sprint(want[1:]) {
		t.Errorf("Revocations(since 2nd) = %v, want %v", users, want[1:])
	}
	if len(got) > 0 && !got[0].At.Equal(base.Add(time.Second)) {
		t.Errorf("Revocations[0].At = %v, want %v", got[0].At, base.Add(time.Second))
	}
	if err := s.DeleteRevocations(ctx, base.Add(3*time.Second)); err != nil {
		t.Fatalf("DeleteRevocations = %v", err)
	}
	if got, _ := s.Revocations(ctx, base); len(got) != 1 || got[0].UserID != "user-3" {
		t.Errorf("Revocations after delete = %v, want only user-3", got)
	}
}

func testSuspension(t *testing.T, s accounts.Store) {
	u := mustCreateUser(t, s, "suspended@example.vn")
	until := at(time.Now().Add(72 * time.Hour))
	got, err := s.SetSuspension(ctx, u.ID, &until)
	if err != nil {
		t.Fatalf("SetSuspension = %v", err)
	}
	if got.SuspendedUntil == nil || !got.SuspendedUntil.Equal(until) || got.AuthVersion != u.AuthVersion+1 {
		t.Errorf("SetSuspension = %+v, want suspended until %v and version %d", got, until, u.AuthVersion+1)
	}
	read, _ := s.User(ctx, u.ID)
	if read.SuspendedUntil == nil || !read.SuspendedUntil.Equal(until) {
		t.Errorf("read back suspended until %v, want %v", read.SuspendedUntil, until)
	}
	if !read.SuspendedAt(time.Now()) || read.SuspendedAt(until.Add(time.Second)) {
		t.Errorf("SuspendedAt wrong for %v", read.SuspendedUntil)
	}
	got, err = s.SetSuspension(ctx, u.ID, nil)
	if err != nil || got.SuspendedUntil != nil || got.AuthVersion != u.AuthVersion+2 {
		t.Errorf("lifting = %+v, %v", got, err)
	}
	if read, _ := s.User(ctx, u.ID); read.SuspendedUntil != nil {
		t.Errorf("after lifting, suspended until %v", read.SuspendedUntil)
	}
	if _, err := s.SetSuspension(ctx, id.New(), &until); !errors.Is(err, accounts.ErrUserNotFound) {
		t.Errorf("SetSuspension(unknown) = %v, want ErrUserNotFound", err)
	}
}
