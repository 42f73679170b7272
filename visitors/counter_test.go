package visitors_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/civichub/civichub/internal/redistest"
	"github.com/civichub/civichub/visitors"
)

var ctx = context.Background()

// hcm is the portal's time zone: UTC+7, no daylight saving, so local
// midnight is 17:00 UTC.
var hcm = mustLoad("Asia/Ho_Chi_Minh")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// base is 10:00 on 1 March 2025 in Hồ Chí Minh City.
var base = time.Date(2025, 3, 1, 3, 0, 0, 0, time.UTC)

// counters returns a constructor of each implementation; every call gives
// a fresh, empty counter (the Redis one on its own private redis-server).
func counters() map[string]func(t *testing.T) visitors.Counter {
	return map[string]func(t *testing.T) visitors.Counter{
		"memory": func(t *testing.T) visitors.Counter { return visitors.NewMemoryCounter(hcm, visitors.Options{}) },
		"redis": func(t *testing.T) visitors.Counter {
			return visitors.NewRedisCounter(newRedisClient(t, redistest.Start(t)), hcm, visitors.Options{})
		},
	}
}

func newRedisClient(t *testing.T, srv *redistest.Server) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: srv.Addr, MaxRetries: -1})
	t.Cleanup(func() { c.Close() })
	return c
}

func forEachCounter(t *testing.T, fn func(t *testing.T, c visitors.Counter)) {
	for name, newCounter := range counters() {
		t.Run(name, func(t *testing.T) { fn(t, newCounter(t)) })
	}
}

func mustVisit(t *testing.T, c visitors.Counter, id string, at time.Time) bool {
	t.Helper()
	counted, err := c.Visit(ctx, id, at)
	if err != nil {
		t.Fatalf("Visit(%q, %v) = %v", id, at, err)
	}
	return counted
}

func mustTotals(t *testing.T, c visitors.Counter, at time.Time) (int64, int64) {
	t.Helper()
	total, today, err := c.Totals(ctx, at)
	if err != nil {
		t.Fatalf("Totals(%v) = %v", at, err)
	}
	return total, today
}

func TestVisitWindow(t *testing.T) {
	steps := []struct {
		id    string
		after time.Duration // since base
		want  bool
	}{
		{"a", 0, true},                                    // first request
		{"a", time.Minute, false},                         // a minute later: same visit
		{"a", 30*time.Minute - time.Second, false},        // 29m59s after the first, 28m59s after the last
		{"a", 60*time.Minute - 2*time.Second, false},      // 29m59s after the last: still the same visit
		{"a", 90*time.Minute - 2*time.Second, true},       // exactly 30 minutes away: a new visit
		{"b", 90 * time.Minute, true},                     // another visitor
		{"a", 91 * time.Minute, false},                    // a is back within the window
		{"a", 80 * time.Minute, false},                    // a late request from before: not a visit
		{"", 92 * time.Minute, false},                     // no visitor: never counted
		{"b", 90*time.Minute + 30*time.Minute, true},      // b away exactly 30 minutes
		{"c", 5 * time.Hour, true},                        // c, later the same day
		{"a", 5*time.Hour + 29*time.Minute, true},         // a after hours
		{"a", 5*time.Hour + 29*time.Minute + 1, false},    // one nanosecond later
		{"b", 5*time.Hour + 29*time.Minute + 1e6, true},   // b after hours
		{"b", 5*time.Hour + 58*time.Minute + 59e9, false}, // 29m59s later
	}
	forEachCounter(t, func(t *testing.T, c visitors.Counter) {
		var want int64
		for i, st := range steps {
			at := base.Add(st.after)
			if got := mustVisit(t, c, st.id, at); got != st.want {
				t.Errorf("step %d: Visit(%q, base+%v) = %v, want %v", i, st.id, st.after, got, st.want)
			}
			if st.want {
				want++
			}
		}
		total, today := mustTotals(t, c, base.Add(6*time.Hour))
		if total != want || today != 3 {
			t.Errorf("Totals = %d, %d, want %d visits, 3 visitors today", total, today, want)
		}
	})
}

func TestVisitorsTodayResetsAtLocalMidnight(t *testing.T) {
	// 16:59:59 UTC is 23:59:59 on 1 March in Hồ Chí Minh City; 17:00 UTC is
	// midnight, 2 March.
	day1 := func(h, m, s int) time.Time { return time.Date(2025, 3, 1, h, m, s, 0, time.UTC) }
	forEachCounter(t, func(t *testing.T, c visitors.Counter) {
		mustVisit(t, c, "morning", day1(1, 0, 0)) // 08:00 local, 1 March
		mustVisit(t, c, "late", day1(16, 50, 0))  // 23:50 local
		mustVisit(t, c, "last", day1(16, 59, 59)) // 23:59:59 local
		if _, today := mustTotals(t, c, day1(16, 59, 59)); today != 3 {
			t.Errorf("visitors today at 23:59:59 = %d, want 3", today)
		}
		if _, today := mustTotals(t, c, day1(17, 0, 0)); today != 0 {
			t.Errorf("visitors today at local midnight = %d, want 0", today)
		}
		// "late" is still on the visit it started at 23:50: not a new
		// visit, but a visitor of 2 March.
		if mustVisit(t, c, "late", day1(17, 5, 0)) {
			t.Errorf("Visit(late, 00:05) counted a new visit 15 minutes after the last request")
		}
		mustVisit(t, c, "new", day1(17, 0, 0))
		mustVisit(t, c, "new", day1(17, 1, 0))
		total, today := mustTotals(t, c, day1(17, 10, 0))
		if total != 4 || today != 2 {
			t.Errorf("Totals at 00:10 = %d, %d, want 4 visits (the total never resets), 2 visitors today", total, today)
		}
		// 1 March is still answered until its sketch is dropped.
		if _, today := mustTotals(t, c, day1(16, 0, 0)); today != 3 {
			t.Errorf("visitors of 1 March asked on 2 March = %d, want 3", today)
		}
	})
}

func TestVisitorsTodayCountsDistinct(t *testing.T) {
	forEachCounter(t, func(t *testing.T, c visitors.Counter) {
		const n = 2000
		for round := range 3 { // each visitor three times, an hour apart: three visits
			for i := range n {
				mustVisit(t, c, fmt.Sprintf("visitor-%d", i), base.Add(time.Duration(round)*time.Hour))
			}
		}
		total, today := mustTotals(t, c, base.Add(3*time.Hour))
		if total != 3*n {
			t.Errorf("visits total = %d, want %d", total, 3*n)
		}
		if today < n*98/100 || today > n*102/100 {
			t.Errorf("visitors today = %d, want %d within 2 %%", today, n)
		}
	})
}

func TestSetAndRaiseTotal(t *testing.T) {
	forEachCounter(t, func(t *testing.T, c visitors.Counter) {
		if err := c.SetTotal(ctx, 20100646); err != nil {
			t.Fatalf("SetTotal = %v", err)
		}
		mustVisit(t, c, "a", base)
		if total, _ := mustTotals(t, c, base); total != 20100647 {
			t.Errorf("total after SetTotal(20100646) and a visit = %d, want 20100647", total)
		}
		for _, tc := range []struct{ v, want int64 }{{5, 20100647}, {20100700, 20100700}, {20100699, 20100700}} {
			if got, err := c.RaiseTotal(ctx, tc.v); err != nil || got != tc.want {
				t.Errorf("RaiseTotal(%d) = %d, %v, want %d", tc.v, got, err, tc.want)
			}
		}
		if err := c.SetTotal(ctx, 10); err != nil {
			t.Fatalf("SetTotal(lower) = %v", err)
		}
		if total, _ := mustTotals(t, c, base); total != 10 {
			t.Errorf("total after SetTotal(10) = %d, want 10: the override may lower it", total)
		}
	})
}

func TestConcurrentVisits(t *testing.T) {
	forEachCounter(t, func(t *testing.T, c visitors.Counter) {
		const workers, each = 8, 100
		var counted atomic.Int64
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for i := range each {
					id := fmt.Sprintf("w%d-%d", w, i)
					for range 2 { // the second request is the same visit
						if ok, err := c.Visit(ctx, id, base); err != nil {
							t.Errorf("Visit = %v", err)
						} else if ok {
							counted.Add(1)
						}
					}
					// every worker also hits one shared visitor at once
					if ok, _ := c.Visit(ctx, "shared", base); ok {
						counted.Add(1)
					}
					_, _, _ = c.Totals(ctx, base)
				}
			})
		}
		wg.Wait()
		want := int64(workers*each + 1)
		if got := counted.Load(); got != want {
			t.Errorf("Visit reported %d new visits, want %d", got, want)
		}
		if total, _ := mustTotals(t, c, base); total != want {
			t.Errorf("total = %d, want %d", total, want)
		}
	})
}

func TestMemoryCounterForgetsOldest(t *testing.T) {
	c := visitors.NewMemoryCounter(hcm, visitors.Options{MaxTracked: 100})
	for i := range 1000 {
		mustVisit(t, c, fmt.Sprintf("v%d", i), base.Add(time.Duration(i)*time.Millisecond))
	}
	// The latest visitors are still remembered; the earliest were forgotten
	// to keep the bound, and count again.
	if mustVisit(t, c, "v999", base.Add(time.Second)) {
		t.Errorf("Visit(latest visitor) counted again, want remembered")
	}
	if !mustVisit(t, c, "v0", base.Add(time.Second)) {
		t.Errorf("Visit(earliest visitor) not counted, want it forgotten past MaxTracked")
	}
	if total, _ := mustTotals(t, c, base); total != 1001 {
		t.Errorf("total = %d, want 1001", total)
	}
}
