package hub

import (
	"math/rand/v2"
	"testing"
)

// TestTopicMembers adds and removes subscriptions in several orders and
// checks that every member's index points at itself, that a sort puts the
// members in memory order, and that the members are exactly those left.
// Every case disturbs the order enough for sortLocked to sort.
func TestTopicMembers(t *testing.T) {
	for _, tc := range []struct {
		name   string
		n      int
		remove func(i int) bool
	}{
		{"none removed", 50, func(int) bool { return false }},
		{"every other removed", 50, func(i int) bool { return i%2 == 0 }},
		{"all removed", 50, func(int) bool { return true }},
		{"most of a crowd removed", 3000, func(i int) bool { return i%10 != 0 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tp := &topic{}
			conns := make([]*conn, tc.n)
			subs := make([]*sub, tc.n)
			for i := range conns {
				conns[i], subs[i] = new(conn), &sub{topic: "feed:answers"}
			}
			rng := rand.New(rand.NewPCG(1, 2))
			for _, i := range rng.Perm(tc.n) {
				tp.addLocked(conns[i], subs[i])
			}
			want := map[*sub]bool{}
			for _, i := range rng.Perm(tc.n) {
				if tc.remove(i) {
					tp.removeLocked(subs[i])
				} else {
					want[subs[i]] = true
				}
			}
			checkMembers(t, tp, want)
			tp.sortLocked()
			checkMembers(t, tp, want)
			if tp.disorder != 0 {
				return // too few changes to sort for
			}
			for i := 1; i < len(tp.subs); i++ {
				if tp.subs[i-1].addr() > tp.subs[i].addr() {
					t.Fatalf("after sortLocked, member %d is before member %d in memory", i, i-1)
				}
			}
		})
	}
}

func checkMembers(t *testing.T, tp *topic, want map[*sub]bool) {
	t.Helper()
	if len(tp.subs) != len(want) {
		t.Fatalf("len(subs) = %d, want %d", len(tp.subs), len(want))
	}
	for i, m := range tp.subs {
		if !want[m.s] {
			t.Fatalf("subs[%d] is a removed or unknown subscription", i)
		}
		if int(m.s.at) != i {
			t.Fatalf("subs[%d].s.at = %d, want %d", i, m.s.at, i)
		}
	}
}
