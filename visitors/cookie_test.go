package visitors

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestVerify(t *testing.T) {
	s := NewSigner(NewKey(), false)
	other := NewSigner(NewKey(), false)
	id, value := s.Issue()
	if got, ok := s.Verify(value); !ok || got != id {
		t.Fatalf("Verify(issued) = %q, %v, want %q, true", got, ok, id)
	}
	_, foreign := other.Issue()
	tampered := "A" + value[1:]
	for _, bad := range []string{"", "x", value + "x", tampered, foreign, strings.Replace(value, ".", "", 1), id + "."} {
		if got, ok := s.Verify(bad); ok {
			t.Errorf("Verify(%q) = %q, true, want false", bad, got)
		}
	}
}

func TestMiddleware(t *testing.T) {
	s := NewSigner(NewKey(), true)
	var seen Visitor
	h := s.Middleware(func(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/static/") })(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = From(r.Context()) }))
	_, valid := s.Issue()
	validID, _ := s.Verify(valid)
	tests := []struct {
		name       string
		path       string
		cookie     string
		wantNew    bool
		wantForged bool
		wantID     string
		wantSet    bool
	}{
		{"no cookie", "/", "", true, false, "", true},
		{"valid cookie", "/", valid, false, false, validID, false},
		{"forged cookie", "/", "AAAAAAAAAAAAAAAAAAAAAA.forged", true, true, "", true},
		{"static skipped", "/static/app.css", "", false, false, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			seen = Visitor{}
			r := httptest.NewRequest("GET", tc.path, nil)
			if tc.cookie != "" {
				r.AddCookie(&http.Cookie{Name: s.CookieName(), Value: tc.cookie})
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			set := w.Header().Get("Set-Cookie")
			if (set != "") != tc.wantSet {
				t.Errorf("Set-Cookie = %q, want set %v", set, tc.wantSet)
			}
			if tc.wantSet && (!strings.HasPrefix(set, "__Host-civichub_visitor=") || !strings.Contains(set, "HttpOnly") || !strings.Contains(set, "Secure")) {
				t.Errorf("Set-Cookie = %q, want a __Host- HttpOnly Secure cookie", set)
			}
			if seen.New != tc.wantNew || seen.Forged != tc.wantForged {
				t.Errorf("visitor = %+v, want New %v Forged %v", seen, tc.wantNew, tc.wantForged)
			}
			if tc.wantID != "" && seen.ID != tc.wantID {
				t.Errorf("visitor ID = %q, want %q", seen.ID, tc.wantID)
			}
			if tc.wantForged && seen.ID == "" {
				t.Errorf("forged cookie left the visitor without a fresh ID")
			}
		})
	}
}

// FuzzVerify checks that no cookie value panics Verify or verifies without
// the key.
func FuzzVerify(f *testing.F) {
	s := NewSigner([]byte("0123456789abcdef0123456789abcdef"), false)
	_, v := s.Issue()
	f.Add(v)
	f.Add("")
	f.Add("AAAAAAAAAAAAAAAAAAAAAA.")
	f.Fuzz(func(t *testing.T, value string) {
		if id, ok := s.Verify(value); ok && value != id+"."+s.sign(id) {
			t.Fatalf("Verify(%q) = %q, true for a value the signer did not make", value, id)
		}
	})
}

// Inside a cross-site frame only the partitioned cookie comes back; it
// identifies the same visitor, and only over https is it ever set.
func TestPartitionedCookie(t *testing.T) {
	s := NewSigner(NewKey(), true)
	var seen Visitor
	h := s.Middleware(func(*http.Request) bool { return false })(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = From(r.Context()) }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/embed/poll/x", nil))
	var frame *http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.Name == PartitionedCookieName {
			frame = c
		}
	}
	if frame == nil || !frame.Partitioned || !frame.Secure || frame.SameSite != http.SameSiteNoneMode || !frame.HttpOnly {
		t.Fatalf("partitioned cookie = %+v, want SameSite=None; Secure; Partitioned; HttpOnly", frame)
	}
	first := seen.ID
	req := httptest.NewRequest("POST", "/api/v1/polls/x/votes", nil)
	req.AddCookie(&http.Cookie{Name: PartitionedCookieName, Value: frame.Value})
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if seen.ID != first || seen.New || seen.Forged || len(rec.Result().Cookies()) != 0 {
		t.Errorf("with only the partitioned cookie: %+v (cookies %v), want visitor %s again", seen, rec.Result().Cookies(), first)
	}
	req = httptest.NewRequest("GET", "/", nil)
	req.AddCookie(&http.Cookie{Name: PartitionedCookieName, Value: "forged.value"})
	h.ServeHTTP(httptest.NewRecorder(), req)
	if !seen.Forged || !seen.New {
		t.Errorf("forged partitioned cookie: %+v, want forged and a new visitor", seen)
	}

	plain := NewSigner(NewKey(), false)
	rec = httptest.NewRecorder()
	plain.Middleware(func(*http.Request) bool { return false })(http.NotFoundHandler()).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	for _, c := range rec.Result().Cookies() {
		if c.Name == PartitionedCookieName {
			t.Errorf("partitioned cookie set over http: %+v", c)
		}
	}
}
