package main

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
)

type meBody struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
	Role  string `json:"role"`
	Staff []struct {
		Agency struct {
			ID   string `json:"id"`
			Slug string `json:"slug"`
		} `json:"agency"`
		Title string `json:"title"`
	} `json:"staff"`
}

func register(t *testing.T, c *client, email, name string) meBody {
	t.Helper()
	res := c.do("POST", "/api/v1/auth/register", map[string]string{"email": email, "password": "mật khẩu tốt 123", "name": name})
	if res.Status != http.StatusCreated {
		t.Fatalf("register %s = %d %s, want 201", email, res.Status, res.Body)
	}
	var me meBody
	res.decode(t, &me)
	return me
}

func TestRegisterLoginMe(t *testing.T) {
	srv := startServer(t, testEnv(t, nil))
	c := newClient(t, srv.URL)
	me := register(t, c, "Lan.Nguyen@Example.VN", "Nguyễn Thị Lan")
	if me.ID == "" || me.Email != "lan.nguyen@example.vn" || me.Role != "resident" {
		t.Errorf("register = %+v, want a resident with a lower-case email and an id", me)
	}
	if res := c.do("POST", "/api/v1/auth/logout", nil); res.Status != http.StatusNoContent {
		t.Fatalf("logout = %d %s, want 204", res.Status, res.Body)
	}
	if res := c.do("GET", "/api/v1/me", nil); res.Status != http.StatusUnauthorized || res.errorCode() != "unauthorized" {
		t.Fatalf("me after logout = %d %s, want 401 unauthorized", res.Status, res.Body)
	}
	res := c.do("POST", "/api/v1/auth/login", map[string]string{"email": "LAN.NGUYEN@example.vn", "password": "mật khẩu tốt 123"})
	if res.Status != http.StatusOK {
		t.Fatalf("login = %d %s, want 200", res.Status, res.Body)
	}
	cookie := res.Header.Get("Set-Cookie")
	if !strings.Contains(cookie, "HttpOnly") || !strings.Contains(cookie, "SameSite=Lax") {
		t.Errorf("session cookie = %q, want HttpOnly and SameSite=Lax", cookie)
	}
	res = c.do("GET", "/api/v1/me", nil)
	var got meBody
	res.decode(t, &got)
	if res.Status != http.StatusOK || got.ID != me.ID || got.Name != "Nguyễn Thị Lan" {
		t.Errorf("me = %d %+v, want user %s", res.Status, got, me.ID)
	}
}

func TestBadInput(t *testing.T) {
	srv := startServer(t, testEnv(t, nil))
	existing := newClient(t, srv.URL)
	register(t, existing, "taken@example.vn", "Đã Có")
	good := map[string]string{"email": "new@example.vn", "password": "password123", "name": "Mới"}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range good {
			m[a] = b
		}
		m[k] = v
		return m
	}
	tests := []struct {
		name, method, path string
		body               any
		headers            []string
		wantStatus         int
		wantCode           string
		wantField          string
	}{
		{"malformed JSON", "POST", "/api/v1/auth/register", `{"email":`, nil, 400, "invalid", ""},
		{"two JSON values", "POST", "/api/v1/auth/register", `{} {}`, nil, 400, "invalid", ""},
		{"unknown field", "POST", "/api/v1/auth/register", with("admin", "true"), nil, 400, "invalid", "admin"},
		{"wrong type", "POST", "/api/v1/auth/register", `{"email":1,"password":"password123","name":"x"}`, nil, 400, "invalid", "email"},
		{"not JSON content type", "POST", "/api/v1/auth/register", `email=a`, []string{"Content-Type", "application/x-www-form-urlencoded"}, 400, "invalid", ""},
		{"body over the limit", "POST", "/api/v1/auth/register", `{"name":"` + strings.Repeat("a", 70000) + `"}`, nil, 413, "too_large", ""},
		{"email that is not one", "POST", "/api/v1/auth/register", with("email", "not-an-email"), nil, 400, "invalid", "email"},
		{"email with display name", "POST", "/api/v1/auth/register", with("email", "A <a@example.vn>"), nil, 400, "invalid", "email"},
		{"password of 7", "POST", "/api/v1/auth/register", with("password", "1234567"), nil, 400, "invalid", "password"},
		{"password of 129", "POST", "/api/v1/auth/register", with("password", strings.Repeat("p", 129)), nil, 400, "invalid", "password"},
		{"empty name", "POST", "/api/v1/auth/register", with("name", "   "), nil, 400, "invalid", "name"},
		{"duplicate email other case", "POST", "/api/v1/auth/register", with("email", "TAKEN@example.vn"), nil, 409, "conflict", ""},
		{"wrong password", "POST", "/api/v1/auth/login", map[string]string{"email": "taken@example.vn", "password": "wrong password"}, nil, 401, "unauthorized", ""},
		{"unknown email", "POST", "/api/v1/auth/login", map[string]string{"email": "nobody@example.vn", "password": "password123"}, nil, 401, "unauthorized", ""},
		{"me without session", "GET", "/api/v1/me", nil, nil, 401, "unauthorized", ""},
		{"forged session", "GET", "/api/v1/me", nil, []string{"Cookie", "civichub_session=forged-token-value"}, 401, "unauthorized", ""},
		{"logout without session", "POST", "/api/v1/auth/logout", nil, nil, 401, "unauthorized", ""},
		{"cross-site POST", "POST", "/api/v1/auth/register", good, []string{"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"}, 403, "forbidden", ""},
		{"cross-origin POST without fetch metadata", "POST", "/api/v1/auth/login", good, []string{"Origin", "https://evil.example"}, 403, "forbidden", ""},
		{"create agency as guest", "POST", "/api/v1/agencies", map[string]any{"name": map[string]string{"vi": "Sở X"}, "slug": "so-x"}, nil, 401, "unauthorized", ""},
		{"list users as guest", "GET", "/api/v1/users", nil, nil, 401, "unauthorized", ""},
		{"unknown route", "GET", "/api/v1/nothing-here", nil, nil, 404, "not_found", ""},
		{"unknown method", "DELETE", "/api/v1/me", nil, nil, 405, "method_not_allowed", ""},
		{"malformed agency id", "GET", "/api/v1/agencies/..%2f..%2fetc", nil, nil, 404, "not_found", ""},
		{"malformed cursor", "GET", "/api/v1/agencies?cursor=!!!", nil, nil, 400, "invalid", "cursor"},
		{"limit out of range", "GET", "/api/v1/agencies?limit=1000", nil, nil, 400, "invalid", "limit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t, srv.URL)
			res := c.do(tc.method, tc.path, tc.body, tc.headers...)
			var e apiError
			res.decode(t, &e)
			if res.Status != tc.wantStatus || e.Error.Code != tc.wantCode || e.Error.Message == "" {
				t.Fatalf("%s %s = %d %s, want %d %s with a message", tc.method, tc.path, res.Status, res.Body, tc.wantStatus, tc.wantCode)
			}
			if tc.wantField != "" && e.Error.Fields[tc.wantField] == "" {
				t.Errorf("error fields = %v, want one for %q", e.Error.Fields, tc.wantField)
			}
			if strings.Contains(string(res.Body), "sql") || strings.Contains(string(res.Body), "json:") {
				t.Errorf("error body %s shows internal text", res.Body)
			}
		})
	}
	// None of those requests changed anything: the only user is still the one
	// registered first, and the new email is free.
	c := newClient(t, srv.URL)
	register(t, c, "new@example.vn", "Mới")
}

func TestErrorMessagesFollowLanguage(t *testing.T) {
	srv := startServer(t, testEnv(t, nil))
	c := newClient(t, srv.URL)
	for _, tc := range []struct{ header, want string }{
		{"vi", "Bạn cần đăng nhập"},
		{"en-US,en;q=0.9", "You need to log in"},
		{"fr", "Bạn cần đăng nhập"}, // unsupported: the site default
	} {
		res := c.do("GET", "/api/v1/me", nil, "Accept-Language", tc.header)
		var e apiError
		res.decode(t, &e)
		if !strings.HasPrefix(e.Error.Message, tc.want) {
			t.Errorf("Accept-Language %s: message %q, want it to start with %q", tc.header, e.Error.Message, tc.want)
		}
	}
}

func TestConcurrentRegistrationsOneEmail(t *testing.T) {
	srv := startServer(t, testEnv(t, nil))
	const n = 10
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := newClient(t, srv.URL)
			email := "same@example.vn"
			if i%2 == 1 {
				email = "SAME@example.vn"
			}
			statuses[i] = c.do("POST", "/api/v1/auth/register", map[string]string{"email": email, "password": "password123", "name": "Trùng"}).Status
		}()
	}
	wg.Wait()
	count := map[int]int{}
	for _, s := range statuses {
		count[s]++
	}
	if count[201] != 1 || count[409] != n-1 {
		t.Errorf("statuses = %v, want one 201 and %d 409", count, n-1)
	}
}

func TestLoginRateLimit(t *testing.T) {
	srv := startServer(t, testEnv(t, map[string]string{"CIVICHUB_RATE_LOGIN_ACCOUNT": "3/1h"}))
	c := newClient(t, srv.URL)
	register(t, c, "limited@example.vn", "Giới Hạn")
	for i := range 3 {
		if res := c.do("POST", "/api/v1/auth/login", map[string]string{"email": "limited@example.vn", "password": "wrong password"}); res.Status != 401 {
			t.Fatalf("attempt %d = %d, want 401", i+1, res.Status)
		}
	}
	res := c.do("POST", "/api/v1/auth/login", map[string]string{"email": "Limited@example.vn", "password": "mật khẩu tốt 123"})
	if res.Status != http.StatusTooManyRequests || res.errorCode() != "rate_limited" {
		t.Errorf("4th login = %d %s, want 429 rate_limited", res.Status, res.Body)
	}
	// 3 per hour: the next attempt is allowed in about 20 minutes.
	if secs, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || secs < 1000 || secs > 1200 {
		t.Errorf("Retry-After = %q, want the limiter's wait of about 1200 s", res.Header.Get("Retry-After"))
	}
}

func TestInvalidSettingAtStart(t *testing.T) {
	tests := []struct{ env, value string }{
		{"CIVICHUB_ADDR", "no-port"},
		{"CIVICHUB_LOG_FORMAT", "xml"},
		{"CIVICHUB_LANG", "fr"},
		{"CIVICHUB_BASE_URL", "ftp://example.vn"},
		{"CIVICHUB_MONGO_URI", "postgres://x"},
		{"CIVICHUB_REDIS_URL", "localhost:6379"},
		{"CIVICHUB_TIMEZONE", "Mars/Olympus"},
		{"CIVICHUB_TRUSTED_PROXIES", "10.0.0.0/99"},
		{"CIVICHUB_RATE_LOGIN_IP", "lots"},
		{"CIVICHUB_HASH_CONCURRENCY", "0"},
		{"CIVICHUB_MAX_BODY_BYTES", "-5"},
		{"CIVICHUB_SESSION_TTL", "forever"},
	}
	for _, tc := range tests {
		t.Run(tc.env, func(t *testing.T) {
			env := testEnv(t, map[string]string{tc.env: tc.value})
			var out bytes.Buffer
			err := run(context.Background(), []string{"serve"}, func(k string) string { return env[k] }, &out, &out)
			if err == nil || !strings.Contains(err.Error(), tc.env) {
				t.Errorf("run with %s=%q = %v, want an error naming %s", tc.env, tc.value, err, tc.env)
			}
		})
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"frobnicate"}, func(string) string { return "" }, &out, &out); err == nil {
		t.Error("run(unknown command) = nil, want an error")
	}
}

func TestAgenciesAndStaffAsAdmin(t *testing.T) {
	env := testEnv(t, nil)
	srv := startServer(t, env)
	adminCmd(t, env, "create-user", "--email", "boss@example.vn", "--password", "admin password", "--name", "Quản Trị", "--role", "admin")
	admin := newClient(t, srv.URL)
	if res := admin.do("POST", "/api/v1/auth/login", map[string]string{"email": "boss@example.vn", "password": "admin password"}); res.Status != 200 {
		t.Fatalf("admin login = %d %s", res.Status, res.Body)
	}
	res := admin.do("POST", "/api/v1/agencies", map[string]any{"name": map[string]string{"vi": "Sở Xây dựng", "en": "Department of Construction"}, "slug": "so-xay-dung"})
	if res.Status != http.StatusCreated {
		t.Fatalf("create agency = %d %s", res.Status, res.Body)
	}
	var agency struct {
		ID   string            `json:"id"`
		Name map[string]string `json:"name"`
	}
	res.decode(t, &agency)
	if res := admin.do("POST", "/api/v1/agencies", map[string]any{"name": map[string]string{"vi": "Khác"}, "slug": "so-xay-dung"}); res.Status != 409 {
		t.Errorf("duplicate slug = %d %s, want 409", res.Status, res.Body)
	}
	if res := admin.do("POST", "/api/v1/agencies", map[string]any{"name": map[string]string{"vi": ""}, "slug": "Bad Slug"}); res.Status != 400 {
		t.Errorf("bad agency = %d %s, want 400", res.Status, res.Body)
	}

	resident := newClient(t, srv.URL)
	staffer := register(t, resident, "canbo@example.vn", "Cán Bộ")
	if res := resident.do("POST", "/api/v1/agencies", map[string]any{"name": map[string]string{"vi": "Sở Y"}, "slug": "so-y"}); res.Status != 403 || res.errorCode() != "forbidden" {
		t.Errorf("create agency as resident = %d %s, want 403 forbidden", res.Status, res.Body)
	}
	if res := resident.do("PATCH", "/api/v1/users/"+staffer.ID, map[string]string{"role": "admin"}); res.Status != 403 {
		t.Errorf("resident making itself admin = %d %s, want 403", res.Status, res.Body)
	}
	title := "Chuyên viên Phòng Quản lý xây dựng"
	if res := admin.do("POST", "/api/v1/agencies/"+agency.ID+"/staff", map[string]string{"user_id": staffer.ID, "title": title}); res.Status != 201 {
		t.Fatalf("add staff = %d %s", res.Status, res.Body)
	}
	var me meBody
	resident.do("GET", "/api/v1/me", nil).decode(t, &me)
	if len(me.Staff) != 1 || me.Staff[0].Agency.ID != agency.ID || me.Staff[0].Title != title {
		t.Errorf("me.staff = %+v, want one membership of %s titled %q", me.Staff, agency.ID, title)
	}
	if res := admin.do("POST", "/api/v1/agencies/"+agency.ID+"/staff", map[string]string{"user_id": "01m8gt84ej1ks5tp7ew3r296mv", "title": "x"}); res.Status != 400 {
		t.Errorf("add unknown user as staff = %d %s, want 400", res.Status, res.Body)
	}
	if res := admin.do("DELETE", "/api/v1/agencies/"+agency.ID+"/staff/"+staffer.ID, nil); res.Status != 204 {
		t.Errorf("remove staff = %d %s, want 204", res.Status, res.Body)
	}
	if res := admin.do("DELETE", "/api/v1/agencies/"+agency.ID+"/staff/"+staffer.ID, nil); res.Status != 404 {
		t.Errorf("remove staff again = %d %s, want 404", res.Status, res.Body)
	}

	// Promote the resident: its old session is rotated on next use, and the
	// new cookie carries the new rights.
	if res := admin.do("PATCH", "/api/v1/users/"+staffer.ID, map[string]string{"role": "moderator"}); res.Status != 200 {
		t.Fatalf("set role = %d %s", res.Status, res.Body)
	}
	if res := admin.do("PATCH", "/api/v1/users/"+staffer.ID, map[string]string{"role": "king"}); res.Status != 400 {
		t.Errorf("set unknown role = %d %s, want 400", res.Status, res.Body)
	}
	res = resident.do("GET", "/api/v1/me", nil)
	if !strings.Contains(res.Header.Get("Set-Cookie"), "civichub_session=") {
		t.Errorf("first request after role change set no new session cookie")
	}
	res.decode(t, &me)
	if me.Role != "moderator" {
		t.Errorf("role after change = %q, want moderator", me.Role)
	}

	var page struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
		NextCursor string `json:"next_cursor"`
	}
	admin.do("GET", "/api/v1/users?limit=1", nil).decode(t, &page)
	if len(page.Items) != 1 || page.NextCursor == "" {
		t.Fatalf("users?limit=1 = %+v, want one item and a cursor", page)
	}
	first := page.Items[0].ID
	admin.do("GET", "/api/v1/users?limit=1&cursor="+page.NextCursor, nil).decode(t, &page)
	if len(page.Items) != 1 || page.Items[0].ID == first || page.NextCursor != "" {
		t.Errorf("second page = %+v, want the other user and no cursor", page)
	}
}

func TestLastAdminKeepsRole(t *testing.T) {
	env := testEnv(t, nil)
	srv := startServer(t, env)
	adminCmd(t, env, "create-user", "--email", "only@example.vn", "--password", "admin password", "--name", "Duy Nhất", "--role", "admin")
	c := newClient(t, srv.URL)
	var me meBody
	c.do("POST", "/api/v1/auth/login", map[string]string{"email": "only@example.vn", "password": "admin password"}).decode(t, &me)
	if res := c.do("PATCH", "/api/v1/users/"+me.ID, map[string]string{"role": "resident"}); res.Status != 409 {
		t.Errorf("demoting the last admin = %d %s, want 409", res.Status, res.Body)
	}
}

// adminCmd runs `civichub admin ...` against env's store and fails the test
// if it fails.
func adminCmd(t *testing.T, env map[string]string, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	if err := run(context.Background(), append([]string{"admin"}, args...), func(k string) string { return env[k] }, &out, &out); err != nil {
		t.Fatalf("civichub admin %v = %v\n%s", args, err, out.String())
	}
	return out.String()
}

func TestSessionsEndAtLogoutAndLogin(t *testing.T) {
	env := testEnv(t, nil)
	srv := startServer(t, env)
	adminCmd(t, env, "create-user", "--email", "root@example.vn", "--password", "admin password", "--name", "Gốc", "--role", "admin")
	admin := newClient(t, srv.URL)
	admin.do("POST", "/api/v1/auth/login", map[string]string{"email": "root@example.vn", "password": "admin password"})

	c := newClient(t, srv.URL)
	me := register(t, c, "rot@example.vn", "Xoay")
	admin.do("PATCH", "/api/v1/users/"+me.ID, map[string]string{"role": "moderator"})
	// The logout request is the first after the role change: it rotates the
	// session and must end the new one, not only the old.
	res := c.do("POST", "/api/v1/auth/logout", nil)
	var rotated string
	for _, ck := range res.Header.Values("Set-Cookie") {
		if v, ok := strings.CutPrefix(ck, "civichub_session="); ok && !strings.HasPrefix(v, ";") {
			rotated, _, _ = strings.Cut(v, ";")
		}
	}
	if res.Status != 204 || rotated == "" {
		t.Fatalf("logout after role change = %d, rotated cookie %q", res.Status, rotated)
	}
	replay := newClient(t, srv.URL)
	if res := replay.do("GET", "/api/v1/me", nil, "Cookie", "civichub_session="+rotated); res.Status != 401 {
		t.Errorf("rotated session after logout = %d, want 401", res.Status)
	}

	// Registering a second account from a logged-in browser ends the first
	// session.
	first := newClient(t, srv.URL)
	register(t, first, "one@example.vn", "Một")
	oldCookie := ""
	for _, ck := range first.hc.Jar.Cookies(mustURL(t, srv.URL)) {
		if ck.Name == "civichub_session" {
			oldCookie = ck.Value
		}
	}
	register(t, first, "two@example.vn", "Hai")
	if res := replay.do("GET", "/api/v1/me", nil, "Cookie", "civichub_session="+oldCookie); res.Status != 401 {
		t.Errorf("first session after registering again = %d, want 401", res.Status)
	}
}

func TestEarlyErrorsFollowLanguage(t *testing.T) {
	srv := startServer(t, testEnv(t, nil))
	c := newClient(t, srv.URL)
	res := c.do("POST", "/api/v1/auth/register", strings.Repeat("x", 70000), "Accept-Language", "en")
	var e apiError
	res.decode(t, &e)
	if res.Status != 413 || e.Error.Message != "The request body is too large." {
		t.Errorf("oversized body with Accept-Language en = %d %q, want 413 in English", res.Status, e.Error.Message)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
