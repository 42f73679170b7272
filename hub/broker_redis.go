package hub

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisBroker is the Broker of a cluster: Redis pub/sub carries every
// message to every node. A node holds one pub/sub connection (one per shard
// on Redis Cluster, where it uses sharded pub/sub: SSUBSCRIBE and SPUBLISH)
// and one Redis subscription per topic, reference-counted across the hub's
// Subscribe and Unsubscribe calls. Channels are named civichub:t:{topic}.
//
// When a pub/sub connection fails, the broker reconnects with backoff,
// subscribes every topic again and then calls HandleResubscribed, so the hub
// replays, reloads or re-snapshots whatever may have been missed. Messages
// of one topic reach HandleMessage in the order Redis received them. Safe for
// concurrent use.
type RedisBroker struct {
	client  redis.UniversalClient
	cluster *redis.ClusterClient // non-nil: sharded pub/sub
	logger  *slog.Logger
	seed    maphash.Seed

	mu     sync.Mutex
	events BrokerEvents
	topics map[string]*redisTopic
	links  map[string]*redisLink // by shard address; "" when not a cluster
	closed bool

	ctx      context.Context // cancelled by Close
	cancel   context.CancelFunc
	stopped  atomic.Bool
	dispatch []chan Message // per-topic order: a topic always uses one
	wg       sync.WaitGroup
}

type redisTopic struct {
	refs  int
	link  *redisLink
	ready chan struct{} // closed once the first SUBSCRIBE is confirmed or failed
	err   error
}

// Tuning of the broker; variables so tests can shorten them.
var (
	redisSubscribeTimeout = 5 * time.Second
	redisPingInterval     = 5 * time.Second
	redisBackoffMin       = 50 * time.Millisecond
	redisBackoffMax       = 2 * time.Second
)

const (
	redisDispatchers     = 4
	redisDispatchBacklog = 4096
)

// NewRedisBroker returns a broker on client, which may be a *redis.Client,
// a failover client or a *redis.ClusterClient. It connects at Run. The
// broker does not close client.
func NewRedisBroker(client redis.UniversalClient, logger *slog.Logger) *RedisBroker {
	b := &RedisBroker{client: client, logger: logger, seed: maphash.MakeSeed(),
		topics: make(map[string]*redisTopic), links: make(map[string]*redisLink)}
	b.cluster, _ = client.(*redis.ClusterClient)
	b.ctx, b.cancel = context.WithCancel(context.Background())
	return b
}

// Run implements Broker. It starts the dispatch goroutines; pub/sub
// connections open with the first subscription of their shard. It fails if
// called twice or after Close.
func (b *RedisBroker) Run(events BrokerEvents) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.events != nil || b.closed {
		return errors.New("hub: redis broker: Run called twice or after Close")
	}
	b.events = events
	b.dispatch = make([]chan Message, redisDispatchers)
	b.wg.Add(redisDispatchers)
	for i := range b.dispatch {
		b.dispatch[i] = make(chan Message, redisDispatchBacklog)
		go b.dispatchLoop(b.dispatch[i])
	}
	return nil
}

// Subscribe implements Broker. The first reference to a topic sends
// SUBSCRIBE and waits (at most 5 s, or until ctx ends) for Redis to confirm
// it; later references wait for that confirmation. An error means Redis did
// not confirm; the reference was then not added.
func (b *RedisBroker) Subscribe(ctx context.Context, topic string) error {
	ch := topicChannel(topic)
	b.mu.Lock()
	if b.closed || b.events == nil {
		b.mu.Unlock()
		return ErrBrokerClosed
	}
	if t := b.topics[topic]; t != nil {
		t.refs++
		b.mu.Unlock()
		<-t.ready // bounded by the first subscriber's timeout
		return t.err
	}
	link, err := b.linkLocked(ctx, ch)
	if err != nil {
		b.mu.Unlock()
		return fmt.Errorf("hub: redis subscribe %q: %w", topic, err)
	}
	t := &redisTopic{refs: 1, link: link, ready: make(chan struct{})}
	b.topics[topic] = t
	wait := link.expect(ch)
	// Writes to a link happen in the order refs changed: the write lock is
	// taken before mu is released.
	link.writeMu.Lock()
	b.mu.Unlock()
	err = link.subscribe(ctx, ch)
	link.writeMu.Unlock()
	if err == nil {
		err = link.await(ctx, ch, wait)
	}
	if err != nil {
		t.err = fmt.Errorf("hub: redis subscribe %q: %w", topic, err)
		b.mu.Lock()
		if b.topics[topic] == t {
			delete(b.topics, topic)
			link.writeMu.Lock()
			b.mu.Unlock()
			_ = link.unsubscribe(context.WithoutCancel(ctx), ch)
			link.writeMu.Unlock()
		} else {
			b.mu.Unlock()
		}
	}
	close(t.ready)
	return t.err
}

// Unsubscribe implements Broker. Dropping the last reference sends
// UNSUBSCRIBE; its error is returned but the reference is gone either way.
func (b *RedisBroker) Unsubscribe(ctx context.Context, topic string) error {
	b.mu.Lock()
	t := b.topics[topic]
	if t == nil {
		b.mu.Unlock()
		return nil
	}
	if t.refs--; t.refs > 0 {
		b.mu.Unlock()
		return nil
	}
	delete(b.topics, topic)
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	t.link.writeMu.Lock()
	b.mu.Unlock()
	err := t.link.unsubscribe(ctx, topicChannel(topic))
	t.link.writeMu.Unlock()
	if err != nil {
		return fmt.Errorf("hub: redis unsubscribe %q: %w", topic, err)
	}
	return nil
}

// Topics returns the number of topics this node is subscribed to.
func (b *RedisBroker) Topics() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.topics)
}

// Publish implements Broker with one PUBLISH (SPUBLISH on a cluster).
func (b *RedisBroker) Publish(ctx context.Context, m Message) error {
	if b.stopped.Load() {
		return ErrBrokerClosed
	}
	env := encodeEnvelope(m)
	var err error
	if b.cluster != nil {
		err = b.cluster.SPublish(ctx, topicChannel(m.Topic), env).Err()
	} else {
		err = b.client.Publish(ctx, topicChannel(m.Topic), env).Err()
	}
	if err != nil {
		return fmt.Errorf("hub: redis publish %q: %w", m.Topic, err)
	}
	return nil
}

// Close implements Broker: it closes the pub/sub connections and stops every
// goroutine of the broker before returning. It does not close the client.
func (b *RedisBroker) Close(context.Context) error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	b.stopped.Store(true)
	links := b.links
	b.links = map[string]*redisLink{}
	b.topics = map[string]*redisTopic{}
	b.mu.Unlock()
	b.cancel()
	for _, l := range links {
		_ = l.ps.Close()
	}
	b.wg.Wait()
	return nil
}

// linkLocked returns the pub/sub connection that carries ch, starting it if
// needed; b.mu must be held.
func (b *RedisBroker) linkLocked(ctx context.Context, ch string) (*redisLink, error) {
	key := ""
	if b.cluster != nil {
		master, err := b.cluster.MasterForKey(ctx, ch)
		if err != nil {
			return nil, err
		}
		key = master.Options().Addr
	}
	if l := b.links[key]; l != nil {
		return l, nil
	}
	l := &redisLink{b: b, waiters: make(map[string][]chan struct{})}
	if b.cluster != nil {
		l.ps = b.cluster.SSubscribe(b.ctx)
	} else {
		l.ps = b.client.Subscribe(b.ctx)
	}
	b.links[key] = l
	b.wg.Add(1)
	go l.receiveLoop()
	return l, nil
}

// deliver hands a received envelope to the dispatcher of its topic.
func (b *RedisBroker) deliver(payload string) {
	m, err := decodeEnvelope([]byte(payload))
	if err != nil {
		b.logger.Error("hub: redis broker: dropped message", "err", err)
		return
	}
	q := b.dispatch[maphash.String(b.seed, m.Topic)%uint64(len(b.dispatch))]
	select {
	case q <- m:
	case <-b.ctx.Done():
	}
}

func (b *RedisBroker) dispatchLoop(q chan Message) {
	defer b.wg.Done()
	for {
		select {
		case m := <-q:
			if !b.stopped.Load() {
				b.events.HandleMessage(m)
			}
		case <-b.ctx.Done():
			return
		}
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
