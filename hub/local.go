package hub

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/civichub/civichub/apperr"
)

// localSnapshots is the state of the latest-state topics that every node
// builds for itself (Options.LocalSnapshots): each node builds them from
// state the cluster shares (presence and visit counters in Redis), delivers
// them to its own subscribers only, and sends one only when its data
// changed. Broadcasting them instead would make every node deliver every
// node's snapshot: N times the frames for N nodes, for the same figures.
type localSnapshots struct {
	mu   sync.Mutex
	last map[string][]byte // data of the latest snapshot built, per topic
}

// isLocal reports whether topic is built on every node.
func (h *Hub) isLocal(topic string) bool {
	return slices.Contains(h.opts.LocalSnapshots, topic)
}

// noteBuilt records the data of a snapshot just built for a local topic and
// reports whether it differs from the previous one.
func (l *localSnapshots) noteBuilt(topic string, data []byte) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.last == nil {
		l.last = make(map[string][]byte)
	}
	if prev, ok := l.last[topic]; ok && bytes.Equal(prev, data) {
		return false
	}
	l.last[topic] = bytes.Clone(data)
	return true
}

// publishLocalSnapshot builds a local topic's snapshot and, when its data
// changed, hands it to this node's subscribers as if the broker had.
func (h *Hub) publishLocalSnapshot(ctx context.Context, topic string, fn SnapshotFunc) error {
	ctx, cancel := context.WithTimeout(ctx, h.opts.AuthTimeout)
	defer cancel()
	start := time.Now()
	v, err := fn(ctx, topic)
	if err != nil {
		return err
	}
	raw, err := marshalData(v)
	if err != nil {
		return apperr.Wrap(apperr.Internal, "internal", fmt.Errorf("hub: snapshot %q: encode: %w", topic, err))
	}
	if !h.local.noteBuilt(topic, raw) {
		return nil
	}
	version, err := h.versions.Next(ctx, topic)
	if err != nil {
		return apperr.Wrap(apperr.Internal, "internal", fmt.Errorf("hub: snapshot %q: version: %w", topic, err))
	}
	h.handleMessage(Message{Topic: topic, Kind: KindSnapshot, Version: version,
		Frame: snapshotFrame(topic, version, raw), Published: start})
	h.metrics.published.WithLabelValues("snapshot").Inc()
	return nil
}

// refreshLoop marks every local topic that has subscribers on this node as
// changed once per its interval, so that figures changed on other nodes (a
// visit counted there) reach this node's subscribers; unchanged data sends
// nothing.
func (h *Hub) refreshLoop() {
	defer h.workers.Done()
	if len(h.opts.LocalSnapshots) == 0 {
		return
	}
	every := h.coalescer.interval(h.opts.LocalSnapshots[0])
	for _, t := range h.opts.LocalSnapshots[1:] {
		every = min(every, h.coalescer.interval(t))
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-h.ctx.Done():
			return
		case <-t.C:
		}
		for _, topic := range h.opts.LocalSnapshots {
			if _, ok := h.snapshotFunc(topic); ok && h.hasSubscribers(topic) {
				h.coalescer.changed(topic)
			}
		}
	}
}
