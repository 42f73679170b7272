package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/civichub/civichub/internal/redistest"
)

// eventually polls cond until it holds, failing the test after a generous
// bound. It never asserts how long something took.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not reached within 20 s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestThreeNodes runs three civichub processes' run() on one Redis and one
// shared store, as a cluster behind a load balancer would.
func TestThreeNodes(t *testing.T) {
	rds := redistest.Start(t)
	shared := testEnv(t, map[string]string{"CIVICHUB_REDIS_URL": rds.URL(), "CIVICHUB_BENCH_PUBLISH": "on"})
	var nodes []*testServer
	for range 3 {
		env := map[string]string{}
		for k, v := range shared {
			env[k] = v
		}
		nodes = append(nodes, startServer(t, env))
	}
	a, b, c := nodes[0], nodes[1], nodes[2]

	// A guest on each node: every node counts three online.
	onA := dialWS(t, a, nil)
	dialWS(t, b, nil)
	dialWS(t, c, nil)
	for i, n := range nodes {
		eventually(t, fmt.Sprintf("node %d counts 3 guests", i), func() bool {
			var o online
			newClient(t, n.URL).do("GET", "/api/v1/online", nil).decode(t, &o)
			return o.Guests == 3 && o.Total == 3
		})
	}

	// An event published on node C reaches a subscriber on node A.
	onA.WriteJSON(map[string]string{"op": "subscribe", "topic": "feed:answers"})
	if f := readFrame(t, onA); f.Op != "subscribed" {
		t.Fatalf("subscribe = %+v", f)
	}
	res := newClient(t, c.URL).do("POST", "/debug/publish?topic=feed:answers&type=answer.published", map[string]string{"question_id": "q1"})
	if res.Status != 202 {
		t.Fatalf("publish on C = %d %s", res.Status, res.Body)
	}
	for {
		f := readFrame(t, onA)
		if f.Op == "event" && f.Topic == "feed:answers" {
			break
		}
	}

	// A node that stops takes its visitors with it, on every node.
	if err := c.stop(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "node A counts 2 guests after C stopped", func() bool {
		var o online
		newClient(t, a.URL).do("GET", "/api/v1/online", nil).decode(t, &o)
		return o.Guests == 2
	})
}

func TestPresenceOnOneNodeAndNoDebugPublish(t *testing.T) {
	srv := startServer(t, testEnv(t, nil))
	c := newClient(t, srv.URL)
	// Three tabs of one visitor (one cookie jar) count once.
	c.do("GET", "/", nil)
	for range 3 {
		dialWS(t, srv, sessionHeader(t, srv, c))
	}
	dialWS(t, srv, nil) // another visitor
	eventually(t, "two guests online", func() bool {
		var o online
		c.do("GET", "/api/v1/online", nil).decode(t, &o)
		return o.Guests == 2 && o.Members == 0 && o.Total == 2
	})
	if res := c.do("POST", "/debug/publish?topic=feed:answers&type=x", map[string]string{}); res.Status != 404 {
		t.Errorf("POST /debug/publish with CIVICHUB_BENCH_PUBLISH off = %d, want 404", res.Status)
	}
}
