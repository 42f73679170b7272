package i18n

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestNegotiate(t *testing.T) {
	tests := []struct {
		name, cookie, accept string
		def                  Lang
		want                 Lang
	}{
		{"default", "", "", VI, VI},
		{"default en", "", "", EN, EN},
		{"accept english", "", "en-GB,en;q=0.8", VI, EN},
		{"accept vietnamese first", "", "vi-VN,vi;q=0.9,en;q=0.5", EN, VI},
		{"unsupported language", "", "fr-FR", VI, VI},
		{"garbage header", "", ";;;q=x", VI, VI},
		{"cookie wins", "en", "vi", VI, EN},
		{"bad cookie ignored", "xx", "en", VI, EN},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			if tc.cookie != "" {
				r.AddCookie(&http.Cookie{Name: CookieName, Value: tc.cookie})
			}
			if tc.accept != "" {
				r.Header.Set("Accept-Language", tc.accept)
			}
			if got := Negotiate(r, tc.def); got != tc.want {
				t.Errorf("Negotiate = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestCatalogComplete(t *testing.T) {
	for key, m := range messages {
		if m[0] == "" || m[1] == "" {
			t.Errorf("message %q lacks a translation: %q", key, m)
		}
	}
	if got := T(EN, "unauthorized"); got != "You need to log in to do this." {
		t.Errorf("T(en, unauthorized) = %q", got)
	}
	if got := T(VI, "no-such-key"); got != "no-such-key" {
		t.Errorf("T(unknown) = %q, want the key", got)
	}
}

func TestTextIn(t *testing.T) {
	x := Text{VI: "Sở Xây dựng", EN: "Department of Construction"}
	if x.In(EN) != x.EN || x.In(VI) != x.VI || (Text{VI: "Chỉ tiếng Việt"}).In(EN) != "Chỉ tiếng Việt" {
		t.Errorf("Text.In does not pick the language or fall back to Vietnamese")
	}
}
