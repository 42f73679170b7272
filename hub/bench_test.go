package hub

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkBroadcast publishes one event to N subscribers, each a real
// WebSocket client on loopback in this process, and waits until the last
// one has read it. One op is one broadcast; deliveries/s counts frames read.
//
//	go test -run '^$' -bench BenchmarkBroadcast -count 5 ./hub/
func BenchmarkBroadcast(b *testing.B) {
	for _, n := range []int{100, 1000, 4000} {
		b.Run(fmt.Sprintf("subscribers=%d", n), func(b *testing.B) {
			benchmarkBroadcast(b, n)
		})
	}
}

func benchmarkBroadcast(b *testing.B, n int) {
	th := newTestHub(b, Options{MaxConnectionsPerIP: n + 1, MaxConnections: n + 10})
	topic := "thread:" + pid
	var (
		got  atomic.Int64
		wg   sync.WaitGroup
		step = make(chan struct{}, 1)
	)
	for range n {
		ws, err := th.tryDial(http.Header{})
		if err != nil {
			b.Fatal(err)
		}
		c := &client{t: b, ws: ws}
		c.subscribe(topic)
		c.expect("subscribed", topic)
		// expect left a read deadline; the reader below lives as long as
		// the benchmark.
		_ = ws.SetReadDeadline(time.Time{})
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer ws.Close()
			for {
				if _, _, err := ws.ReadMessage(); err != nil {
					return
				}
				if got.Add(1)%int64(n) == 0 {
					select {
					case step <- struct{}{}:
					default:
					}
				}
			}
		}()
	}
	b.Cleanup(func() {
		th.Shutdown(context.Background())
		wg.Wait()
	})
	ctx := context.Background()
	data := map[string]string{"id": pid, "text": "Ý kiến về Trang thông tin điện tử"}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := th.Publish(ctx, topic, "post.created", data); err != nil {
			b.Fatal(err)
		}
		select {
		case <-step:
		case <-time.After(waitBound):
			b.Fatalf("broadcast to %d subscribers: %d of %d frames read after %v", n, got.Load()%int64(n), n, waitBound)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "deliveries/s")
}
