package hub

import (
	"context"
	"sync"
)

// Visitor is who presence counts: a member by user ID, else a guest by
// visitor ID. A visitor with several sockets, on one node or several, counts
// once.
type Visitor struct {
	Member bool
	ID     string
}

// key is the visitor's name in presence sets: "m:" or "g:" and the ID.
func (v Visitor) key() string {
	if v.Member {
		return "m:" + v.ID
	}
	return "g:" + v.ID
}

// visitorOf returns the visitor a principal counts as; ok is false for a
// socket with neither a user nor a visitor cookie, which is not counted.
func visitorOf(p Principal) (Visitor, bool) {
	switch {
	case p.UserID != "":
		return Visitor{Member: true, ID: p.UserID}, true
	case p.VisitorID != "":
		return Visitor{ID: p.VisitorID}, true
	}
	return Visitor{}, false
}

// Presence counts the distinct visitors online. The hub tells it which
// distinct visitors this node has (Join when a visitor's first socket on the
// node opens, Leave when its last one closes); a cluster implementation
// shares that with the other nodes.
//
// The hub calls Run once from New and Close once from Shutdown; Join, Leave
// and Online may be called from many goroutines at once. Join and Leave are
// called with one of the hub's locks held, so they must not block: no I/O.
type Presence interface {
	// Run starts background work. notify is called, from any goroutine,
	// whenever the counts may have changed because of other nodes.
	Run(notify func()) error
	// Join records that this node has at least one socket of v.
	Join(v Visitor)
	// Leave records that this node has no more sockets of v.
	Leave(v Visitor)
	// Online returns the distinct guests and members online across the
	// cluster. It fails when the counts are not known well enough.
	Online(ctx context.Context) (guests, members int64, err error)
	// Close stops background work and withdraws this node's visitors.
	Close(ctx context.Context) error
}

// presenceTracker counts this node's sockets per visitor, so Presence only
// hears of a visitor's first and last socket. It keys them by Visitor, not
// by Visitor.key: the ID string is the one the socket's principal holds
// already, where a key would be one more allocation per visitor.
type presenceTracker struct {
	p Presence

	mu    sync.Mutex
	socks map[Visitor]int32
}

func newPresenceTracker(p Presence) *presenceTracker {
	return &presenceTracker{p: p, socks: make(map[Visitor]int32)}
}

// open counts a socket of principal; it reports whether the node gained a
// distinct visitor.
func (t *presenceTracker) open(pr Principal) bool {
	v, ok := visitorOf(pr)
	if !ok {
		return false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.socks[v]++
	if t.socks[v] == 1 {
		t.p.Join(v)
		return true
	}
	return false
}

// close uncounts a socket; it reports whether the node lost a visitor.
func (t *presenceTracker) close(pr Principal) bool {
	v, ok := visitorOf(pr)
	if !ok {
		return false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	switch n := t.socks[v]; {
	case n > 1:
		t.socks[v] = n - 1
		return false
	case n == 1:
		delete(t.socks, v)
		t.p.Leave(v)
		return true
	}
	return false
}

// Online returns the distinct guests and members with at least one open
// socket, on every node when the hub's Presence is shared (Redis). It
// satisfies visitors.Presence. It fails when the Presence does (Redis has
// been unreachable too long to trust the last counts).
func (h *Hub) Online(ctx context.Context) (guests, members int64, err error) {
	return h.presence.Online(ctx)
}

// onlineChanged republishes site:online when a snapshot builder is
// registered for it (main registers one; some tests do not).
func (h *Hub) onlineChanged() {
	if _, ok := h.snapshotFunc(TopicSiteOnline); ok {
		h.coalescer.changed(TopicSiteOnline)
	}
}
