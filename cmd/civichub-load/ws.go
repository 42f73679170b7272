package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"time"
)

// wsOptions are the ws command's settings.
type wsOptions struct {
	bin        string   // start this server binary for each run, or
	url        string   // use the server already running here
	pid        int      // and read its /proc figures (0: none)
	publishURL string   // POST ?topic=&type= with the JSON body as event data
	env        []string // extra environment for a started server
	origin     string

	conns     int
	perWorker int
	perIP     int
	firstIP   string
	dialers   int
	topics    []string
	polls     int
	broadcast string

	messages int
	interval time.Duration
	settle   time.Duration
	drain    time.Duration
	runs     int
	timeout  time.Duration
}

// wsBench opens N WebSocket clients across worker processes and source
// addresses, subscribes them, publishes M messages and reports the server's
// memory, CPU and the publish-to-last-delivery latency; see usage.
func wsBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ws", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o wsOptions
	var env, topics string
	fs.StringVar(&o.bin, "bin", "", "civichub binary to start for each run (with CIVICHUB_BENCH_PUBLISH=on)")
	fs.StringVar(&o.url, "url", "", "base URL of a server already running (instead of --bin)")
	fs.IntVar(&o.pid, "pid", 0, "with --url: the server's process id, for its RSS and CPU from /proc")
	fs.StringVar(&o.publishURL, "publish-url", "", "publish endpoint (default BASE/debug/publish)")
	fs.StringVar(&env, "env", "", "extra VAR=value settings for a started server, comma-separated")
	fs.StringVar(&o.origin, "origin", "", "Origin header (default the base URL)")
	fs.IntVar(&o.conns, "conns", 1000, "WebSocket clients")
	fs.IntVar(&o.perWorker, "per-worker", 5000, "clients per worker process (each process may open at most 20,000 files)")
	fs.IntVar(&o.perIP, "per-ip", 50, "clients per source address (the server allows 50 by default)")
	fs.StringVar(&o.firstIP, "first-ip", "127.0.0.2", "first source address; the next ones follow it in 127.0.0.0/8")
	fs.IntVar(&o.dialers, "dialers", 16, "dials in flight per worker")
	fs.StringVar(&topics, "topics", "site:online,poll:*", "topics every client subscribes to besides --topic; poll:* is one of --polls poll ids")
	fs.IntVar(&o.polls, "polls", 100, "distinct poll topics the clients spread over")
	fs.StringVar(&o.broadcast, "topic", "feed:answers", "event topic every client subscribes to and the messages are published on")
	fs.IntVar(&o.messages, "messages", 20, "messages published per run")
	fs.DurationVar(&o.interval, "interval", time.Second, "time between publishes")
	fs.DurationVar(&o.settle, "settle", 3*time.Second, "wait after the clients are subscribed before reading the server's RSS")
	fs.DurationVar(&o.drain, "drain", 15*time.Second, "wait for the last deliveries after the last publish")
	fs.IntVar(&o.runs, "runs", 3, "runs (each on a fresh server with --bin)")
	fs.DurationVar(&o.timeout, "timeout", 20*time.Minute, "bound on the whole command")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if (o.bin == "") == (o.url == "") {
		return errors.New("ws: give exactly one of --bin and --url")
	}
	if o.conns < 1 || o.perWorker < 1 || o.perIP < 1 || o.messages < 1 || o.runs < 1 || o.dialers < 1 {
		return errors.New("ws: --conns, --per-worker, --per-ip, --messages, --runs and --dialers must be positive")
	}
	if o.messages > 10_000 || o.runs > 100 || o.perWorker > 19_000 {
		return errors.New("ws: at most 10,000 --messages, 100 --runs and 19,000 --per-worker")
	}
	if _, err := netipFrom(o.firstIP); err != nil {
		return fmt.Errorf("ws: --first-ip: %w", err)
	}
	if _, err := sourceAddr(mustAddr(o.firstIP), (o.conns-1)/o.perIP); err != nil {
		return fmt.Errorf("ws: %w", err)
	}
	for _, t := range strings.Split(topics, ",") {
		// poll:* means nothing with --polls 0: the clients then skip it.
		if t = strings.TrimSpace(t); t != "" && t != o.broadcast && (t != "poll:*" || o.polls > 0) {
			o.topics = append(o.topics, t)
		}
	}
	if env != "" {
		o.env = strings.Split(env, ",")
	}
	if o.url != "" {
		if _, err := url.Parse(o.url); err != nil {
			return fmt.Errorf("ws: --url: %w", err)
		}
		o.url = strings.TrimRight(o.url, "/")
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()

	var results []*wsRun
	for i := range o.runs {
		r, err := runWS(ctx, o, stderr)
		if err != nil {
			return fmt.Errorf("run %d: %w", i+1, err)
		}
		results = append(results, r)
		fmt.Fprintf(stdout, "run %d: %s\n", i+1, r)
	}
	fmt.Fprint(stdout, summarizeWS(o, results))
	return nil
}

func mustAddr(s string) netip.Addr {
	a, err := netipFrom(s)
	if err != nil {
		a, _ = netipFrom("127.0.0.2")
	}
	return a
}

// pollIDs returns n fixed, valid, distinct poll ids (26-character ULIDs).
func pollIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("01jd8gt3vz0gp4kka2jb%06d", i)
	}
	return ids
}

// startedServer starts o.bin for one run, with the publish endpoint on and
// room for the clients, and returns it ready.
func startedServer(ctx context.Context, o wsOptions) (*server, string, error) {
	dir, err := os.MkdirTemp("", "civichub-ws-*")
	if err != nil {
		return nil, "", err
	}
	env := append([]string{"CIVICHUB_BENCH_PUBLISH=on"}, o.env...)
	srv, err := startServer(o.bin, dir, env)
	if err != nil {
		os.RemoveAll(dir)
		return nil, "", err
	}
	if _, err := srv.waitReady(ctx, 20*time.Millisecond, 30*time.Second); err != nil {
		srv.stop()
		os.RemoveAll(dir)
		return nil, "", err
	}
	return srv, dir, nil
}
