package hub

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"log/slog"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/civichub/civichub/apperr"
	"github.com/civichub/civichub/web"
)

// Hub owns this node's WebSocket connections and their subscriptions, and
// moves published payloads to them through a Broker. It serves GET /ws as an
// http.Handler. Its methods are safe for concurrent use. New starts its
// goroutines (socket writers, the pinger); Shutdown stops every one of them,
// including each connection's reader.
type Hub struct {
	opts     Options
	broker   Broker
	history  History
	versions VersionSource
	presence Presence
	local    localSnapshots
	// appendPub, when set, appends and publishes an event in one step, so
	// events of a topic keep their order across nodes.
	appendPub AppendPublisher
	logger    *slog.Logger
	metrics   *hubMetrics
	origins   map[string]bool
	upgrader  websocket.Upgrader

	// ctx is the parent of everything the hub does on its own behalf;
	// Shutdown cancels it.
	ctx    context.Context
	cancel context.CancelFunc

	regMu       sync.RWMutex
	authorizers prefixTable[Authorizer]
	snapshots   prefixTable[SnapshotFunc]

	connMu sync.Mutex
	// conns are the open connections, split by the pinger's slice they
	// are in (conn.pingSlot), so that a ping round visits only its own.
	conns    [pingSlots]map[*conn]struct{}
	nconns   int
	byUser   map[string]map[*conn]struct{}
	perIP    map[netip.Addr]int
	reserved int
	// nextPingSlot is the pinger's slice of the next attached socket.
	nextPingSlot uint8
	closing      bool
	visitors     *presenceTracker
	revoked      revocations
	readers      sync.WaitGroup // one per connection: its reader goroutine
	tasks        sync.WaitGroup // revalidations and resyncs

	topicMu sync.RWMutex
	topics  map[string]*topic

	// pubLocks serialise Append+Publish per topic on this node, so events
	// of one topic leave in sequence order.
	pubLocks [64]sync.Mutex
	seed     maphash.Seed

	work     chan *conn // connections with frames to write, each at most once
	fanWork  chan *fanJob
	stopWork chan struct{}
	workers  sync.WaitGroup // writers, the pinger and the watchdog

	writerStates []*writerState // one per writer, for the watchdog
	jobMu        sync.Mutex
	jobs         []*fanJob // fan-outs not yet taken to the end, for the watchdog
	pingMsg      *outMsg

	coalescer *coalescer
	shutdown  sync.Once

	born time.Time // for clock
}

// clock is the time since the hub was made, from the monotonic clock: a
// socket keeps 8 bytes of it where a time.Time takes 24.
func (h *Hub) clock() time.Duration { return time.Since(h.born) }

// SnapshotFunc builds the full current state of a latest-state topic, for
// example a poll's tallies. The coalescer calls it at most once per interval
// per topic, and a subscribe calls it when this node holds no snapshot yet.
// It must be safe for concurrent use. Its result is encoded with
// encoding/json and must not depend on who reads it. An *apperr.Error such as
// not_found reaches a subscribing client as that code.
type SnapshotFunc func(ctx context.Context, topic string) (any, error)

// New returns a hub using broker to reach every node. logger receives the
// hub's own errors; reg (may be nil) receives its metrics. It fails when opts
// are invalid, a metric is already registered, or the broker cannot start.
func New(opts Options, broker Broker, logger *slog.Logger, reg prometheus.Registerer) (*Hub, error) {
	opts = opts.withDefaults()
	if err := opts.validate(); err != nil {
		return nil, err
	}
	h := &Hub{
		opts:     opts,
		broker:   broker,
		history:  opts.History,
		versions: opts.Versions,
		presence: opts.Presence,
		visitors: newPresenceTracker(opts.Presence),
		logger:   logger,
		origins:  make(map[string]bool),
		byUser:   make(map[string]map[*conn]struct{}),
		perIP:    make(map[netip.Addr]int),
		topics:   make(map[string]*topic),
		seed:     maphash.MakeSeed(),
		work:     make(chan *conn, 2*opts.MaxConnections),
		fanWork:  make(chan *fanJob, 4*opts.Writers),
		stopWork: make(chan struct{}),
		pingMsg:  &outMsg{kind: outPing},
		born:     time.Now(),
	}
	for i := range h.conns {
		h.conns[i] = make(map[*conn]struct{})
	}
	for _, o := range opts.Origins {
		n, _ := normalizeOrigin(o)
		h.origins[n] = true
	}
	h.upgrader = websocket.Upgrader{
		// ReadBufferSize 0 makes gorilla read through the small buffer
		// the hijacker gives it (server.go). The write buffer is only
		// borrowed from the pool while writing a frame for one socket;
		// broadcasts are prepared frames.
		WriteBufferSize: 1024,
		WriteBufferPool: &sync.Pool{},
		CheckOrigin:     h.originAllowed,
		Error: func(w http.ResponseWriter, r *http.Request, status int, reason error) {
			h.metrics.refused.WithLabelValues("handshake").Inc()
			web.Error(w, r, h.logger, apperr.Wrap(apperr.Invalid, "invalid_input", reason))
		},
	}
	h.metrics = newMetrics(h)
	if err := h.metrics.register(reg); err != nil {
		return nil, fmt.Errorf("hub: register metrics: %w", err)
	}
	if ap, ok := opts.History.(AppendPublisher); ok && ap.Carries(broker) {
		h.appendPub = ap
	}
	h.revoked.init()
	h.ctx, h.cancel = context.WithCancel(context.Background())
	h.coalescer = newCoalescer(h)
	if err := broker.Run(brokerEvents{h}); err != nil {
		h.cancel()
		return nil, fmt.Errorf("hub: start broker: %w", err)
	}
	if err := broker.Subscribe(h.ctx, controlTopic); err != nil {
		h.cancel()
		_ = broker.Close(context.Background())
		return nil, fmt.Errorf("hub: subscribe control topic: %w", err)
	}
	if err := h.presence.Run(h.onlineChanged); err != nil {
		h.cancel()
		_ = broker.Close(context.Background())
		return nil, fmt.Errorf("hub: start presence: %w", err)
	}
	h.workers.Add(opts.Writers + 3)
	h.writerStates = make([]*writerState, opts.Writers)
	for i := range h.writerStates {
		h.writerStates[i] = new(writerState)
		go h.writeLoop(h.writerStates[i])
	}
	go h.pingLoop()
	go h.watchLoop()
	go h.refreshLoop()
	return h, nil
}

// Authorize registers a as the authorizer of every topic starting with
// prefix ("poll:", "site:online"); the longest registered prefix wins. A
// topic no authorizer covers is refused as not_found. Call it while wiring,
// before serving; a later call applies to later subscriptions only.
func (h *Hub) Authorize(prefix string, a Authorizer) {
	h.regMu.Lock()
	h.authorizers = h.authorizers.with(prefix, a)
	h.regMu.Unlock()
}

// Snapshot registers fn as the snapshot builder of latest-state topics
// starting with prefix ("poll:", "site:online"); the longest registered
// prefix wins. A latest-state topic without one is refused as not_found and
// Changed ignores it. Call it while wiring, before serving.
func (h *Hub) Snapshot(prefix string, fn SnapshotFunc) {
	h.regMu.Lock()
	h.snapshots = h.snapshots.with(prefix, fn)
	h.regMu.Unlock()
}

func (h *Hub) snapshotFunc(topic string) (SnapshotFunc, bool) {
	h.regMu.RLock()
	defer h.regMu.RUnlock()
	return h.snapshots.lookup(topic)
}

// ErrClosed is returned by the hub's methods after Shutdown has begun.
var ErrClosed = errors.New("hub: closed")

// Shutdown stops accepting sockets, stops coalescing, sends close 1001
// (going away) to every socket after what is already queued for it, waits
// for the sockets to close, then stops the writers and the broker. When ctx
// ends first the remaining sockets are cut and Shutdown returns ctx's
// error once every goroutine has stopped. Only the first call does anything.
func (h *Hub) Shutdown(ctx context.Context) error {
	err := ErrClosed
	h.shutdown.Do(func() { err = h.doShutdown(ctx) })
	return err
}

func (h *Hub) doShutdown(ctx context.Context) error {
	h.connMu.Lock()
	h.closing = true
	conns := h.connList()
	h.connMu.Unlock()
	h.cancel()
	h.coalescer.stop()
	h.tasks.Wait()
	for _, c := range conns {
		c.closeWith(websocket.CloseGoingAway, "shutdown")
	}
	drained := make(chan struct{})
	go func() {
		h.readers.Wait()
		close(drained)
	}()
	var err error
	select {
	case <-drained:
	case <-ctx.Done():
		err = ctx.Err()
		for _, c := range conns {
			c.kill()
		}
		<-drained
	}
	close(h.stopWork)
	h.workers.Wait()
	if perr := h.presence.Close(context.WithoutCancel(ctx)); perr != nil && err == nil {
		err = perr
	}
	if uerr := h.broker.Unsubscribe(context.WithoutCancel(ctx), controlTopic); uerr != nil && err == nil {
		err = uerr
	}
	if cerr := h.broker.Close(context.WithoutCancel(ctx)); cerr != nil && err == nil {
		err = fmt.Errorf("hub: close broker: %w", cerr)
	}
	return err
}

// connList returns the open connections; h.connMu must be held.
func (h *Hub) connList() []*conn {
	out := make([]*conn, 0, h.nconns)
	for _, slice := range h.conns {
		for c := range slice {
			out = append(out, c)
		}
	}
	return out
}

func (h *Hub) connCount() int {
	h.connMu.Lock()
	defer h.connMu.Unlock()
	return h.nconns
}

// userConns returns the open connections of userID.
func (h *Hub) userConns(userID string) []*conn {
	h.connMu.Lock()
	defer h.connMu.Unlock()
	return h.userConnsLocked(userID)
}

func (h *Hub) userConnsLocked(userID string) []*conn {
	out := make([]*conn, 0, len(h.byUser[userID]))
	for c := range h.byUser[userID] {
		out = append(out, c)
	}
	return out
}

// goTask runs fn in a goroutine that Shutdown waits for, unless the hub is
// closing.
func (h *Hub) goTask(fn func(ctx context.Context)) {
	h.connMu.Lock()
	defer h.connMu.Unlock()
	if h.closing {
		return
	}
	h.tasks.Add(1)
	go func() {
		defer h.tasks.Done()
		fn(h.ctx)
	}()
}

func (h *Hub) pubLock(topic string) *sync.Mutex {
	return &h.pubLocks[maphash.String(h.seed, topic)%uint64(len(h.pubLocks))]
}

// brokerEvents receives from the broker; it keeps those methods off Hub's
// exported surface.
type brokerEvents struct{ h *Hub }

func (e brokerEvents) HandleMessage(m Message) { e.h.handleMessage(m) }
func (e brokerEvents) HandleResubscribed()     { e.h.goTask(e.h.resync) }
