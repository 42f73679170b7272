package hub

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"
)

// Event is one stored event of an event topic.
type Event struct {
	Seq  uint64
	Type string
	Data json.RawMessage
}

// History keeps a bounded, per-topic history of events so a client that
// reconnects can be given what it missed. Implementations are safe for
// concurrent use; in a cluster every node shares one History (Redis), so
// sequence numbers and epochs are the cluster's.
type History interface {
	// Append stores an event as the next of topic's stream and returns its
	// position: Seq is one more than the previous event's in the same epoch.
	// A stream that was lost (expired, evicted, never existed) starts a new
	// epoch at Seq 1.
	Append(ctx context.Context, topic, eventType string, data json.RawMessage) (Position, error)
	// Since returns the stream's current position (of its latest event; Seq
	// 0 when it has none) and the events after since, oldest first. ok is
	// false when they cannot all be given: since is of another epoch, ahead of
	// the stream, or older than the oldest event held. A zero since asks only
	// for the current position and is always ok.
	Since(ctx context.Context, topic string, since Position) (cur Position, events []Event, ok bool, err error)
}

// MemoryHistory is the in-process History of a single node: the last Size
// events of each topic, for at most TTL after the topic's last use. A restart
// loses it, which clients see as a new epoch (they reload). Safe for
// concurrent use.
type MemoryHistory struct {
	size int
	ttl  time.Duration
	now  func() time.Time

	mu      sync.Mutex
	streams map[string]*stream
	swept   time.Time
}

type stream struct {
	epoch  string
	last   uint64
	events []Event // at most size, oldest first
	used   time.Time
}

// NewMemoryHistory returns a history keeping size events per topic for ttl
// after each topic's last use. size and ttl must be positive.
func NewMemoryHistory(size int, ttl time.Duration) *MemoryHistory {
	return &MemoryHistory{size: size, ttl: ttl, now: time.Now, streams: make(map[string]*stream)}
}

func newEpoch() string {
	return strconv.FormatUint(rand.Uint64()>>1, 36)
}

// streamLocked returns topic's stream, starting one in a new epoch if needed.
func (h *MemoryHistory) streamLocked(topic string) *stream {
	now := h.now()
	if now.Sub(h.swept) > h.ttl/2 {
		for t, s := range h.streams {
			if now.Sub(s.used) > h.ttl {
				delete(h.streams, t)
			}
		}
		h.swept = now
	}
	s := h.streams[topic]
	if s == nil || now.Sub(s.used) > h.ttl {
		s = &stream{epoch: newEpoch()}
		h.streams[topic] = s
	}
	s.used = now
	return s
}

// Append implements History.
func (h *MemoryHistory) Append(_ context.Context, topic, eventType string, data json.RawMessage) (Position, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.streamLocked(topic)
	s.last++
	e := Event{Seq: s.last, Type: eventType, Data: data}
	if len(s.events) < h.size {
		s.events = append(s.events, e)
	} else {
		copy(s.events, s.events[1:])
		s.events[len(s.events)-1] = e
	}
	return Position{Epoch: s.epoch, Seq: s.last}, nil
}

// Since implements History.
func (h *MemoryHistory) Since(_ context.Context, topic string, since Position) (Position, []Event, bool, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.streamLocked(topic)
	cur := Position{Epoch: s.epoch, Seq: s.last}
	switch {
	case since.Epoch == "":
		return cur, nil, true, nil
	case since.Epoch != s.epoch || since.Seq > s.last:
		return cur, nil, false, nil
	case since.Seq == s.last:
		return cur, nil, true, nil
	case len(s.events) == 0 || s.events[0].Seq > since.Seq+1:
		return cur, nil, false, nil
	}
	i := int(since.Seq + 1 - s.events[0].Seq)
	return cur, append([]Event(nil), s.events[i:]...), true, nil
}
