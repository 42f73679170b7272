package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/civichub/civichub/internal/ferrettest"
	"github.com/civichub/civichub/internal/redistest"
)

// startingLine returns the server's log line that announces the store and
// broker.
func startingLine(t *testing.T, srv *testServer) map[string]any {
	t.Helper()
	for _, l := range strings.Split(srv.logs.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil && m["msg"] == "civichub starting" {
			return m
		}
	}
	t.Fatalf("no \"civichub starting\" log line in:\n%s", srv.logs.String())
	return nil
}

func TestServeWithRedis(t *testing.T) {
	rds := redistest.Start(t)
	srv := startServer(t, testEnv(t, map[string]string{"CIVICHUB_REDIS_URL": rds.URL(), "CIVICHUB_RATE_LOGIN_ACCOUNT": "2/1h"}))
	if line := startingLine(t, srv); line["broker"] != "redis "+rds.Addr || !strings.HasPrefix(line["store"].(string), "sqlite ") {
		t.Errorf("starting line = %v, want broker redis %s and the sqlite store", line, rds.Addr)
	}
	c := newClient(t, srv.URL)
	if res := c.do("GET", "/readyz", nil); res.Status != 200 {
		t.Fatalf("readyz = %d %s, want 200", res.Status, res.Body)
	}
	register(t, c, "redis@example.vn", "Redis")
	// The login limit lives in Redis: a second node sharing it would see it.
	for range 2 {
		c.do("POST", "/api/v1/auth/login", map[string]string{"email": "redis@example.vn", "password": "wrong password"})
	}
	if res := c.do("POST", "/api/v1/auth/login", map[string]string{"email": "redis@example.vn", "password": "wrong password"}); res.Status != 429 {
		t.Errorf("3rd login = %d, want 429 from the Redis limiter", res.Status)
	}

	rds.Stop()
	if res := c.do("GET", "/readyz", nil); res.Status != http.StatusServiceUnavailable || res.errorCode() != "unavailable" {
		t.Errorf("readyz with Redis down = %d %s, want 503 unavailable", res.Status, res.Body)
	}
	if strings.Contains(string(c.do("GET", "/readyz", nil).Body), "refused") {
		t.Error("readyz shows the internal error text")
	}
	rds.Restart(t)
	deadline := time.Now().Add(10 * time.Second)
	for c.do("GET", "/readyz", nil).Status != 200 {
		if time.Now().After(deadline) {
			t.Fatal("readyz did not recover within 10 s of Redis coming back")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestServeWithMongo(t *testing.T) {
	uri := ferrettest.Start(t)
	env := testEnv(t, map[string]string{"CIVICHUB_MONGO_URI": uri, "CIVICHUB_MONGO_DATABASE": ferrettest.NewDatabaseName(t)})
	srv := startServer(t, env, "--demo")
	if line := startingLine(t, srv); !strings.HasPrefix(line["store"].(string), "mongodb ") || line["broker"] != "in-process" {
		t.Errorf("starting line = %v, want the mongodb store and the in-process broker", line)
	}
	c := newClient(t, srv.URL)
	if res := c.do("GET", "/readyz", nil); res.Status != 200 {
		t.Fatalf("readyz = %d %s, want 200", res.Status, res.Body)
	}
	me := register(t, c, "mongo@example.vn", "Mongo")
	c.do("POST", "/api/v1/auth/logout", nil)
	if res := c.do("POST", "/api/v1/auth/login", map[string]string{"email": "MONGO@example.vn", "password": "mật khẩu tốt 123"}); res.Status != 200 {
		t.Fatalf("login = %d %s", res.Status, res.Body)
	}
	var got meBody
	c.do("GET", "/api/v1/me", nil).decode(t, &got)
	if got.ID != me.ID {
		t.Errorf("me = %+v, want %s", got, me.ID)
	}
	var agencies struct {
		Items []json.RawMessage `json:"items"`
	}
	c.do("GET", "/api/v1/agencies", nil).decode(t, &agencies)
	if len(agencies.Items) != len(demoAgencies) {
		t.Errorf("agencies = %d, want the %d demo agencies", len(agencies.Items), len(demoAgencies))
	}
	// The admin command works against the same MongoDB while the server runs.
	adminCmd(t, env, "set-role", "--email", "mongo@example.vn", "--role", "moderator")
	c.do("GET", "/api/v1/me", nil).decode(t, &got)
	if got.Role != "moderator" {
		t.Errorf("role after admin set-role = %q, want moderator", got.Role)
	}
}
