package frontend

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/apperr"
	"github.com/civichub/civichub/i18n"
	"github.com/civichub/civichub/polls"
)

// frameable lets the pages of next be shown in frames of our own pages and
// of the configured portal origins, where the server's security headers
// forbid every frame. The widget's form and script send their requests to
// our own origin from inside the frame, so the cross-origin protection of
// unsafe requests needs no exception.
func (f *Frontend) frameable(next http.HandlerFunc) http.HandlerFunc {
	ancestors := "frame-ancestors " + strings.Join(append([]string{"'self'"}, f.opts.AllowedOrigins...), " ")
	return func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", withDirective(h.Get("Content-Security-Policy"), ancestors))
		// X-Frame-Options cannot name other origins; browsers that know
		// frame-ancestors ignore it anyway.
		h.Del("X-Frame-Options")
		next(w, embedLang(r))
	}
}

// withDirective returns the policy csp with directive replacing the
// directive of the same name, or added to it.
func withDirective(csp, directive string) string {
	name, _, _ := strings.Cut(directive, " ")
	var out []string
	for _, d := range strings.Split(csp, ";") {
		if d = strings.TrimSpace(d); d == "" {
			continue
		}
		if n, _, _ := strings.Cut(d, " "); !strings.EqualFold(n, name) {
			out = append(out, d)
		}
	}
	return strings.Join(append(out, directive), "; ")
}

// embedLang lets the portal choose the widget's language with ?lang=, since
// the portal's own pages say which language they are in.
func embedLang(r *http.Request) *http.Request {
	if l, ok := i18n.Parse(r.URL.Query().Get("lang")); ok {
		return r.WithContext(i18n.WithLang(r.Context(), l))
	}
	return r
}

// embedPage is the widget's data: the poll's box, or the key of the error
// shown instead.
type embedPage struct {
	Box   *pollBox
	Error string
}

// embedPoll is the embeddable widget /embed/poll/{id}: the live poll and
// its vote form, without the site's chrome.
func (f *Frontend) embedPoll(w http.ResponseWriter, r *http.Request) {
	f.showEmbed(w, r, http.StatusOK, nil)
}

func (f *Frontend) showEmbed(w http.ResponseWriter, r *http.Request, status int, fm *form) {
	pv, err := f.opts.Polls.Get(r.Context(), polls.ViewerFrom(r), r.PathValue("id"))
	if err != nil {
		e := apperr.As(err)
		if e.Code == apperr.Internal {
			f.opts.Logger.Error("page failed", "method", r.Method, "path", r.URL.Path, "err", err)
			e = apperr.New(apperr.Internal, "internal")
		}
		f.renderIn(w, r, statusOf(w, e), "embed", "embed", view{Data: embedPage{Error: e.Key}})
		return
	}
	b := newPollBox(pv, i18n.FromContext(r.Context()), accounts.UserFrom(r.Context()), fm, embedPath(r, pv.ID, "/vote"))
	b.Embedded = true
	f.renderIn(w, r, status, "embed", "embed", view{Path: embedPath(r, pv.ID, ""), Form: fm, Data: embedPage{Box: b}})
}

// embedVote casts the widget's vote and shows the widget again.
func (f *Frontend) embedVote(w http.ResponseWriter, r *http.Request) {
	fm, ok := f.readForm(w, r, "option")
	if !ok {
		return
	}
	f.castVote(w, r, fm, f.showEmbed, embedPath(r, r.PathValue("id"), ""))
}

// embedPath is the address of the widget (suffix "") or of its vote form
// ("/vote"), keeping the language the portal chose.
func embedPath(r *http.Request, pollID, suffix string) string {
	p := "/embed/poll/" + url.PathEscape(pollID) + suffix
	if l, ok := i18n.Parse(r.URL.Query().Get("lang")); ok {
		p += "?lang=" + string(l)
	}
	return p
}
