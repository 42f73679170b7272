// Package i18n holds civichub's two languages: language negotiation for a
// request, the bilingual Text type used for names and labels, and the catalog
// of user-facing messages (errors, form hints) in Vietnamese and English.
package i18n

import (
	"context"
	"net/http"

	"golang.org/x/text/language"
)

// Lang is a supported language code.
type Lang string

// The supported languages. Vietnamese is the portal's default.
const (
	VI Lang = "vi"
	EN Lang = "en"
)

// Langs lists the supported languages in display order.
var Langs = []Lang{VI, EN}

// CookieName is the cookie that remembers a visitor's language choice.
const CookieName = "civichub_lang"

// Parse returns the Lang for s and whether it is supported.
func Parse(s string) (Lang, bool) {
	switch Lang(s) {
	case VI, EN:
		return Lang(s), true
	}
	return "", false
}

var matcher = language.NewMatcher([]language.Tag{language.Vietnamese, language.English})

// Negotiate picks the request's language: the language cookie first, then
// Accept-Language, then def.
func Negotiate(r *http.Request, def Lang) Lang {
	if c, err := r.Cookie(CookieName); err == nil {
		if l, ok := Parse(c.Value); ok {
			return l
		}
	}
	if h := r.Header.Get("Accept-Language"); h != "" {
		tags, _, err := language.ParseAcceptLanguage(h)
		if err == nil && len(tags) > 0 {
			_, idx, conf := matcher.Match(tags...)
			if conf != language.No {
				return Langs[idx]
			}
		}
	}
	return def
}

type ctxKey struct{}

// WithLang returns ctx carrying lang.
func WithLang(ctx context.Context, lang Lang) context.Context {
	return context.WithValue(ctx, ctxKey{}, lang)
}

// FromContext returns the language in ctx, VI when none was set.
func FromContext(ctx context.Context) Lang {
	if l, ok := ctx.Value(ctxKey{}).(Lang); ok {
		return l
	}
	return VI
}

// Middleware negotiates each request's language and stores it in the
// request's context.
func Middleware(def Lang, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(WithLang(r.Context(), Negotiate(r, def))))
	})
}

// Text is a string in both languages; English is optional and falls back to
// Vietnamese. It is encoded as {"vi":"...","en":"..."}.
type Text struct {
	VI string `json:"vi" bson:"vi"`
	EN string `json:"en,omitempty" bson:"en,omitempty"`
}

// In returns the text in lang, falling back to Vietnamese.
func (t Text) In(lang Lang) string {
	if lang == EN && t.EN != "" {
		return t.EN
	}
	return t.VI
}
