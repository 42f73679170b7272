package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

type frame struct {
	Op      string          `json:"op"`
	Topic   string          `json:"topic"`
	Version uint64          `json:"version"`
	Code    string          `json:"code"`
	Data    json.RawMessage `json:"data"`
}

// dialWS opens a socket to srv as a browser on the site's own origin would.
func dialWS(t *testing.T, srv *testServer, header http.Header) *websocket.Conn {
	t.Helper()
	if header == nil {
		header = http.Header{}
	}
	if header.Get("Origin") == "" {
		header.Set("Origin", srv.URL)
	}
	ws, res, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http")+"/ws", header)
	if err != nil {
		status := 0
		if res != nil {
			status = res.StatusCode
		}
		t.Fatalf("dial /ws = %v (status %d)", err, status)
	}
	t.Cleanup(func() { ws.Close() })
	return ws
}

func readFrame(t *testing.T, ws *websocket.Conn) frame {
	t.Helper()
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	var f frame
	if err := ws.ReadJSON(&f); err != nil {
		t.Fatalf("read frame: %v", err)
	}
	return f
}

type online struct {
	Guests, Members, Total int64
	VisitsTotal            int64 `json:"visits_total"`
	VisitorsToday          int64 `json:"visitors_today"`
}

func TestOnlineTopicAndAPI(t *testing.T) {
	srv := startServer(t, testEnv(t, nil))
	c := newClient(t, srv.URL)
	ua := "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0 Safari/537.36"
	c.do("GET", "/", nil, "User-Agent", ua)
	var o online
	c.do("GET", "/api/v1/online", nil).decode(t, &o)
	if o.VisitsTotal != 1 || o.VisitorsToday != 1 {
		t.Errorf("GET /api/v1/online = %+v, want one visit and one visitor today", o)
	}
	ws := dialWS(t, srv, nil)
	ws.WriteJSON(map[string]string{"op": "subscribe", "topic": "site:online"})
	if f := readFrame(t, ws); f.Op != "subscribed" {
		t.Fatalf("first frame = %+v, want subscribed", f)
	}
	f := readFrame(t, ws)
	var snap online
	json.Unmarshal(f.Data, &snap)
	if f.Op != "snapshot" || f.Topic != "site:online" || f.Version == 0 || snap.VisitsTotal != 1 {
		t.Errorf("snapshot = %+v %+v, want site:online with a version and one visit", f, snap)
	}
}

func TestWSRefusesForeignOriginAndForbiddenTopics(t *testing.T) {
	srv := startServer(t, testEnv(t, nil))
	_, res, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http")+"/ws", http.Header{"Origin": {"https://evil.example"}})
	if err == nil || res == nil || res.StatusCode != http.StatusForbidden {
		t.Errorf("dial with a foreign Origin = %v, %v, want 403", res, err)
	}
	if res := newClient(t, srv.URL).do("GET", "/ws", nil); res.Status != 400 || res.errorCode() != "invalid" {
		t.Errorf("plain GET /ws = %d %s, want 400 invalid", res.Status, res.Body)
	}
	ws := dialWS(t, srv, nil)
	ws.WriteJSON(map[string]string{"op": "subscribe", "topic": "user:01m8gt84ej1ks5tp7ew3r296mv"})
	if f := readFrame(t, ws); f.Op != "error" || f.Code != "unauthorized" {
		t.Errorf("guest subscribing to a user topic = %+v, want error unauthorized", f)
	}
	ws.WriteJSON(map[string]string{"op": "subscribe", "topic": "site:online"})
	if f := readFrame(t, ws); f.Op != "subscribed" {
		t.Errorf("after a refusal the socket still works: got %+v, want subscribed", f)
	}
}

func TestShutdownClosesSocketsWith1001(t *testing.T) {
	srv := startServer(t, testEnv(t, nil))
	ws := dialWS(t, srv, nil)
	ws.WriteJSON(map[string]string{"op": "subscribe", "topic": "site:online"})
	readFrame(t, ws)
	done := make(chan error, 1)
	go func() { done <- srv.stop() }()
	ws.SetReadDeadline(time.Now().Add(15 * time.Second))
	var err error
	for err == nil {
		_, _, err = ws.ReadMessage()
	}
	if !websocket.IsCloseError(err, websocket.CloseGoingAway) {
		t.Errorf("socket at shutdown ended with %v, want close 1001", err)
	}
	if err := <-done; err != nil {
		t.Errorf("run() = %v, want nil", err)
	}
}

// sessionHeader returns the Cookie header of c's session, for a socket.
func sessionHeader(t *testing.T, srv *testServer, c *client) http.Header {
	t.Helper()
	var cookies []string
	for _, ck := range c.hc.Jar.Cookies(mustURL(t, srv.URL)) {
		cookies = append(cookies, ck.Name+"="+ck.Value)
	}
	return http.Header{"Cookie": {strings.Join(cookies, "; ")}}
}

// waitClosed reads until the socket ends and returns the close error.
func waitClosed(t *testing.T, ws *websocket.Conn) error {
	t.Helper()
	ws.SetReadDeadline(time.Now().Add(20 * time.Second))
	for {
		if _, _, err := ws.ReadMessage(); err != nil {
			return err
		}
	}
}

func TestRevokedSessionsCloseSockets(t *testing.T) {
	env := testEnv(t, nil)
	srv := startServer(t, env)
	adminCmd(t, env, "create-user", "--email", "chief@example.vn", "--password", "admin password", "--name", "Trưởng", "--role", "admin")
	admin := newClient(t, srv.URL)
	admin.do("POST", "/api/v1/auth/login", map[string]string{"email": "chief@example.vn", "password": "admin password"})

	for _, tc := range []struct {
		name   string
		revoke func(userID string, c *client)
	}{
		{"logout", func(_ string, c *client) { c.do("POST", "/api/v1/auth/logout", nil) }},
		{"role change through the API", func(id string, _ *client) {
			admin.do("PATCH", "/api/v1/users/"+id, map[string]string{"role": "moderator"})
		}},
		{"role change by civichub admin", func(id string, _ *client) {
			adminCmd(t, env, "set-role", "--user", id, "--role", "moderator")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t, srv.URL)
			me := register(t, c, strings.ReplaceAll(tc.name, " ", "-")+"@example.vn", "Người Dùng")
			ws := dialWS(t, srv, sessionHeader(t, srv, c))
			ws.WriteJSON(map[string]string{"op": "subscribe", "topic": "user:" + me.ID})
			if f := readFrame(t, ws); f.Op != "subscribed" {
				t.Fatalf("subscribe to own user topic = %+v", f)
			}
			tc.revoke(me.ID, c)
			if err := waitClosed(t, ws); !websocket.IsCloseError(err, 4001) {
				t.Errorf("socket after %s ended with %v, want close 4001", tc.name, err)
			}
		})
	}
}
