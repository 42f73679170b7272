package visitors_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/civichub/civichub/visitors"
)

const chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"

// site is the cookie middleware around the visit middleware around a
// handler that shows the total, as a page would.
func site(t *testing.T, c visitors.Counter, counted *atomic.Int64, logger *slog.Logger) (http.Handler, *visitors.Signer) {
	t.Helper()
	signer := visitors.NewSigner(visitors.NewKey(), false)
	now := base
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		total, _, _ := c.Totals(r.Context(), now)
		w.Header().Set("X-Visits", strconv.FormatInt(total, 10))
	})
	mw := visitors.Middleware(c, logger, visitors.MiddlewareOptions{
		Now:     func() time.Time { return now },
		Counted: func() { counted.Add(1) },
	})
	return signer.Middleware(func(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/static/") })(mw(page)), signer
}

func TestMiddleware(t *testing.T) {
	c := visitors.NewMemoryCounter(hcm, visitors.Options{})
	var counted atomic.Int64
	h, signer := site(t, c, &counted, nil)
	_, cookie := signer.Issue()
	tests := []struct {
		name, method, path, ua string
		cookie                 bool
		want                   bool
	}{
		{"first page view", "GET", "/", chrome, true, true},
		{"second page view, same visit", "GET", "/forum", chrome, true, false},
		{"new visitor without cookie", "GET", "/", chrome, false, true},
		{"HEAD of a new visitor", "HEAD", "/", chrome, false, true},
		{"POST", "POST", "/login", chrome, false, false},
		{"API", "GET", "/api/v1/online", chrome, false, false},
		{"static file", "GET", "/static/app.css", chrome, false, false},
		{"WebSocket", "GET", "/ws", chrome, false, false},
		{"health probe", "GET", "/healthz", chrome, false, false},
		{"metrics", "GET", "/metrics", chrome, false, false},
		{"Googlebot", "GET", "/", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", false, false},
		{"coccocbot", "GET", "/", "Mozilla/5.0 (compatible; coccocbot-web/1.0; +http://help.coccoc.com/searchengine)", false, false},
		{"no User-Agent", "GET", "/", "", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := counted.Load()
			r := httptest.NewRequest(tc.method, tc.path, nil)
			r.Header.Set("User-Agent", tc.ua)
			if tc.cookie {
				r.AddCookie(&http.Cookie{Name: signer.CookieName(), Value: cookie})
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if got := counted.Load() > before; got != tc.want {
				t.Errorf("%s %s (%s) counted = %v, want %v", tc.method, tc.path, tc.name, got, tc.want)
			}
			if want := strconv.FormatInt(counted.Load(), 10); tc.want && w.Header().Get("X-Visits") != want {
				t.Errorf("page showed %s visits, want %s, its own included", w.Header().Get("X-Visits"), want)
			}
		})
	}
	if total, _ := mustTotals(t, c, base); total != 3 {
		t.Errorf("total = %d, want 3", total)
	}
}

// TestMiddlewareNeedsVisitor checks that a request the cookie middleware did
// not see (a wiring mistake) is served and not counted.
func TestMiddlewareNeedsVisitor(t *testing.T) {
	c := visitors.NewMemoryCounter(hcm, visitors.Options{})
	h := visitors.Middleware(c, nil, visitors.MiddlewareOptions{})(http.NotFoundHandler())
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("User-Agent", chrome)
	h.ServeHTTP(httptest.NewRecorder(), r)
	if total, _ := mustTotals(t, c, time.Now()); total != 0 {
		t.Errorf("total = %d, want 0", total)
	}
}

// TestMiddlewareCounterDown checks that a failing counter never fails the
// page, and is logged once rather than once per request.
func TestMiddlewareCounterDown(t *testing.T) {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 100 * time.Millisecond})
	client.Close()
	var log bytes.Buffer
	var counted atomic.Int64
	h, _ := site(t, visitors.NewRedisCounter(client, hcm, visitors.Options{}), &counted,
		slog.New(slog.NewTextHandler(&log, nil)))
	for range 3 {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("User-Agent", chrome)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			t.Errorf("status with the counter down = %d, want 200", w.Code)
		}
	}
	if n := strings.Count(log.String(), "visit not counted"); n != 1 {
		t.Errorf("logged %d counting errors for 3 requests within 10 s, want 1:\n%s", n, log.String())
	}
	if counted.Load() != 0 {
		t.Errorf("Counted called %d times with the counter down", counted.Load())
	}
}
