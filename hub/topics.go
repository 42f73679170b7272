package hub

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"
	"unsafe"

	"github.com/gorilla/websocket"
)

// topic is a topic with subscribers on this node. It exists while it has at
// least one (refs, guarded by hub.topicMu), and holds one broker
// subscription for all of them.
type topic struct {
	name string
	refs int

	// ready is closed once the broker subscription is made; err says
	// whether it failed.
	ready chan struct{}
	err   error

	mu   sync.Mutex
	subs []topicMember // nearly in memory order of their conn (sortLocked)
	// disorder counts the joins and leaves that may have put a member out
	// of memory order since subs was last sorted.
	disorder int
	last     *outMsg // latest snapshot seen (latest-state topics)

	// pos is the stream's latest position this node knows (event topics),
	// learned at posAt (Hub.clock; 0: not known): from the last event
	// relayed, or from the History. A subscriber that gives no since starts
	// there while it is fresh (positionTTL), so a crowd subscribing costs
	// one History call per topic, not one each (a Redis round trip each, in
	// a cluster).
	pos   Position
	posAt time.Duration
}

// positionTTL is how long a topic's known position is trusted without an
// event: well within the History's TTL, after which a stream starts a new
// epoch, so a position is never trusted once its epoch may have ended.
func (o *Options) positionTTL() time.Duration { return min(o.HistoryTTL/2, time.Minute) }

// knownPosition returns tp's position, and false when the node does not
// know it or it is no longer fresh.
func (h *Hub) knownPosition(tp *topic) (Position, bool) {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	fresh := tp.posAt != 0 && h.clock()-tp.posAt < h.opts.positionTTL()
	return tp.pos, fresh
}

// learnPositionLocked records pos, the stream's position from an event or
// the History, unless the node already knows a later one of the same
// epoch; tp.mu must be held.
func (h *Hub) learnPositionLocked(tp *topic, pos Position) {
	if tp.posAt != 0 && pos.Epoch == tp.pos.Epoch && pos.Seq < tp.pos.Seq {
		return
	}
	tp.pos, tp.posAt = pos, max(h.clock(), 1)
}

// topicMember is one local subscription of a topic. Its sub's at is its index
// in the topic's subs.
type topicMember struct {
	c *conn
	s *sub
}

// A broadcast walks a topic's subscribers in the memory order of their conn
// (address order), not in join or map order. Sockets, their conn, netFD and
// poll descriptor, and the kernel's socket structures are allocated in
// accept order, so in this order a fan-out to 19,000 sockets reads each of
// those structures nearly in sequence instead of at random, and spends far
// less time waiting for memory: about 15 % less server CPU per delivery
// with 19,000 sockets (docs/BENCHMARKS.md, issue 3). A broadcast restores
// the order when joins and leaves have disturbed it enough (sortLocked).

// addr is the conn's address, the order a broadcast walks the members in.
// The Go heap does not move objects, so it is stable.
func (m topicMember) addr() uintptr { return uintptr(unsafe.Pointer(m.c)) }

// sortLocked puts subs back in memory order when enough joins and leaves
// may have disturbed it: more than one in 16 members. A few members out of
// place cost a few cache misses, and sorting after every change would cost
// a sort per broadcast while sockets come and go; this way a full sort
// comes at most once per len/16 changes. tp.mu must be held.
func (tp *topic) sortLocked() {
	if tp.disorder == 0 || tp.disorder <= len(tp.subs)/16 {
		return
	}
	slices.SortFunc(tp.subs, func(a, b topicMember) int { return cmp.Compare(a.addr(), b.addr()) })
	for i, m := range tp.subs {
		m.s.at = int32(i)
	}
	tp.disorder = 0
}

// addLocked adds c's subscription s; tp.mu must be held.
func (tp *topic) addLocked(c *conn, s *sub) {
	m := topicMember{c, s}
	if n := len(tp.subs); n > 0 && tp.subs[n-1].addr() > m.addr() {
		tp.disorder++
	}
	s.at = int32(len(tp.subs))
	tp.subs = append(tp.subs, m)
}

// removeLocked removes subscription s, moving the last member into its
// place; tp.mu must be held. A slice left mostly empty after many leaves is
// shrunk, so a topic that had a crowd does not keep its memory.
func (tp *topic) removeLocked(s *sub) {
	i, last := int(s.at), len(tp.subs)-1
	if i < 0 || i > last || tp.subs[i].s != s {
		return // not a member (cannot happen: each sub leaves once)
	}
	if i != last {
		tp.subs[i] = tp.subs[last]
		tp.subs[i].s.at = int32(i)
		tp.disorder++
	}
	tp.subs[last] = topicMember{}
	tp.subs = tp.subs[:last]
	s.at = -1
	if c := cap(tp.subs); c > 1024 && len(tp.subs) < c/4 {
		tp.subs = append(make([]topicMember, 0, 2*len(tp.subs)), tp.subs...)
	}
}

// join adds c's subscription s to topic name, subscribing this node through
// the broker when it is the topic's first subscriber here. When join
// returns, every message published afterwards reaches s.
func (h *Hub) join(ctx context.Context, name string, c *conn, s *sub) (*topic, error) {
	h.topicMu.Lock()
	tp := h.topics[name]
	created := tp == nil
	if created {
		tp = &topic{name: name, ready: make(chan struct{})}
		h.topics[name] = tp
	}
	tp.refs++
	h.topicMu.Unlock()
	if created {
		tp.err = h.broker.Subscribe(ctx, name)
		close(tp.ready)
	} else {
		<-tp.ready
	}
	if tp.err != nil {
		h.unref(tp)
		return nil, tp.err
	}
	tp.mu.Lock()
	c.mu.Lock()
	s.joined = true
	c.mu.Unlock()
	tp.addLocked(c, s)
	tp.mu.Unlock()
	return tp, nil
}

// leave removes subscription s, which joined, from its topic; the last
// subscriber to leave drops the node's broker subscription.
func (h *Hub) leave(s *sub) {
	h.topicMu.RLock()
	tp := h.topics[s.topic]
	h.topicMu.RUnlock()
	if tp == nil {
		return
	}
	tp.mu.Lock()
	tp.removeLocked(s)
	tp.mu.Unlock()
	h.unref(tp)
}

func (h *Hub) unref(tp *topic) {
	h.topicMu.Lock()
	tp.refs--
	last := tp.refs == 0
	if last {
		delete(h.topics, tp.name)
	}
	h.topicMu.Unlock()
	if last && tp.err == nil {
		if err := h.broker.Unsubscribe(context.WithoutCancel(h.ctx), tp.name); err != nil {
			h.logger.Warn("hub: broker unsubscribe", "topic", tp.name, "err", err)
		}
	}
}

// newBroadcast wraps a broker message for every local subscriber, encoding
// its frame for the socket once.
func newBroadcast(m Message) *outMsg {
	pm, err := websocket.NewPreparedMessage(websocket.TextMessage, m.Frame)
	om := &outMsg{kind: outData, pm: pm, topic: m.Topic, msgKind: m.Kind,
		pos: m.Position, version: m.Version, published: m.Published}
	if err != nil {
		om.pm, om.raw = nil, m.Frame
	} else {
		om.frame = serverTextFrame(m.Frame)
	}
	return om
}

// offerSnapshot keeps m as the topic's latest snapshot unless a newer one is
// held, and returns the latest.
func (tp *topic) offerSnapshot(m *outMsg) *outMsg {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	if tp.last == nil || m.version > tp.last.version {
		tp.last = m
	}
	return tp.last
}

// handleMessage fans a broker message out to this node's subscribers. It
// never writes itself, so a slow socket never delays the others: sockets
// with frames already queued (or being written) get the message through
// their queue, behind those frames; all the others are marked as being
// written and handed to the writers together as one fan-out job (fanout.go).
func (h *Hub) handleMessage(m Message) {
	if m.Kind == KindControl {
		h.handleControl(m)
		return
	}
	h.topicMu.RLock()
	tp := h.topics[m.Topic]
	h.topicMu.RUnlock()
	if tp == nil {
		return
	}
	om := newBroadcast(m)
	tp.mu.Lock()
	if m.Kind == KindSnapshot && (tp.last == nil || om.version > tp.last.version) {
		tp.last = om
	}
	if m.Kind == KindEvent {
		h.learnPositionLocked(tp, m.Position)
	}
	var direct []*conn
	if om.pm != nil {
		direct = make([]*conn, 0, len(tp.subs))
	}
	tp.sortLocked()
	for _, mb := range tp.subs {
		c, s := mb.c, mb.s
		c.mu.Lock()
		if c.admitLocked(s, om) {
			if om.pm == nil || c.closed || c.scheduled || len(c.queue) > 0 {
				c.pushLocked(om)
			} else {
				c.scheduled = true
				direct = append(direct, c)
			}
		}
		c.mu.Unlock()
	}
	tp.mu.Unlock()
	if len(direct) > 0 {
		h.dispatchFanout(om, direct)
	}
}

// hasSubscribers reports whether topic name has local subscribers, without
// copying them as subscribers does.
func (h *Hub) hasSubscribers(name string) bool {
	h.topicMu.RLock()
	tp := h.topics[name]
	h.topicMu.RUnlock()
	if tp == nil {
		return false
	}
	tp.mu.Lock()
	defer tp.mu.Unlock()
	return len(tp.subs) > 0
}

// subscribers returns topic name's local subscriptions.
func (h *Hub) subscribers(name string) map[*conn]*sub {
	h.topicMu.RLock()
	tp := h.topics[name]
	h.topicMu.RUnlock()
	if tp == nil {
		return nil
	}
	tp.mu.Lock()
	defer tp.mu.Unlock()
	out := make(map[*conn]*sub, len(tp.subs))
	for _, m := range tp.subs {
		out[m.c] = m.s
	}
	return out
}

// resync brings every subscriber up to date after the broker may have lost
// messages: latest-state topics get a fresh snapshot, event subscribers get
// what they missed from the history, or a reload.
func (h *Hub) resync(ctx context.Context) {
	h.topicMu.RLock()
	names := make([]string, 0, len(h.topics))
	for name, tp := range h.topics {
		names = append(names, name)
		// Events may have been lost: the next subscriber asks the
		// History where the stream is.
		tp.mu.Lock()
		tp.posAt = 0
		tp.mu.Unlock()
	}
	h.topicMu.RUnlock()
	for _, name := range names {
		if IsStateTopic(name) {
			h.coalescer.changed(name)
			continue
		}
		for c, s := range h.subscribers(name) {
			c.catchUp(ctx, s)
		}
	}
}

// catchUp sends s the events after the last one it was sent.
func (c *conn) catchUp(ctx context.Context, s *sub) {
	c.mu.Lock()
	from := s.pos
	c.mu.Unlock()
	if from.Epoch == "" {
		return
	}
	cur, events, ok, err := c.hub.history.Since(ctx, s.topic, from)
	if err != nil {
		c.endSub(s.topic, err)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !ok {
		if s.pos == from {
			c.pushLocked(rawMsg(reloadFrame(s.topic)))
			s.pos = cur
		}
		return
	}
	for _, e := range events {
		pos := Position{Epoch: cur.Epoch, Seq: e.Seq}
		if pos.Epoch == s.pos.Epoch && pos.Seq == s.pos.Seq+1 {
			c.pushLocked(rawMsg(eventFrame(s.topic, pos, e.Type, e.Data)))
			s.pos = pos
		}
	}
}
