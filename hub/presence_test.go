package hub

import (
	"context"
	"testing"
	"time"
)

func TestPresenceCountsVisitorsOnce(t *testing.T) {
	th := newTestHub(t, Options{})
	ctx := context.Background()
	want := func(guests, members int64) {
		t.Helper()
		waitFor(t, "the online counts", func() bool {
			g, m, err := th.Online(ctx)
			return err == nil && g == guests && m == members
		})
	}
	a := th.dial(t, member("u1"))
	b := th.dial(t, member("u1"))
	g := th.dial(t, nil)
	want(1, 1)
	a.ws.Close()
	want(1, 1)
	b.ws.Close()
	g.ws.Close()
	want(0, 0)
}

func TestRevocationsSinceUpgrade(t *testing.T) {
	var r revocations
	r.init()
	now := time.Now()
	before := r.seq
	r.mark("u1", now)
	if !r.since("u1", before) {
		t.Errorf("since(u1, before the revocation) = false, want true")
	}
	if r.since("u1", r.seq) || r.since("u2", before) || r.since("", before) {
		t.Errorf("since() = true for a socket opened after it or another user")
	}
	// Pruning forgets old revocations; an upgrade older than them is
	// treated as revoked rather than guessed.
	for i := range revocationPrune + 1 {
		r.mark(string(rune('a'+i%26))+time.Duration(i).String(), now.Add(-2*revocationMemory))
	}
	r.mark("late", now)
	if !r.since("someone", before) {
		t.Errorf("since(someone, before pruned revocations) = false, want true")
	}
}
