package hub

import (
	"context"
	"encoding/json"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

func TestSubscribeGetsSnapshotAtOnce(t *testing.T) {
	th := newTestHub(t, Options{})
	th.mu.Lock()
	th.online = 38
	th.mu.Unlock()
	c := th.dial(t, nil)
	c.subscribe("site:online")
	sub := c.expect("subscribed", "site:online")
	if sub.Epoch != "" || sub.Seq != 0 || sub.Recovered {
		t.Errorf("subscribed = %+v, want no position for a latest-state topic", sub)
	}
	snap := c.expect("snapshot", "site:online")
	if snap.Version == 0 || string(snap.Data) != `{"guests":38,"members":0,"total":38}` {
		t.Errorf("snapshot = %+v, want version > 0 and total 38", snap)
	}
	// A second subscriber on the node gets the snapshot the node holds, or a
	// newer one: its own arrival may have changed the online count.
	c2 := th.dial(t, nil)
	c2.subscribe("site:online")
	c2.expect("subscribed", "site:online")
	if snap2 := c2.expect("snapshot", "site:online"); snap2.Version < snap.Version {
		t.Errorf("second subscriber's snapshot version = %d, want at least %d", snap2.Version, snap.Version)
	}
}

func TestChangedPublishesNewerSnapshots(t *testing.T) {
	th := newTestHub(t, Options{})
	topic := "poll:" + newID(t)
	c := th.dial(t, nil)
	c.subscribe(topic)
	c.expect("subscribed", topic)
	first := c.expect("snapshot", topic)
	th.pollCnt.Store(5)
	th.Changed(topic)
	next := c.expect("snapshot", topic)
	if next.Version <= first.Version || string(next.Data) != `{"poll":"`+topic+`","votes":5}` {
		t.Errorf("snapshot after Changed = %+v, want version > %d and 5 votes", next, first.Version)
	}
}

// TestChangedCoalesces counts messages, not time: a burst of changes gives
// a handful of snapshots, and the last one shows the final state.
func TestChangedCoalesces(t *testing.T) {
	th := newTestHub(t, Options{})
	topic := "poll:" + newID(t)
	c := th.dial(t, nil)
	c.subscribe(topic)
	c.expect("subscribed", topic)
	c.expect("snapshot", topic)
	const changes = 2000
	before := th.snapshot.Load()
	for i := 1; i <= changes; i++ {
		th.pollCnt.Store(int64(i))
		th.Changed(topic)
	}
	want := `{"poll":"` + topic + `","votes":2000}`
	got := 0
	for {
		f := c.expect("snapshot", topic)
		got++
		if string(f.Data) == want {
			break
		}
	}
	if built := th.snapshot.Load() - before; got > 10 || built > 10 {
		t.Errorf("%d Changed calls gave %d snapshots (%d built), want a handful", changes, got, built)
	}
}

// TestChangedHoldsWithinInterval checks the coalescer's state rather than
// the clock: after the first change goes out, later ones wait for the end of
// the (long) interval.
func TestChangedHoldsWithinInterval(t *testing.T) {
	th := newTestHub(t, Options{SnapshotIntervals: map[string]time.Duration{"poll:": time.Hour}})
	topic := "poll:" + newID(t)
	c := th.dial(t, nil)
	c.subscribe(topic)
	c.expect("subscribed", topic)
	c.expect("snapshot", topic)
	th.Changed(topic) // the first change after a quiet period goes out at once
	c.expect("snapshot", topic)
	waitFor(t, "the interval timer", func() bool {
		th.coalescer.mu.Lock()
		defer th.coalescer.mu.Unlock()
		d := th.coalescer.topics[topic]
		return d != nil && d.timer != nil
	})
	th.Changed(topic)
	th.Changed(topic)
	th.coalescer.mu.Lock()
	d := th.coalescer.topics[topic]
	held := d != nil && d.again
	th.coalescer.mu.Unlock()
	if !held {
		t.Fatalf("changes within the interval were not held back")
	}
}

func TestEventsCarrySequence(t *testing.T) {
	th := newTestHub(t, Options{})
	topic := "thread:" + newID(t)
	c := th.dial(t, nil)
	c.subscribe(topic)
	sub := c.expect("subscribed", topic)
	if sub.Epoch == "" || sub.Seq != 0 || sub.Recovered {
		t.Fatalf("subscribed = %+v, want an epoch at seq 0", sub)
	}
	ctx := context.Background()
	for i := 1; i <= 3; i++ {
		if err := th.Publish(ctx, topic, "post.created", map[string]int{"n": i}); err != nil {
			t.Fatalf("Publish: %v", err)
		}
	}
	for i := 1; i <= 3; i++ {
		f := c.expect("event", topic)
		if f.Seq != uint64(i) || f.Epoch != sub.Epoch || f.Type != "post.created" || string(f.Data) != `{"n":`+string(rune('0'+i))+`}` {
			t.Errorf("event %d = %+v", i, f)
		}
	}
}

func TestPublishRefuses(t *testing.T) {
	th := newTestHub(t, Options{})
	ctx := context.Background()
	tests := []struct{ topic, typ string }{
		{"site:online", "x"}, {"poll:" + pid, "x"}, {"thread:nope", "x"}, {"nosuch:x", "x"},
		{"thread:" + pid, ""}, {"thread:" + pid, "Post Created"},
	}
	for _, tc := range tests {
		if err := th.Publish(ctx, tc.topic, tc.typ, nil); err == nil {
			t.Errorf("Publish(%q, %q) = nil, want an error", tc.topic, tc.typ)
		}
	}
	if err := th.Publish(ctx, "thread:"+pid, "x", json.RawMessage(`{bad`)); err == nil {
		t.Errorf("Publish(invalid raw JSON) = nil, want an error")
	}
}

func TestResumeReplaysMissedEvents(t *testing.T) {
	th := newTestHub(t, Options{})
	topic := "question:" + newID(t)
	ctx := context.Background()
	c := th.dial(t, nil)
	c.subscribe(topic)
	sub := c.expect("subscribed", topic)
	for range 2 {
		if err := th.Publish(ctx, topic, "answer.created", nil); err != nil {
			t.Fatal(err)
		}
	}
	c.expect("event", topic)
	last := c.expect("event", topic)
	c.ws.Close()
	for range 3 {
		if err := th.Publish(ctx, topic, "answer.created", nil); err != nil {
			t.Fatal(err)
		}
	}
	c2 := th.dial(t, nil)
	c2.send(`{"op":"subscribe","topic":"` + topic + `","since":{"epoch":"` + sub.Epoch + `","seq":` + itoa(last.Seq) + `}}`)
	re := c2.expect("subscribed", topic)
	if !re.Recovered || re.Seq != 5 || re.Epoch != sub.Epoch {
		t.Fatalf("subscribed = %+v, want recovered at seq 5", re)
	}
	for want := uint64(3); want <= 5; want++ {
		if f := c2.expect("event", topic); f.Seq != want {
			t.Fatalf("replayed event seq = %d, want %d", f.Seq, want)
		}
	}
	if err := th.Publish(ctx, topic, "answer.created", nil); err != nil {
		t.Fatal(err)
	}
	if f := c2.expect("event", topic); f.Seq != 6 {
		t.Fatalf("live event after replay seq = %d, want 6", f.Seq)
	}
}

func TestResumeTooOldOrOtherEpochReloads(t *testing.T) {
	th := newTestHub(t, Options{HistorySize: 3})
	topic := "thread:" + newID(t)
	ctx := context.Background()
	c := th.dial(t, nil)
	c.subscribe(topic)
	epoch := c.expect("subscribed", topic).Epoch
	for range 10 {
		if err := th.Publish(ctx, topic, "post.created", nil); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct{ name, since string }{
		{"gap older than history", `{"epoch":"` + epoch + `","seq":2}`},
		{"epoch changed", `{"epoch":"previous","seq":9}`},
		{"ahead of the stream", `{"epoch":"` + epoch + `","seq":99}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := th.dial(t, nil)
			c.send(`{"op":"subscribe","topic":"` + topic + `","since":` + tc.since + `}`)
			if f := c.expect("subscribed", topic); f.Recovered || f.Seq != 10 {
				t.Errorf("subscribed = %+v, want not recovered at seq 10", f)
			}
			if f := c.expect("reload", topic); f.Reason != ReasonHistoryGap {
				t.Errorf("reload reason = %q, want %q", f.Reason, ReasonHistoryGap)
			}
		})
	}
}

func TestLiveGapSendsReload(t *testing.T) {
	th := newTestHub(t, Options{})
	topic := "thread:" + newID(t)
	c := th.dial(t, nil)
	c.subscribe(topic)
	sub := c.expect("subscribed", topic)
	// A message lost between nodes shows up as a gap in the sequence.
	th.handleMessage(Message{Topic: topic, Kind: KindEvent, Position: Position{Epoch: sub.Epoch, Seq: 3},
		Frame: eventFrame(topic, Position{Epoch: sub.Epoch, Seq: 3}, "x", json.RawMessage(`{}`))})
	c.expect("reload", topic)
	if f := c.expect("event", topic); f.Seq != 3 {
		t.Fatalf("event after reload seq = %d, want 3", f.Seq)
	}
}

func TestUnsubscribeStopsDelivery(t *testing.T) {
	th := newTestHub(t, Options{})
	a, b := "thread:"+newID(t), "thread:"+newID(t)
	c := th.dial(t, nil)
	c.subscribe(a)
	c.expect("subscribed", a)
	c.subscribe(b)
	c.expect("subscribed", b)
	c.send(`{"op":"unsubscribe","topic":"` + a + `"}`)
	c.send(`{"op":"unsubscribe","topic":"` + a + `"}`) // a no-op
	waitFor(t, "the broker subscription to end", func() bool { return th.broker.Topics() == 2 })
	ctx := context.Background()
	if err := th.Publish(ctx, a, "x", nil); err != nil {
		t.Fatal(err)
	}
	if err := th.Publish(ctx, b, "x", nil); err != nil {
		t.Fatal(err)
	}
	if f := c.read(); f.Topic != b {
		t.Fatalf("read() = %+v, want only %s's event", f, b)
	}
}

func TestBrokerSubscriptionIsPerTopicPerNode(t *testing.T) {
	th := newTestHub(t, Options{})
	topic := "thread:" + newID(t)
	var clients []*client
	for range 5 {
		c := th.dial(t, nil)
		c.subscribe(topic)
		c.expect("subscribed", topic)
		clients = append(clients, c)
	}
	if n := th.broker.Topics(); n != 2 { // the topic and the control topic
		t.Fatalf("broker topics = %d, want 2", n)
	}
	for _, c := range clients {
		c.ws.Close()
	}
	waitFor(t, "the last subscriber to leave", func() bool { return th.broker.Topics() == 1 })
}

func TestEventReachesOtherNode(t *testing.T) {
	bus := NewMemoryBroker()
	shared := Options{History: NewMemoryHistory(100, 1<<40), Versions: NewMemoryVersions()}
	a := newTestHubOn(t, shared, bus)
	c := newTestHubOn(t, shared, bus.Join())
	topic := "agency:" + newID(t)
	a.Authorize("agency:", AllowAll)
	cl := a.dial(t, nil)
	cl.subscribe(topic)
	cl.expect("subscribed", topic)
	if err := c.Publish(context.Background(), topic, "question.created", map[string]string{"id": "q1"}); err != nil {
		t.Fatal(err)
	}
	if f := cl.expect("event", topic); f.Seq != 1 || string(f.Data) != `{"id":"q1"}` {
		t.Fatalf("event from the other node = %+v", f)
	}
}

func TestRevalidateEndsRefusedSubscription(t *testing.T) {
	th := newTestHub(t, Options{})
	topic, other := "question:"+newID(t), "question:"+newID(t)
	c := th.dial(t, nil)
	c.subscribe(topic)
	c.expect("subscribed", topic)
	th.mu.Lock()
	th.denied[topic] = true
	th.mu.Unlock()
	if err := th.Revalidate(context.Background(), topic); err != nil {
		t.Fatal(err)
	}
	if f := c.expect("error", topic); f.Code != "forbidden" {
		t.Fatalf("error = %+v, want forbidden", f)
	}
	// The socket stays open and the topic is no longer delivered.
	c.subscribe(other)
	c.expect("subscribed", other)
	ctx := context.Background()
	_ = th.Publish(ctx, topic, "x", nil)
	_ = th.Publish(ctx, other, "x", nil)
	if f := c.read(); f.Topic != other {
		t.Fatalf("read() = %+v, want %s only", f, other)
	}
}

func TestRevalidateUser(t *testing.T) {
	th := newTestHub(t, Options{})
	topic := "question:" + newID(t)
	c := th.dial(t, http.Header{"X-Test-User": {"u1,resident"}})
	c.subscribe(topic)
	c.expect("subscribed", topic)
	th.mu.Lock()
	th.denied[topic] = true
	th.mu.Unlock()
	if err := th.RevalidateUser(context.Background(), "u1"); err != nil {
		t.Fatal(err)
	}
	if f := c.expect("error", topic); f.Code != "forbidden" {
		t.Fatalf("error = %+v, want forbidden", f)
	}
}

func TestCloseUserSessions(t *testing.T) {
	th := newTestHub(t, Options{})
	user := th.dial(t, http.Header{"X-Test-User": {"u1,resident"}})
	guest := th.dial(t, nil)
	user.subscribe("site:online") // a reply proves the socket is registered
	user.expect("subscribed", "site:online")
	if err := th.CloseUserSessions(context.Background(), "u1"); err != nil {
		t.Fatal(err)
	}
	if code := user.closeCode(); code != CloseSessionRevoked {
		t.Fatalf("user's socket close code = %d, want %d", code, CloseSessionRevoked)
	}
	guest.subscribe("site:online")
	guest.expect("subscribed", "site:online")
}

func TestShutdownSendsGoingAway(t *testing.T) {
	th := newTestHub(t, Options{})
	var clients []*client
	for range 3 {
		c := th.dial(t, nil)
		c.subscribe("site:online")
		c.expect("subscribed", "site:online")
		c.expect("snapshot", "site:online")
		clients = append(clients, c)
	}
	done := make(chan error, 1)
	go func() { done <- th.Shutdown(context.Background()) }()
	for _, c := range clients {
		if code := c.closeCode(); code != websocket.CloseGoingAway {
			t.Errorf("close code = %d, want %d", code, websocket.CloseGoingAway)
		}
		c.ws.Close()
	}
	if err := <-done; err != nil {
		t.Fatalf("Shutdown = %v", err)
	}
	if _, err := th.tryDial(nil); err == nil {
		t.Fatalf("Dial after Shutdown succeeded")
	}
}

func itoa(n uint64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// TestResubscribedCatchesUp: after the broker lost messages, subscribers
// get the events they missed from the history.
func TestResubscribedCatchesUp(t *testing.T) {
	th := newTestHub(t, Options{})
	topic := "thread:" + newID(t)
	c := th.dial(t, nil)
	c.subscribe(topic)
	c.expect("subscribed", topic)
	ctx := context.Background()
	for range 2 { // stored, but never reached the broker
		if _, err := th.history.Append(ctx, topic, "post.created", json.RawMessage(`{}`)); err != nil {
			t.Fatal(err)
		}
	}
	brokerEvents{th.Hub}.HandleResubscribed()
	for want := uint64(1); want <= 2; want++ {
		if f := c.expect("event", topic); f.Seq != want {
			t.Fatalf("caught-up event seq = %d, want %d", f.Seq, want)
		}
	}
}

// sinceCounter is a History that counts Since calls.
type sinceCounter struct {
	History
	calls atomic.Int64
}

func (h *sinceCounter) Since(ctx context.Context, topic string, since Position) (Position, []Event, bool, error) {
	h.calls.Add(1)
	return h.History.Since(ctx, topic, since)
}

// TestSubscribersShareKnownPosition: subscribers without since start at the
// position the node knows, so a crowd costs one History call, not one each;
// after the broker may have lost events, the next one asks again.
func TestSubscribersShareKnownPosition(t *testing.T) {
	hist := &sinceCounter{History: NewMemoryHistory(100, time.Hour)}
	th := newTestHub(t, Options{History: hist})
	topic := "thread:" + newID(t)
	ctx := context.Background()
	if err := th.Publish(ctx, topic, "post.created", map[string]int{"n": 1}); err != nil {
		t.Fatal(err)
	}
	subscribe := func() frame {
		c := th.dial(t, nil)
		c.subscribe(topic)
		return c.expect("subscribed", topic)
	}
	for range 5 {
		if f := subscribe(); f.Seq != 1 {
			t.Fatalf("subscribed seq = %d, want 1", f.Seq)
		}
	}
	if n := hist.calls.Load(); n != 1 {
		t.Errorf("History.Since calls for 5 subscribers = %d, want 1", n)
	}
	if err := th.Publish(ctx, topic, "post.created", map[string]int{"n": 2}); err != nil {
		t.Fatal(err)
	}
	if f := subscribe(); f.Seq != 2 {
		t.Errorf("subscribed seq after a relayed event = %d, want 2", f.Seq)
	}
	brokerEvents{th.Hub}.HandleResubscribed() // catching up asks once per subscriber
	th.tasks.Wait()
	before := hist.calls.Load()
	subscribe()
	if n := hist.calls.Load() - before; n != 1 {
		t.Errorf("History.Since calls for a subscriber after a resubscribe = %d, want 1", n)
	}
}
