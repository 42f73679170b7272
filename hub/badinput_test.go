package hub

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/civichub/civichub/web"
)

func TestNonWebSocketRequest(t *testing.T) {
	th := newTestHub(t, Options{})
	tests := []struct {
		name   string
		method string
		status int
		code   string
	}{
		{"plain GET", http.MethodGet, http.StatusBadRequest, "invalid"},
		{"POST", http.MethodPost, http.StatusMethodNotAllowed, "method_not_allowed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, th.srv.URL+"/ws", nil)
			req.Header.Set("Origin", testOrigin)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body web.ErrorBody
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatalf("body is not a JSON error: %v", err)
			}
			if resp.StatusCode != tc.status || string(body.Error.Code) != tc.code {
				t.Errorf("%s /ws = %d %s, want %d %s", tc.method, resp.StatusCode, body.Error.Code, tc.status, tc.code)
			}
		})
	}
}

func TestOriginRefused(t *testing.T) {
	th := newTestHub(t, Options{})
	for _, origin := range []string{"", "https://evil.test", "http://portal.test", "https://portal.test:8443", "null"} {
		var hdr http.Header // no Origin at all for ""
		if origin != "" {
			hdr = http.Header{"Origin": {origin}}
		}
		ws, _, err := websocket.DefaultDialer.Dial(th.wsURL(), hdr)
		if err == nil {
			ws.Close()
			t.Errorf("Dial with Origin %q succeeded, want 403", origin)
			continue
		}
		if !errors.Is(err, websocket.ErrBadHandshake) {
			t.Errorf("Dial with Origin %q = %v, want a refused handshake", origin, err)
		}
	}
	if n := counter(th.metrics.refused.WithLabelValues("origin")); n != 5 {
		t.Errorf("refused{origin} = %v, want 5", n)
	}
}

func TestFrameOverReadLimitCloses1009(t *testing.T) {
	th := newTestHub(t, Options{ReadLimit: 1024})
	c := th.dial(t, nil)
	c.send(`{"op":"subscribe","topic":"` + strings.Repeat("x", 4096) + `"}`)
	if code := c.closeCode(); code != websocket.CloseMessageTooBig {
		t.Fatalf("close code = %d, want %d", code, websocket.CloseMessageTooBig)
	}
}

// TestBadFramesKeepSocketOpen sends each bad frame and checks the error
// frame, then that the same socket still works.
func TestBadFramesKeepSocketOpen(t *testing.T) {
	th := newTestHub(t, Options{})
	thread := "thread:" + newID(t)
	tests := []struct {
		name, in, code, topic string
	}{
		{"invalid JSON", `{"op":"subscribe",`, "invalid", ""},
		{"not an object", `"subscribe"`, "invalid", ""},
		{"unknown op", `{"op":"publish","topic":"site:online"}`, "invalid", "site:online"},
		{"malformed topic", `{"op":"subscribe","topic":"thread:1234"}`, "invalid", ""},
		{"unknown topic", `{"op":"subscribe","topic":"chat:lobby"}`, "not_found", "chat:lobby"},
		{"topic without authorizer", `{"op":"subscribe","topic":"user:` + pid + `"}`, "not_found", "user:" + pid},
		{"topic the user may not read", `{"op":"subscribe","topic":"mod:queue"}`, "forbidden", "mod:queue"},
		{"already subscribed", `{"op":"subscribe","topic":"` + thread + `"}`, "invalid", thread},
	}
	c := th.dial(t, nil)
	c.subscribe(thread)
	c.expect("subscribed", thread)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c.send(tc.in)
			f := c.expect("error", "")
			if f.Code != tc.code || f.Topic != tc.topic || f.Message == "" {
				t.Errorf("error frame for %s = %+v, want code %s topic %q and a message", tc.in, f, tc.code, tc.topic)
			}
		})
	}
	if err := c.ws.WriteMessage(websocket.BinaryMessage, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	if f := c.expect("error", ""); f.Code != "invalid" {
		t.Errorf("binary frame: error = %+v, want invalid", f)
	}
	c.subscribe("site:online")
	c.expect("subscribed", "site:online")
	c.expect("snapshot", "site:online")
}

func TestModeratorMayReadQueue(t *testing.T) {
	th := newTestHub(t, Options{})
	c := th.dial(t, http.Header{"X-Test-User": {"m1,moderator"}})
	c.subscribe("mod:queue")
	c.expect("subscribed", "mod:queue")
}

func TestSubscriptionFlood(t *testing.T) {
	th := newTestHub(t, Options{MaxSubscriptions: 3, MessageBurst: 100})
	c := th.dial(t, nil)
	for range 3 {
		topic := "thread:" + newID(t)
		c.subscribe(topic)
		c.expect("subscribed", topic)
	}
	topic := "thread:" + newID(t)
	c.subscribe(topic)
	if f := c.expect("error", topic); f.Code != "rate_limited" {
		t.Fatalf("4th subscription: error = %+v, want rate_limited", f)
	}
	c.send(`{"op":"unsubscribe","topic":"` + topic + `"}`) // not held: a no-op
	c.subscribe("site:online")
	if f := c.expect("error", "site:online"); f.Code != "rate_limited" {
		t.Fatalf("still over the limit: error = %+v, want rate_limited", f)
	}
}

func TestMessageFloodClosesSocket(t *testing.T) {
	th := newTestHub(t, Options{MessageRate: 1, MessageBurst: 5})
	c := th.dial(t, nil)
	other := th.dial(t, nil)
	for range 30 {
		if err := c.ws.WriteMessage(websocket.TextMessage, []byte(`{"op":"unsubscribe","topic":"site:online"}`)); err != nil {
			break // the server may already have closed
		}
	}
	if f := c.expect("error", ""); f.Code != "rate_limited" {
		t.Fatalf("flood: first frame = %+v, want error rate_limited", f)
	}
	if code := c.closeCode(); code != websocket.ClosePolicyViolation {
		t.Fatalf("flood: close code = %d, want %d", code, websocket.ClosePolicyViolation)
	}
	// Nobody else is affected.
	other.subscribe("site:online")
	other.expect("subscribed", "site:online")
}

func TestPerIPLimit(t *testing.T) {
	th := newTestHub(t, Options{MaxConnectionsPerIP: 2})
	a := th.dial(t, nil)
	th.dial(t, nil)
	// A client's Dial returns at the 101, before the hub registers the
	// socket: wait for both, so the count below means a was released.
	waitFor(t, "both sockets registered", func() bool { return th.connCount() == 2 })
	_, err := th.tryDial(nil)
	var de *dialError
	if !errors.As(err, &de) || de.status != http.StatusTooManyRequests {
		t.Fatalf("3rd Dial from one address = %v, want 429", err)
	}
	a.ws.Close()
	waitFor(t, "the closed socket to be released", func() bool { return th.connCount() == 1 })
	th.dial(t, nil)
}

func TestVanishedClientIsRemoved(t *testing.T) {
	th := newTestHub(t, Options{})
	c := th.dial(t, nil)
	c.subscribe("site:online")
	c.expect("subscribed", "site:online")
	// Cut the TCP connection without a close frame.
	c.ws.NetConn().(*net.TCPConn).SetLinger(0)
	c.ws.NetConn().Close()
	waitFor(t, "the socket to be removed", func() bool {
		return th.connCount() == 0 && counter(th.metrics.subscriptions) == 0
	})
}

// TestSilentClientTimesOut: a client that neither reads (so never answers a
// ping) nor writes is closed once its pong is overdue.
func TestSilentClientTimesOut(t *testing.T) {
	th := newTestHub(t, Options{PingInterval: 20e6, PongWait: 20e6})
	th.dial(t, nil) // never read again
	waitFor(t, "the silent socket to be closed", func() bool { return th.connCount() == 0 })
}

func TestSlowClientDroppedWithoutDelayingOthers(t *testing.T) {
	th := newTestHub(t, Options{SendQueue: 4, Writers: 4})
	topic := "thread:" + newID(t)
	// The slow client's receive buffer is small and it never reads.
	dialer := websocket.Dialer{NetDial: func(network, addr string) (net.Conn, error) {
		nc, err := net.Dial(network, addr)
		if err == nil {
			_ = nc.(*net.TCPConn).SetReadBuffer(4096)
		}
		return nc, err
	}}
	slowWS, _, err := dialer.Dial(th.wsURL(), http.Header{"Origin": {testOrigin}})
	if err != nil {
		t.Fatal(err)
	}
	defer slowWS.Close()
	slow := &client{t: t, ws: slowWS}
	slow.subscribe(topic)
	slow.expect("subscribed", topic)
	fast := th.dial(t, nil)
	fast.subscribe(topic)
	fast.expect("subscribed", topic)

	var last atomic.Uint64 // the fast client's last in-order event
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			f, err := fast.tryRead()
			if err != nil || f.Op != "event" || f.Seq != last.Load()+1 {
				return
			}
			last.Store(f.Seq)
		}
	}()
	payload := map[string]string{"text": strings.Repeat("x", 32<<10)}
	ctx := context.Background()
	var published uint64
	for published < 5000 && counter(th.metrics.slowDisconnects) == 0 {
		if err := th.Publish(ctx, topic, "post.created", payload); err != nil {
			t.Fatal(err)
		}
		published++
		// Pace on the fast client only: it keeps up, the slow one cannot.
		waitFor(t, "the fast client to keep up", func() bool { return last.Load() == published || isDone(done) })
	}
	if counter(th.metrics.slowDisconnects) != 1 {
		t.Fatalf("the client that never reads was not dropped after %d events", published)
	}
	waitFor(t, "the fast client to read every event", func() bool { return last.Load() == published || isDone(done) })
	if got := last.Load(); got != published {
		t.Fatalf("fast client got events up to %d of %d, want all in order", got, published)
	}
	fast.ws.Close()
	<-done
}

func isDone(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
