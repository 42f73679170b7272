package visitors_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/civichub/civichub/internal/redistest"
	"github.com/civichub/civichub/sqlitestore"
	"github.com/civichub/civichub/visitors"
)

func openStore(t *testing.T) *sqlitestore.VisitorsStore {
	t.Helper()
	db, err := sqlitestore.Open(ctx, t.TempDir(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("Open = %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db.Visitors()
}

func clock(at *time.Time) visitors.PersisterOptions {
	return visitors.PersisterOptions{Now: func() time.Time { return *at }}
}

func mustFlush(t *testing.T, p *visitors.Persister) {
	t.Helper()
	if err := p.Flush(ctx); err != nil {
		t.Fatalf("Flush = %v", err)
	}
}

func storedTotal(t *testing.T, s visitors.Store) int64 {
	t.Helper()
	v, err := s.Counter(ctx, visitors.VisitsTotal)
	if err != nil {
		t.Fatalf("Counter = %v", err)
	}
	return v
}

// visitMany makes n distinct visitors visit at at.
func visitMany(t *testing.T, c visitors.Counter, prefix string, n int, at time.Time) {
	t.Helper()
	for i := range n {
		mustVisit(t, c, fmt.Sprintf("%s%d", prefix, i), at)
	}
}

// TestRestartContinues seeds a legacy total, counts, flushes, and starts a
// fresh counter of each kind from the same store, as after a restart: it
// continues from the stored total and keeps today's distinct visitors.
func TestRestartContinues(t *testing.T) {
	for name, newCounter := range counters() {
		t.Run(name, func(t *testing.T) {
			store := openStore(t)
			now := base
			if err := visitors.SetVisitsTotal(ctx, store, nil, 20100646); err != nil {
				t.Fatalf("SetVisitsTotal = %v", err)
			}
			c := newCounter(t)
			p := visitors.NewPersister(c, store, nil, clock(&now))
			mustFlush(t, p) // at start: the counter takes the stored total
			if total, _ := mustTotals(t, c, now); total != 20100646 {
				t.Fatalf("total after the first flush = %d, want the stored 20100646", total)
			}
			visitMany(t, c, "v", 30, now)
			mustFlush(t, p)
			if got := storedTotal(t, store); got != 20100676 {
				t.Errorf("stored total after 30 visits = %d, want 20100676", got)
			}

			c2 := newCounter(t)
			p2 := visitors.NewPersister(c2, store, nil, clock(&now))
			mustFlush(t, p2)
			now = now.Add(time.Hour)
			visitMany(t, c2, "v", 10, now) // ten of the same visitors return
			total, today := mustTotals(t, c2, now)
			if total != 20100686 || today != 30 {
				t.Errorf("Totals after restart = %d, %d, want 20100686 visits, 30 visitors today", total, today)
			}
		})
	}
}

// TestRedisLosesData restarts Redis empty under a running node: the total
// shown never drops below what was seen, and the next flush puts the stored
// total and today's visitors back.
func TestRedisLosesData(t *testing.T) {
	srv := redistest.Start(t)
	store := openStore(t)
	now := base
	c := visitors.NewRedisCounter(newRedisClient(t, srv), hcm, visitors.Options{})
	p := visitors.NewPersister(c, store, nil, clock(&now))
	visitMany(t, c, "v", 20, now)
	mustFlush(t, p)
	visitMany(t, c, "w", 5, now) // counted in Redis only: lost with it
	seen, _ := mustTotals(t, c, now)

	srv.Restart(t)
	total, _ := mustTotals(t, c, now)
	if total < seen {
		t.Errorf("total after Redis lost its data = %d, want at least %d seen before", total, seen)
	}
	mustVisit(t, c, "x", now)
	if total, _ := mustTotals(t, c, now); total != seen+1 {
		t.Errorf("total after one more visit = %d, want %d", total, seen+1)
	}

	// Another node starting now, with no memory of the old figures.
	fresh := visitors.NewRedisCounter(newRedisClient(t, srv), hcm, visitors.Options{})
	srv.Restart(t)
	mustFlush(t, visitors.NewPersister(fresh, store, nil, clock(&now)))
	total, today := mustTotals(t, fresh, now)
	if total != 20 || today != 20 {
		t.Errorf("Totals after Redis lost its data and a flush = %d, %d, want the stored 20 visits, 20 visitors", total, today)
	}
}

// TestOperatorRaiseReachesRunningNode checks that `civichub admin
// set-visits`, run while a node serves, shows on that node after its next
// flush.
func TestOperatorRaiseReachesRunningNode(t *testing.T) {
	forEachCounter(t, func(t *testing.T, c visitors.Counter) {
		store := openStore(t)
		now := base
		p := visitors.NewPersister(c, store, nil, clock(&now))
		visitMany(t, c, "v", 3, now)
		mustFlush(t, p)
		if err := visitors.SetVisitsTotal(ctx, store, nil, 20100646); err != nil {
			t.Fatal(err)
		}
		mustFlush(t, p)
		if total, _ := mustTotals(t, c, now); total != 20100646 {
			t.Errorf("total after set-visits and a flush = %d, want 20100646", total)
		}
	})
}

// TestSketchesPruned checks that only today's and yesterday's sketches stay
// in the store.
func TestSketchesPruned(t *testing.T) {
	store := openStore(t)
	now := base
	c := visitors.NewMemoryCounter(hcm, visitors.Options{})
	p := visitors.NewPersister(c, store, nil, clock(&now))
	for range 4 {
		visitMany(t, c, "v", 3, now)
		mustFlush(t, p)
		now = now.Add(24 * time.Hour)
	}
	for _, tc := range []struct {
		day  string
		kept bool
	}{{"2025-03-01", false}, {"2025-03-02", false}, {"2025-03-03", true}, {"2025-03-04", true}} {
		b, err := store.DaySketch(ctx, "memory", tc.day)
		if err != nil || (b != nil) != tc.kept {
			t.Errorf("DaySketch(%s) = %d bytes, %v, want kept %v", tc.day, len(b), err, tc.kept)
		}
	}
}

// TestDamagedSketchIsReplaced checks that a sketch the counter cannot read
// neither stops the flushes nor survives them.
func TestDamagedSketchIsReplaced(t *testing.T) {
	garbage := []byte("\x02\x0e\x00\x01garbage that is not a sketch")
	for kind, newCounter := range counters() {
		t.Run(kind, func(t *testing.T) {
			store := openStore(t)
			now := base
			if err := store.PutDaySketch(ctx, kind, "2025-03-01", garbage); err != nil {
				t.Fatal(err)
			}
			c := newCounter(t)
			visitMany(t, c, "v", 4, now)
			mustFlush(t, visitors.NewPersister(c, store, nil, clock(&now)))
			if _, today := mustTotals(t, c, now); today != 4 {
				t.Errorf("visitors today = %d, want 4", today)
			}
			b, err := store.DaySketch(ctx, kind, "2025-03-01")
			if err != nil || b == nil || string(b) == string(garbage) {
				t.Errorf("DaySketch after a flush = %q, %v, want the counter's sketch saved over the damaged one", b, err)
			}
		})
	}
}

// TestRunFlushesOnStop runs the loop and stops it: the final flush saves
// what was counted since the last tick, and no goroutine is left behind.
func TestRunFlushesOnStop(t *testing.T) {
	store := openStore(t)
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	c := visitors.NewMemoryCounter(hcm, visitors.Options{})
	p := visitors.NewPersister(c, store, nil, visitors.PersisterOptions{Interval: time.Hour})
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- p.Run(runCtx) }()
	visitMany(t, c, "v", 7, time.Now())
	stop()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v, want nil: the final flush runs on a fresh context", err)
	}
	if got := storedTotal(t, store); got != 7 {
		t.Errorf("stored total after Run stopped = %d, want 7", got)
	}
}
