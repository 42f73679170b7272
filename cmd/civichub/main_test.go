package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"sync"
	"testing"
	"time"
)

// testServer is civichub started with run() on 127.0.0.1:0, as a client
// would find it.
type testServer struct {
	URL    string
	stdout *syncBuffer // what run printed for the operator
	logs   *syncBuffer // the JSON log lines
	stop   func() error
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testEnv is the environment every test server starts with: a fresh data
// folder, JSON logs, and the limits the tests depend on set explicitly.
func testEnv(t *testing.T, extra map[string]string) map[string]string {
	env := map[string]string{
		"CIVICHUB_ADDR":               "127.0.0.1:0",
		"CIVICHUB_DATA_DIR":           t.TempDir(),
		"CIVICHUB_LOG_FORMAT":         "json",
		"CIVICHUB_HASH_CONCURRENCY":   "2",
		"CIVICHUB_RATE_LOGIN_IP":      "1000/1m",
		"CIVICHUB_RATE_LOGIN_ACCOUNT": "1000/1m",
		"CIVICHUB_RATE_REGISTER_IP":   "1000/1m",
		"CIVICHUB_MAX_BODY_BYTES":     "65536",
	}
	for k, v := range extra {
		env[k] = v
	}
	return env
}

// startServer runs the server until the test ends.
func startServer(t *testing.T, env map[string]string, args ...string) *testServer {
	t.Helper()
	ctx, cancel := context.Background(), func() {}
	ctx, cancel = context.WithCancel(ctx)
	pr, pw := io.Pipe()
	stdout, logs := &syncBuffer{}, &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve"}, args...), func(k string) string { return env[k] }, stdout, pw)
		pw.Close()
	}()
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			var line struct {
				Msg  string `json:"msg"`
				Addr string `json:"addr"`
			}
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "civichub listening" {
				addr <- line.Addr
			}
			logs.Write(append(sc.Bytes(), '\n'))
			if testing.Verbose() {
				t.Log(sc.Text())
			}
		}
		io.Copy(io.Discard, pr)
	}()
	var ts *testServer
	select {
	case a := <-addr:
		ts = &testServer{URL: "http://" + a, stdout: stdout, logs: logs}
	case err := <-done:
		cancel()
		t.Fatalf("run() = %v before listening", err)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("server did not start within 30 s")
	}
	var once sync.Once
	var stopErr error
	ts.stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case stopErr = <-done:
			case <-time.After(20 * time.Second):
				t.Error("run() did not return within 20 s of cancel")
			}
		})
		return stopErr
	}
	t.Cleanup(func() {
		if err := ts.stop(); err != nil {
			t.Errorf("run() at shutdown = %v, want nil", err)
		}
	})
	return ts
}

// client is a browser-like API client with its own cookie jar.
type client struct {
	t    *testing.T
	base string
	hc   *http.Client
}

func newClient(t *testing.T, base string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: base, hc: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// apiError is the error body every API error has.
type apiError struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
	} `json:"error"`
}

func (r response) errorCode() string {
	var e apiError
	_ = json.Unmarshal(r.Body, &e)
	return e.Error.Code
}

func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// do sends a request; body may be a string (sent as is) or a value (sent as
// JSON). Headers come in pairs.
func (c *client) do(method, path string, body any, headers ...string) response {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, Header: res.Header, Body: b}
}
