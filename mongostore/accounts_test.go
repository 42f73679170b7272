package mongostore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/accounts/accountstest"
	"github.com/civichub/civichub/i18n"
	"github.com/civichub/civichub/id"
)

func TestAccountsStore(t *testing.T) {
	accountstest.Run(t, func(t *testing.T) accounts.Store {
		db, _ := openDB(t)
		return db.Accounts()
	})
}

// The tests below check what the conformance suite cannot see: the stored
// documents, and behaviour particular to this store.

func TestUserDocument(t *testing.T) {
	db, name := openDB(t)
	ctx := context.Background()
	u := &accounts.User{ID: id.New(), Email: " Lan@Example.VN", Name: "Lan", Role: accounts.Resident,
		AuthVersion: 1, CreatedAt: time.Now()}
	if err := db.Accounts().CreateUser(ctx, u); err != nil {
		t.Fatalf("CreateUser = %v", err)
	}
	raw, err := admin.Database(name).Collection("users").FindOne(ctx, bson.D{{Key: "_id", Value: u.ID}}).Raw()
	if err != nil {
		t.Fatalf("FindOne(raw) = %v", err)
	}
	if got := raw.Lookup("email_key").StringValue(); got != "lan@example.vn" {
		t.Errorf("email_key = %q, want %q", got, "lan@example.vn")
	}
	if got := raw.Lookup("created_at").Type; got != bson.TypeDateTime {
		t.Errorf("created_at has BSON type %v, want datetime", got)
	}
	if got := raw.Lookup("auth_version").Type; got != bson.TypeInt64 {
		t.Errorf("auth_version has BSON type %v, want int64", got)
	}
	got, err := db.Accounts().User(ctx, u.ID)
	if err != nil {
		t.Fatalf("User = %v", err)
	}
	if want := u.CreatedAt.UTC().Truncate(time.Millisecond); got.CreatedAt != want {
		t.Errorf("User().CreatedAt = %v, want %v (UTC, milliseconds)", got.CreatedAt, want)
	}
}

func TestUsersWithoutLimit(t *testing.T) {
	db, _ := openDB(t)
	s := db.Accounts()
	ctx := context.Background()
	for i := range 3 {
		u := &accounts.User{ID: id.New(), Email: fmt.Sprintf("u%d@example.vn", i), Role: accounts.Resident, CreatedAt: time.Now()}
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := s.Users(ctx, accounts.ListParams{}); err != nil || len(got) != 3 {
		t.Errorf("Users(no limit) = %d users, %v, want 3", len(got), err)
	}
}

func TestConcurrentSameSlug(t *testing.T) {
	db, _ := openDB(t)
	s := db.Accounts()
	const n = 6
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs[i] = s.CreateAgency(context.Background(), &accounts.Agency{ID: id.New(), Slug: "ubnd-tinh",
				Name: i18n.Text{VI: "UBND tỉnh"}, CreatedAt: time.Now()})
		})
	}
	wg.Wait()
	created := 0
	for _, err := range errs {
		switch {
		case err == nil:
			created++
		case !errors.Is(err, accounts.ErrSlugTaken):
			t.Errorf("CreateAgency = %v, want nil or ErrSlugTaken", err)
		}
	}
	if created != 1 {
		t.Errorf("concurrent CreateAgency made %d agencies, want 1", created)
	}
}

func TestPutMembershipKeepsCreatedAt(t *testing.T) {
	db, _ := openDB(t)
	s := db.Accounts()
	ctx := context.Background()
	first := time.Now().UTC().Truncate(time.Millisecond)
	m := &accounts.Membership{AgencyID: id.New(), UserID: id.New(), Title: "Chuyên viên", CreatedAt: first}
	if err := s.PutMembership(ctx, m); err != nil {
		t.Fatal(err)
	}
	m2 := *m
	m2.Title, m2.CreatedAt = "Trưởng phòng", first.Add(time.Hour)
	if err := s.PutMembership(ctx, &m2); err != nil {
		t.Fatal(err)
	}
	ms, err := s.AgencyMemberships(ctx, m.AgencyID)
	if err != nil || len(ms) != 1 {
		t.Fatalf("AgencyMemberships = %v, %v, want one", ms, err)
	}
	if ms[0].Title != m2.Title || !ms[0].CreatedAt.Equal(first) {
		t.Errorf("membership = %+v, want title %q created %v", ms[0], m2.Title, first)
	}
}

func TestConcurrentSecret(t *testing.T) {
	db, _ := openDB(t)
	s := db.Accounts()
	const n = 8
	got := make([][]byte, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			got[i], errs[i] = s.Secret(context.Background(), "csrf", func() []byte { return []byte(id.New()) })
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("Secret = %v", errs[i])
		}
		if string(got[i]) != string(got[0]) {
			t.Errorf("Secret() in goroutine %d = %q, goroutine 0 got %q", i, got[i], got[0])
		}
	}
}
