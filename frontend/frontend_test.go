package frontend_test

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/forum"
	"github.com/civichub/civichub/frontend"
	"github.com/civichub/civichub/i18n"
	"github.com/civichub/civichub/polls"
	"github.com/civichub/civichub/qa"
	"github.com/civichub/civichub/ratelimit"
	"github.com/civichub/civichub/sqlitestore"
	"github.com/civichub/civichub/visitors"
	"github.com/civichub/civichub/web"
)

var ctx = context.Background()

// testHash is argon2id cheap enough for tests.
var testHash = &argon2id.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// harness is a site served like the real server serves it: a real SQLite
// store, the accounts service, and the middleware the server applies before
// the frontend's handlers.
type harness struct {
	t    *testing.T
	url  string
	db   *sqlitestore.DB
	svc  *accounts.Service
	logs *syncBuffer
	// polls is the polls service when config.polls is set.
	polls *polls.Service
	// forum is the forum service when config.forum is set; events records
	// what it published.
	forum  *forum.Service
	events *events
	// qa is the Q&A service when config.qa is set (which implies the
	// forum: its watched words and search serve the Q&A too).
	qa *qa.Service
}

type config struct {
	online func(context.Context) (visitors.Online, error)
	limits accounts.Limits
	secure bool
	// polls serves the poll pages, with the visitor cookie middleware
	// that guests' votes need, in time zone tz (default UTC), with the
	// widget allowed in frames of origins.
	polls   bool
	tz      *time.Location
	origins []string
	// forum serves the forum's pages with posts pageSize to a thread page
	// (default 50).
	forum    bool
	pageSize int
	// qa serves the Q&A pages.
	qa bool
}

func newHarness(t *testing.T, cfgs ...config) *harness {
	t.Helper()
	var cfg config
	if len(cfgs) > 0 {
		cfg = cfgs[0]
	}
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	db, err := sqlitestore.Open(ctx, t.TempDir(), logger)
	if err != nil {
		t.Fatalf("sqlitestore.Open = %v", err)
	}
	t.Cleanup(func() { db.Close() })
	svc := accounts.NewService(db.Accounts(), accounts.NewHasher(2, testHash), ratelimit.NewMemory(),
		accounts.Options{Limits: cfg.limits}, logger)
	cookies := accounts.Cookies{Secure: cfg.secure, TTL: time.Hour}
	opts := frontend.Options{Accounts: svc, Cookies: cookies, Secure: cfg.secure, Logger: logger, Online: cfg.online,
		Timezone: cfg.tz, AllowedOrigins: cfg.origins, Origin: "https://congdan.example.gov.vn"}
	mw := []func(http.Handler) http.Handler{
		web.SecurityHeaders,
		func(h http.Handler) http.Handler { return i18n.Middleware(i18n.VI, h) },
		accounts.Middleware(svc, cookies, logger),
		http.NewCrossOriginProtection().Handler,
	}
	h := &harness{t: t, db: db, svc: svc, logs: logs}
	if cfg.polls {
		h.polls = polls.NewService(db.Polls(), db.Accounts(), nopNotifier{}, ratelimit.NewMemory(), polls.Options{}, logger)
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			h.polls.Run(runCtx)
		}()
		t.Cleanup(func() { stop(); <-done })
		opts.Polls = h.polls
		signer := visitors.NewSigner(visitors.NewKey(), cfg.secure)
		mw = append(mw, signer.Middleware(func(*http.Request) bool { return false }))
	}
	if cfg.forum || cfg.qa {
		h.events = &events{}
		h.forum = forum.NewService(db.Forum(), db.Accounts(), svc, h.events, ratelimit.NewMemory(),
			forum.Options{FlagThreshold: 2, PageSize: cfg.pageSize}, logger)
		opts.Forum = h.forum
	}
	if cfg.qa {
		h.qa = qa.NewService(db.QA(), db.Accounts(), h.forum, h.events, ratelimit.NewMemory(), qa.Options{}, logger)
		h.forum.SetMoreSearch(func(ctx context.Context, tokens []string, after string, limit int) ([]*forum.SearchHit, error) {
			hits, err := h.qa.Search(ctx, tokens, after, limit)
			out := make([]*forum.SearchHit, 0, len(hits))
			for _, x := range hits {
				out = append(out, &forum.SearchHit{Tier: 2, Kind: "question", QuestionID: x.QuestionID, Title: x.Title, Excerpt: x.Excerpt, At: x.At})
			}
			return out, err
		})
		opts.QA = h.qa
	}
	fe, err := frontend.New(opts)
	if err != nil {
		t.Fatalf("frontend.New = %v", err)
	}
	mux := http.NewServeMux()
	fe.Routes(mux)
	srv := httptest.NewServer(web.Chain(mux, mw...))
	t.Cleanup(srv.Close)
	h.url = srv.URL
	return h
}

// nopNotifier stands in for the hub, which these tests of rendered pages
// do not need: the live updates are tested end to end (cmd/civichub, e2e).
type nopNotifier struct{}

func (nopNotifier) Changed(string)                              {}
func (nopNotifier) Revalidate(context.Context, ...string) error { return nil }

// user creates a user with role and returns it; its password is "password-1".
func (h *harness) user(role accounts.Role, email, name string) *accounts.User {
	h.t.Helper()
	u, err := h.svc.CreateUser(ctx, accounts.System, accounts.NewUser{Email: email, Name: name, Password: "password-1", Role: role})
	if err != nil {
		h.t.Fatalf("CreateUser(%s) = %v", email, err)
	}
	return u
}

// as returns a client logged in as a new user with role.
func (h *harness) as(role accounts.Role) (*client, *accounts.User) {
	h.t.Helper()
	u := h.user(role, string(role)+"@example.vn", "Nguyễn Văn "+string(role))
	c := h.client()
	c.login(u.Email, "password-1")
	return c, u
}

func (h *harness) agency(slug, vi, en string) *accounts.Agency {
	h.t.Helper()
	a, err := h.svc.CreateAgency(ctx, accounts.System, accounts.NewAgency{Slug: slug, Name: i18n.Text{VI: vi, EN: en}})
	if err != nil {
		h.t.Fatalf("CreateAgency(%s) = %v", slug, err)
	}
	return a
}

// client is a browser without JavaScript: it keeps cookies and does not
// follow redirects, so tests see them.
type client struct {
	t    *testing.T
	base string
	hc   *http.Client
	// acceptLanguage is sent with every request when set.
	acceptLanguage string
}

func (h *harness) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: h.t, base: h.url, hc: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// response is a read response.
type response struct {
	status int
	header http.Header
	body   string
}

func (r *response) location() string { return r.header.Get("Location") }

// cookie returns the Set-Cookie named name, or nil.
func (r *response) cookie(name string) *http.Cookie {
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func (c *client) do(method, path string, form url.Values) *response {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.t.Fatalf("NewRequest(%s %s) = %v", method, path, err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if c.acceptLanguage != "" {
		req.Header.Set("Accept-Language", c.acceptLanguage)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s = %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("read %s %s = %v", method, path, err)
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

func (c *client) get(path string) *response { return c.do(http.MethodGet, path, nil) }

func (c *client) post(path string, form url.Values) *response {
	if form == nil {
		form = url.Values{}
	}
	return c.do(http.MethodPost, path, form)
}

func (c *client) login(email, password string) {
	c.t.Helper()
	r := c.post("/login", url.Values{"email": {email}, "password": {password}})
	if r.status != http.StatusSeeOther {
		c.t.Fatalf("POST /login as %s = %d, want 303", email, r.status)
	}
}

// expect fails the test unless r has status and its body contains every
// string in want.
func expect(t *testing.T, what string, r *response, status int, want ...string) {
	t.Helper()
	if r.status != status {
		t.Errorf("%s: status %d, want %d", what, r.status, status)
	}
	for _, s := range want {
		if !strings.Contains(r.body, s) {
			t.Errorf("%s: body does not contain %q", what, s)
		}
	}
}

// esc is s as html/template writes it in text.
func esc(s string) string { return template.HTMLEscapeString(s) }

var h1RE = regexp.MustCompile(`<h1[ >]`)

// checkPage checks what every HTML page must have: the language, one h1, the
// landmarks, and no inline script or style (the CSP forbids both).
func checkPage(t *testing.T, what string, r *response, lang i18n.Lang) {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("%s: Content-Type %q, want text/html; charset=utf-8", what, ct)
	}
	if !strings.Contains(r.body, fmt.Sprintf(`<html lang="%s">`, lang)) {
		t.Errorf("%s: no <html lang=%q>", what, lang)
	}
	if n := len(h1RE.FindAllString(r.body, -1)); n != 1 {
		t.Errorf("%s: %d h1 elements, want 1", what, n)
	}
	for _, s := range []string{`<header`, `<nav`, `<main id="main"`, `<footer`, `href="#main"`} {
		if !strings.Contains(r.body, s) {
			t.Errorf("%s: no %s", what, s)
		}
	}
	for _, re := range inlineCode {
		if m := re.FindString(r.body); m != "" {
			t.Errorf("%s: inline code %q, which the CSP blocks", what, m)
		}
	}
}

var inlineCode = []*regexp.Regexp{
	regexp.MustCompile(`<style`),
	regexp.MustCompile(`\sstyle=`),
	regexp.MustCompile(`<script(?:\s+type="module")?>`),
	regexp.MustCompile(`\son[a-z]+=`),
	regexp.MustCompile(`javascript:`),
}

// syncBuffer is a log sink that the server's goroutines may write to.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
