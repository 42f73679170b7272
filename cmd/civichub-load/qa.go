package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/oklog/ulid/v2"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/fold"
	"github.com/civichub/civichub/i18n"
	"github.com/civichub/civichub/id"
	"github.com/civichub/civichub/markup"
	"github.com/civichub/civichub/qa"
	"github.com/civichub/civichub/sqlitestore"
	"github.com/civichub/civichub/workdays"
)

// qaOptions are the flags of the qa command.
type qaOptions struct {
	bin                  string
	questions            int
	agencies             int
	subscribers          int
	answers              int
	runs                 int
	requests             int
	queuePage, scorePage string
	debugAddr            string
}

// qaBench seeds an embedded store with a year of Q&A (50,000 questions
// across 30 agencies by default), starts the server on it, and measures
// what issue 6 asks: the busiest agency's queue as one of its staff sees it
// and its public scorecard (sequential requests, client-observed medians on
// loopback, uncompressed, API and pages), and the time from the staff's
// POST of an answer to its answer.published frame at each of 1,000
// WebSocket subscribers of the question, checking that none is lost.
func qaBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("qa", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o qaOptions
	fs.StringVar(&o.bin, "bin", "./civichub", "civichub binary")
	fs.IntVar(&o.questions, "questions", 50000, "questions to seed")
	fs.IntVar(&o.agencies, "agencies", 30, "agencies to seed")
	fs.IntVar(&o.subscribers, "subscribers", 1000, "WebSocket subscribers of each answered question")
	fs.IntVar(&o.answers, "answers", 20, "answers published per run")
	fs.IntVar(&o.runs, "runs", 3, "measurement runs on the one seeded store")
	fs.IntVar(&o.requests, "requests", 300, "sequential requests per figure and run, after warm-up")
	fs.StringVar(&o.queuePage, "queue-page", "/agencies/{id}/questions?tab=accepted", "the staff's queue page ({id}: the agency), skipped if it answers 404")
	fs.StringVar(&o.scorePage, "scorecard-page", "/agencies/{id}/scorecard", "the public scorecard page ({id}: the agency), skipped if it answers 404")
	fs.StringVar(&o.debugAddr, "debug-addr", "", "CIVICHUB_DEBUG_ADDR for the server, to profile it during the runs")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.agencies < 2 || o.subscribers < 1 || o.answers < 1 || o.runs < 1 || o.questions < o.answers*o.runs+o.agencies {
		return fmt.Errorf("qa: want at least 2 agencies, 1 subscriber, answer and run, and more questions than answers")
	}
	dir, err := os.MkdirTemp("", "civichub-qa-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	t0 := time.Now()
	seed, err := seedQA(ctx, dir, o.questions, o.agencies, o.answers*o.runs)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	fmt.Fprintf(stdout, "seeded %d questions across %d agencies in %s; measured agency %s: %d questions, %s\n",
		o.questions, o.agencies, time.Since(t0).Round(time.Second), seed.agency.Slug, seed.count, seed.mix)
	b, err := startQAServer(ctx, o, dir, seed, stderr)
	if err != nil {
		return err
	}
	defer b.srv.stop()
	subs, err := openSubscribers(ctx, b.srv.url, o.subscribers, seed.targets)
	if err != nil {
		return err
	}
	defer subs.close()

	ag := seed.agency.ID
	figures := []*qaFigure{
		{name: "queue API", path: "/api/v1/questions?agency=" + ag + "&sort=deadline&status=accepted&limit=50", cookie: b.staff},
		{name: "queue page", path: strings.ReplaceAll(o.queuePage, "{id}", ag), cookie: b.staff, page: true},
		{name: "scorecard API", path: "/api/v1/agencies/" + ag + "/scorecard"},
		{name: "scorecard page", path: strings.ReplaceAll(o.scorePage, "{id}", ag), page: true},
	}
	facts, err := b.check(ctx, figures[0].path, figures[2].path)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, facts)
	for _, f := range figures {
		if f.page {
			if f.served, err = b.exists(ctx, f.path, f.cookie); err != nil {
				return err
			}
		} else {
			f.served = true
		}
	}
	var p50s, p99s, posts []time.Duration
	lost := 0
	for run := range o.runs {
		var line []string
		for _, f := range figures {
			if !f.served {
				continue
			}
			m, cpu, err := b.medianOf(ctx, f.path, f.cookie, o.requests)
			if err != nil {
				return err
			}
			f.medians, f.cpu = append(f.medians, m), append(f.cpu, cpu)
			line = append(line, fmt.Sprintf("%s %s (server CPU %s)", f.name, msf(m), msf(cpu)))
		}
		r, err := b.answerRound(ctx, subs, run*o.answers, o.answers)
		if err != nil {
			return fmt.Errorf("run %d: %w", run+1, err)
		}
		lost += r.lost
		fmt.Fprintf(stdout, "run %d: %s; answer to %d subscribers: p50 %s, p99 %s, max %s over %d (answer, subscriber) pairs, %d lost; "+
			"medians: first subscriber %s, POST 201 %s, %d subscribes %s\n",
			run+1, strings.Join(line, ", "), o.subscribers, msf(r.p50), msf(r.p99), msf(r.max), r.pairs, r.lost,
			msf(r.first), msf(r.post), o.subscribers, msf(r.subscribe))
		p50s, p99s, posts = append(p50s, r.p50), append(p99s, r.p99), append(posts, r.post)
	}
	var summary []string
	for _, f := range figures {
		if !f.served {
			summary = append(summary, fmt.Sprintf("%s: none at %s", f.name, f.path))
			continue
		}
		summary = append(summary, fmt.Sprintf("%s %s (server CPU %s)", f.name, msf(median(f.medians)), msf(median(f.cpu))))
	}
	fmt.Fprintf(stdout, "median of %d runs (%d sequential requests each, uncompressed): %s; "+
		"answer POST to answer.published at each of %d subscribers: p50 %s, p99 %s (POST 201 %s); %d of %d deliveries lost\n",
		o.runs, o.requests, strings.Join(summary, ", "), o.subscribers, msf(median(p50s)), msf(median(p99s)), msf(median(posts)),
		lost, o.runs*o.answers*o.subscribers)
	if lost > 0 {
		return fmt.Errorf("%d answer deliveries lost", lost)
	}
	if n := subs.dropped.Load(); n > 0 {
		return fmt.Errorf("%d subscribers were disconnected by the server", n)
	}
	return nil
}

// qaFigure is one measured request: its medians and the server's CPU time
// per request, one of each per run.
type qaFigure struct {
	name, path, cookie string
	page               bool // an HTML page, measured if the route is there
	served             bool
	medians, cpu       []time.Duration
}

// qaServer is the started server with the measured agency's staff member
// logged in.
type qaServer struct {
	srv   *server
	hc    *http.Client
	staff string // session cookie
}

func startQAServer(ctx context.Context, o qaOptions, dir string, seed *qaSeeded, stderr io.Writer) (*qaServer, error) {
	const email, password = "canbo@example.vn", "load test password"
	for _, args := range [][]string{
		{"admin", "create-user", "--email", email, "--password", password, "--name", "Nguyễn Thị Cán Bộ"},
		{"admin", "add-staff", "--agency", seed.agency.Slug, "--email", email, "--title", "Chuyên viên Phòng Tiếp dân"},
	} {
		cmd := exec.CommandContext(ctx, o.bin, args...)
		cmd.Env = append(os.Environ(), "CIVICHUB_DATA_DIR="+dir)
		cmd.Stdout, cmd.Stderr = io.Discard, stderr
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("civichub %s: %w", strings.Join(args[:2], " "), err)
		}
	}
	env := []string{"CIVICHUB_RATE_LOGIN_IP=off", "CIVICHUB_RATE_LOGIN_ACCOUNT=off",
		"CIVICHUB_WS_MAX_PER_IP=100000", "CIVICHUB_WS_MAX_CONNECTIONS=100000"}
	if o.debugAddr != "" {
		env = append(env, "CIVICHUB_DEBUG_ADDR="+o.debugAddr)
	}
	srv, err := startServer(o.bin, dir, env)
	if err != nil {
		return nil, err
	}
	if _, err := srv.waitReady(ctx, 10*time.Millisecond, 2*time.Minute); err != nil {
		srv.stop()
		return nil, err
	}
	// A redirect (to the login page) is a failure, not a page to measure.
	b := &qaServer{srv: srv, hc: &http.Client{Timeout: 30 * time.Second,
		Transport:     &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 4},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	res, body, err := b.do(ctx, "POST", "/api/v1/auth/login", "", map[string]string{"email": email, "password": password})
	if err != nil || res.StatusCode != 200 {
		srv.stop()
		return nil, fmt.Errorf("staff login: %v %s", err, body)
	}
	for _, c := range res.Cookies() {
		if strings.Contains(c.Name, "session") {
			b.staff = c.Name + "=" + c.Value
		}
	}
	if b.staff == "" {
		srv.stop()
		return nil, errors.New("staff login: no session cookie")
	}
	return b, nil
}

func (b *qaServer) do(ctx context.Context, method, path, cookie string, body any) (*http.Response, []byte, error) {
	return doJSON(ctx, b.hc, b.srv.url+path, method, cookie, body)
}

// get times one GET, from sending it to the last byte of the body.
func (b *qaServer) get(ctx context.Context, path, cookie string) (time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", b.srv.url+path, nil)
	if err != nil {
		return 0, err
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	start := time.Now()
	res, err := b.hc.Do(req)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		return 0, fmt.Errorf("GET %s: %d", path, res.StatusCode)
	}
	return time.Since(start), err
}

// medianOf times n sequential GETs of path after 20 for warm-up, and
// returns their median and the server's CPU time per request meanwhile
// (user and system, from /proc: what the request costs whatever else
// runs on the machine).
func (b *qaServer) medianOf(ctx context.Context, path, cookie string, n int) (med, cpu time.Duration, err error) {
	ds := make([]time.Duration, 0, n)
	var cpu0 float64
	for i := range n + 20 {
		if i == 20 {
			if cpu0, err = cpuSeconds(b.srv.cmd.Process.Pid); err != nil {
				return 0, 0, err
			}
		}
		d, err := b.get(ctx, path, cookie)
		if err != nil {
			return 0, 0, err
		}
		if i >= 20 {
			ds = append(ds, d)
		}
	}
	cpu1, err := cpuSeconds(b.srv.cmd.Process.Pid)
	if err != nil {
		return 0, 0, err
	}
	return median(ds), time.Duration((cpu1 - cpu0) / float64(n) * float64(time.Second)), nil
}

// exists reports whether a page is served: false for a 404 (a route not
// there yet), an error for any other failure.
func (b *qaServer) exists(ctx context.Context, path, cookie string) (bool, error) {
	res, body, err := b.do(ctx, "GET", path, cookie, nil)
	switch {
	case err != nil:
		return false, err
	case res.StatusCode == 404:
		return false, nil
	case res.StatusCode != 200:
		return false, fmt.Errorf("GET %s: %d %.200s", path, res.StatusCode, body)
	}
	return true, nil
}

// check reads the queue and the scorecard once (the queue in deadline
// order, a scorecard with answers in every window) and describes them.
func (b *qaServer) check(ctx context.Context, queue, score string) (string, error) {
	res, body, err := b.do(ctx, "GET", queue, b.staff, nil)
	if err != nil || res.StatusCode != 200 {
		return "", fmt.Errorf("queue: %v %s", err, body)
	}
	var page struct {
		Items []qa.Summary `json:"items"`
	}
	if err := json.Unmarshal(body, &page); err != nil {
		return "", fmt.Errorf("queue: %w", err)
	}
	sorted := slices.IsSortedFunc(page.Items, func(a, b qa.Summary) int {
		if a.Deadline == nil || b.Deadline == nil {
			return 1
		}
		return a.Deadline.Compare(*b.Deadline)
	})
	if len(page.Items) == 0 || !sorted {
		return "", fmt.Errorf("queue: %d items, want some in deadline order", len(page.Items))
	}
	queueBytes := len(body)
	res, body, err = b.do(ctx, "GET", score, "", nil)
	if err != nil || res.StatusCode != 200 {
		return "", fmt.Errorf("scorecard: %v %s", err, body)
	}
	var sc qa.Scorecard
	if err := json.Unmarshal(body, &sc); err != nil {
		return "", fmt.Errorf("scorecard: %w", err)
	}
	facts := fmt.Sprintf("queue (accepted, by deadline): %d questions, %d bytes; scorecard: %d open, %d overdue",
		len(page.Items), queueBytes, sc.Open, sc.Overdue)
	for _, w := range sc.Windows {
		if w.Answered == 0 || w.MedianHours == nil {
			return "", fmt.Errorf("scorecard: no answers in the last %d days: %s", w.Days, body)
		}
		facts += fmt.Sprintf("; %d days: %d received, %d answered (%.0f %% on time, median %.1f h), %d forwarded, %d rejected",
			w.Days, w.Received, w.Answered, 100**w.OnTimeShare, *w.MedianHours, w.Forwarded, w.Rejected)
	}
	return facts, nil
}

// qaSubscribers are WebSocket guests, each reading every frame; they all
// subscribe to the question about to be answered and record when its
// answer.published frame arrives.
type qaSubscribers struct {
	conns   []*websocket.Conn
	topics  map[string]int // question:{id} → index of the target question; read-only
	targets []string
	// Per target question: how many subscribers have it subscribed and
	// have its answer, and when each one's answer frame arrived (unix ns).
	subscribed []atomic.Int32
	got        []atomic.Int32
	arrived    [][]atomic.Int64
	errFrames  atomic.Int32
	firstErr   atomic.Value // string: the first error frame
	dropped    atomic.Int32
	closing    atomic.Bool
	wg         sync.WaitGroup
}

func openSubscribers(ctx context.Context, base string, n int, targets []string) (*qaSubscribers, error) {
	s := &qaSubscribers{conns: make([]*websocket.Conn, n), topics: map[string]int{}, targets: targets,
		subscribed: make([]atomic.Int32, len(targets)), got: make([]atomic.Int32, len(targets)),
		arrived: make([][]atomic.Int64, len(targets))}
	for i, q := range targets {
		s.topics[qa.QuestionTopic(q)] = i
		s.arrived[i] = make([]atomic.Int64, n)
	}
	u := "ws" + strings.TrimPrefix(base, "http") + "/ws"
	err := parallel(ctx, n, func(i int) error {
		d := websocket.Dialer{HandshakeTimeout: 30 * time.Second, ReadBufferSize: 4096, WriteBufferSize: 256}
		ws, _, err := d.DialContext(ctx, u, http.Header{"Origin": {base}})
		if err != nil {
			return fmt.Errorf("subscriber %d: %w", i, err)
		}
		s.conns[i] = ws
		s.wg.Go(func() { s.read(i, ws) })
		return nil
	})
	if err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

// parallel calls f(0..n-1) from 32 goroutines and returns the first error.
func parallel(ctx context.Context, n int, f func(i int) error) error {
	var next atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil || firstErr.Load() != nil {
					return
				}
				if err := f(i); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		return err
	}
	return ctx.Err()
}

func (s *qaSubscribers) read(i int, ws *websocket.Conn) {
	// 1,000 subscribers share two cores with the server: only a frame's
	// head (op, topic, type) is decoded, not the answer it carries.
	dataKey := []byte(`,"data":`)
	var f struct{ Op, Topic, Type string }
	for {
		_, b, err := ws.ReadMessage()
		if err != nil {
			if !s.closing.Load() {
				s.dropped.Add(1)
			}
			return
		}
		now := time.Now().UnixNano()
		if k := bytes.Index(b, dataKey); k > 0 {
			b = append(b[:k:k], '}')
		}
		f.Op, f.Topic, f.Type = "", "", ""
		if err := json.Unmarshal(b, &f); err != nil {
			continue
		}
		k, ok := s.topics[f.Topic]
		switch {
		case f.Op == "error":
			s.errFrames.Add(1)
			s.firstErr.CompareAndSwap(nil, string(b))
		case !ok:
		case f.Op == "subscribed":
			s.subscribed[k].Add(1)
		case f.Op == "event" && f.Type == "answer.published":
			if s.arrived[k][i].CompareAndSwap(0, now) {
				s.got[k].Add(1)
			}
		}
	}
}

// move unsubscribes every subscriber from the previous target (if any)
// and subscribes it to target k, and waits until all have it.
func (s *qaSubscribers) move(ctx context.Context, k int) error {
	err := parallel(ctx, len(s.conns), func(i int) error {
		if k > 0 {
			if err := s.conns[i].WriteJSON(map[string]string{"op": "unsubscribe", "topic": qa.QuestionTopic(s.targets[k-1])}); err != nil {
				return err
			}
		}
		return s.conns[i].WriteJSON(map[string]string{"op": "subscribe", "topic": qa.QuestionTopic(s.targets[k])})
	})
	if err != nil {
		return err
	}
	return s.await(ctx, &s.subscribed[k], 30*time.Second, "subscribed")
}

// await waits until n reaches the number of subscribers, an error frame
// arrives, or the time is up.
func (s *qaSubscribers) await(ctx context.Context, n *atomic.Int32, d time.Duration, what string) error {
	deadline := time.Now().Add(d)
	for int(n.Load()) < len(s.conns) {
		if s.errFrames.Load() > 0 {
			return fmt.Errorf("error frame: %v", s.firstErr.Load())
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d of %d subscribers %s after %s", n.Load(), len(s.conns), what, d)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Millisecond):
		}
	}
	return nil
}

func (s *qaSubscribers) close() {
	s.closing.Store(true)
	for _, ws := range s.conns {
		if ws != nil {
			ws.Close()
		}
	}
	s.wg.Wait()
}

type answerRound struct {
	p50, p99, max, post time.Duration
	// first is the median over answers of the first subscriber's
	// latency; subscribe the median time for all subscribers to move to
	// the next question (each subscription authorized by the server).
	first, subscribe time.Duration
	pairs, lost      int
}

// answerRound answers targets first..first+n-1 in turn, each once all
// subscribers have subscribed to it, and times each answer.published
// frame from the moment the POST was sent.
func (b *qaServer) answerRound(ctx context.Context, s *qaSubscribers, first, n int) (*answerRound, error) {
	r := &answerRound{}
	var ds, posts, firsts, moves []time.Duration
	for k := first; k < first+n; k++ {
		t := time.Now()
		if err := s.move(ctx, k); err != nil {
			return nil, fmt.Errorf("subscribe to question %d: %w", k, err)
		}
		moves = append(moves, time.Since(t))
		body := answerBody(k)
		start := time.Now()
		res, out, err := b.do(ctx, "POST", "/api/v1/questions/"+s.targets[k]+"/answers", b.staff, map[string]string{"body": body})
		if err != nil || res.StatusCode != 201 {
			return nil, fmt.Errorf("answer question %d: %v %s", k, err, out)
		}
		posts = append(posts, time.Since(start))
		if err := s.await(ctx, &s.got[k], 10*time.Second, "got the answer"); err != nil && s.errFrames.Load() > 0 {
			return nil, err
		}
		earliest := time.Duration(1<<63 - 1)
		for i := range s.conns {
			at := s.arrived[k][i].Load()
			if at == 0 {
				r.lost++
				continue
			}
			d := time.Duration(at - start.UnixNano())
			ds, earliest = append(ds, d), min(earliest, d)
		}
		firsts = append(firsts, earliest)
	}
	r.first, r.subscribe = median(firsts), median(moves)
	r.p50, r.p99, r.max, r.pairs = percentile(ds, 50), percentile(ds, 99), percentile(ds, 100), len(ds)
	r.post = median(posts)
	return r, nil
}

// answerBody is an official answer of about 1 KB of Markdown.
func answerBody(k int) string {
	return fmt.Sprintf("Kính gửi ông/bà,\n\n**Sở Xây dựng** trả lời câu hỏi số %d như sau:\n\n"+
		"1. Theo quy định hiện hành, hồ sơ đề nghị cấp giấy phép xây dựng nhà ở riêng lẻ gồm đơn đề nghị, "+
		"bản sao giấy tờ về quyền sử dụng đất và hai bộ bản vẽ thiết kế.\n"+
		"2. Hồ sơ được nộp trực tuyến trên Cổng dịch vụ công hoặc tại Bộ phận một cửa của Ủy ban nhân dân quận, huyện.\n"+
		"3. Thời hạn giải quyết là 15 ngày kể từ ngày nhận đủ hồ sơ hợp lệ.\n\n"+
		"Đề nghị ông/bà liên hệ Phòng Quản lý đô thị nơi có công trình để được hướng dẫn cụ thể.\n\n"+
		"Trân trọng.", k+1)
}

// qaSeeded is what the benchmark needs of the seeded store.
type qaSeeded struct {
	agency *accounts.Agency // the busiest agency, the one measured
	count  int              // questions now addressed to it
	mix    string           // its questions by status
	// targets are public questions accepted by agency and not yet
	// answered, set aside for the answer rounds.
	targets []string
}

// agencyNames are the seeded agencies, the busiest first.
var agencyNames = strings.Split("Sở Xây dựng|Sở Tài nguyên và Môi trường|Sở Giao thông vận tải|Công an thành phố|Sở Y tế|"+
	"Sở Giáo dục và Đào tạo|Sở Lao động - Thương binh và Xã hội|Cục Thuế thành phố|Bảo hiểm xã hội thành phố|Sở Kế hoạch và Đầu tư|"+
	"UBND quận Hải Châu|UBND quận Thanh Khê|UBND quận Sơn Trà|UBND quận Ngũ Hành Sơn|UBND quận Liên Chiểu|"+
	"UBND quận Cẩm Lệ|UBND huyện Hòa Vang|Sở Tư pháp|Sở Tài chính|Sở Công Thương|"+
	"Sở Nội vụ|Sở Nông nghiệp và Phát triển nông thôn|Sở Văn hóa và Thể thao|Sở Du lịch|Sở Thông tin và Truyền thông|"+
	"Sở Khoa học và Công nghệ|Ban Quản lý các Khu công nghiệp|Thanh tra thành phố|Văn phòng UBND thành phố|Sở Ngoại vụ", "|")

var qaFields = strings.Split("Xây dựng|Đất đai|Giao thông|Môi trường|Y tế|Giáo dục|Thuế|Đăng ký kinh doanh|Bảo hiểm|Hộ tịch", "|")

// qaRand is the seed's deterministic generator (xorshift).
type qaRand uint64

func (r *qaRand) intn(n int) int {
	*r ^= *r << 13
	*r ^= *r >> 7
	*r ^= *r << 17
	return int(uint64(*r) % uint64(n))
}

func (r *qaRand) chance(p float64) bool { return float64(r.intn(1_000_000)) < p*1_000_000 }

// between is a duration from lo to hi.
func (r *qaRand) between(lo, hi time.Duration) time.Duration {
	return lo + time.Duration(r.intn(int((hi-lo)/time.Minute)+1))*time.Minute
}

// seedQA fills dir's embedded store: the agencies (with three staff
// members each), 100 residents and the questions, created over the last
// 400 days and taken through the flow as the service would have by now.
func seedQA(ctx context.Context, dir string, nQuestions, nAgencies, nTargets int) (*qaSeeded, error) {
	db, err := sqlitestore.Open(ctx, dir, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, err
	}
	defer db.Close()
	now := time.Now().UTC().Truncate(time.Millisecond)
	acc := db.Accounts()
	user := func(email, name string) (string, error) {
		u := &accounts.User{ID: id.New(), Email: email, Name: name, Role: accounts.Resident, PasswordHash: "!", AuthVersion: 1, CreatedAt: now}
		return u.ID, acc.CreateUser(ctx, u)
	}
	var residents []string
	for i := range 100 {
		u, err := user(fmt.Sprintf("dan%d@example.vn", i), fmt.Sprintf("Người dân %d", i))
		if err != nil {
			return nil, err
		}
		residents = append(residents, u)
	}
	agencies := make([]*accounts.Agency, nAgencies)
	staff := make([][]string, nAgencies)
	for i := range agencies {
		name := fmt.Sprintf("Cơ quan %d", i+1)
		if i < len(agencyNames) {
			name = agencyNames[i]
		}
		agencies[i] = &accounts.Agency{ID: id.New(), Slug: fmt.Sprintf("co-quan-%02d", i+1), Name: i18n.Text{VI: name}, CreatedAt: now}
		if err := acc.CreateAgency(ctx, agencies[i]); err != nil {
			return nil, err
		}
		for j := range 3 {
			u, err := user(fmt.Sprintf("canbo%d.%d@example.vn", i, j), fmt.Sprintf("Cán bộ %d.%d", i, j))
			if err != nil {
				return nil, err
			}
			m := &accounts.Membership{AgencyID: agencies[i].ID, UserID: u, Title: "Chuyên viên", CreatedAt: now}
			if err := acc.PutMembership(ctx, m); err != nil {
				return nil, err
			}
			staff[i] = append(staff[i], u)
		}
	}
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh") // the server's default CIVICHUB_TIMEZONE
	if err != nil {
		loc = time.FixedZone("ICT", 7*3600)
	}
	cal, err := workdays.New(loc, nil, nil)
	if err != nil {
		return nil, err
	}
	g := &qaGen{rnd: 88172645463325252, now: now, cal: cal, agencies: agencies, staff: staff, residents: residents}
	// Agency i gets a share of the questions in proportion to 1/(i+5):
	// the first, measured, about a tenth.
	for i := range agencies {
		g.weights = append(g.weights, 1/float64(i+5))
	}
	qs := make([]*qa.Question, 0, nQuestions)
	for range nQuestions - nTargets {
		created := now.Add(-g.rnd.between(10*time.Minute, 400*24*time.Hour))
		q, err := g.question(created, g.agency())
		if err != nil {
			return nil, err
		}
		qs = append(qs, q)
	}
	targets := make([]*qa.Question, 0, nTargets)
	for range nTargets {
		q, err := g.target(agencies[0].ID)
		if err != nil {
			return nil, err
		}
		qs, targets = append(qs, q), append(targets, q)
	}
	// IDs in creation order, as the service would have given them.
	slices.SortFunc(qs, func(a, b *qa.Question) int { return a.CreatedAt.Compare(b.CreatedAt) })
	entropy := ulid.Monotonic(rand.Reader, 0)
	out := &qaSeeded{agency: agencies[0]}
	mix := map[qa.Status]int{}
	overdue := 0
	for _, q := range qs {
		q.ID = strings.ToLower(ulid.MustNew(ulid.Timestamp(q.CreatedAt), entropy).String())
		if q.AgencyID == agencies[0].ID {
			out.count++
			mix[q.Status]++
			if q.Status.Open() && !q.Deadline.IsZero() && q.Deadline.Before(now) {
				overdue++
			}
		}
	}
	for _, q := range targets {
		out.targets = append(out.targets, q.ID)
	}
	var parts []string
	for _, st := range qa.Statuses {
		parts = append(parts, fmt.Sprintf("%d %s", mix[st], st))
	}
	out.mix = strings.Join(parts, ", ") + fmt.Sprintf(" (%d overdue)", overdue)
	if err := db.QA().Import(ctx, qs); err != nil {
		return nil, err
	}
	return out, nil
}

// qaGen makes questions and takes them through the flow.
type qaGen struct {
	rnd       qaRand
	now       time.Time
	cal       *workdays.Calendar
	agencies  []*accounts.Agency
	weights   []float64
	staff     [][]string
	residents []string
}

func (g *qaGen) agency() int {
	var sum float64
	for _, w := range g.weights {
		sum += w
	}
	x := float64(g.rnd.intn(1_000_000)) / 1_000_000 * sum
	for i, w := range g.weights {
		if x -= w; x < 0 {
			return i
		}
	}
	return len(g.weights) - 1
}

func (g *qaGen) phrase() string {
	n := len(vocabulary)
	return vocabulary[g.rnd.intn(n)*g.rnd.intn(n)/n]
}

func (g *qaGen) sentence(n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = g.phrase()
	}
	return strings.Join(ws, " ")
}

// submit makes a question submitted to agency at created.
func (g *qaGen) submit(created time.Time, agency int) (*qa.Question, error) {
	asker := g.residents[g.rnd.intn(len(g.residents))]
	body := fmt.Sprintf("Kính gửi **%s**,\n\nTôi là người dân ở %s. %s?\n\n- %s\n- %s\n\nXin cảm ơn.",
		g.agencies[agency].Name.VI, g.phrase(), g.sentence(10+g.rnd.intn(20)), g.sentence(5), g.sentence(5))
	html, err := markup.Render(body)
	if err != nil {
		return nil, err
	}
	ag := g.agencies[agency].ID
	q := &qa.Question{AgencyID: ag, AskerID: asker, Title: "Hỏi về " + g.sentence(2+g.rnd.intn(4)), Body: body, BodyHTML: html,
		Sanitizer: markup.Version, Private: g.rnd.chance(0.08), Status: qa.Submitted, CreatedAt: created,
		History: []qa.Change{{At: created, ActorID: asker, Action: "submitted", ToStatus: qa.Submitted, ToAgency: ag}},
		Legs:    []qa.Leg{{AgencyID: ag, StartedAt: created}}}
	if g.rnd.chance(0.6) {
		q.Field = qaFields[(agency+g.rnd.intn(2))%len(qaFields)]
	}
	if g.rnd.chance(0.3) {
		q.Contact = qa.Contact{Name: "Người dân", Phone: fmt.Sprintf("0905 %03d %03d", g.rnd.intn(1000), g.rnd.intn(1000))}
	}
	return q, nil
}

// flow is one question's way through the service, step by step; a step
// after now does not happen (yet).
type flow struct {
	g      *qaGen
	q      *qa.Question
	agency int
	at     time.Time
}

func (f *flow) staffMember() string { s := f.g.staff[f.agency]; return s[f.g.rnd.intn(len(s))] }

// step moves the clock by d and reports whether that is still in the past.
func (f *flow) step(d time.Duration) bool {
	f.at = f.at.Add(d)
	return !f.at.After(f.g.now)
}

func (f *flow) record(c qa.Change) {
	c.At = f.at
	if c.ActorID == "" {
		c.ActorID = f.staffMember()
	}
	f.q.History = append(f.q.History, c)
	f.q.UpdatedAt = f.at
}

func (f *flow) startClock() {
	q := f.q
	q.AcceptedAt, q.Deadline = f.at, f.g.cal.Deadline(f.at, 5).UTC()
	leg := &q.Legs[len(q.Legs)-1]
	leg.ClockAt, leg.Deadline = q.AcceptedAt, q.Deadline
}

func (f *flow) endLeg(o qa.Outcome) {
	leg := &f.q.Legs[len(f.q.Legs)-1]
	leg.Outcome, leg.EndedAt = o, f.at
}

func (f *flow) accept() {
	f.record(qa.Change{Action: string(qa.Accepted), FromStatus: qa.Submitted, ToStatus: qa.Accepted})
	f.q.Status = qa.Accepted
	f.startClock()
}

// forward passes the question to another agency, as ForwardQuestion does:
// an accepted one arrives accepted and the new agency's clock starts.
func (f *flow) forward() {
	q := f.q
	to := f.agency
	for to == f.agency {
		to = f.g.agency()
	}
	c := qa.Change{ActorID: f.staffMember(), Action: "forwarded", FromStatus: q.Status, FromAgency: q.AgencyID,
		ToAgency: f.g.agencies[to].ID, Reason: "Nội dung câu hỏi thuộc thẩm quyền giải quyết của cơ quan khác"}
	f.endLeg(qa.LegForwarded)
	f.agency = to
	q.Legs = append(q.Legs, qa.Leg{AgencyID: c.ToAgency, StartedAt: f.at})
	q.AgencyID, q.AssigneeID = c.ToAgency, ""
	q.AcceptedAt, q.Deadline = time.Time{}, time.Time{}
	if q.Status != qa.Submitted {
		q.Status = qa.Accepted
		f.startClock()
	}
	c.ToStatus = q.Status
	f.record(c)
}

// question makes a question created at created and takes it as far along
// the flow as it would have got by now: most are answered (four in five on
// time) and many then closed; some are rejected at triage, some forwarded
// (at triage or after acceptance), a few never answered (overdue).
func (g *qaGen) question(created time.Time, agency int) (*qa.Question, error) {
	q, err := g.submit(created, agency)
	if err != nil {
		return nil, err
	}
	f := &flow{g: g, q: q, agency: agency, at: created}
	defer f.finish()
	triage := func() time.Duration { return g.rnd.between(30*time.Minute, 50*time.Hour) }
	if !f.step(triage()) {
		return q, nil
	}
	switch r := g.rnd.intn(100); {
	case r < 4:
		q.Status, q.RejectReason = qa.Rejected, "Câu hỏi không thuộc phạm vi hỏi đáp trực tuyến"
		f.endLeg(qa.LegRejected)
		f.record(qa.Change{Action: string(qa.Rejected), FromStatus: qa.Submitted, ToStatus: qa.Rejected, Reason: q.RejectReason})
		return q, nil
	case r < 7:
		f.forward()
		if !f.step(triage()) {
			return q, nil
		}
	}
	f.accept()
	if g.rnd.chance(0.04) {
		if !f.step(g.rnd.between(time.Hour, 48*time.Hour)) {
			return q, nil
		}
		f.forward()
	}
	if g.rnd.chance(0.5) {
		if !f.step(g.rnd.between(10*time.Minute, 24*time.Hour)) {
			return q, nil
		}
		q.Status, q.AssigneeID = qa.Assigned, f.staffMember()
		f.record(qa.Change{Action: string(qa.Assigned), FromStatus: qa.Accepted, ToStatus: qa.Assigned, AssigneeID: q.AssigneeID})
	}
	if g.rnd.chance(0.015) {
		return q, nil // never answered: overdue once its deadline passed
	}
	due := q.Deadline
	if g.rnd.chance(0.8) {
		due = q.AcceptedAt.Add(g.rnd.between(2*time.Hour, max(3*time.Hour, q.Deadline.Sub(q.AcceptedAt)*9/10)))
	} else {
		due = due.Add(g.rnd.between(time.Hour, 8*24*time.Hour))
	}
	if !f.step(max(30*time.Minute, due.Sub(f.at))) {
		return q, nil
	}
	author := f.staffMember()
	if q.AssigneeID != "" {
		author = q.AssigneeID
	}
	f.endLeg(qa.LegAnswered)
	f.record(qa.Change{ActorID: author, Action: string(qa.Answered), FromStatus: q.Status, ToStatus: qa.Answered})
	q.Status, q.AnsweredAt, q.AssigneeID = qa.Answered, f.at, author
	if g.rnd.chance(0.6) && f.step(g.rnd.between(time.Hour, 14*24*time.Hour)) {
		f.record(qa.Change{ActorID: q.AskerID, Action: string(qa.Closed), FromStatus: qa.Answered, ToStatus: qa.Closed})
		q.Status, q.ClosedAt = qa.Closed, f.at
	}
	return q, nil
}

// finish sets what follows from the question's state: listed and its
// search tokens, and an overdue one as already told to its agency (so the
// server's first overdue pass has nothing to do during the measurements).
func (f *flow) finish() {
	q := f.q
	if q.UpdatedAt.IsZero() {
		q.UpdatedAt = q.CreatedAt
	}
	q.Listed = !q.Private && q.Status != qa.Submitted && q.Status != qa.Rejected
	if q.Listed {
		ts := fold.Tokens(q.Title + "\n" + q.Body + "\n")
		slices.Sort(ts)
		q.Tokens = slices.Compact(ts)
	}
	q.OverdueNotified = q.Status.Open() && !q.Deadline.IsZero() && q.Deadline.Before(f.g.now)
}

// target makes a public question of agency, submitted in the last two
// days and accepted since, to be answered during the runs.
func (g *qaGen) target(agencyID string) (*qa.Question, error) {
	i := slices.IndexFunc(g.agencies, func(a *accounts.Agency) bool { return a.ID == agencyID })
	created := g.now.Add(-g.rnd.between(24*time.Hour, 48*time.Hour))
	q, err := g.submit(created, i)
	if err != nil {
		return nil, err
	}
	q.Private = false
	f := &flow{g: g, q: q, agency: i, at: created}
	f.step(g.rnd.between(time.Hour, 20*time.Hour))
	f.accept()
	f.finish()
	return q, nil
}
