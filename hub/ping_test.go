package hub

import (
	"context"
	"testing"
	"time"
)

// TestPingRidesOnBroadcast: a socket whose ping is due gets it right after
// its next broadcast frame, and the ping is then no longer due.
func TestPingRidesOnBroadcast(t *testing.T) {
	th := newTestHub(t, Options{}) // the pinger's own turn is 25 s away
	topic := "thread:" + newID(t)
	c := th.dial(t, nil)
	c.subscribe(topic)
	c.expect("subscribed", topic)
	pinged := make(chan struct{}, 4)
	c.ws.SetPingHandler(func(string) error {
		pinged <- struct{}{}
		return nil
	})
	conns := th.connsNow()
	if len(conns) != 1 {
		t.Fatalf("open sockets = %d, want 1", len(conns))
	}
	conns[0].pingDue.Store(true)

	ctx := context.Background()
	for range 2 {
		if err := th.Publish(ctx, topic, "post.created", map[string]string{"text": "x"}); err != nil {
			t.Fatal(err)
		}
	}
	c.expect("event", topic)
	c.expect("event", topic) // reading it handles the ping before it
	if got := len(pinged); got != 1 {
		t.Errorf("pings read = %d, want 1", got)
	}
	if conns[0].pingDue.Load() {
		t.Error("pingDue still set after a broadcast carried the ping")
	}
}

// TestIdleSocketIsPinged: a socket that receives no broadcast still gets
// its ping from the pinger.
func TestIdleSocketIsPinged(t *testing.T) {
	th := newTestHub(t, Options{PingInterval: 50 * time.Millisecond, PongWait: waitBound})
	c := th.dial(t, nil)
	pinged := make(chan struct{}, 1)
	c.ws.SetPingHandler(func(string) error {
		select {
		case pinged <- struct{}{}:
		default:
		}
		return nil
	})
	go func() {
		for {
			if _, err := c.tryRead(); err != nil {
				return
			}
		}
	}()
	select {
	case <-pinged:
	case <-time.After(waitBound):
		t.Fatalf("no ping within %v", waitBound)
	}
	if n := th.connCount(); n != 1 {
		t.Errorf("open sockets = %d, want 1", n)
	}
}

// connsNow returns the open sockets.
func (th *testHub) connsNow() []*conn {
	th.connMu.Lock()
	defer th.connMu.Unlock()
	return th.connList()
}
