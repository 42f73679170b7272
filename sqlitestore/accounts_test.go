package sqlitestore_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/accounts/accountstest"
	"github.com/civichub/civichub/sqlitestore"
)

// MustOpen opens a database in a fresh temp folder, closed at cleanup.
func MustOpen(tb testing.TB) *sqlitestore.DB {
	tb.Helper()
	db, err := sqlitestore.Open(context.Background(), tb.TempDir(), slog.New(slog.DiscardHandler))
	if err != nil {
		tb.Fatalf("Open = %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func TestAccountsConformance(t *testing.T) {
	accountstest.Run(t, func(t *testing.T) accounts.Store { return MustOpen(t).Accounts() })
}

func TestOpenTwiceKeepsData(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	db, err := sqlitestore.Open(ctx, dir, log)
	if err != nil {
		t.Fatal(err)
	}
	secret, err := db.Accounts().Secret(ctx, "k", func() []byte { return []byte("one") })
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = sqlitestore.Open(ctx, dir, log)
	if err != nil {
		t.Fatalf("second Open = %v", err)
	}
	defer db.Close()
	got, err := db.Accounts().Secret(ctx, "k", func() []byte { return []byte("two") })
	if err != nil || string(got) != string(secret) {
		t.Errorf("Secret after reopen = %q, %v, want %q", got, err, secret)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	db, err := sqlitestore.Open(ctx, dir, log)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetSchemaVersionForTest(ctx, 999); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if db, err := sqlitestore.Open(ctx, dir, log); err == nil {
		db.Close()
		t.Fatal("Open(schema 999) = nil error, want a refusal")
	}
}
