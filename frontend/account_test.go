package frontend_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/frontend"
	"github.com/civichub/civichub/i18n"
	"github.com/civichub/civichub/ratelimit"
)

const sessionCookie = "civichub_session"

func TestRegisterLogoutLogin(t *testing.T) {
	h := newHarness(t)
	c := h.client()
	r := c.post("/register", url.Values{"email": {" Lan@Example.VN "}, "name": {"Trần Thị Lan"}, "password": {"mat-khau-dai"}})
	if r.status != http.StatusSeeOther || r.location() != "/" {
		t.Fatalf("POST /register = %d to %q, want 303 to /", r.status, r.location())
	}
	if k := r.cookie(sessionCookie); k == nil || k.Value == "" || !k.HttpOnly || k.SameSite != http.SameSiteLaxMode {
		t.Fatalf("POST /register set session cookie %v, want an HttpOnly SameSite=Lax one", k)
	}
	u, err := h.svc.UserByEmail(ctx, accounts.System, "lan@example.vn")
	if err != nil || u.Name != "Trần Thị Lan" || u.Role != accounts.Resident {
		t.Fatalf("registered user = %+v, %v, want resident Trần Thị Lan", u, err)
	}
	expect(t, "home after registering", c.get("/"), http.StatusOK, "Trần Thị Lan", `action="/logout"`)

	r = c.post("/logout", nil)
	if r.status != http.StatusSeeOther || r.location() != "/" {
		t.Errorf("POST /logout = %d to %q, want 303 to /", r.status, r.location())
	}
	if k := r.cookie(sessionCookie); k == nil || k.MaxAge >= 0 {
		t.Errorf("POST /logout set session cookie %v, want it cleared", k)
	}
	if r := c.get("/"); strings.Contains(r.body, "Trần Thị Lan") {
		t.Errorf("home after logout still shows the user")
	}

	r = c.post("/login", url.Values{"email": {"lan@example.vn"}, "password": {"mat-khau-dai"}})
	if r.status != http.StatusSeeOther || r.location() != "/" {
		t.Errorf("POST /login = %d to %q, want 303 to /", r.status, r.location())
	}
	expect(t, "home after login", c.get("/"), http.StatusOK, "Trần Thị Lan", frontend.Text(i18n.VI, "notice.logged_in"))
}

func TestLogoutRevokesSession(t *testing.T) {
	h := newHarness(t)
	c, u := h.as(accounts.Resident)
	base, _ := url.Parse(h.url)
	var token string
	for _, k := range c.hc.Jar.Cookies(base) {
		if k.Name == sessionCookie {
			token = k.Value
		}
	}
	c.post("/logout", nil)
	if _, _, err := h.svc.Authenticate(ctx, token); err == nil {
		t.Errorf("Authenticate(old token) after logout = nil, want an error")
	}
	stolen := h.client()
	stolen.hc.Jar.SetCookies(base, []*http.Cookie{{Name: sessionCookie, Value: token, Path: "/"}})
	if r := stolen.get("/"); strings.Contains(r.body, esc(u.Name)) {
		t.Errorf("a copy of the session cookie still logs in after logout")
	}
}

func TestRegisterRefused(t *testing.T) {
	h := newHarness(t)
	h.user(accounts.Resident, "taken@example.vn", "Người Cũ")
	vi := func(key string) string { return esc(i18n.T(i18n.VI, key)) }
	tests := []struct {
		name          string
		email, nm, pw string
		status        int
		field, msg    string
	}{
		{"bad email", "not-an-email", "Lê Văn Tám", "mat-khau-dai", http.StatusBadRequest, "email", vi("email_invalid")},
		{"short password", "tam@example.vn", "Lê Văn Tám", "ngan", http.StatusBadRequest, "password", vi("password_too_short")},
		{"no name", "tam@example.vn", "   ", "mat-khau-dai", http.StatusBadRequest, "name", vi("name_invalid")},
		{"email taken", "TAKEN@example.vn", "Lê Văn Tám", "mat-khau-dai", http.StatusConflict, "email", vi("email_taken")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := h.client()
			r := c.post("/register", url.Values{"email": {tc.email}, "name": {tc.nm}, "password": {tc.pw}})
			expect(t, "POST /register", r, tc.status,
				`id="f-`+tc.field+`-error"`, tc.msg, `aria-invalid="true"`, `href="#f-`+tc.field+`"`,
				`<title>`+frontend.Text(i18n.VI, "title.error"))
			checkPage(t, "POST /register", r, i18n.VI)
			if tc.field != "email" || tc.status == http.StatusConflict {
				expect(t, "POST /register keeps the email", r, tc.status, `value="`+esc(tc.email)+`"`)
			}
			if strings.Contains(r.body, tc.pw) {
				t.Errorf("POST /register sends the password back")
			}
			if r.cookie(sessionCookie) != nil {
				t.Errorf("POST /register set a session cookie")
			}
		})
	}
	users, _ := h.svc.Users(ctx, accounts.System, accounts.ListParams{Limit: 10})
	if len(users) != 1 {
		t.Errorf("%d users after refused registrations, want 1", len(users))
	}
}

func TestLoginRefused(t *testing.T) {
	h := newHarness(t)
	h.user(accounts.Resident, "binh@example.vn", "Phạm Bình")
	generic := esc(i18n.T(i18n.VI, "bad_credentials"))
	for _, tc := range []struct{ name, email, pw string }{
		{"wrong password", "binh@example.vn", "wrong-password"},
		{"unknown email", "nobody@example.vn", "password-1"},
		{"malformed email", "binh", "password-1"},
		{"empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := h.client().post("/login", url.Values{"email": {tc.email}, "password": {tc.pw}, "next": {"/me"}})
			expect(t, "POST /login", r, http.StatusUnauthorized, generic, `class="error-summary"`,
				`value="`+esc(tc.email)+`"`, `name="next" value="/me"`)
			if r.cookie(sessionCookie) != nil {
				t.Errorf("POST /login set a session cookie")
			}
			if tc.pw != "" && strings.Contains(r.body, tc.pw) {
				t.Errorf("POST /login sends the password back")
			}
		})
	}
}

func TestLoginRateLimited(t *testing.T) {
	h := newHarness(t, config{limits: accounts.Limits{LoginPerAccount: ratelimit.Rate{N: 2, Per: time.Hour}}})
	c := h.client()
	bad := url.Values{"email": {"chi@example.vn"}, "password": {"wrong-password"}}
	c.post("/login", bad)
	c.post("/login", bad)
	r := c.post("/login", bad)
	expect(t, "third POST /login", r, http.StatusTooManyRequests, esc(i18n.T(i18n.VI, "rate_limited")))
	if r.header.Get("Retry-After") == "" {
		t.Errorf("429 without Retry-After")
	}
}

func TestLoginNext(t *testing.T) {
	h := newHarness(t)
	h.user(accounts.Resident, "dung@example.vn", "Đỗ Dũng")
	tests := []struct{ next, want string }{
		{"", "/"},
		{"/me", "/me"},
		{"/admin/users?after=01J", "/admin/users?after=01J"},
		{"//evil.example/", "/"},
		{"https://evil.example/", "/"},
		{`/\evil.example`, "/"},
		{"/\t/evil.example", "/"},
		{"javascript:alert(1)", "/"},
		{"evil.example", "/"},
	}
	for _, tc := range tests {
		c := h.client()
		r := c.post("/login", url.Values{"email": {"dung@example.vn"}, "password": {"password-1"}, "next": {tc.next}})
		if r.status != http.StatusSeeOther || r.location() != tc.want {
			t.Errorf("POST /login next=%q = %d to %q, want 303 to %q", tc.next, r.status, r.location(), tc.want)
		}
		if r := c.get("/login?next=" + url.QueryEscape(tc.next)); r.location() != tc.want {
			t.Errorf("GET /login?next=%q logged in = %q, want %q", tc.next, r.location(), tc.want)
		}
	}
	r := h.client().get("/login?next=" + url.QueryEscape("//evil.example/"))
	if strings.Contains(r.body, `name="next" value="//evil.example/"`) {
		t.Errorf("GET /login?next=//evil.example/ puts the foreign next in the form")
	}
}

func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{"/", "/me", "//x", `/\x`, "/\x00", "http://x", "/a?b=//c", "/%2F%2Fx", " /x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := frontend.LocalPath(next)
		if got != "/" && got != next {
			t.Fatalf("LocalPath(%q) = %q, want the input or /", next, got)
		}
		u, err := url.Parse(got)
		if err != nil || u.Host != "" || u.Scheme != "" || !strings.HasPrefix(got, "/") ||
			strings.HasPrefix(got, "//") || strings.ContainsAny(got, "\\\t\r\n ") {
			t.Fatalf("LocalPath(%q) = %q, which may leave the site", next, got)
		}
	})
}

func TestSetLang(t *testing.T) {
	for _, secure := range []bool{false, true} {
		h := newHarness(t, config{secure: secure})
		c := h.client()
		r := c.post("/lang", url.Values{"lang": {"en"}, "next": {"/register"}})
		if r.status != http.StatusSeeOther || r.location() != "/register" {
			t.Errorf("POST /lang = %d to %q, want 303 to /register", r.status, r.location())
		}
		k := r.cookie(i18n.CookieName)
		if k == nil || k.Value != "en" || k.MaxAge < 364*24*3600 || !k.HttpOnly || k.SameSite != http.SameSiteLaxMode || k.Secure != secure {
			t.Fatalf("POST /lang (secure %v) set %v, want en for a year, HttpOnly, SameSite=Lax, Secure %v", secure, k, secure)
		}
	}

	h := newHarness(t)
	c := h.client()
	c.post("/lang", url.Values{"lang": {"en"}, "next": {"/"}})
	checkPage(t, "after switching to en", c.get("/"), i18n.EN)
	r := c.post("/lang", url.Values{"lang": {"vi"}, "next": {"//evil.example"}})
	if r.location() != "/" {
		t.Errorf("POST /lang next=//evil.example redirects to %q, want /", r.location())
	}
	checkPage(t, "after switching back to vi", c.get("/"), i18n.VI)
	expect(t, "POST /lang lang=fr", c.post("/lang", url.Values{"lang": {"fr"}}), http.StatusBadRequest)
}

func TestLoggedInUserSkipsForms(t *testing.T) {
	h := newHarness(t)
	c, _ := h.as(accounts.Resident)
	for _, path := range []string{"/register", "/login"} {
		if r := c.get(path); r.status != http.StatusSeeOther || r.location() != "/" {
			t.Errorf("GET %s logged in = %d to %q, want 303 to /", path, r.status, r.location())
		}
	}
}
