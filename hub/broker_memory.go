package hub

import (
	"context"
	"errors"
	"sync"
)

// MemoryBroker is the in-process Broker. One MemoryBroker is one node;
// Join adds another node on the same in-process bus, which is how tests run
// several hubs as a cluster without Redis. Publish hands a message to each
// subscribed node synchronously, in the publishing goroutine, so the order of
// Publish calls is the order of delivery. Safe for concurrent use.
type MemoryBroker struct {
	bus *memoryBus

	mu     sync.RWMutex
	events BrokerEvents
	refs   map[string]int
	closed bool
}

type memoryBus struct {
	mu    sync.RWMutex
	nodes []*MemoryBroker
}

// NewMemoryBroker returns a node on a new in-process bus.
func NewMemoryBroker() *MemoryBroker {
	return (&memoryBus{}).join()
}

// Join returns another node on b's bus: what either publishes reaches both.
func (b *MemoryBroker) Join() *MemoryBroker { return b.bus.join() }

func (bus *memoryBus) join() *MemoryBroker {
	b := &MemoryBroker{bus: bus, refs: make(map[string]int)}
	bus.mu.Lock()
	bus.nodes = append(bus.nodes, b)
	bus.mu.Unlock()
	return b
}

// ErrBrokerClosed is returned by a broker's methods after Close.
var ErrBrokerClosed = errors.New("hub: broker closed")

// Run implements Broker. It returns an error if called twice.
func (b *MemoryBroker) Run(events BrokerEvents) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.events != nil || b.closed {
		return errors.New("hub: memory broker: Run called twice")
	}
	b.events = events
	return nil
}

// Subscribe implements Broker.
func (b *MemoryBroker) Subscribe(_ context.Context, topic string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return ErrBrokerClosed
	}
	b.refs[topic]++
	return nil
}

// Unsubscribe implements Broker. Dropping a reference that was never added
// is a no-op.
func (b *MemoryBroker) Unsubscribe(_ context.Context, topic string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch n := b.refs[topic]; {
	case n > 1:
		b.refs[topic] = n - 1
	case n == 1:
		delete(b.refs, topic)
	}
	return nil
}

// Topics returns the number of topics this node is subscribed to, for tests
// of reference counting.
func (b *MemoryBroker) Topics() int {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return len(b.refs)
}

// Publish implements Broker.
func (b *MemoryBroker) Publish(ctx context.Context, m Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.RLock()
	closed := b.closed
	b.mu.RUnlock()
	if closed {
		return ErrBrokerClosed
	}
	b.bus.mu.RLock()
	nodes := b.bus.nodes
	b.bus.mu.RUnlock()
	for _, n := range nodes {
		n.deliver(m)
	}
	return nil
}

func (b *MemoryBroker) deliver(m Message) {
	b.mu.RLock()
	events := b.events
	ok := !b.closed && b.refs[m.Topic] > 0
	b.mu.RUnlock()
	if ok && events != nil {
		events.HandleMessage(m)
	}
}

// Close implements Broker. It also leaves the bus.
func (b *MemoryBroker) Close(context.Context) error {
	b.mu.Lock()
	b.closed = true
	b.refs = map[string]int{}
	b.mu.Unlock()
	b.bus.mu.Lock()
	defer b.bus.mu.Unlock()
	nodes := make([]*MemoryBroker, 0, len(b.bus.nodes))
	for _, n := range b.bus.nodes {
		if n != b {
			nodes = append(nodes, n)
		}
	}
	b.bus.nodes = nodes
	return nil
}
