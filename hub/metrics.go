package hub

import (
	"runtime"
	"runtime/metrics"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// hubMetrics are the hub's Prometheus metrics. Every metric is safe for
// concurrent use.
type hubMetrics struct {
	connections      prometheus.Gauge
	subscriptions    prometheus.Gauge
	published        *prometheus.CounterVec // kind
	delivered        prometheus.Counter
	dropped          *prometheus.CounterVec // reason
	slowDisconnects  prometheus.Counter
	refused          *prometheus.CounterVec // reason
	deliveryLatency  prometheus.Histogram
	goroutinesPerCon prometheus.GaugeFunc
	stackPerConn     prometheus.GaugeFunc
}

func newMetrics(h *Hub) *hubMetrics {
	const ns, sub = "civichub", "hub"
	m := &hubMetrics{
		connections: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub,
			Name: "connections", Help: "Open WebSocket connections on this node."}),
		subscriptions: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub,
			Name: "subscriptions", Help: "Topic subscriptions of this node's sockets."}),
		published: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub,
			Name: "messages_published_total", Help: "Messages published by this node, by kind (event, snapshot, control)."}, []string{"kind"}),
		delivered: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub,
			Name: "messages_delivered_total", Help: "Frames written to sockets."}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub,
			Name: "messages_dropped_total", Help: "Frames not written, by reason (queue_full, write_error, closed)."}, []string{"reason"}),
		slowDisconnects: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub,
			Name: "slow_client_disconnects_total", Help: "Sockets closed because their send queue was full."}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub,
			Name: "connections_refused_total", Help: "Upgrade requests refused, by reason."}, []string{"reason"}),
		deliveryLatency: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: ns, Subsystem: sub,
			Name: "delivery_latency_seconds", Help: "From Publish (or the snapshot's build) to the frame written to a socket. A broadcast's fan-out observes it once per writer sharing it, when that writer's last socket is written; frames written from a socket's queue observe it once each.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}}),
	}
	m.goroutinesPerCon = prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub,
		Name: "goroutines_per_connection", Help: "Goroutines of the process divided by open connections (about 1 by design)."},
		func() float64 { return perConn(h, float64(runtime.NumGoroutine())) })
	var stack stackReader
	m.stackPerConn = prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub,
		Name: "stack_bytes_per_connection", Help: "Goroutine stack memory of the process divided by open connections: where per-connection memory goes."},
		func() float64 { return perConn(h, stack.read()) })
	return m
}

func perConn(h *Hub, v float64) float64 {
	n := h.connCount()
	if n == 0 {
		return 0
	}
	return v / float64(n)
}

// stackReader reads the runtime's stack bytes without stopping the world.
type stackReader struct {
	mu     sync.Mutex
	sample [1]metrics.Sample
}

func (s *stackReader) read() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sample[0].Name = "/memory/classes/heap/stacks:bytes"
	metrics.Read(s.sample[:])
	if s.sample[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return float64(s.sample[0].Value.Uint64())
}

func (m *hubMetrics) register(reg prometheus.Registerer) error {
	if reg == nil {
		return nil
	}
	for _, c := range []prometheus.Collector{m.connections, m.subscriptions, m.published, m.delivered,
		m.dropped, m.slowDisconnects, m.refused, m.deliveryLatency, m.goroutinesPerCon, m.stackPerConn} {
		if err := reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}
