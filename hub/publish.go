package hub

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/civichub/civichub/apperr"
)

var (
	// ErrNotEventTopic is returned by Publish for a latest-state topic,
	// which changes through Changed.
	ErrNotEventTopic = errors.New("hub: not an event topic")
	// ErrBadEventType is returned by Publish for an event type that is not
	// 1 to 64 characters of a-z, 0-9, '.', '_' or '-'.
	ErrBadEventType = errors.New("hub: bad event type")
)

// Publish sends an event to every subscriber of an event topic on every
// node: the hub stores it in the topic's history, which assigns its epoch and
// sequence number, encodes the event frame once and hands it to the broker.
// data is encoded with encoding/json (json.RawMessage is taken as is) and
// must be the same for every reader. Events of one topic go out in sequence
// order: from one node always, and from every node at once when the History
// is an AppendPublisher its broker carries (RedisHistory with RedisBroker),
// which appends and publishes in one atomic step. Publish returns an error wrapping
// ErrMalformedTopic, ErrUnknownTopic, ErrNotEventTopic, ErrBadEventType, an
// encoding error or the history's or broker's error; the event was then not
// sent (a history error) or may reach no one (a broker error: subscribers
// see the gap at the next event and reload). Safe for concurrent use.
func (h *Hub) Publish(ctx context.Context, topic, eventType string, data any) error {
	kind, err := parseTopic(topic)
	switch {
	case err != nil:
		return fmt.Errorf("hub: publish %q: %w", topic, err)
	case kind != kindEvent:
		return fmt.Errorf("hub: publish %q: %w", topic, ErrNotEventTopic)
	case !validEventType(eventType):
		return fmt.Errorf("hub: publish %q: %w", topic, ErrBadEventType)
	}
	raw, err := marshalData(data)
	if err != nil {
		return fmt.Errorf("hub: publish %q: encode data: %w", topic, err)
	}
	if h.appendPub != nil {
		// One atomic step in Redis orders the event among every node's.
		if _, err := h.appendPub.AppendPublish(ctx, topic, eventType, raw, time.Now()); err != nil {
			return fmt.Errorf("hub: publish %q: %w", topic, err)
		}
		h.metrics.published.WithLabelValues("event").Inc()
		return nil
	}
	l := h.pubLock(topic)
	l.Lock()
	defer l.Unlock()
	pos, err := h.history.Append(ctx, topic, eventType, raw)
	if err != nil {
		return fmt.Errorf("hub: publish %q: history: %w", topic, err)
	}
	m := Message{Topic: topic, Kind: KindEvent, Position: pos,
		Frame: eventFrame(topic, pos, eventType, raw), Published: time.Now()}
	if err := h.broker.Publish(ctx, m); err != nil {
		return fmt.Errorf("hub: publish %q: broker: %w", topic, err)
	}
	h.metrics.published.WithLabelValues("event").Inc()
	return nil
}

func validEventType(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// Changed marks a latest-state topic (poll:{id}, site:online) as changed.
// It returns at once: the coalescer builds and publishes the full snapshot
// with the SnapshotFunc registered for the topic's prefix, the first change
// after a quiet interval at once and then at most one per interval, however
// many times Changed is called. A topic that is not a latest-state topic or
// has no SnapshotFunc is ignored (and logged). Safe for concurrent use.
func (h *Hub) Changed(topic string) {
	if !IsStateTopic(topic) {
		h.logger.Warn("hub: Changed on a topic that is not latest-state", "topic", topic)
		return
	}
	if _, ok := h.snapshotFunc(topic); !ok {
		h.logger.Warn("hub: Changed on a topic without a SnapshotFunc", "topic", topic)
		return
	}
	h.coalescer.changed(topic)
}

// buildSnapshot calls fn and returns the snapshot message with a new
// version.
func (h *Hub) buildSnapshot(ctx context.Context, topic string, fn SnapshotFunc) (Message, error) {
	ctx, cancel := context.WithTimeout(ctx, h.opts.AuthTimeout)
	defer cancel()
	start := time.Now()
	v, err := fn(ctx, topic)
	if err != nil {
		return Message{}, err
	}
	raw, err := marshalData(v)
	if err != nil {
		return Message{}, apperr.Wrap(apperr.Internal, "internal", fmt.Errorf("hub: snapshot %q: encode: %w", topic, err))
	}
	version, err := h.versions.Next(ctx, topic)
	if err != nil {
		return Message{}, apperr.Wrap(apperr.Internal, "internal", fmt.Errorf("hub: snapshot %q: version: %w", topic, err))
	}
	if h.isLocal(topic) {
		h.local.noteBuilt(topic, raw) // what a new subscriber now holds
	}
	return Message{Topic: topic, Kind: KindSnapshot, Version: version,
		Frame: snapshotFrame(topic, version, raw), Published: start}, nil
}

// publishSnapshot builds topic's snapshot and publishes it to every node.
func (h *Hub) publishSnapshot(ctx context.Context, topic string) error {
	fn, ok := h.snapshotFunc(topic)
	if !ok {
		return nil
	}
	if h.isLocal(topic) {
		return h.publishLocalSnapshot(ctx, topic, fn)
	}
	m, err := h.buildSnapshot(ctx, topic, fn)
	if err != nil {
		return err
	}
	if err := h.broker.Publish(ctx, m); err != nil {
		return fmt.Errorf("hub: snapshot %q: broker: %w", topic, err)
	}
	h.metrics.published.WithLabelValues("snapshot").Inc()
	return nil
}
