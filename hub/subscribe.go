package hub

import (
	"context"
	"errors"

	"github.com/civichub/civichub/apperr"
)

// sub is one socket's subscription to one topic. Its fields are guarded by
// the socket's mu, except at. There are several per socket: the fields are
// ordered to pack, and it fits the allocator's 64-byte class.
type sub struct {
	topic  string
	state  bool // a latest-state topic
	joined bool // registered in the hub's topic, so it receives broadcasts
	// recovering holds broadcasts back while the subscription is being set
	// up (history replay, first snapshot), so the client sees subscribed,
	// then what it missed, then live frames, each once.
	recovering bool
	// at is the sub's index in its topic's members; guarded by the
	// topic's mu, not the socket's.
	at int32

	pending *[]*outMsg // held back while recovering; nil after (8 bytes, not 24)

	pos     Position // last event sent (event topics)
	version uint64   // last snapshot sent (latest-state topics)
}

var (
	errAlreadySubscribed = apperr.New(apperr.Invalid, "already_subscribed")
	errTooManySubs       = apperr.New(apperr.RateLimited, "too_many_subscriptions")
)

func (c *conn) findSubLocked(topic string) (int, *sub) {
	for i, s := range c.subs {
		if s.topic == topic {
			return i, s
		}
	}
	return -1, nil
}

// subscribe runs a subscribe frame: authorize, join the topic, then send
// subscribed and either the current snapshot or the missed events.
func (c *conn) subscribe(f clientFrame) {
	h := c.hub
	ctx := h.ctx
	c.mu.Lock()
	_, dup := c.findSubLocked(f.Topic)
	n := len(c.subs)
	c.mu.Unlock()
	switch {
	case dup != nil:
		c.sendError(f.Topic, errAlreadySubscribed)
		return
	case n >= h.opts.MaxSubscriptions:
		c.sendError(f.Topic, errTooManySubs)
		return
	}
	if err := h.authorize(ctx, c.principal, f.Topic); err != nil {
		c.sendError(f.Topic, err)
		return
	}
	s := &sub{topic: f.Topic, state: IsStateTopic(f.Topic), recovering: true}
	var snap SnapshotFunc
	if s.state {
		var ok bool
		if snap, ok = h.snapshotFunc(f.Topic); !ok {
			c.sendError(f.Topic, errNoAuthorizer)
			return
		}
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.subs = append(c.subs, s)
	c.mu.Unlock()
	tp, err := h.join(ctx, f.Topic, c, s)
	if err != nil {
		c.dropSub(f.Topic, err)
		return
	}
	h.metrics.subscriptions.Inc()
	if s.state {
		err = c.startState(ctx, s, tp, snap)
	} else {
		err = c.startEvents(ctx, s, tp, f.Since)
	}
	if err != nil {
		c.endSub(f.Topic, err)
	}
}

// startEvents sends subscribed and, when the client gave since, the events
// it missed or a reload; then it releases the held-back live events. A
// subscriber without since starts at the position the node knows, when it
// knows one (knownPosition), without asking the History.
func (c *conn) startEvents(ctx context.Context, s *sub, tp *topic, since *Position) error {
	h := c.hub
	cur, fresh := h.knownPosition(tp)
	var events []Event
	ok := true
	if since != nil || !fresh {
		var from Position
		if since != nil {
			from = *since
		}
		var err error
		if cur, events, ok, err = h.history.Since(ctx, s.topic, from); err != nil {
			return err
		}
		tp.mu.Lock()
		h.learnPositionLocked(tp, cur)
		tp.mu.Unlock()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pushLocked(rawMsg(subscribedFrame(s.topic, cur, since != nil && ok)))
	switch {
	case since != nil && ok:
		for _, e := range events {
			c.pushLocked(rawMsg(eventFrame(s.topic, Position{Epoch: cur.Epoch, Seq: e.Seq}, e.Type, e.Data)))
		}
	case since != nil:
		c.pushLocked(rawMsg(reloadFrame(s.topic)))
	}
	s.pos = cur
	c.releaseLocked(s)
	return nil
}

// startState sends subscribed and the current snapshot: the node's latest
// one, or a fresh one when the node holds none.
func (c *conn) startState(ctx context.Context, s *sub, tp *topic, fn SnapshotFunc) error {
	tp.mu.Lock()
	last := tp.last
	tp.mu.Unlock()
	if last == nil {
		m, err := c.hub.buildSnapshot(ctx, s.topic, fn)
		if err != nil {
			return err
		}
		last = tp.offerSnapshot(newBroadcast(m))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pushLocked(rawMsg(subscribedFrame(s.topic, Position{}, false)))
	s.hold(last)
	c.releaseLocked(s)
	return nil
}

// releaseLocked ends recovery: the held-back broadcasts go out, skipping
// those the client already has.
func (c *conn) releaseLocked(s *sub) {
	s.recovering = false
	var pending []*outMsg
	if s.pending != nil {
		pending = *s.pending
	}
	s.pending = nil
	for _, m := range pending {
		c.deliverLocked(s, m)
	}
}

// hold holds m back until s has recovered; c.mu must be held.
func (s *sub) hold(m *outMsg) {
	if s.pending == nil {
		s.pending = new([]*outMsg)
	}
	*s.pending = append(*s.pending, m)
}

// maxPending bounds the broadcasts held back during one subscription's
// recovery; more are dropped and show up as a gap (a reload).
const maxPending = 64

// deliverLocked sends broadcast m to subscription s; c.mu must be held.
func (c *conn) deliverLocked(s *sub, m *outMsg) {
	if c.admitLocked(s, m) {
		c.pushLocked(m)
	}
}

// admitLocked applies s's ordering to broadcast m and reports whether m is
// to be sent now; c.mu must be held. While s recovers, m is held back.
// Snapshots older than the one sent are skipped. Events already sent are
// skipped; an event after a gap or from a new epoch is preceded by a reload
// (queued here), so a missed event is never silent.
func (c *conn) admitLocked(s *sub, m *outMsg) bool {
	if s.recovering {
		if s.pending == nil || len(*s.pending) < maxPending {
			s.hold(m)
		}
		return false
	}
	switch m.msgKind {
	case KindSnapshot:
		if m.version <= s.version {
			return false
		}
		s.version = m.version
	case KindEvent:
		switch {
		case m.pos.Epoch == s.pos.Epoch && m.pos.Seq <= s.pos.Seq:
			return false
		case m.pos.Epoch != s.pos.Epoch || m.pos.Seq > s.pos.Seq+1:
			c.pushLocked(rawMsg(reloadFrame(s.topic)))
		}
		s.pos = m.pos
	}
	return true
}

// unsubscribe ends a subscription at the client's request. Unsubscribing
// from a topic the socket does not hold is a no-op.
func (c *conn) unsubscribe(topic string) {
	if s := c.removeSub(topic); s != nil && s.joined {
		c.hub.leave(s)
		c.hub.metrics.subscriptions.Dec()
	}
}

// endSub ends a joined subscription with an error frame: a refused
// revalidation, or a failure while setting it up.
func (c *conn) endSub(topic string, cause error) {
	if s := c.removeSub(topic); s != nil && s.joined {
		c.sendError(topic, cause)
		c.hub.leave(s)
		c.hub.metrics.subscriptions.Dec()
	}
}

// dropSub forgets a subscription that never joined its topic.
func (c *conn) dropSub(topic string, cause error) {
	c.removeSub(topic)
	if errors.Is(cause, ErrBrokerClosed) || errors.Is(cause, context.Canceled) {
		return
	}
	c.sendError(topic, cause)
}

// removeSub takes topic's subscription out of the socket. Whoever removes
// it (client, revalidation, teardown) is the one that leaves the topic.
func (c *conn) removeSub(topic string) *sub {
	c.mu.Lock()
	defer c.mu.Unlock()
	i, s := c.findSubLocked(topic)
	if s == nil {
		return nil
	}
	c.subs = append(c.subs[:i], c.subs[i+1:]...)
	return s
}
