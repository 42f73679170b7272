package web

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/civichub/civichub/apperr"
)

func TestRealIP(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.1/32")}
	tests := []struct {
		name, remote, xff, want string
		trusted                 []netip.Prefix
	}{
		{"no proxies configured ignores the header", "203.0.113.9:1234", "1.2.3.4", "203.0.113.9", nil},
		{"untrusted peer ignores the header", "203.0.113.9:1234", "1.2.3.4", "203.0.113.9", trusted},
		{"trusted peer: client before it", "10.1.2.3:80", "198.51.100.7", "198.51.100.7", trusted},
		{"spoofed left-most entry is skipped", "10.1.2.3:80", "6.6.6.6, 198.51.100.7", "198.51.100.7", trusted},
		{"chain of trusted proxies", "10.1.2.3:80", "198.51.100.7, 192.0.2.1, 10.9.9.9", "198.51.100.7", trusted},
		{"garbage stops the walk", "10.1.2.3:80", "198.51.100.7, nonsense", "10.1.2.3", trusted},
		{"ipv4-mapped ipv6 peer", "[::ffff:203.0.113.9]:1", "", "203.0.113.9", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got netip.Addr
			h := RealIP(tc.trusted)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = ClientIP(r) }))
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tc.remote
			if tc.xff != "" {
				r.Header.Set("X-Forwarded-For", tc.xff)
			}
			h.ServeHTTP(httptest.NewRecorder(), r)
			if got.String() != tc.want {
				t.Errorf("ClientIP = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestDecode(t *testing.T) {
	type in struct {
		Name string `json:"name"`
		Age  int    `json:"age"`
	}
	tests := []struct {
		name, body, ct string
		limit          int64
		wantCode       apperr.Code
		wantField      string
	}{
		{"ok", `{"name":"An","age":3}`, "application/json", 1024, "", ""},
		{"charset ok", `{"name":"An"}`, "application/json; charset=utf-8", 1024, "", ""},
		{"no content type ok", `{"name":"An"}`, "", 1024, "", ""},
		{"form content type", `name=An`, "application/x-www-form-urlencoded", 1024, apperr.Invalid, ""},
		{"malformed", `{"name":`, "application/json", 1024, apperr.Invalid, ""},
		{"empty", ``, "application/json", 1024, apperr.Invalid, ""},
		{"array", `[]`, "application/json", 1024, apperr.Invalid, ""},
		{"trailing value", `{"name":"An"}{}`, "application/json", 1024, apperr.Invalid, ""},
		{"unknown field", `{"name":"An","role":"admin"}`, "application/json", 1024, apperr.Invalid, "role"},
		{"wrong type", `{"age":"three"}`, "application/json", 1024, apperr.Invalid, "age"},
		{"too large", `{"name":"` + strings.Repeat("a", 100) + `"}`, "application/json", 50, apperr.TooLarge, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/", strings.NewReader(tc.body))
			if tc.ct != "" {
				r.Header.Set("Content-Type", tc.ct)
			}
			r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, tc.limit)
			var v in
			err := Decode(r, &v)
			if got := apperr.CodeOf(err); got != tc.wantCode {
				t.Fatalf("Decode(%q) = %v, want code %q", tc.body, err, tc.wantCode)
			}
			if tc.wantField != "" && apperr.As(err).Fields[tc.wantField] == "" {
				t.Errorf("Decode(%q) fields = %v, want %q", tc.body, apperr.As(err).Fields, tc.wantField)
			}
		})
	}
}

func TestErrorHidesInternalText(t *testing.T) {
	w := httptest.NewRecorder()
	r := httptest.NewRequest("GET", "/", nil)
	Error(w, r, slog.New(slog.DiscardHandler), errorString("database is locked at /var/lib/secret.db"))
	var body ErrorBody
	_ = json.Unmarshal(w.Body.Bytes(), &body)
	if w.Code != 500 || body.Error.Code != apperr.Internal || strings.Contains(w.Body.String(), "secret") {
		t.Errorf("Error(internal) = %d %s, want 500 internal with a generic message", w.Code, w.Body.String())
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }

func TestAPINotFound(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/things/{id}", func(http.ResponseWriter, *http.Request) {})
	mux.HandleFunc("PATCH /api/v1/things/{id}", func(http.ResponseWriter, *http.Request) {})
	mux.Handle("/api/", APINotFound(mux, slog.New(slog.DiscardHandler)))
	tests := []struct {
		method, path string
		want         int
		allow        string
	}{
		{"DELETE", "/api/v1/things/1", 405, "GET, PATCH"},
		{"GET", "/api/v1/nothing", 404, ""},
		{"POST", "/api/v2/things/1", 404, ""},
	}
	for _, tc := range tests {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequest(tc.method, tc.path, nil))
		if w.Code != tc.want || w.Header().Get("Allow") != tc.allow {
			t.Errorf("%s %s = %d Allow %q, want %d Allow %q", tc.method, tc.path, w.Code, w.Header().Get("Allow"), tc.want, tc.allow)
		}
	}
}

func TestCursorRoundTrip(t *testing.T) {
	type cur struct {
		After string `json:"a"`
	}
	s := EncodeCursor(cur{After: "01m8gt84ej1ks5tp7ew3r296mv"})
	var got cur
	if err := DecodeCursor(s, &got); err != nil || got.After != "01m8gt84ej1ks5tp7ew3r296mv" {
		t.Errorf("DecodeCursor(EncodeCursor(x)) = %+v, %v", got, err)
	}
	for _, bad := range []string{"!!!", "bm90IGpzb24", strings.Repeat("A", 600)} {
		var c cur
		if err := DecodeCursor(bad, &c); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("DecodeCursor(%q) = %v, want invalid", bad, err)
		}
	}
}
