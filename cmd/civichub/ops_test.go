package main

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/civichub/civichub/sqlitestore"
	"github.com/civichub/civichub/visitors"
)

func TestProbesMetricsAndHeaders(t *testing.T) {
	srv := startServer(t, testEnv(t, nil))
	c := newClient(t, srv.URL)
	for _, p := range []string{"/healthz", "/readyz"} {
		if res := c.do("GET", p, nil); res.Status != 200 {
			t.Errorf("GET %s = %d %s, want 200", p, res.Status, res.Body)
		}
	}
	c.do("GET", "/api/v1/me", nil)
	res := c.do("GET", "/metrics", nil)
	for _, want := range []string{`civichub_http_requests_total{code="4xx",route="GET /api/v1/me"} 1`, "go_goroutines", "process_resident_memory_bytes",
		"civichub_hub_connections", "civichub_hub_messages_delivered_total", "civichub_hub_stack_bytes_per_connection"} {
		if !strings.Contains(string(res.Body), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	res = newClient(t, srv.URL).do("GET", "/api/v1/agencies", nil)
	for h, want := range map[string]string{
		"Content-Security-Policy": "script-src 'self'",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "strict-origin-when-cross-origin",
		"X-Frame-Options":         "DENY",
	} {
		if got := res.Header.Get(h); !strings.Contains(got, want) {
			t.Errorf("%s = %q, want it to contain %q", h, got, want)
		}
	}
	if csp := res.Header.Get("Content-Security-Policy"); strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("CSP = %q, want no unsafe-inline and frame-ancestors 'none'", csp)
	}
	if !strings.Contains(res.Header.Get("Set-Cookie"), "civichub_visitor=") {
		t.Errorf("first response set no visitor cookie: %q", res.Header.Get("Set-Cookie"))
	}
}

func TestSecureCookiesBehindHTTPS(t *testing.T) {
	srv := startServer(t, testEnv(t, map[string]string{"CIVICHUB_BASE_URL": "https://congdan.example.gov.vn"}))
	c := newClient(t, srv.URL)
	res := c.do("POST", "/api/v1/auth/register", map[string]string{"email": "s@example.vn", "password": "password123", "name": "An Toàn"})
	var session string
	for _, ck := range res.Header.Values("Set-Cookie") {
		if strings.HasPrefix(ck, "__Host-civichub_session=") {
			session = ck
		}
	}
	if !strings.Contains(session, "Secure") || !strings.Contains(session, "HttpOnly") || !strings.Contains(session, "Path=/") {
		t.Errorf("session cookie = %q, want __Host- prefixed, Secure, HttpOnly, Path=/", session)
	}
}

func TestDemoLoadsOnce(t *testing.T) {
	env := testEnv(t, nil)
	srv := startServer(t, env, "--demo")
	out := srv.stdout.String()
	for _, u := range demoUsers {
		if !strings.Contains(out, u.email) {
			t.Errorf("demo output lacks %s:\n%s", u.email, out)
		}
	}
	// Every printed password logs in.
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || !strings.Contains(f[0], "@demo.civichub.vn") {
			continue
		}
		c := newClient(t, srv.URL)
		if res := c.do("POST", "/api/v1/auth/login", map[string]string{"email": f[0], "password": f[1]}); res.Status != 200 {
			t.Errorf("login as %s with the printed password = %d %s", f[0], res.Status, res.Body)
		}
	}
	if err := srv.stop(); err != nil {
		t.Fatalf("stop = %v", err)
	}
	again := startServer(t, env, "--demo")
	if out2 := again.stdout.String(); !strings.Contains(out2, "already loaded") || !strings.Contains(out2, "admin@demo.civichub.vn") {
		t.Errorf("second --demo start printed %q, want the saved credentials", out2)
	}
	var agencies struct {
		Items []struct{ Slug string } `json:"items"`
	}
	newClient(t, again.URL).do("GET", "/api/v1/agencies", nil).decode(t, &agencies)
	if len(agencies.Items) != len(demoAgencies) {
		t.Errorf("agencies after two demo starts = %d, want %d", len(agencies.Items), len(demoAgencies))
	}
}

func TestAdminCommandErrors(t *testing.T) {
	env := testEnv(t, nil)
	for _, args := range [][]string{
		{"create-user", "--email", "bad", "--password", "password123", "--name", "X"},
		{"create-user", "--email", "a@example.vn", "--password", "short", "--name", "X"},
		{"create-user", "--email", "a@example.vn", "--password", "password123", "--name", "X", "--role", "king"},
		{"set-role", "--email", "nobody@example.vn", "--role", "admin"},
		{"add-staff", "--agency", "missing", "--email", "a@example.vn", "--title", "T"},
		{"no-such-command"},
	} {
		var out strings.Builder
		err := run(t.Context(), append([]string{"admin"}, args...), func(k string) string { return env[k] }, &out, &out)
		if err == nil {
			t.Errorf("admin %v = nil, want an error", args)
		} else if strings.Contains(err.Error(), "sqlitestore") {
			t.Errorf("admin %v = %v, want a plain message", args, err)
		}
	}
}

func TestSetVisitsSeedsTheCounter(t *testing.T) {
	env := testEnv(t, nil)
	adminCmd(t, env, "set-visits", "20100646")
	srv := startServer(t, env)
	c := newClient(t, srv.URL)
	c.do("GET", "/", nil, "User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0 Safari/537.36")
	c.do("GET", "/login", nil, "User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0 Safari/537.36") // same visit
	newClient(t, srv.URL).do("GET", "/", nil, "User-Agent", "Googlebot/2.1 (+http://www.google.com/bot.html)")
	if err := srv.stop(); err != nil {
		t.Fatal(err)
	}
	db, err := sqlitestore.Open(t.Context(), env["CIVICHUB_DATA_DIR"], slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	n, err := db.Visitors().Counter(t.Context(), visitors.VisitsTotal)
	if err != nil || n != 20100647 {
		t.Errorf("stored visits_total = %d, %v, want 20100647 (the seed plus one visit; the bot is not counted)", n, err)
	}
	for _, bad := range [][]string{{"set-visits"}, {"set-visits", "many"}, {"set-visits", "-5"}} {
		var out strings.Builder
		if err := run(t.Context(), append([]string{"admin"}, bad...), func(k string) string { return env[k] }, &out, &out); err == nil {
			t.Errorf("admin %v = nil, want an error", bad)
		}
	}
}
