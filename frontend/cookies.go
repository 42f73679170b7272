package frontend

import (
	"net/http"
	"strings"
	"time"

	"github.com/civichub/civichub/apperr"
	"github.com/civichub/civichub/i18n"
)

// errInvalid is the answer to a post that no form of ours sends.
var errInvalid = apperr.New(apperr.Invalid, "invalid_input")

// langCookieAge is how long the language choice is remembered.
const langCookieAge = 365 * 24 * time.Hour

// setLang remembers the chosen language in the i18n cookie and goes back to
// the page the switch was on.
func (f *Frontend) setLang(w http.ResponseWriter, r *http.Request) {
	fm, ok := f.readForm(w, r, "lang", "next")
	if !ok {
		return
	}
	lang, ok := i18n.Parse(fm.Value("lang"))
	if !ok {
		f.fail(w, r, errInvalid)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: i18n.CookieName, Value: string(lang), Path: "/", MaxAge: int(langCookieAge.Seconds()),
		HttpOnly: true, Secure: f.opts.Secure, SameSite: http.SameSiteLaxMode,
	})
	redirect(w, r, localPath(fm.Value("next")))
}

// noticeCookie returns the name of the cookie that carries a one-time notice
// across a redirect.
func (f *Frontend) noticeCookie() string {
	if f.opts.Secure {
		return "__Host-civichub_notice"
	}
	return "civichub_notice"
}

// notify leaves a one-time notice for the next page, such as "Agency added."
// after a redirect. key is a "notice." key of the catalog, never user input.
func (f *Frontend) notify(w http.ResponseWriter, key string) {
	http.SetCookie(w, &http.Cookie{
		Name: f.noticeCookie(), Value: key, Path: "/", MaxAge: 60,
		HttpOnly: true, Secure: f.opts.Secure, SameSite: http.SameSiteLaxMode,
	})
}

// takeNotice returns the pending notice's text in lang, and clears it. A
// cookie that is not a notice key is ignored.
func (f *Frontend) takeNotice(w http.ResponseWriter, r *http.Request, lang i18n.Lang) string {
	c, err := r.Cookie(f.noticeCookie())
	if err != nil {
		return ""
	}
	http.SetCookie(w, &http.Cookie{
		Name: f.noticeCookie(), Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: f.opts.Secure, SameSite: http.SameSiteLaxMode,
	})
	if !strings.HasPrefix(c.Value, "notice.") || !hasText(c.Value) {
		return ""
	}
	return text(lang, c.Value)
}
