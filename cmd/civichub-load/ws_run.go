package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// wsRun is what one run measured.
type wsRun struct {
	Conns       int // clients asked for
	Dialed      int // sockets opened
	Held        int // sockets with every subscription confirmed
	Failed      int // dials refused or failed
	SubErrors   int // error frames answering a subscribe
	Errors      []string
	ConnectTime time.Duration

	RSSBefore, RSSHeld, RSSAfter, RSSPeak int64
	MetricsBefore, Metrics                map[string]float64 // /metrics before the clients and while held, if served

	Published  []time.Time
	Got        []int64         // per message: clients that received it
	Last       []time.Duration // per message: publish to its last delivery
	First      []time.Duration // per message: publish to its first delivery
	Delivered  int64
	Hist       map[int]int64 // deliveries by latency, 1 ms buckets
	Snapshots  int64
	Lost, Open int

	ServerCPU  float64   // seconds, from the first publish to the last result
	MsgCPU     []float64 // seconds from one publish to the next (the last: to the results)
	ToolCPU    float64   // the workers' CPU seconds over the same window
	Window     time.Duration
	CloseDrain time.Duration // until the server reported 0 connections after the close (-1: never)
}

// runWS runs one measurement: server, workers, subscribe, broadcast, close.
func runWS(ctx context.Context, o wsOptions, stderr io.Writer) (*wsRun, error) {
	base, pid := o.url, o.pid
	if o.bin != "" {
		srv, dir, err := startedServer(ctx, o)
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		defer srv.stop()
		base, pid = srv.url, srv.cmd.Process.Pid
	}
	publish := o.publishURL
	if publish == "" {
		publish = base + "/debug/publish"
	}
	origin := o.origin
	if origin == "" {
		origin = base
	}
	r := &wsRun{Conns: o.conns, Hist: map[int]int64{}, CloseDrain: -1}
	readMem := func() (int64, int64) {
		if pid == 0 {
			return 0, 0
		}
		rss, peak, _ := memoryOf(pid)
		return rss, peak
	}
	readCPU := func() float64 {
		if pid == 0 {
			return 0
		}
		s, _ := cpuSeconds(pid)
		return s
	}
	r.RSSBefore, _ = readMem()
	r.MetricsBefore, _ = scrapeMetrics(ctx, base+"/metrics")

	// Workers: each takes a contiguous range of clients.
	wsURL := "ws" + strings.TrimPrefix(base, "http") + "/ws"
	polls := pollIDs(o.polls)
	readyWait := 60*time.Second + time.Duration(o.conns)*5*time.Millisecond
	life := readyWait + o.settle + time.Duration(o.messages)*o.interval + o.drain + 2*time.Minute
	var workers []*worker
	defer func() {
		for _, w := range workers {
			if err := w.wait(30 * time.Second); err != nil {
				fmt.Fprintln(stderr, "civichub-load:", err)
			}
		}
	}()
	start := time.Now()
	run := start.UnixNano() // tags this run's messages
	for first := 0; first < o.conns; first += o.perWorker {
		w, err := startWorker(workerConfig{URL: wsURL, Origin: origin, First: first,
			Count: min(o.perWorker, o.conns-first), FirstIP: o.firstIP, PerIP: o.perIP,
			Topics: o.topics, Polls: polls, Broadcast: o.broadcast, Run: run, Messages: o.messages,
			Dialers: o.dialers, ReadyWait: readyWait, MaxLife: life})
		if err != nil {
			return nil, err
		}
		workers = append(workers, w)
	}
	for _, w := range workers {
		var rd workerReady
		if err := w.next(ctx, start.Add(readyWait+30*time.Second), &rd); err != nil {
			return nil, err
		}
		r.Dialed += rd.Dialed
		r.Held += rd.Subscribed
		r.Failed += rd.DialFailed
		r.SubErrors += rd.SubErrors
		r.Errors = append(r.Errors, rd.Errors...)
	}
	r.ConnectTime = time.Since(start)
	if r.Held == 0 {
		return nil, fmt.Errorf("no client subscribed; first errors: %s", strings.Join(first(r.Errors, 5), "; "))
	}
	sleep(ctx, o.settle)
	r.RSSHeld, _ = readMem()
	r.Metrics, _ = scrapeMetrics(ctx, base+"/metrics")

	// Broadcast: M messages, each carrying its number and publish time.
	toolCPU := func() float64 {
		var s float64
		for _, w := range workers {
			c, _ := cpuSeconds(w.cmd.Process.Pid)
			s += c
		}
		return s
	}
	cpu0, tool0, t0 := readCPU(), toolCPU(), time.Now()
	hc := &http.Client{Timeout: 10 * time.Second}
	next := t0
	prevCPU := cpu0
	for k := range o.messages {
		if k > 0 {
			sleep(ctx, time.Until(next))
			c := readCPU()
			r.MsgCPU = append(r.MsgCPU, c-prevCPU)
			prevCPU = c
		}
		next = next.Add(o.interval)
		now := time.Now()
		r.Published = append(r.Published, now)
		body := fmt.Sprintf(`{"r":%d,"n":%d,"t":%d,"text":"Ý kiến về Cổng thông tin điện tử tỉnh"}`, run, k, now.UnixNano())
		if err := post(ctx, hc, publish+"?topic="+url.QueryEscape(o.broadcast)+"&type=load.ping", body); err != nil {
			return nil, fmt.Errorf("publish %d: %w", k, err)
		}
	}
	// Results: every worker answers when its clients have everything, or
	// when told to finish at the drain deadline.
	deadline := time.Now().Add(o.drain)
	results := make([]workerResult, len(workers))
	for i, w := range workers {
		err := w.next(ctx, deadline, &results[i])
		if err != nil && ctx.Err() == nil {
			w.finish()
			err = w.next(ctx, time.Now().Add(30*time.Second), &results[i])
		}
		if err != nil {
			return nil, err
		}
	}
	cpu1, tool1 := readCPU(), toolCPU()
	r.MsgCPU = append(r.MsgCPU, cpu1-prevCPU)
	r.ServerCPU, r.ToolCPU, r.Window = cpu1-cpu0, tool1-tool0, time.Since(t0)
	r.RSSAfter, r.RSSPeak = readMem()
	r.merge(results)

	// Close: the workers close their sockets and exit; the server should
	// count them all gone.
	closed := time.Now()
	for _, w := range workers {
		if err := w.wait(30 * time.Second); err != nil {
			fmt.Fprintln(stderr, "civichub-load:", err)
		}
	}
	workers = nil
	for time.Since(closed) < 15*time.Second && ctx.Err() == nil {
		m, ok := scrapeMetrics(ctx, base+"/metrics")
		if !ok {
			break
		}
		if m["civichub_hub_connections"] == 0 {
			r.CloseDrain = time.Since(closed)
			break
		}
		sleep(ctx, 50*time.Millisecond)
	}
	return r, ctx.Err()
}

// merge adds the workers' results: counts add up, the last delivery of a
// message is the latest over all workers.
func (r *wsRun) merge(results []workerResult) {
	n := len(r.Published)
	r.Got = make([]int64, n)
	last, firstRecv := make([]int64, n), make([]int64, n)
	for _, wr := range results {
		r.Snapshots += wr.Snapshots
		r.Lost += wr.Lost
		r.Open += wr.Open
		r.Errors = append(r.Errors, wr.Errors...)
		for ms, c := range wr.Hist {
			r.Hist[ms] += c
		}
		for k := 0; k < n && k < len(wr.Got); k++ {
			r.Got[k] += wr.Got[k]
			r.Delivered += wr.Got[k]
			last[k] = max(last[k], wr.LastRecv[k])
			if wr.FirstRecv[k] != 0 && (firstRecv[k] == 0 || wr.FirstRecv[k] < firstRecv[k]) {
				firstRecv[k] = wr.FirstRecv[k]
			}
		}
	}
	for k, p := range r.Published {
		if r.Got[k] == 0 {
			continue
		}
		r.Last = append(r.Last, time.Duration(last[k]-p.UnixNano()))
		r.First = append(r.First, time.Duration(firstRecv[k]-p.UnixNano()))
	}
}

func post(ctx context.Context, hc *http.Client, u, body string) error {
	req, err := http.NewRequestWithContext(ctx, "POST", u, bytes.NewBufferString(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode/100 != 2 {
		b, _ := io.ReadAll(io.LimitReader(res.Body, 512))
		return fmt.Errorf("%s: HTTP %d: %s", u, res.StatusCode, b)
	}
	return nil
}

func sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

func first(s []string, n int) []string { return s[:min(n, len(s))] }
