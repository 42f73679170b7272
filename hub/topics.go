package hub

import (
	"context"
	"sync"

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
	subs map[*conn]*sub
	last *outMsg // latest snapshot seen (latest-state topics)
}

// join adds c's subscription s to topic name, subscribing this node through
// the broker when it is the topic's first subscriber here. When join
// returns, every message published afterwards reaches s.
func (h *Hub) join(ctx context.Context, name string, c *conn, s *sub) (*topic, error) {
	h.topicMu.Lock()
	tp := h.topics[name]
	created := tp == nil
	if created {
		tp = &topic{name: name, ready: make(chan struct{}), subs: make(map[*conn]*sub)}
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
	tp.subs[c] = s
	tp.mu.Unlock()
	return tp, nil
}

// leave removes c from topic name; the last subscriber to leave drops the
// node's broker subscription.
func (h *Hub) leave(name string, c *conn) {
	h.topicMu.RLock()
	tp := h.topics[name]
	h.topicMu.RUnlock()
	if tp == nil {
		return
	}
	tp.mu.Lock()
	delete(tp.subs, c)
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
	var direct []*conn
	if om.pm != nil {
		direct = make([]*conn, 0, len(tp.subs))
	}
	for c, s := range tp.subs {
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
	for c, s := range tp.subs {
		out[c] = s
	}
	return out
}

// resync brings every subscriber up to date after the broker may have lost
// messages: latest-state topics get a fresh snapshot, event subscribers get
// what they missed from the history, or a reload.
func (h *Hub) resync(ctx context.Context) {
	h.topicMu.RLock()
	names := make([]string, 0, len(h.topics))
	for name := range h.topics {
		names = append(names, name)
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
