package sqlitestore_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/civichub/civichub/sqlitestore"
	"github.com/civichub/civichub/visitors"
	"github.com/civichub/civichub/visitors/visitorstest"
)

func TestVisitorsConformance(t *testing.T) {
	visitorstest.Run(t, func(t *testing.T) visitors.Store { return MustOpen(t).Visitors() })
}

// TestCounterSurvivesReopen checks what the suite cannot: the total is on
// disk, and a second process's raise (civichub admin) is seen by the first.
func TestCounterSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	db, err := sqlitestore.Open(ctx, dir, log)
	if err != nil {
		t.Fatal(err)
	}
	other, err := sqlitestore.Open(ctx, dir, log)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Visitors().RaiseCounter(ctx, visitors.VisitsTotal, 100); err != nil {
		t.Fatal(err)
	}
	if err := visitors.SetVisitsTotal(ctx, other.Visitors(), nil, 20100646); err != nil {
		t.Fatalf("SetVisitsTotal = %v", err)
	}
	if got, err := db.Visitors().RaiseCounter(ctx, visitors.VisitsTotal, 101); err != nil || got != 20100646 {
		t.Errorf("RaiseCounter(101) after another process set 20100646 = %d, %v, want 20100646", got, err)
	}
	other.Close()
	db.Close()
	db, err = sqlitestore.Open(ctx, dir, log)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got, err := db.Visitors().Counter(ctx, visitors.VisitsTotal); err != nil || got != 20100646 {
		t.Errorf("Counter after reopen = %d, %v, want 20100646", got, err)
	}
}
