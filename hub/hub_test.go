package hub

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.uber.org/goleak"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/apperr"
	"github.com/civichub/civichub/id"
	"github.com/civichub/civichub/visitors"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const testOrigin = "https://portal.test"

// testHub is a hub behind a real HTTP server, with authorizers and
// snapshot functions a test can steer.
type testHub struct {
	*Hub
	srv    *httptest.Server
	broker *MemoryBroker

	mu       sync.Mutex
	denied   map[string]bool // topics the authorizer refuses
	online   int             // site:online's "total"
	pollCnt  atomic.Int64    // poll tallies: one number for every poll
	snapshot atomic.Int64    // SnapshotFunc calls
}

// waitBound only keeps a broken test from hanging; no test asserts a time.
const waitBound = 20 * time.Second

func newTestHub(t testing.TB, opts Options) *testHub {
	t.Helper()
	return newTestHubOn(t, opts, NewMemoryBroker())
}

func newTestHubOn(t testing.TB, opts Options, b *MemoryBroker) *testHub {
	t.Helper()
	th := newTestHubWith(t, opts, b)
	th.broker = b
	return th
}

// newTestHubWith is newTestHubOn for any broker; th.broker is then nil.
func newTestHubWith(t testing.TB, opts Options, b Broker) *testHub {
	t.Helper()
	if opts.Origins == nil {
		opts.Origins = []string{testOrigin}
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	h, err := New(opts, b, logger, prometheus.NewRegistry())
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	th := &testHub{Hub: h, denied: map[string]bool{}}
	allow := AuthorizerFunc(func(_ context.Context, _ Principal, topic string) error {
		th.mu.Lock()
		defer th.mu.Unlock()
		if th.denied[topic] {
			return apperr.New(apperr.Forbidden, "forbidden")
		}
		return nil
	})
	for _, p := range []string{"site:online", "poll:", "thread:", "question:", "feed:answers"} {
		h.Authorize(p, allow)
	}
	h.Authorize("mod:queue", AuthorizerFunc(func(_ context.Context, p Principal, _ string) error {
		if p.Role != accounts.Moderator {
			return apperr.New(apperr.Forbidden, "forbidden")
		}
		return nil
	}))
	h.Snapshot("site:online", func(context.Context, string) (any, error) {
		th.snapshot.Add(1)
		th.mu.Lock()
		defer th.mu.Unlock()
		return map[string]int{"guests": th.online, "members": 0, "total": th.online}, nil
	})
	h.Snapshot("poll:", func(_ context.Context, topic string) (any, error) {
		th.snapshot.Add(1)
		return map[string]any{"poll": topic, "votes": th.pollCnt.Load()}, nil
	})
	th.srv = httptest.NewServer(withTestPrincipal(h))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitBound)
		defer cancel()
		if err := h.Shutdown(ctx); err != nil && !errors.Is(err, ErrClosed) {
			t.Errorf("Shutdown: %v", err)
		}
		th.srv.Close()
	})
	return th
}

// withTestPrincipal stands in for the server's session and visitor
// middleware: X-Test-User is "id,role".
func withTestPrincipal(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if u := r.Header.Get("X-Test-User"); u != "" {
			uid, role, _ := strings.Cut(u, ",")
			ctx = accounts.WithUser(ctx, &accounts.User{ID: uid, Role: accounts.Role(role)})
		}
		ctx = visitors.WithVisitor(ctx, visitors.Visitor{ID: "visitor-" + r.RemoteAddr})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func (th *testHub) wsURL() string { return "ws" + strings.TrimPrefix(th.srv.URL, "http") + "/ws" }

// client is a real gorilla WebSocket client.
type client struct {
	t  testing.TB
	ws *websocket.Conn
}

func (th *testHub) dial(t testing.TB, header http.Header) *client {
	t.Helper()
	ws, err := th.tryDial(header)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { ws.Close() })
	return &client{t: t, ws: ws}
}

func (th *testHub) tryDial(header http.Header) (*websocket.Conn, error) {
	h := http.Header{"Origin": {testOrigin}}
	for k, v := range header {
		h[k] = v
	}
	ws, resp, err := websocket.DefaultDialer.Dial(th.wsURL(), h)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil && resp != nil {
		return nil, &dialError{status: resp.StatusCode, err: err}
	}
	return ws, err
}

type dialError struct {
	status int
	err    error
}

func (e *dialError) Error() string { return e.err.Error() }

// frame is any server frame.
type frame struct {
	Op        string          `json:"op"`
	Topic     string          `json:"topic"`
	Epoch     string          `json:"epoch"`
	Seq       uint64          `json:"seq"`
	Recovered bool            `json:"recovered"`
	Version   uint64          `json:"version"`
	Type      string          `json:"type"`
	Data      json.RawMessage `json:"data"`
	Reason    string          `json:"reason"`
	Code      string          `json:"code"`
	Message   string          `json:"message"`
}

func (c *client) send(s string) {
	c.t.Helper()
	if err := c.ws.WriteMessage(websocket.TextMessage, []byte(s)); err != nil {
		c.t.Fatalf("send %s: %v", s, err)
	}
}

func (c *client) subscribe(topic string) {
	c.t.Helper()
	c.send(`{"op":"subscribe","topic":"` + topic + `"}`)
}

func (c *client) read() frame {
	c.t.Helper()
	f, err := c.tryRead()
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	return f
}

func (c *client) tryRead() (frame, error) {
	var f frame
	_ = c.ws.SetReadDeadline(time.Now().Add(waitBound))
	mt, data, err := c.ws.ReadMessage()
	if err != nil {
		return f, err
	}
	if mt != websocket.TextMessage {
		return f, errors.New("binary frame")
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	err = dec.Decode(&f)
	return f, err
}

// expect reads a frame and checks its op (and topic when given).
func (c *client) expect(op, topic string) frame {
	c.t.Helper()
	f := c.read()
	if f.Op != op || (topic != "" && f.Topic != topic) {
		c.t.Fatalf("read() = %+v, want op %q topic %q", f, op, topic)
	}
	return f
}

// closeCode reads until the socket closes and returns the close code, or
// -1 when it ended without a close frame.
func (c *client) closeCode() int {
	c.t.Helper()
	for {
		_, err := c.tryRead()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code
		}
		return -1
	}
}

// waitFor polls cond until it holds; the bound only stops a hang.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitBound)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func counter(c prometheus.Collector) float64 { return testutil.ToFloat64(c) }

func newID(t testing.TB) string {
	t.Helper()
	s := id.New()
	if !id.Valid(s) {
		t.Fatalf("id.New() = %q, not valid", s)
	}
	return s
}
