package hub

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/civichub/civichub/apperr"
)

// coalescer turns many Changed calls into few snapshots: per topic, the
// first change after a quiet interval is published at once, and changes
// during an interval are folded into one snapshot at its end. Each dirty
// topic has at most one flush running or one timer pending, both counted in
// wg so stop can wait for them.
type coalescer struct {
	h *Hub

	mu     sync.Mutex
	topics map[string]*dirty
	closed bool
	wg     sync.WaitGroup
}

// dirty is one topic's state. While it exists the topic is within an
// interval of its last snapshot (or building one).
type dirty struct {
	again bool        // changed since the running or last snapshot was built
	timer *time.Timer // the end of the interval, nil while flushing
}

func newCoalescer(h *Hub) *coalescer {
	return &coalescer{h: h, topics: make(map[string]*dirty)}
}

func (co *coalescer) interval(topic string) time.Duration {
	best, d := -1, co.h.opts.DefaultSnapshotInterval
	for p, iv := range co.h.opts.SnapshotIntervals {
		if len(p) > best && len(topic) >= len(p) && topic[:len(p)] == p {
			best, d = len(p), iv
		}
	}
	return d
}

// changed records a change of topic.
func (co *coalescer) changed(topic string) {
	co.mu.Lock()
	defer co.mu.Unlock()
	if co.closed {
		return
	}
	if d, ok := co.topics[topic]; ok {
		d.again = true
		return
	}
	co.topics[topic] = &dirty{}
	co.wg.Add(1)
	go co.flush(topic)
}

// flush publishes topic's snapshot, then waits out the interval.
func (co *coalescer) flush(topic string) {
	defer co.wg.Done()
	if err := co.h.publishSnapshot(co.h.ctx, topic); err != nil {
		if apperr.CodeOf(err) == apperr.Internal {
			co.h.logger.Error("hub: publish snapshot", "topic", topic, "err", err)
		} else {
			co.h.logger.Debug("hub: snapshot refused", "topic", topic, "err", err)
		}
	}
	co.mu.Lock()
	defer co.mu.Unlock()
	d := co.topics[topic]
	if co.closed || d == nil {
		return
	}
	co.wg.Add(1)
	d.timer = time.AfterFunc(co.interval(topic), func() { co.tick(topic) })
}

// tick ends topic's interval: flush again if it changed meanwhile, else
// forget it so the next change goes out at once.
func (co *coalescer) tick(topic string) {
	defer co.wg.Done()
	co.mu.Lock()
	defer co.mu.Unlock()
	d := co.topics[topic]
	if co.closed || d == nil {
		return
	}
	d.timer = nil
	if !d.again {
		delete(co.topics, topic)
		return
	}
	d.again = false
	co.wg.Add(1)
	go co.flush(topic)
}

// stop cancels pending intervals and waits for running flushes. Changes
// after stop are ignored.
func (co *coalescer) stop() {
	co.mu.Lock()
	co.closed = true
	for _, d := range co.topics {
		if d.timer != nil && d.timer.Stop() {
			co.wg.Done()
		}
	}
	co.mu.Unlock()
	co.wg.Wait()
}

// VersionSource hands out snapshot versions. Versions must rise across the
// whole cluster and across restarts, so a client that reconnects to another
// node never drops a fresh snapshot as older than the one it holds: in a
// cluster it is a shared counter (Redis INCR). Safe for concurrent use.
type VersionSource interface {
	// Next returns a version greater than every version it returned before,
	// for topic or any other.
	Next(ctx context.Context, topic string) (uint64, error)
}

// MemoryVersions is the VersionSource of a single node: one counter for all
// topics that never falls behind the clock in microseconds, so versions also
// rise across a restart as long as the clock does. Safe for concurrent use.
type MemoryVersions struct {
	last atomic.Uint64
	now  func() time.Time
}

// NewMemoryVersions returns an in-process VersionSource.
func NewMemoryVersions() *MemoryVersions { return &MemoryVersions{now: time.Now} }

// Next implements VersionSource. It never fails.
func (v *MemoryVersions) Next(context.Context, string) (uint64, error) {
	for {
		last := v.last.Load()
		next := max(last+1, uint64(v.now().UnixMicro()))
		if v.last.CompareAndSwap(last, next) {
			return next, nil
		}
	}
}
