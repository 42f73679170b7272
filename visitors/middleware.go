package visitors

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
)

// visitTimeout bounds how long counting may delay a page when Redis is slow.
const visitTimeout = time.Second

// errorLogEvery limits counting errors in the log to one per interval, so
// that a Redis outage does not log one line per page view.
const errorLogEvery = 10 * time.Second

// MiddlewareOptions tune Middleware. The zero value gives the defaults.
type MiddlewareOptions struct {
	// Skip reports requests that are not page views. Default NotPage.
	Skip func(*http.Request) bool
	// Now tells the time of a request; default time.Now.
	Now func() time.Time
	// Counted, if set, is called after each counted visit, for example to
	// mark the site:online topic changed. It must not block.
	Counted func()
}

// NotPage reports whether r is not a page view: the JSON API (/api/),
// static files (/static/), the WebSocket (/ws) and the probes (/healthz,
// /readyz, /metrics). It is the default MiddlewareOptions.Skip.
func NotPage(r *http.Request) bool {
	p := r.URL.Path
	switch p {
	case "/ws", "/healthz", "/readyz", "/metrics":
		return true
	}
	return strings.HasPrefix(p, "/api/") || strings.HasPrefix(p, "/static/") || strings.HasPrefix(p, "/ws/")
}

// Middleware counts a visit for each page view of a person: a GET or HEAD
// request that opts.Skip does not skip, whose User-Agent is not a bot's
// (IsBot), from the visitor that the cookie middleware (Signer.Middleware)
// identified, so it must run inside that middleware. It counts before the
// page is served, so the page shows its own visit. Counting errors are
// logged (at most one line per 10 s) and never fail the request; counting
// waits at most one second. The handler is safe for concurrent use.
func Middleware(counter Counter, logger *slog.Logger, opts MiddlewareOptions) func(http.Handler) http.Handler {
	if opts.Skip == nil {
		opts.Skip = NotPage
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	lim := &logLimiter{}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if (r.Method == http.MethodGet || r.Method == http.MethodHead) && !opts.Skip(r) &&
				!IsBot(r.UserAgent()) {
				if id := From(r.Context()).ID; id != "" {
					countVisit(r.Context(), counter, id, opts, logger, lim)
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

func countVisit(ctx context.Context, c Counter, id string, opts MiddlewareOptions, logger *slog.Logger, lim *logLimiter) {
	// A visitor who closes the tab mid-request has still visited.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), visitTimeout)
	defer cancel()
	now := opts.Now()
	counted, err := c.Visit(ctx, id, now)
	if err != nil {
		if n, ok := lim.allow(now); ok {
			logger.Warn("visit not counted", "err", err, "suppressed", n)
		}
		return
	}
	if counted && opts.Counted != nil {
		opts.Counted()
	}
}

// logLimiter lets one log line through per errorLogEvery and counts the
// others. It is safe for concurrent use.
type logLimiter struct {
	mu         sync.Mutex
	last       time.Time
	suppressed int
}

// allow reports whether to log now, and how many lines were suppressed since
// the last one.
func (l *logLimiter) allow(now time.Time) (int, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.last.IsZero() && now.Sub(l.last) >= 0 && now.Sub(l.last) < errorLogEvery {
		l.suppressed++
		return 0, false
	}
	n := l.suppressed
	l.last, l.suppressed = now, 0
	return n, true
}
