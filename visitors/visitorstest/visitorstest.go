// Package visitorstest is the conformance suite every visitors.Store
// implementation must pass. Store packages call Run from their tests with a
// constructor that returns a fresh, empty store.
package visitorstest

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/civichub/civichub/visitors"
)

// Run runs the suite. newStore must return an empty store for each call.
func Run(t *testing.T, newStore func(t *testing.T) visitors.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s visitors.Store)
	}{
		{"AbsentCounterIsZero", testAbsent},
		{"RaiseCounter", testRaise},
		{"SetCounter", testSet},
		{"ConcurrentRaise", testConcurrentRaise},
		{"ConcurrentFirstRaises", testConcurrentFirstRaises},
		{"DaySketches", testDaySketches},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newStore(t)) })
	}
}

var ctx = context.Background()

func mustCounter(t *testing.T, s visitors.Store, name string) int64 {
	t.Helper()
	v, err := s.Counter(ctx, name)
	if err != nil {
		t.Fatalf("Counter(%q) = %v", name, err)
	}
	return v
}

func testAbsent(t *testing.T, s visitors.Store) {
	if got := mustCounter(t, s, visitors.VisitsTotal); got != 0 {
		t.Errorf("Counter(absent) = %d, want 0", got)
	}
}

func testRaise(t *testing.T, s visitors.Store) {
	steps := []struct {
		name string
		v    int64
		want int64
	}{
		{"a", 10, 10}, // absent counter is created
		{"a", 25, 25}, // higher raises
		{"a", 7, 25},  // lower never lowers
		{"a", 25, 25}, // equal is a no-op
		{"b", 0, 0},   // names are independent; zero is stored
		{"b", 3, 3},   // …and raised
		{"a", 26, 26}, // a still rises by one
		{"big", math.MaxInt64 - 1, math.MaxInt64 - 1},
	}
	for _, st := range steps {
		got, err := s.RaiseCounter(ctx, st.name, st.v)
		if err != nil || got != st.want {
			t.Errorf("RaiseCounter(%q, %d) = %d, %v, want %d", st.name, st.v, got, err, st.want)
		}
		if c := mustCounter(t, s, st.name); c != st.want {
			t.Errorf("Counter(%q) after RaiseCounter(%d) = %d, want %d", st.name, st.v, c, st.want)
		}
	}
}

func testSet(t *testing.T, s visitors.Store) {
	for _, v := range []int64{20100646, 5, 5, 0, 42} { // lower, equal and higher all stick
		if err := s.SetCounter(ctx, visitors.VisitsTotal, v); err != nil {
			t.Fatalf("SetCounter(%d) = %v", v, err)
		}
		if got := mustCounter(t, s, visitors.VisitsTotal); got != v {
			t.Errorf("Counter after SetCounter(%d) = %d", v, got)
		}
	}
	if got, err := s.RaiseCounter(ctx, visitors.VisitsTotal, 41); err != nil || got != 42 {
		t.Errorf("RaiseCounter(41) after SetCounter(42) = %d, %v, want 42", got, err)
	}
	if err := s.SetCounter(ctx, "fresh", 9); err != nil {
		t.Fatalf("SetCounter(absent) = %v", err)
	}
	if got := mustCounter(t, s, "fresh"); got != 9 {
		t.Errorf("Counter(fresh) = %d, want 9", got)
	}
}

// testConcurrentRaise raises one counter from several goroutines with
// shuffled values while a reader watches: the counter never goes backwards,
// each call returns at least its value, and it ends at the maximum.
func testConcurrentRaise(t *testing.T, s visitors.Store) {
	const workers, each = 6, 25
	stop := make(chan struct{})
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		var last int64
		for {
			select {
			case <-stop:
				return
			default:
			}
			v, err := s.Counter(ctx, "race")
			if err != nil {
				t.Errorf("Counter = %v", err)
				return
			}
			if v < last {
				t.Errorf("Counter went backwards: %d after %d", v, last)
				return
			}
			last = v
		}
	}()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			vals := rand.Perm(each)
			for _, p := range vals {
				v := int64(p*workers + w + 1)
				got, err := s.RaiseCounter(ctx, "race", v)
				if err != nil {
					t.Errorf("RaiseCounter(%d) = %v", v, err)
					return
				}
				if got < v {
					t.Errorf("RaiseCounter(%d) = %d, want at least %d", v, got, v)
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	<-readerDone
	if got, want := mustCounter(t, s, "race"), int64(each*workers); got != want {
		t.Errorf("Counter after concurrent raises = %d, want %d", got, want)
	}
}

// testConcurrentFirstRaises starts several raises of a new counter at once,
// each with its own value: a store that reads, compares and writes in
// separate steps loses the highest.
func testConcurrentFirstRaises(t *testing.T, s visitors.Store) {
	const rounds, n = 5, 8
	for r := range rounds {
		name := fmt.Sprintf("fresh%d", r)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				v := int64(i + 1)
				if got, err := s.RaiseCounter(ctx, name, v); err != nil || got < v {
					t.Errorf("RaiseCounter(%q, %d) = %d, %v, want at least %d", name, v, got, err, v)
				}
			})
		}
		close(start)
		wg.Wait()
		if got := mustCounter(t, s, name); got != n {
			t.Errorf("Counter(%q) after %d concurrent first raises = %d, want %d", name, n, got, n)
		}
	}
}

func testDaySketches(t *testing.T, s visitors.Store) {
	get := func(kind, day string) []byte {
		t.Helper()
		b, err := s.DaySketch(ctx, kind, day)
		if err != nil {
			t.Fatalf("DaySketch(%s, %s) = %v", kind, day, err)
		}
		return b
	}
	put := func(kind, day string, b []byte) {
		t.Helper()
		if err := s.PutDaySketch(ctx, kind, day, b); err != nil {
			t.Fatalf("PutDaySketch(%s, %s) = %v", kind, day, err)
		}
	}
	if b := get("memory", "2025-03-01"); b != nil {
		t.Errorf("DaySketch(absent) = %x, want nil", b)
	}
	one, two := []byte{0, 1, 2, 0xff, 0}, bytes.Repeat([]byte{0xab}, 12<<10)
	put("memory", "2025-03-01", one)
	put("redis", "2025-03-01", two)
	put("memory", "2025-02-28", one)
	if b := get("memory", "2025-03-01"); !bytes.Equal(b, one) {
		t.Errorf("DaySketch(memory) = %x, want %x", b, one)
	}
	if b := get("redis", "2025-03-01"); !bytes.Equal(b, two) {
		t.Errorf("DaySketch(redis) has %d bytes, want the 12 KiB put", len(b))
	}
	put("memory", "2025-03-01", two)
	if b := get("memory", "2025-03-01"); !bytes.Equal(b, two) {
		t.Errorf("DaySketch after a second PutDaySketch has %d bytes, want the second sketch", len(b))
	}
	if err := s.DeleteDaySketches(ctx, "2025-03-01"); err != nil {
		t.Fatalf("DeleteDaySketches = %v", err)
	}
	if b := get("memory", "2025-02-28"); b != nil {
		t.Errorf("DaySketch(2025-02-28) after DeleteDaySketches(2025-03-01) = %x, want nil", b)
	}
	if get("memory", "2025-03-01") == nil || get("redis", "2025-03-01") == nil {
		t.Errorf("DeleteDaySketches(2025-03-01) removed that day's sketches, want them kept")
	}
}
