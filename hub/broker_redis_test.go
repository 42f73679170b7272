package hub

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/civichub/civichub/internal/redistest"
)

// brokerRecorder is a BrokerEvents that keeps what it is handed.
type brokerRecorder struct {
	mu          sync.Mutex
	msgs        []Message
	resubscribe int
}

func (r *brokerRecorder) HandleMessage(m Message) {
	r.mu.Lock()
	r.msgs = append(r.msgs, m)
	r.mu.Unlock()
}

func (r *brokerRecorder) HandleResubscribed() {
	r.mu.Lock()
	r.resubscribe++
	r.mu.Unlock()
}

func (r *brokerRecorder) count() (msgs, resubscribed int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.msgs), r.resubscribe
}

func newRedisBrokerT(t *testing.T, srv *redistest.Server) (*RedisBroker, *brokerRecorder) {
	t.Helper()
	client := redis.NewClient(&redis.Options{Addr: srv.Addr})
	b := NewRedisBroker(client, slog.New(slog.NewTextHandler(io.Discard, nil)))
	rec := &brokerRecorder{}
	if err := b.Run(rec); err != nil {
		t.Fatalf("Run: %v", err)
	}
	t.Cleanup(func() {
		if err := b.Close(context.Background()); err != nil {
			t.Errorf("Close: %v", err)
		}
		client.Close()
	})
	return b, rec
}

func TestRedisBrokerReferenceCounts(t *testing.T) {
	srv := redistest.Start(t)
	b, rec := newRedisBrokerT(t, srv)
	ctx := context.Background()
	const topic = "feed:answers"
	for range 2 {
		if err := b.Subscribe(ctx, topic); err != nil {
			t.Fatalf("Subscribe: %v", err)
		}
	}
	if err := b.Unsubscribe(ctx, topic); err != nil {
		t.Fatalf("Unsubscribe: %v", err)
	}
	// One reference is left: a publish still arrives.
	m := Message{Topic: topic, Kind: KindEvent, Position: Position{Epoch: "e1", Seq: 7},
		Frame: []byte(`{"x":1}`), Published: time.UnixMicro(1234567)}
	if err := b.Publish(ctx, m); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	waitFor(t, "the message", func() bool { n, _ := rec.count(); return n == 1 })
	rec.mu.Lock()
	got := rec.msgs[0]
	rec.mu.Unlock()
	if got.Topic != m.Topic || got.Kind != m.Kind || got.Position != m.Position ||
		string(got.Frame) != string(m.Frame) || !got.Published.Equal(m.Published) {
		t.Errorf("received %+v, want %+v", got, m)
	}
	if n := b.Topics(); n != 1 {
		t.Errorf("Topics() = %d, want 1", n)
	}
	if err := b.Unsubscribe(ctx, topic); err != nil {
		t.Fatalf("Unsubscribe: %v", err)
	}
	if n := b.Topics(); n != 0 {
		t.Errorf("Topics() after the last Unsubscribe = %d, want 0", n)
	}
}

func TestRedisBrokerResubscribesAfterRestart(t *testing.T) {
	srv := redistest.Start(t)
	b, rec := newRedisBrokerT(t, srv)
	ctx := context.Background()
	const topic = "mod:queue"
	if err := b.Subscribe(ctx, topic); err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	srv.Restart(t)
	waitFor(t, "HandleResubscribed", func() bool { _, r := rec.count(); return r > 0 })
	// The subscription is back: a publish arrives again.
	if err := b.Publish(ctx, Message{Topic: topic, Kind: KindControl, Frame: []byte("x")}); err != nil {
		t.Fatalf("Publish after restart: %v", err)
	}
	waitFor(t, "a message after the restart", func() bool { n, _ := rec.count(); return n == 1 })
}

func TestEnvelopeRoundTrip(t *testing.T) {
	at := time.UnixMicro(1733212345678901)
	for _, tc := range []struct {
		name string
		m    Message
	}{
		{"event", Message{Topic: "thread:a", Kind: KindEvent, Position: Position{Epoch: "ep", Seq: 42}, Frame: []byte("{\n}"), Published: at}},
		{"snapshot", Message{Topic: "poll:a", Kind: KindSnapshot, Version: 99, Frame: []byte(`{}`), Published: at}},
		{"control", Message{Topic: controlTopic, Kind: KindControl, Frame: []byte(`{"op":"close_user"}`), Published: at}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeEnvelope(encodeEnvelope(tc.m))
			if err != nil {
				t.Fatalf("decodeEnvelope: %v", err)
			}
			if got.Topic != tc.m.Topic || got.Kind != tc.m.Kind || got.Position != tc.m.Position ||
				got.Version != tc.m.Version || string(got.Frame) != string(tc.m.Frame) || !got.Published.Equal(at) {
				t.Errorf("decodeEnvelope(encodeEnvelope(%+v)) = %+v", tc.m, got)
			}
		})
	}
	for _, bad := range []string{"", "e\n1\n", "x\n1\nt\n\n0\n\nbody", "e\nz\nt\n\n0\n\n", "e\n1\n\n\n0\n\n"} {
		if _, err := decodeEnvelope([]byte(bad)); err == nil {
			t.Errorf("decodeEnvelope(%q) = nil error, want one", bad)
		}
	}
}

func FuzzDecodeEnvelope(f *testing.F) {
	f.Add([]byte("d\n1\nthread:a\nep\n3\npost.created\n{}"))
	f.Fuzz(func(t *testing.T, p []byte) {
		_, _ = decodeEnvelope(p)
	})
}
