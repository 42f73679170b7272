package frontend_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/frontend"
	"github.com/civichub/civichub/i18n"
	"github.com/civichub/civichub/visitors"
)

func TestPagesInBothLanguages(t *testing.T) {
	h := newHarness(t)
	h.agency("so-xay-dung", "Sở Xây dựng", "Department of Construction")
	member, _ := h.as(accounts.Resident)
	guest := h.client()
	pages := []struct {
		path  string
		c     *client
		title string
	}{
		{"/", guest, "home.heading"},
		{"/register", guest, "register.title"},
		{"/login", guest, "login.title"},
		{"/me", member, "me.title"},
	}
	langs := []struct {
		name           string
		acceptLanguage string
		cookie         string
		want           i18n.Lang
	}{
		{"default", "", "", i18n.VI},
		{"Accept-Language en", "en-GB,en;q=0.9", "", i18n.EN},
		{"Accept-Language vi", "vi-VN,vi;q=0.9,en;q=0.5", "", i18n.VI},
		{"cookie beats header", "vi", "en", i18n.EN},
	}
	for _, lc := range langs {
		for _, p := range pages {
			t.Run(lc.name+p.path, func(t *testing.T) {
				p.c.acceptLanguage = lc.acceptLanguage
				if lc.cookie != "" {
					u, _ := url.Parse(h.url)
					p.c.hc.Jar.SetCookies(u, []*http.Cookie{{Name: i18n.CookieName, Value: lc.cookie, Path: "/"}})
					defer p.c.hc.Jar.SetCookies(u, []*http.Cookie{{Name: i18n.CookieName, Path: "/", MaxAge: -1}})
				}
				r := p.c.get(p.path)
				expect(t, "GET "+p.path, r, http.StatusOK,
					esc(frontend.Text(lc.want, "site.name")), esc(frontend.Text(lc.want, p.title)))
				checkPage(t, "GET "+p.path, r, lc.want)
			})
		}
	}
}

func TestHome(t *testing.T) {
	h := newHarness(t)
	c := h.client()
	r := c.get("/")
	expect(t, "GET / with no agencies", r, http.StatusOK,
		frontend.Text(i18n.VI, "home.no_agencies"),
		frontend.Text(i18n.VI, "home.poll_none"),
		`data-live="site:online"`)

	h.agency("so-xay-dung", "Sở Xây dựng", "Department of Construction")
	h.agency("so-tu-phap", "Sở Tư pháp", "")
	expect(t, "GET / in vi", c.get("/"), http.StatusOK, "Sở Xây dựng", "Sở Tư pháp")
	c.acceptLanguage = "en"
	r = c.get("/")
	expect(t, "GET / in en", r, http.StatusOK, "Department of Construction", "Sở Tư pháp")
	if strings.Contains(r.body, "Sở Xây dựng") {
		t.Errorf("GET / in en shows the Vietnamese name of an agency that has an English one")
	}
}

func TestHeaderShowsUserAndAdminMenu(t *testing.T) {
	h := newHarness(t)
	guest := h.client()
	r := guest.get("/")
	expect(t, "guest", r, http.StatusOK, `href="/register"`, `href="/login"`)
	if strings.Contains(r.body, `action="/logout"`) {
		t.Errorf("guest: header has a logout button")
	}

	member, u := h.as(accounts.Resident)
	r = member.get("/")
	expect(t, "resident", r, http.StatusOK, esc(u.Name), `action="/logout"`, `href="/me"`)
	if strings.Contains(r.body, `href="/admin/users"`) {
		t.Errorf("resident: header links to the admin pages")
	}

	admin, _ := h.as(accounts.Admin)
	expect(t, "admin", admin.get("/"), http.StatusOK, `href="/admin/users"`, `href="/admin/agencies"`)
}

func TestMe(t *testing.T) {
	h := newHarness(t)
	r := h.client().get("/me")
	if r.status != http.StatusSeeOther || r.location() != "/login?next=%2Fme" {
		t.Errorf("GET /me as guest = %d to %q, want 303 to /login?next=%%2Fme", r.status, r.location())
	}

	c, u := h.as(accounts.Moderator)
	expect(t, "GET /me without staff", c.get("/me"), http.StatusOK,
		esc(u.Name), u.Email, frontend.Text(i18n.VI, "role.moderator"), frontend.Text(i18n.VI, "me.no_staff"))

	a := h.agency("so-y-te", "Sở Y tế", "Department of Health")
	if _, err := h.svc.AddStaff(ctx, accounts.System, a.ID, u.ID, "Chánh Văn phòng"); err != nil {
		t.Fatal(err)
	}
	c.acceptLanguage = "en"
	expect(t, "GET /me as staff", c.get("/me"), http.StatusOK, "Department of Health", "Chánh Văn phòng", "Moderator")
}

func TestNotFound(t *testing.T) {
	h := newHarness(t)
	c := h.client()
	for _, tc := range []struct{ method, path string }{
		{http.MethodGet, "/no-such-page"},
		{http.MethodGet, "/admin/agencies/x/y"},
		{http.MethodPost, "/no-such-page"},
		{http.MethodGet, "/static/app.css"},
		{http.MethodGet, "/static/app.000000000000.css"},
	} {
		r := c.do(tc.method, tc.path, url.Values{})
		expect(t, tc.method+" "+tc.path, r, http.StatusNotFound, frontend.Text(i18n.VI, "error.not_found"))
		checkPage(t, tc.method+" "+tc.path, r, i18n.VI)
	}
}

func TestInternalErrorIsGeneric(t *testing.T) {
	h := newHarness(t)
	h.db.Close()
	r := h.client().get("/")
	expect(t, "GET / with the store closed", r, http.StatusInternalServerError,
		frontend.Text(i18n.VI, "error.internal"), i18n.T(i18n.VI, "internal"))
	if strings.Contains(r.body, "closed") || strings.Contains(r.body, "sql") {
		t.Errorf("the 500 page shows the error's text:\n%s", r.body)
	}
	if !strings.Contains(h.logs.String(), "page failed") {
		t.Errorf("the internal error was not logged; logs:\n%s", h.logs)
	}
}

var assetRE = regexp.MustCompile(`(?:href|src)="(/static/[^"]+)"`)

func TestStaticFiles(t *testing.T) {
	h := newHarness(t)
	c := h.client()
	urls := assetRE.FindAllStringSubmatch(c.get("/").body, -1)
	want := map[string]string{".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml"}
	seen := map[string]bool{}
	for _, m := range urls {
		u := m[1]
		ext := u[strings.LastIndex(u, "."):]
		seen[ext] = true
		if !regexp.MustCompile(`^/static/[a-z]+\.[0-9a-f]{12}\.[a-z]+$`).MatchString(u) {
			t.Errorf("static URL %q carries no content hash", u)
		}
		r := c.get(u)
		if r.status != http.StatusOK || r.header.Get("Content-Type") != want[ext] {
			t.Errorf("GET %s = %d %q, want 200 %q", u, r.status, r.header.Get("Content-Type"), want[ext])
		}
		if cc := r.header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
			t.Errorf("GET %s: Cache-Control %q, want a year, immutable", u, cc)
		}
		req, _ := http.NewRequest(http.MethodGet, h.url+u, nil)
		req.Header.Set("If-None-Match", r.header.Get("ETag"))
		resp, err := c.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotModified {
			t.Errorf("GET %s with its ETag = %d, want 304", u, resp.StatusCode)
		}
	}
	for ext := range want {
		if !seen[ext] {
			t.Errorf("the home page links no %s file", ext)
		}
	}
}

func TestNotice(t *testing.T) {
	h := newHarness(t)
	c := h.client()
	c.post("/register", url.Values{"email": {"lan@example.vn"}, "name": {"Trần Thị Lan"}, "password": {"mat-khau-dai"}})
	notice := frontend.Text(i18n.VI, "notice.registered")
	expect(t, "the page after registering", c.get("/"), http.StatusOK, notice)
	if r := c.get("/"); strings.Contains(r.body, notice) {
		t.Errorf("the notice is shown twice")
	}

	u, _ := url.Parse(h.url)
	c.hc.Jar.SetCookies(u, []*http.Cookie{{Name: "civichub_notice", Value: "site.name", Path: "/"}})
	if r := c.get("/"); strings.Contains(r.body, `class="notice"`) {
		t.Errorf("a notice cookie that is not a notice key is shown")
	}
}

func TestOnlineBoxOnEveryPage(t *testing.T) {
	h := newHarness(t, config{online: func(context.Context) (visitors.Online, error) {
		return visitors.Online{Guests: 38, Members: 2, Total: 40, VisitsTotal: 20100646, VisitorsToday: 1344}, nil
	}})
	c := h.client()
	for _, path := range []string{"/", "/login", "/register"} {
		expect(t, "GET "+path, c.get(path), http.StatusOK, `data-live="site:online"`, `data-field="guests">38<`,
			`data-field="total">40<`, `data-field="visits_total">20.100.646<`, `data-field="visitors_today">1.344<`)
	}
	c.acceptLanguage = "en"
	expect(t, "GET / in en", c.get("/"), http.StatusOK, `data-field="visits_total">20,100,646<`, frontend.Text(i18n.EN, "online.heading"))

	failing := newHarness(t, config{online: func(context.Context) (visitors.Online, error) {
		return visitors.Online{}, errors.New("redis: connection refused")
	}})
	r := failing.client().get("/")
	expect(t, "GET / when the figures fail", r, http.StatusOK, `data-field="total">–<`)
	if strings.Contains(r.body, "refused") {
		t.Error("the page shows the internal error text")
	}
}
