package hub

import (
	"context"
	"time"
)

// MessageKind says what a broker Message carries.
type MessageKind uint8

// The kinds of message.
const (
	// KindEvent is an event of an event topic; Position is set.
	KindEvent MessageKind = iota + 1
	// KindSnapshot is a full snapshot of a latest-state topic; Version is set.
	KindSnapshot
	// KindControl is an instruction between hubs (revalidate, close a
	// user's sockets) on the internal control topic.
	KindControl
)

// Message is what travels between nodes. Frame is the server frame exactly as
// every subscriber receives it, encoded once by the publishing node, so a
// receiving node only wraps it for the socket; for KindControl it is the
// instruction. A Message and its Frame are never modified once published.
type Message struct {
	Topic     string
	Kind      MessageKind
	Position  Position  // KindEvent
	Version   uint64    // KindSnapshot
	Frame     []byte    // the server frame, or the control instruction
	Published time.Time // when Publish was called, for the latency histogram
}

// BrokerEvents is how a Broker hands what it receives to its hub.
type BrokerEvents interface {
	// HandleMessage delivers one message on a topic this node subscribed to.
	// It does not block on sockets (it only queues), but it may take a few
	// milliseconds for a topic with many subscribers. Messages of one topic
	// must be handed over in the order they were published.
	HandleMessage(m Message)
	// HandleResubscribed tells the hub that the broker lost its connection
	// and has subscribed again, so messages may have been missed: the hub
	// brings every subscriber up to date (replay, reload or a fresh snapshot).
	HandleResubscribed()
}

// Broker carries published messages to every node subscribed to their
// topic, this node included. A Broker serves one Hub: the hub calls Run once
// from New, then Subscribe, Unsubscribe and Publish from many goroutines, and
// Close once from Shutdown. All methods are safe for concurrent use.
//
// Subscriptions are reference-counted per topic: the hub calls Subscribe when
// a topic gets its first local subscriber and Unsubscribe when it loses its
// last, and the two can overlap for one topic (a topic emptied and joined
// again at once), so the broker counts, subscribing upstream (one Redis
// SUBSCRIBE per topic per node) on 0→1 and unsubscribing on 1→0.
type Broker interface {
	// Run starts delivery to events and returns once the broker is ready.
	Run(events BrokerEvents) error
	// Subscribe adds a reference to topic. It returns once messages
	// published afterwards on any node are certain to reach this node; an
	// error means the reference was not added.
	Subscribe(ctx context.Context, topic string) error
	// Unsubscribe drops a reference to topic.
	Unsubscribe(ctx context.Context, topic string) error
	// Publish sends m to every node subscribed to m.Topic. A nil error means
	// the broker accepted it; delivery itself is best effort, and a lost
	// message shows up as a sequence gap that subscribers recover from.
	Publish(ctx context.Context, m Message) error
	// Close stops delivery: no HandleMessage call starts after it returns
	// (one already under way may finish, and the hub ignores it).
	Close(ctx context.Context) error
}
