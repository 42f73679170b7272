package hub

import (
	"strings"
	"testing"
	"time"
)

// TestLocalSnapshotRefreshesWithoutChanged: site:online is built on every
// node, so a figure changed elsewhere (no Changed call here) reaches this
// node's subscribers at the next refresh, and an unchanged figure sends
// nothing.
func TestLocalSnapshotRefreshesWithoutChanged(t *testing.T) {
	th := newTestHub(t, Options{SnapshotIntervals: map[string]time.Duration{"site:online": 20 * time.Millisecond}})
	c := th.dial(t, nil)
	c.subscribe("site:online")
	c.expect("subscribed", "site:online")
	first := c.expect("snapshot", "site:online")
	builds := th.snapshot.Load()
	waitFor(t, "a few refreshes", func() bool { return th.snapshot.Load() >= builds+3 })

	th.mu.Lock()
	th.online = 7 // as if another node's visitor arrived
	th.mu.Unlock()
	// Every frame read before the new figure must be a snapshot with the
	// old data: refreshes of unchanged data send nothing new.
	for {
		f := c.expect("snapshot", "site:online")
		if strings.Contains(string(f.Data), `"total":7`) {
			if f.Version <= first.Version {
				t.Errorf("refreshed snapshot version %d, want > %d", f.Version, first.Version)
			}
			break
		}
		if string(f.Data) != string(first.Data) {
			t.Fatalf("unexpected snapshot %s", f.Data)
		}
	}
}

// TestLocalSnapshotNotBroadcast: two nodes on one bus each deliver only the
// site:online snapshots they build, not each other's.
func TestLocalSnapshotNotBroadcast(t *testing.T) {
	bus := NewMemoryBroker()
	a := newTestHubOn(t, Options{}, bus)
	b := newTestHubOn(t, Options{}, bus.Join())
	ca := a.dial(t, nil)
	ca.subscribe("site:online")
	ca.expect("subscribed", "site:online")
	ca.expect("snapshot", "site:online")
	cb := b.dial(t, nil)
	cb.subscribe("site:online")
	cb.expect("subscribed", "site:online")
	cb.expect("snapshot", "site:online")

	ca.subscribe("feed:answers")
	ca.expect("subscribed", "feed:answers")

	// A change on node b: b's subscriber gets it, a's gets nothing from b.
	b.mu.Lock()
	b.online = 5
	b.mu.Unlock()
	b.Changed("site:online")
	for f := cb.expect("snapshot", "site:online"); !strings.Contains(string(f.Data), `"total":5`); f = cb.expect("snapshot", "site:online") {
	}
	if err := a.Publish(t.Context(), "feed:answers", "marker", map[string]int{"n": 1}); err != nil {
		t.Fatal(err)
	}
	for {
		f := ca.read()
		if f.Topic == "feed:answers" {
			break
		}
		if f.Op == "snapshot" && strings.Contains(string(f.Data), `"total":5`) {
			t.Fatalf("node a's subscriber got node b's site:online snapshot %s", f.Data)
		}
	}
}
