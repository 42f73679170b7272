package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// votesOptions are the flags of the votes command.
type votesOptions struct {
	bin         string
	url         string
	voters      int
	concurrency int
	runs        int
	viewers     int
	rate        int
	duration    time.Duration
	source      string
}

// votes measures the vote path of a poll from the outside. Without
// --viewers it casts one vote per guest (visitor cookies issued before the
// timed part) as fast as --concurrency clients can, and reports acknowledged
// votes per second; with --viewers N it opens N WebSocket viewers of the
// poll's results, casts --rate votes per second for --duration, and reports
// the time from each vote's 201 to the first snapshot that includes it, at
// every viewer. Either way it then checks the ballots: every 201 is a
// stored vote, counted once, and no vote was stored twice.
func votes(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("votes", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o votesOptions
	fs.StringVar(&o.bin, "bin", "./civichub", "civichub binary, started on a fresh data folder for each run")
	fs.IntVar(&o.voters, "voters", 20000, "guests, one vote each (throughput mode)")
	fs.IntVar(&o.concurrency, "concurrency", 64, "clients voting at once")
	fs.IntVar(&o.runs, "runs", 3, "runs (each on a fresh server)")
	fs.IntVar(&o.viewers, "viewers", 0, "WebSocket viewers of the results (latency mode)")
	fs.IntVar(&o.rate, "rate", 1000, "votes per second in latency mode")
	fs.DurationVar(&o.duration, "duration", 20*time.Second, "how long votes arrive in latency mode")
	fs.StringVar(&o.source, "source", "127.0.0.2", "first source address of the viewers")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var rates []float64
	var p50s, p99s []time.Duration
	for i := range o.runs {
		r, err := votesRun(ctx, o, stderr)
		if err != nil {
			return fmt.Errorf("run %d: %w", i+1, err)
		}
		fmt.Fprintf(stdout, "run %d: %s\n", i+1, r)
		rates = append(rates, r.rate)
		p50s, p99s = append(p50s, r.p50), append(p99s, r.p99)
	}
	if o.viewers == 0 {
		fmt.Fprintf(stdout, "median of %d runs: %.0f acknowledged votes/s (%d guests, %d at once)\n", o.runs, median(rates), o.voters, o.concurrency)
	} else {
		fmt.Fprintf(stdout, "median of %d runs: vote 201 to first snapshot including it, at each of %d viewers: p50 %s, p99 %s (%.0f votes/s)\n",
			o.runs, o.viewers, ms(median(p50s)), ms(median(p99s)), median(rates))
	}
	return nil
}

type votesResult struct {
	acked, conflicts, failed int
	elapsed                  time.Duration
	rate                     float64
	p50, p99                 time.Duration
	samples, dropped         int
	total                    int64
}

func (r *votesResult) String() string {
	s := fmt.Sprintf("%d votes acknowledged in %s (%.0f/s), %d conflicts, %d failed; ballots checked: total %d",
		r.acked, r.elapsed.Round(time.Millisecond), r.rate, r.conflicts, r.failed, r.total)
	if r.samples > 0 {
		s += fmt.Sprintf("; 201 to snapshot p50 %s p99 %s over %d (vote, viewer) pairs; %d viewers cut as slow clients", ms(r.p50), ms(r.p99), r.samples, r.dropped)
	}
	return s
}

// pollServer is a started server with an admin session and one open poll.
type pollServer struct {
	srv     *server
	hc      *http.Client
	admin   string // session cookie
	pollID  string
	options []string
}

func startPollServer(ctx context.Context, o votesOptions, stderr io.Writer) (*pollServer, func(), error) {
	dir, err := os.MkdirTemp("", "civichub-votes-*")
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	env := []string{"CIVICHUB_RATE_VOTE_IP=off", "CIVICHUB_RATE_LOGIN_IP=off", "CIVICHUB_WS_MAX_PER_IP=100000", "CIVICHUB_WS_MAX_CONNECTIONS=100000"}
	admin := exec.CommandContext(ctx, o.bin, "admin", "create-user", "--email", "load@example.vn", "--password", "load test password", "--name", "Load", "--role", "admin")
	admin.Env = append(os.Environ(), "CIVICHUB_DATA_DIR="+dir)
	admin.Stderr = stderr
	if err := admin.Run(); err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("create admin: %w", err)
	}
	srv, err := startServer(o.bin, dir, env)
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	stop := func() { srv.stop(); cleanup() }
	if _, err := srv.waitReady(ctx, 10*time.Millisecond, 30*time.Second); err != nil {
		stop()
		return nil, nil, err
	}
	ps := &pollServer{srv: srv, hc: &http.Client{Timeout: time.Minute, Transport: &http.Transport{
		MaxIdleConnsPerHost: 1024, MaxConnsPerHost: 0, DisableCompression: true}}}
	res, body, err := ps.do(ctx, "POST", "/api/v1/auth/login", "", map[string]string{"email": "load@example.vn", "password": "load test password"})
	if err != nil || res.StatusCode != 200 {
		stop()
		return nil, nil, fmt.Errorf("admin login: %v %s", err, body)
	}
	for _, c := range res.Cookies() {
		if strings.Contains(c.Name, "session") {
			ps.admin = c.Name + "=" + c.Value
		}
	}
	res, body, err = ps.do(ctx, "POST", "/api/v1/polls", ps.admin, map[string]any{
		"question": map[string]string{"vi": "Ý kiến về Trang thông tin điện tử?"},
		"options":  []map[string]string{{"vi": "Đạt yêu cầu"}, {"vi": "Chưa đạt yêu cầu"}, {"vi": "Cần thêm chủ đề"}},
		"status":   "open", "baseline": []int64{1180, 107, 57},
	})
	if err != nil || res.StatusCode != 201 {
		stop()
		return nil, nil, fmt.Errorf("create poll: %v %s", err, body)
	}
	var p struct {
		ID      string `json:"id"`
		Options []struct {
			ID string `json:"id"`
		} `json:"options"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		stop()
		return nil, nil, err
	}
	ps.pollID = p.ID
	for _, op := range p.Options {
		ps.options = append(ps.options, op.ID)
	}
	return ps, stop, nil
}

func (ps *pollServer) do(ctx context.Context, method, path, cookie string, body any) (*http.Response, []byte, error) {
	return doJSON(ctx, ps.hc, ps.srv.url+path, method, cookie, body)
}

// visitorCookies gets n visitor cookies from the server, as n browsers'
// first page views would.
func (ps *pollServer) visitorCookies(ctx context.Context, n, concurrency int) ([]string, error) {
	out := make([]string, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	var firstErr atomic.Value
	for range concurrency {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				res, _, err := ps.do(ctx, "GET", "/api/v1/online", "", nil)
				if err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				for _, c := range res.Cookies() {
					if strings.Contains(c.Name, "visitor") {
						out[i] = c.Name + "=" + c.Value
					}
				}
			}
		})
	}
	wg.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		return nil, err
	}
	for i, c := range out {
		if c == "" {
			return nil, fmt.Errorf("request %d got no visitor cookie", i)
		}
	}
	return out, nil
}

// ack is one acknowledged vote: when its 201 arrived and the poll's total
// once it was in.
type ack struct {
	at    int64 // unix nanoseconds
	total int64
}

func (ps *pollServer) vote(ctx context.Context, cookie string, option int) (int, int64, error) {
	res, body, err := ps.do(ctx, "POST", "/api/v1/polls/"+ps.pollID+"/votes", cookie, map[string]any{"options": []string{ps.options[option]}})
	if err != nil {
		return 0, 0, err
	}
	var rc struct {
		Total int64 `json:"total"`
	}
	if res.StatusCode == 201 {
		if err := json.Unmarshal(body, &rc); err != nil {
			return 0, 0, err
		}
	}
	return res.StatusCode, rc.Total, nil
}

func votesRun(ctx context.Context, o votesOptions, stderr io.Writer) (*votesResult, error) {
	ps, stop, err := startPollServer(ctx, o, stderr)
	if err != nil {
		return nil, err
	}
	defer stop()
	n := o.voters
	if o.viewers > 0 {
		n = o.rate * int(o.duration/time.Second)
	}
	cookies, err := ps.visitorCookies(ctx, n, 32)
	if err != nil {
		return nil, fmt.Errorf("visitor cookies: %w", err)
	}
	var v *viewers
	if o.viewers > 0 {
		if v, err = openViewers(ctx, ps, o); err != nil {
			return nil, err
		}
		defer v.close()
	}
	r := &votesResult{}
	acks := make([]ack, n)
	sent := make([]int, n)
	codes := make([]int, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	workers := o.concurrency
	if o.viewers > 0 {
		workers = max(o.concurrency, o.rate/4) // enough that slow answers do not slow the pace
	}
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				if o.viewers > 0 { // paced: vote i is due at start + i/rate
					if d := time.Until(start.Add(time.Duration(i) * time.Second / time.Duration(o.rate))); d > 0 {
						time.Sleep(d)
					}
				}
				sent[i] = i % len(ps.options)
				code, total, err := ps.vote(ctx, cookies[i], sent[i])
				if err != nil {
					code = -1
				}
				codes[i] = code
				acks[i] = ack{at: time.Now().UnixNano(), total: total}
			}
		})
	}
	wg.Wait()
	r.elapsed = time.Since(start)
	want := make([]int64, len(ps.options))
	for i, c := range codes {
		switch c {
		case 201:
			r.acked++
			want[sent[i]]++
		case 409:
			r.conflicts++
		default:
			r.failed++
		}
	}
	r.rate = float64(r.acked) / r.elapsed.Seconds()
	if err := ps.checkBallots(ctx, want, cookies, codes); err != nil {
		return r, err
	}
	r.total = int64(r.acked)
	if v != nil {
		// Wait for the last snapshots, then match every acknowledged
		// vote to the first snapshot at each viewer that includes it.
		time.Sleep(2 * time.Second)
		var got []ack
		for i, c := range codes {
			if c == 201 {
				got = append(got, acks[i])
			}
		}
		r.p50, r.p99, r.samples, r.dropped, err = v.latencies(got)
		if err != nil {
			return r, err
		}
	}
	return r, nil
}

// checkBallots reads the results and every voter's "voted" flag: the totals
// must equal the acknowledged votes exactly (the baseline aside), each
// acknowledged voter must have a ballot, and a second vote by any of them
// must be refused.
func (ps *pollServer) checkBallots(ctx context.Context, want []int64, cookies []string, codes []int) error {
	res, body, err := ps.do(ctx, "GET", "/api/v1/polls/"+ps.pollID+"/results.json", ps.admin, nil)
	if err != nil || res.StatusCode != 200 {
		return fmt.Errorf("results: %v %s", err, body)
	}
	var e struct {
		Total   int64 `json:"total"`
		Options []struct {
			Cast int64 `json:"cast"`
		} `json:"options"`
	}
	if err := json.Unmarshal(body, &e); err != nil {
		return err
	}
	var acked int64
	for _, w := range want {
		acked += w
	}
	if e.Total-1344 != acked {
		return fmt.Errorf("ballots: %d stored, %d acknowledged", e.Total-1344, acked)
	}
	for i, w := range want {
		if e.Options[i].Cast != w {
			return fmt.Errorf("option %d: %d stored, %d acknowledged", i, e.Options[i].Cast, w)
		}
	}
	// A sample of voters: each has a ballot and cannot vote again.
	for i := 0; i < len(cookies); i += max(1, len(cookies)/500) {
		if codes[i] != 201 {
			continue
		}
		code, _, err := ps.vote(ctx, cookies[i], 0)
		if err != nil || code != 409 {
			return fmt.Errorf("second vote of voter %d: %d %v, want 409", i, code, err)
		}
	}
	return nil
}

// viewers are WebSocket clients subscribed to a poll's results; each
// records when each snapshot arrived and its total.
type viewers struct {
	conns   []*websocket.Conn
	seen    [][]ack
	dropped []bool // the server closed the socket before the end
	closing atomic.Bool
	wg      sync.WaitGroup
}

func openViewers(ctx context.Context, ps *pollServer, o votesOptions) (*viewers, error) {
	first, err := netip.ParseAddr(o.source)
	if err != nil || !first.Is4() || !first.IsLoopback() {
		return nil, fmt.Errorf("--source %q: want an IPv4 address in 127.0.0.0/8", o.source)
	}
	v := &viewers{conns: make([]*websocket.Conn, o.viewers), seen: make([][]ack, o.viewers), dropped: make([]bool, o.viewers)}
	u := "ws" + strings.TrimPrefix(ps.srv.url, "http") + "/ws"
	topic := "poll:" + ps.pollID
	var next atomic.Int64
	var wg sync.WaitGroup
	var firstErr atomic.Value
	for range 32 {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= o.viewers || ctx.Err() != nil {
					return
				}
				src, err := sourceAddr(first, i/10000)
				if err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				d := websocket.Dialer{NetDial: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: src}}).Dial, HandshakeTimeout: 30 * time.Second,
					ReadBufferSize: 1024, WriteBufferSize: 256}
				ws, _, err := d.DialContext(ctx, u, http.Header{"Origin": {ps.srv.url}})
				if err != nil {
					firstErr.CompareAndSwap(nil, fmt.Errorf("viewer %d: %w", i, err))
					return
				}
				if err := ws.WriteJSON(map[string]string{"op": "subscribe", "topic": topic}); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				v.conns[i] = ws
				v.wg.Go(func() { v.read(i, ws) })
			}
		})
	}
	wg.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		v.close()
		return nil, err
	}
	return v, nil
}

func (v *viewers) read(i int, ws *websocket.Conn) {
	// 10,000 viewers share the machine with the server: a snapshot is
	// recognised and its total read without decoding the whole frame.
	snapshot := []byte(`"op":"snapshot"`)
	totalKey := []byte(`"total":`)
	for {
		_, b, err := ws.ReadMessage()
		if err != nil {
			v.dropped[i] = !v.closing.Load()
			return
		}
		now := time.Now().UnixNano()
		if !bytes.Contains(b, snapshot) {
			continue
		}
		k := bytes.Index(b, totalKey)
		if k < 0 {
			continue
		}
		var total int64
		for _, c := range b[k+len(totalKey):] {
			if c < '0' || c > '9' {
				break
			}
			total = total*10 + int64(c-'0')
		}
		v.seen[i] = append(v.seen[i], ack{at: now, total: total})
	}
}

func (v *viewers) close() {
	v.closing.Store(true)
	for _, ws := range v.conns {
		if ws != nil {
			ws.Close()
		}
	}
	v.wg.Wait()
}

// latencies matches each acknowledged vote (every 10th, to bound the work)
// to the first snapshot at each viewer whose total includes it (totals only
// rise, and a receipt's total is the poll's total once that vote was in).
// A snapshot that beat the 201 to the viewer counts as 0.
func (v *viewers) latencies(acks []ack) (p50, p99 time.Duration, n, dropped int, err error) {
	v.close()
	var maxAck int64
	for _, a := range acks {
		maxAck = max(maxAck, a.total)
	}
	short, empty := 0, 0
	for i, seen := range v.seen {
		if v.dropped[i] {
			// Cut by the server as a slow client (the load tool shares
			// two cores with it): reported, not measured.
			dropped++
			v.seen[i] = nil
			continue
		}
		switch {
		case len(seen) == 0:
			empty++
		case seen[len(seen)-1].total < maxAck:
			short++
		}
	}
	if short > 0 || empty > 0 {
		return 0, 0, 0, dropped, fmt.Errorf("%d of %d viewers got no snapshot, %d never reached the last acknowledged total %d", empty, len(v.seen), short, maxAck)
	}
	var ds []time.Duration
	for _, seen := range v.seen {
		if seen == nil {
			continue
		}
		for k := 0; k < len(acks); k += 10 {
			a := acks[k]
			j, _ := slices.BinarySearchFunc(seen, a.total, func(s ack, t int64) int {
				switch {
				case s.total < t:
					return -1
				case s.total > t:
					return 1
				}
				return 0
			})
			if j == len(seen) {
				return 0, 0, 0, dropped, errors.New("a viewer never got a snapshot including an acknowledged vote")
			}
			ds = append(ds, max(0, time.Duration(seen[j].at-a.at)))
		}
	}
	return percentile(ds, 50), percentile(ds, 99), len(ds), dropped, nil
}
