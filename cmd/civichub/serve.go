package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/apperr"
	"github.com/civichub/civichub/hub"
	"github.com/civichub/civichub/i18n"
	"github.com/civichub/civichub/polls"
	"github.com/civichub/civichub/visitors"
	"github.com/civichub/civichub/web"
)

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	start := time.Now()
	fs := flag.NewFlagSet("civichub serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	demo := fs.Bool("demo", false, "Load demo agencies and users (once) and print their credentials.")
	cfg, err := loadConfig(fs, args, getenv)
	if err != nil {
		return err
	}
	logger := newLogger(cfg, stderr)
	// Listen first, so that the site's origin is known when CIVICHUB_ADDR
	// has port 0; requests wait in the backlog until Serve below.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s (CIVICHUB_ADDR): %w", cfg.Addr, err)
	}
	defer ln.Close()
	cfg.Listening(ln.Addr().String())
	a, err := newApp(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer a.close()
	logger.Info("civichub starting", "store", a.store.name, "broker", a.brokerName(), "base_url", cfg.BaseURL.String(), "lang", cfg.Lang)

	if *demo {
		if err := loadDemo(ctx, a, stdout); err != nil {
			return fmt.Errorf("demo content: %w", err)
		}
	}
	handler, live, err := a.handler(ctx)
	if err != nil {
		return err
	}
	if *demo {
		// Questions go through the Q&A service, which exists once the
		// handler is built.
		if err := loadDemoQA(ctx, a); err != nil {
			return fmt.Errorf("demo content: %w", err)
		}
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	// The visit counter starts from the stored total and is written through
	// to the store until the server stops; its last flush runs before the
	// store closes (deferred above).
	persister := visitors.NewPersister(a.visits, a.store.visitors, logger, visitors.PersisterOptions{})
	if err := persister.Flush(ctx); err != nil {
		logger.Warn("visit counter: first flush", "err", err)
	}
	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	var workers sync.WaitGroup
	workers.Go(func() { persister.Run(bg) })
	workers.Go(func() { a.sweepSessions(bg) })
	// Tallies are recounted from the ballots at every start; then the vote
	// writer and the poll schedule run until shutdown.
	if n, err := polls.RebuildAll(ctx, a.store.polls); err != nil {
		logger.Warn("poll tallies: rebuild at start", "err", err)
	} else if n > 0 {
		logger.Info("poll tallies rebuilt from ballots", "polls", n)
	}
	workers.Go(func() { a.polls.Run(bg) })
	// Posts rendered by an older sanitizer are rendered again.
	workers.Go(func() {
		if n, err := a.forum.RenderStale(bg); err != nil {
			logger.Warn("forum: render stale posts", "err", err)
		} else if n > 0 {
			logger.Info("forum: posts rendered again by the current sanitizer", "posts", n)
		}
	})
	// Agencies hear of questions whose deadline passed.
	workers.Go(func() { a.qa.Run(bg, 30*time.Second) })
	// Sockets of a user whose sessions changed (logout, role change, on any
	// node or by civichub admin) close within about a second.
	workers.Go(func() {
		a.accounts.WatchRevocations(bg, time.Second, func(ctx context.Context, userID string) {
			if err := live.CloseUserSessions(ctx, userID); err != nil {
				logger.Warn("close revoked sockets", "user", userID, "err", err)
			}
		})
	})
	defer func() { stopBG(); workers.Wait() }()
	if cfg.DebugAddr != "" {
		stopDebug, err := serveDebug(cfg.DebugAddr, logger)
		if err != nil {
			return err
		}
		defer stopDebug()
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	logger.Info("civichub listening", "addr", ln.Addr().String(), "startup", time.Since(start).Round(time.Millisecond).String())

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down", "timeout", cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	// The server stops accepting and waits for requests; the sockets it
	// handed to the hub are closed by the hub, with 1001 so that clients
	// reconnect to another node.
	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(sctx) }()
	if err := live.Shutdown(sctx); err != nil {
		logger.Warn("hub shutdown", "err", err)
	}
	if err := <-shut; err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	logger.Info("stopped")
	return nil
}

// handler builds the whole HTTP surface: routes and the middleware every
// request passes through, outermost first. It returns the hub too, which the
// caller shuts down.
func (a *app) handler(ctx context.Context) (http.Handler, *hub.Hub, error) {
	cfg, logger := a.cfg, a.logger
	key, err := a.store.accounts.Secret(ctx, "visitor-cookie", visitors.NewKey)
	if err != nil {
		return nil, nil, fmt.Errorf("visitor key: %w", err)
	}
	signer := visitors.NewSigner(key, cfg.Secure())
	cookies := accounts.Cookies{Secure: cfg.Secure(), TTL: cfg.SessionTTL}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		web.JSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if err := a.ready(r.Context()); err != nil {
			logger.Warn("not ready", "err", err)
			web.Error(w, r, logger, apperr.New(apperr.Unavailable, "unavailable"))
			return
		}
		web.JSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	accounts.NewHandler(a.accounts, cookies, logger).Routes(mux)
	mux.Handle("/api/", web.APINotFound(mux, logger))
	live, err := a.newHub(reg)
	if err != nil {
		return nil, nil, err
	}
	board := visitors.NewBoard(live, a.visits, logger)
	a.liveOnline(live, board, mux)
	a.livePolls(live, mux)
	a.liveForum(live, mux)
	if err := a.liveQA(live, mux); err != nil {
		return nil, nil, err
	}
	mux.Handle("GET /ws", live)
	if cfg.BenchPublish {
		mux.Handle("POST /debug/publish", a.benchPublish(live))
		logger.Warn("CIVICHUB_BENCH_PUBLISH is on: POST /debug/publish is open to loopback clients")
	}
	if err := a.pages(mux, cookies, board); err != nil {
		return nil, nil, err
	}

	// Unsafe requests must come from our own origin. Portals in
	// CIVICHUB_ALLOWED_ORIGINS frame our widgets, but a widget's requests come
	// from our origin inside the frame, so no other origin is trusted here.
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		web.Error(w, r, logger, apperr.New(apperr.Forbidden, "cross_origin"))
	}))
	skipVisitor := func(r *http.Request) bool {
		p := r.URL.Path
		return strings.HasPrefix(p, "/static/") || p == "/healthz" || p == "/readyz" || p == "/metrics"
	}
	return web.Chain(web.NewMetrics(reg).Wrap(mux),
		func(h http.Handler) http.Handler { return i18n.Middleware(cfg.Lang, h) },
		web.Recover(logger),
		web.SecurityHeaders,
		web.RealIP(cfg.TrustedProxies),
		web.BodyLimit(cfg.MaxBodyBytes),
		cop.Handler,
		signer.Middleware(skipVisitor),
		visitors.Middleware(a.visits, logger, visitors.MiddlewareOptions{Counted: func() { live.Changed("site:online") }}),
		accounts.Middleware(a.accounts, cookies, logger),
	), live, nil
}

// sweepSessions deletes expired sessions every hour until ctx ends.
func (a *app) sweepSessions(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := a.accounts.SweepSessions(ctx); err != nil {
				a.logger.Warn("sweep sessions", "err", err)
			} else if n > 0 {
				a.logger.Info("expired sessions removed", "count", n)
			}
		}
	}
}

// serveDebug serves Go's profiler on its own listener (CIVICHUB_DEBUG_ADDR),
// never on the public one.
func serveDebug(addr string, logger *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s (CIVICHUB_DEBUG_ADDR): %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	logger.Warn("profiler listening: keep CIVICHUB_DEBUG_ADDR private", "addr", ln.Addr().String())
	return func() { srv.Close() }, nil
}
