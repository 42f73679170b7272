package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// workerConfig is what the ws command hands one worker process, as the
// first line of the worker's standard input. Clients First..First+Count-1
// of the whole run are this worker's; client i dials from source address
// FirstIP+i/PerIP and subscribes to Topics with "poll:*" replaced by
// Polls[i%len(Polls)].
type workerConfig struct {
	URL       string   `json:"url"` // ws://host:port/ws
	Origin    string   `json:"origin"`
	First     int      `json:"first"`
	Count     int      `json:"count"`
	FirstIP   string   `json:"first_ip"`
	PerIP     int      `json:"per_ip"`
	Topics    []string `json:"topics"`
	Polls     []string `json:"polls"`
	Broadcast string   `json:"broadcast"` // the event topic the messages come on
	// Run tags this run's messages: several tools measuring the nodes of
	// one cluster share the broadcast topic, and each counts only its own.
	Run       int64         `json:"run"`
	Messages  int           `json:"messages"`
	Dialers   int           `json:"dialers"`    // dials in flight
	ReadyWait time.Duration `json:"ready_wait"` // bound on dialing and subscribing
	MaxLife   time.Duration `json:"max_life"`   // bound on the worker's whole life
}

// workerReady is the worker's first line on standard output.
type workerReady struct {
	Ready      bool     `json:"ready"`
	Dialed     int      `json:"dialed"`     // sockets open
	Subscribed int      `json:"subscribed"` // sockets with every subscription confirmed
	DialFailed int      `json:"dial_failed"`
	SubErrors  int      `json:"sub_errors"`
	Errors     []string `json:"errors,omitempty"` // a sample
	Elapsed    float64  `json:"elapsed_s"`
}

// workerResult is the worker's second line: what its clients received.
type workerResult struct {
	Result    bool    `json:"result"`
	Complete  bool    `json:"complete"` // every open client got every message
	Open      int     `json:"open"`     // sockets still open at the end
	Lost      int     `json:"lost"`     // sockets the server closed or cut meanwhile
	Snapshots int64   `json:"snapshots"`
	Got       []int64 `json:"got"`      // per message: clients that received it
	LastRecv  []int64 `json:"last_ns"`  // per message: latest receive, Unix ns
	FirstRecv []int64 `json:"first_ns"` // per message: earliest receive, Unix ns
	// Hist counts deliveries by latency (receive minus the publish time the
	// message carries) in whole milliseconds.
	Hist   map[int]int64 `json:"hist_ms"`
	Errors []string      `json:"errors,omitempty"`
}

// wsWorker runs one worker process: it reads its workerConfig from stdin,
// opens and subscribes its clients, reports ready, records the broadcast,
// reports the result when every client has every message or when the
// parent writes "finish" (or closes stdin), closes its sockets and returns.
func wsWorker(ctx context.Context, stdin io.Reader, stdout io.Writer) error {
	in := bufio.NewScanner(stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	if !in.Scan() {
		return errors.New("ws-worker: no config on stdin")
	}
	var cfg workerConfig
	if err := json.Unmarshal(in.Bytes(), &cfg); err != nil {
		return fmt.Errorf("ws-worker: config: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.MaxLife)
	defer cancel()
	finish := make(chan struct{})
	go func() { // the parent's "finish", or its death, ends the wait
		for in.Scan() {
			if in.Text() == "finish" {
				break
			}
		}
		close(finish)
	}()
	w := newWorkerState(cfg)
	enc := json.NewEncoder(stdout)
	start := time.Now()
	w.dialAll(ctx)
	ready := w.ready(time.Since(start))
	if err := enc.Encode(ready); err != nil {
		w.closeAll()
		return err
	}
	select {
	case <-w.complete:
	case <-finish:
	case <-ctx.Done():
	}
	res := w.result()
	w.closeAll()
	return enc.Encode(res)
}

// workerState is one worker's clients and what they received; its counters
// are updated by every client's reader goroutine.
type workerState struct {
	cfg    workerConfig
	dialer websocket.Dialer

	mu     sync.Mutex
	conns  []*websocket.Conn
	errors []string

	dialFailed, subErrors atomic.Int64
	subscribed            atomic.Int64
	lost                  atomic.Int64
	snapshots             atomic.Int64
	opened                atomic.Int64 // sockets dialed and subscribing
	done                  atomic.Int64 // clients that have every message
	got                   []atomic.Int64
	lastRecv, firstRecv   []atomic.Int64
	hist                  []atomic.Int64 // 1 ms buckets, the last one open-ended
	readers               sync.WaitGroup
	complete              chan struct{}
	completeOnce          sync.Once
}

const histBuckets = 60_001

func newWorkerState(cfg workerConfig) *workerState {
	w := &workerState{cfg: cfg,
		got: make([]atomic.Int64, cfg.Messages), lastRecv: make([]atomic.Int64, cfg.Messages),
		firstRecv: make([]atomic.Int64, cfg.Messages), hist: make([]atomic.Int64, histBuckets),
		complete: make(chan struct{})}
	w.dialer = websocket.Dialer{
		HandshakeTimeout: 15 * time.Second,
		// Small buffers: the clients only read short frames.
		ReadBufferSize: 1024, WriteBufferSize: 512,
	}
	return w
}

func (w *workerState) note(format string, args ...any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.errors) < 10 {
		w.errors = append(w.errors, fmt.Sprintf(format, args...))
	}
}

// dialAll opens the worker's clients, Dialers at a time, and waits until
// each has its subscriptions confirmed or refused, or ReadyWait has passed.
func (w *workerState) dialAll(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, w.cfg.ReadyWait)
	defer cancel()
	first, err := netipFrom(w.cfg.FirstIP)
	if err != nil {
		w.note("first ip: %v", err)
		return
	}
	var settled sync.WaitGroup // one per client until it is subscribed or has failed
	next := make(chan int)
	var dialers sync.WaitGroup
	for range max(1, w.cfg.Dialers) {
		dialers.Add(1)
		go func() {
			defer dialers.Done()
			for i := range next {
				src, err := sourceAddr(first, i/w.cfg.PerIP)
				if err != nil {
					w.dialFailed.Add(1)
					w.note("client %d: %v", i, err)
					settled.Done()
					continue
				}
				w.open(ctx, i, src, &settled)
			}
		}()
	}
	for i := w.cfg.First; i < w.cfg.First+w.cfg.Count; i++ {
		settled.Add(1)
		select {
		case next <- i:
		case <-ctx.Done():
			settled.Done()
		}
	}
	close(next)
	dialers.Wait()
	all := make(chan struct{})
	go func() { settled.Wait(); close(all) }()
	select {
	case <-all:
	case <-ctx.Done():
		w.note("ready wait of %s over before every client settled", w.cfg.ReadyWait)
	}
}

// open dials client i from src, subscribes it and starts its reader; the
// reader marks settled when every subscription is answered.
func (w *workerState) open(ctx context.Context, i int, src net.IP, settled *sync.WaitGroup) {
	d := w.dialer
	nd := &net.Dialer{LocalAddr: &net.TCPAddr{IP: src}, Timeout: 10 * time.Second}
	d.NetDialContext = nd.DialContext
	ws, resp, err := d.DialContext(ctx, w.cfg.URL, http.Header{"Origin": {w.cfg.Origin}})
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil {
		w.dialFailed.Add(1)
		if resp != nil {
			w.note("client %d from %s: %v (HTTP %d)", i, src, err, resp.StatusCode)
		} else {
			w.note("client %d from %s: %v", i, src, err)
		}
		settled.Done()
		return
	}
	topics := w.topicsOf(i)
	for _, t := range topics {
		frame, _ := json.Marshal(map[string]string{"op": "subscribe", "topic": t})
		if err := ws.WriteMessage(websocket.TextMessage, frame); err != nil {
			w.dialFailed.Add(1)
			w.note("client %d: subscribe: %v", i, err)
			ws.Close()
			settled.Done()
			return
		}
	}
	w.mu.Lock()
	w.conns = append(w.conns, ws)
	w.mu.Unlock()
	w.opened.Add(1)
	w.readers.Add(1)
	go w.read(ws, len(topics), settled)
}

func (w *workerState) topicsOf(i int) []string {
	out := make([]string, 0, len(w.cfg.Topics)+1)
	for _, t := range w.cfg.Topics {
		if t == "poll:*" {
			if len(w.cfg.Polls) == 0 {
				continue
			}
			t = "poll:" + w.cfg.Polls[i%len(w.cfg.Polls)]
		}
		out = append(out, t)
	}
	return append(out, w.cfg.Broadcast)
}

var (
	opEvent      = []byte(`{"op":"event"`)
	opSnapshot   = []byte(`{"op":"snapshot"`)
	opSubscribed = []byte(`{"op":"subscribed"`)
	opError      = []byte(`{"op":"error"`)
	dataKey      = []byte(`"data":`)
)

// read is one client's reader: it counts its subscription answers, then
// records every broadcast message it receives.
func (w *workerState) read(ws *websocket.Conn, subs int, settled *sync.WaitGroup) {
	defer w.readers.Done()
	answered, have := 0, 0
	settle := func() {
		if answered >= 0 {
			answered = -1
			settled.Done()
		}
	}
	defer settle()
	buf := make([]byte, 4096)
	for {
		_, r, err := ws.NextReader()
		if err != nil {
			if !errors.Is(err, net.ErrClosed) && !websocket.IsCloseError(err, websocket.CloseNormalClosure) {
				w.lost.Add(1)
				w.note("socket ended: %v", err)
				w.checkComplete()
			}
			return
		}
		n, err := io.ReadFull(r, buf)
		if err == nil { // longer than buf: not one of ours
			io.Copy(io.Discard, r)
			continue
		}
		now := time.Now().UnixNano()
		f := buf[:n]
		switch {
		case bytes.HasPrefix(f, opEvent):
			run, k, t, ok := parseLoadEvent(f)
			if ok && run != w.cfg.Run {
				continue // another tool's message on the shared topic
			}
			if !ok || k < 0 || k >= len(w.got) {
				w.note("unexpected event: %.200s", f)
				continue
			}
			w.record(k, t, now)
			if have++; have == len(w.got) {
				w.done.Add(1)
				w.checkComplete()
			}
		case bytes.HasPrefix(f, opSnapshot):
			w.snapshots.Add(1)
		case bytes.HasPrefix(f, opSubscribed):
			if answered++; answered == subs {
				w.subscribed.Add(1)
				settle()
			}
		case bytes.HasPrefix(f, opError):
			w.subErrors.Add(1)
			w.note("server error frame: %.200s", f)
			if answered >= 0 {
				if answered++; answered == subs {
					settle()
				}
			}
		}
	}
}

// checkComplete closes complete once every open client has every message.
func (w *workerState) checkComplete() {
	if len(w.got) > 0 && w.done.Load() >= w.opened.Load()-w.lost.Load() {
		w.completeOnce.Do(func() { close(w.complete) })
	}
}

func (w *workerState) record(k int, t, now int64) {
	w.got[k].Add(1)
	for {
		old := w.lastRecv[k].Load()
		if now <= old || w.lastRecv[k].CompareAndSwap(old, now) {
			break
		}
	}
	for {
		old := w.firstRecv[k].Load()
		if (old != 0 && now >= old) || w.firstRecv[k].CompareAndSwap(old, now) {
			break
		}
	}
	ms := int((now - t) / 1e6)
	w.hist[max(0, min(ms, histBuckets-1))].Add(1)
}

// parseLoadEvent reads r, n and t from an event frame whose data is the
// load tool's {"r":RUN,"n":K,"t":UNIXNANO,...} without decoding the whole
// frame.
func parseLoadEvent(f []byte) (run int64, n int, t int64, ok bool) {
	i := bytes.LastIndex(f, dataKey)
	if i < 0 {
		return 0, 0, 0, false
	}
	rv, rok := intField(f[i:], `"r":`)
	nv, nok := intField(f[i:], `"n":`)
	tv, tok := intField(f[i:], `"t":`)
	if rok && nok && tok {
		return rv, int(nv), tv, true
	}
	var d struct {
		R int64 `json:"r"`
		N *int  `json:"n"`
		T int64 `json:"t"`
	}
	if err := json.Unmarshal(f[i+len(dataKey):len(f)-1], &d); err != nil || d.N == nil {
		return 0, 0, 0, false
	}
	return d.R, *d.N, d.T, true
}

func intField(b []byte, key string) (int64, bool) {
	i := bytes.Index(b, []byte(key))
	if i < 0 {
		return 0, false
	}
	b = b[i+len(key):]
	j := 0
	for j < len(b) && b[j] >= '0' && b[j] <= '9' {
		j++
	}
	v, err := strconv.ParseInt(string(b[:j]), 10, 64)
	return v, err == nil
}

func (w *workerState) ready(elapsed time.Duration) workerReady {
	w.mu.Lock()
	defer w.mu.Unlock()
	return workerReady{Ready: true, Dialed: len(w.conns), Subscribed: int(w.subscribed.Load()),
		DialFailed: int(w.dialFailed.Load()), SubErrors: int(w.subErrors.Load()),
		Errors: append([]string(nil), w.errors...), Elapsed: elapsed.Seconds()}
}

func (w *workerState) result() workerResult {
	w.mu.Lock()
	defer w.mu.Unlock()
	r := workerResult{Result: true, Open: len(w.conns) - int(w.lost.Load()), Lost: int(w.lost.Load()),
		Snapshots: w.snapshots.Load(), Hist: map[int]int64{}, Errors: append([]string(nil), w.errors...)}
	select {
	case <-w.complete:
		r.Complete = true
	default:
		r.Complete = len(w.got) == 0
	}
	for k := range w.got {
		r.Got = append(r.Got, w.got[k].Load())
		r.LastRecv = append(r.LastRecv, w.lastRecv[k].Load())
		r.FirstRecv = append(r.FirstRecv, w.firstRecv[k].Load())
	}
	for ms := range w.hist {
		if v := w.hist[ms].Load(); v > 0 {
			r.Hist[ms] = v
		}
	}
	return r
}

// closeAll sends every socket a normal close and closes it, each write
// bounded by a one-second deadline, then waits up to 5 s for the readers.
func (w *workerState) closeAll() {
	w.mu.Lock()
	conns := w.conns
	w.mu.Unlock()
	var wg sync.WaitGroup
	next := make(chan *websocket.Conn)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ws := range next {
				_ = ws.WriteControl(websocket.CloseMessage,
					websocket.FormatCloseMessage(websocket.CloseNormalClosure, "done"), time.Now().Add(time.Second))
				_ = ws.NetConn().Close()
			}
		}()
	}
	for _, ws := range conns {
		next <- ws
	}
	close(next)
	wg.Wait()
	done := make(chan struct{})
	go func() { w.readers.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		fmt.Fprintln(os.Stderr, "civichub-load ws-worker: readers still running 5 s after close")
	}
}
