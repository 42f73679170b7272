package hub

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/civichub/civichub/internal/redistest"
)

// redisNode is one node of a test cluster sharing a private redis-server.
type redisNode struct {
	*testHub
	rb       *RedisBroker
	presence *RedisPresence
	versions *RedisVersions
}

// newRedisCluster starts a redis-server and n hubs on it, each behind its
// own HTTP server, with site:online snapshots built from Hub.Online.
func newRedisCluster(t *testing.T, n int, opts Options) (*redistest.Server, []*redisNode) {
	t.Helper()
	srv := redistest.Start(t)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	nodes := make([]*redisNode, n)
	for i := range nodes {
		client := redis.NewClient(&redis.Options{Addr: srv.Addr, MaxRetries: -1})
		t.Cleanup(func() { client.Close() }) // after the hub's Shutdown
		o := opts
		o.History = NewRedisHistory(client, 100, time.Minute)
		vs := NewRedisVersions(client)
		o.Versions = vs
		p := NewRedisPresence(client, RedisPresenceOptions{NodeID: fmt.Sprint("node-", i),
			Interval: 100 * time.Millisecond, NodeTTL: 2 * time.Second}, logger)
		o.Presence = p
		rb := NewRedisBroker(client, logger)
		th := newTestHubWith(t, o, rb)
		th.Snapshot(TopicSiteOnline, func(ctx context.Context, _ string) (any, error) {
			g, m, err := th.Online(ctx)
			return map[string]int64{"guests": g, "members": m, "total": g + m}, err
		})
		nodes[i] = &redisNode{testHub: th, rb: rb, presence: p, versions: vs}
	}
	return srv, nodes
}

func member(id string) http.Header { return http.Header{"X-Test-User": {id + ",member"}} }

func TestRedisEventReachesOtherNode(t *testing.T) {
	_, nodes := newRedisCluster(t, 3, Options{})
	a, c := nodes[0], nodes[2]
	topic := "thread:" + newID(t)
	cl := a.dial(t, nil)
	cl.subscribe(topic)
	if sub := cl.expect("subscribed", topic); sub.Seq != 0 || sub.Epoch == "" {
		t.Fatalf("subscribed = %+v, want seq 0 in an epoch", sub)
	}
	if err := c.Publish(context.Background(), topic, "post.created", map[string]int{"n": 1}); err != nil {
		t.Fatalf("Publish on C: %v", err)
	}
	ev := cl.expect("event", topic)
	if ev.Seq != 1 || ev.Type != "post.created" || string(ev.Data) != `{"n":1}` {
		t.Errorf("event on A = %+v, want seq 1 post.created {\"n\":1}", ev)
	}
}

func TestRedisConcurrentPublishersKeepOrder(t *testing.T) {
	_, nodes := newRedisCluster(t, 3, Options{SendQueue: 2048})
	topic := "thread:" + newID(t)
	cl := nodes[0].dial(t, nil)
	cl.subscribe(topic)
	cl.expect("subscribed", topic)
	const each = 200
	var wg sync.WaitGroup
	errs := make(chan error, 2*each)
	for _, n := range nodes[1:] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if err := n.Publish(context.Background(), topic, "post.created", i); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("Publish: %v", err)
	}
	for want := uint64(1); want <= 2*each; want++ {
		f := cl.read()
		if f.Op != "event" || f.Seq != want {
			t.Fatalf("frame %d = %+v, want event seq %d", want, f, want)
		}
	}
}

// onlineEverywhere waits until every node reports guests and members.
func onlineEverywhere(t *testing.T, nodes []*redisNode, guests, members int64) {
	t.Helper()
	waitFor(t, fmt.Sprintf("%d guests and %d members on every node", guests, members), func() bool {
		for _, n := range nodes {
			g, m, err := n.Online(context.Background())
			if err != nil || g != guests || m != members {
				return false
			}
		}
		return true
	})
}

func TestRedisOnlineAgreesAcrossNodes(t *testing.T) {
	_, nodes := newRedisCluster(t, 3, Options{})
	a, b, c := nodes[0], nodes[1], nodes[2]
	watch := a.dial(t, nil) // a guest, watching the count
	watch.subscribe(TopicSiteOnline)
	watch.expect("subscribed", TopicSiteOnline)
	onlineEverywhere(t, nodes, 1, 0)

	// One member with three tabs on two nodes counts once.
	tabs := []*client{b.dial(t, member("u1")), b.dial(t, member("u1")), c.dial(t, member("u1"))}
	guest := c.dial(t, nil)
	onlineEverywhere(t, nodes, 2, 1)

	// The watcher on A is told, by a snapshot built on A after B's and C's
	// changes reached Redis.
	for {
		f := watch.expect("snapshot", TopicSiteOnline)
		if string(f.Data) == `{"guests":2,"members":1,"total":3}` {
			break
		}
	}

	tabs[0].ws.Close()
	tabs[2].ws.Close()
	guest.ws.Close()
	onlineEverywhere(t, nodes, 1, 1) // u1 still has a tab on B
	tabs[1].ws.Close()
	onlineEverywhere(t, nodes, 1, 0)
}

func TestRedisCrashedNodeVisitorsLeave(t *testing.T) {
	_, nodes := newRedisCluster(t, 3, Options{})
	c := nodes[2]
	c.dial(t, member("u1"))
	c.dial(t, member("u2"))
	c.dial(t, nil)
	onlineEverywhere(t, nodes, 1, 2)
	c.presence.halt() // C stops its heartbeat and cleans nothing up: a crash
	waitFor(t, "C's visitors to leave A and B", func() bool {
		for _, n := range nodes[:2] {
			g, m, err := n.Online(context.Background())
			if err != nil || g != 0 || m != 0 {
				return false
			}
		}
		return true
	})
}

// publishUntil publishes, retrying while the nodes reconnect to Redis.
func publishUntil(t *testing.T, n *redisNode, topic string, data any) {
	t.Helper()
	waitFor(t, "a publish to succeed", func() bool {
		return n.Publish(context.Background(), topic, "post.created", data) == nil
	})
}

func TestRedisRestartLosesNoEvent(t *testing.T) {
	srv, nodes := newRedisCluster(t, 3, Options{})
	a, b, c := nodes[0], nodes[1], nodes[2]
	topic := "thread:" + newID(t)
	live := a.dial(t, nil) // stays connected through the restart
	live.subscribe(topic)
	live.expect("subscribed", topic)
	gone := b.dial(t, nil) // disconnects, then resumes with since
	gone.subscribe(topic)
	gone.expect("subscribed", topic)
	publishUntil(t, c, topic, 1)
	last := live.expect("event", topic)
	gone.expect("event", topic)
	gone.ws.Close()

	srv.Restart(t)
	publishUntil(t, c, topic, 2)

	// The live socket is told to reload before anything else: the history
	// is gone, so what it missed (event 2 may have been published before A
	// subscribed again) cannot be replayed.
	live.expect("reload", topic)
	// After it, events of the new epoch flow again.
	publishUntil(t, c, topic, 3)
	for {
		f := live.read()
		if f.Op != "event" && f.Op != "reload" || f.Epoch == last.Epoch && f.Op == "event" {
			t.Fatalf("live socket read %+v, want events of the new epoch", f)
		}
		if string(f.Data) == "3" {
			break
		}
	}

	// The socket that resumes with since gets a reload, never silence.
	back := b.dial(t, nil)
	back.send(fmt.Sprintf(`{"op":"subscribe","topic":%q,"since":{"epoch":%q,"seq":%d}}`, topic, last.Epoch, last.Seq))
	if sub := back.expect("subscribed", topic); sub.Recovered || sub.Epoch == last.Epoch {
		t.Errorf("subscribed after restart = %+v, want not recovered, new epoch", sub)
	}
	back.expect("reload", topic)
}

func TestRedisVersionsRiseAcrossNodesAndRestart(t *testing.T) {
	srv, nodes := newRedisCluster(t, 3, Options{})
	ctx := context.Background()
	var last uint64
	next := func(n *redisNode) {
		t.Helper()
		v, err := n.versions.Next(ctx, "poll:x")
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		if v <= last {
			t.Fatalf("Next = %d after %d, want it to rise", v, last)
		}
		last = v
	}
	for i := range 30 {
		next(nodes[i%3])
	}
	// A counter far ahead of the clock, then lost: versions still rise.
	c := redis.NewClient(&redis.Options{Addr: srv.Addr})
	defer c.Close()
	if err := c.IncrBy(ctx, redisPrefix+"v", 1_000_000).Err(); err != nil {
		t.Fatal(err)
	}
	next(nodes[0])
	srv.Restart(t)
	waitFor(t, "Redis to answer", func() bool { return c.Ping(ctx).Err() == nil })
	last -= 1_000_000 // the clock floor is all that survives
	for i := range 30 {
		next(nodes[i%3])
	}
}

func TestRedisSnapshotVersionsRiseAcrossNodes(t *testing.T) {
	_, nodes := newRedisCluster(t, 3, Options{})
	topic := "poll:" + newID(t)
	cl := nodes[0].dial(t, nil)
	cl.subscribe(topic)
	cl.expect("subscribed", topic)
	prev := cl.expect("snapshot", topic).Version
	for i, n := range []*redisNode{nodes[1], nodes[2], nodes[1]} {
		nodes[0].pollCnt.Store(int64(i + 1))
		n.pollCnt.Store(int64(i + 1))
		n.Changed(topic)
		f := cl.expect("snapshot", topic)
		if f.Version <= prev {
			t.Fatalf("snapshot from node %d has version %d after %d", i, f.Version, prev)
		}
		prev = f.Version
	}
}
