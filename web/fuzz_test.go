package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/civichub/civichub/apperr"
)

// FuzzDecode checks that no request body makes Decode panic or return an
// uncoded error: every failure is a client error with a code.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"email":"a@b.vn","password":"x","name":"y"}`, `{`, `[]`, `{"a":1}`, `{"name":{"vi":"x"}}`, "\x00", `{"email":1e999}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "/", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, 4096)
		var v struct {
			Email    string            `json:"email"`
			Password string            `json:"password"`
			Name     map[string]string `json:"name"`
		}
		if err := Decode(r, &v); err != nil {
			if c := apperr.CodeOf(err); c != apperr.Invalid && c != apperr.TooLarge {
				t.Fatalf("Decode(%q) = %v, want an invalid or too_large error", body, err)
			}
		}
	})
}

// FuzzCursor checks that any cursor string decodes or fails as invalid.
func FuzzCursor(f *testing.F) {
	f.Add(EncodeCursor(map[string]string{"a": "01m8gt84ej1ks5tp7ew3r296mv"}))
	f.Add("!!!")
	f.Fuzz(func(t *testing.T, s string) {
		var c struct {
			After string `json:"a"`
		}
		if err := DecodeCursor(s, &c); err != nil && apperr.CodeOf(err) != apperr.Invalid {
			t.Fatalf("DecodeCursor(%q) = %v", s, err)
		}
	})
}
