package frontend

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/apperr"
	"github.com/civichub/civichub/i18n"
	"github.com/civichub/civichub/visitors"
	"github.com/civichub/civichub/web"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

//go:embed templates
var templateFiles embed.FS

// parsePages parses each page template together with layout.html and the
// shared parts in templates/parts into its own template set, so that every
// page can define "title" and "content".
func parsePages(a *assets) (map[string]*template.Template, error) {
	base, err := template.New("").Funcs(template.FuncMap{"static": a.url,
		"inc": func(n int) int { return n + 1 }, "dec": func(n int) int { return n - 1 }}).
		ParseFS(templateFiles, "templates/layout.html", "templates/parts/*.html")
	if err != nil {
		return nil, fmt.Errorf("frontend: parse layout: %w", err)
	}
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("frontend: list templates: %w", err)
	}
	pages := map[string]*template.Template{}
	for _, name := range names {
		page := strings.TrimSuffix(strings.TrimPrefix(name, "templates/"), ".html")
		if page == "layout" {
			continue
		}
		t, err := base.Clone()
		if err == nil {
			t, err = t.ParseFS(templateFiles, name)
		}
		if err != nil {
			return nil, fmt.Errorf("frontend: parse %s: %w", name, err)
		}
		pages[page] = t
	}
	return pages, nil
}

// view is what every template gets: the request's language and user, the
// page's address, a one-time notice, the submitted form (if any) and the
// page's own data.
type view struct {
	Lang  i18n.Lang
	Langs []i18n.Lang
	User  *accounts.User
	// Path is the page's address, where the language switch and the login
	// link return to. It is the request's, except when a form post shows
	// its page again: then the handler sets the page's own address.
	Path   string
	Notice string
	Form   *form
	Data   any
	// Online is the "online now" box's figures when the page was made, or
	// nil when they could not be read.
	Online *visitors.Online
	// HasPolls is true when the site has poll pages, for the navigation.
	HasPolls bool
	// HasForum is true when the site has the forum pages.
	HasForum bool
	// HasQA is true when the site has the Q&A pages.
	HasQA bool
	// StaffAgencies are the agencies whose queues the logged-in user
	// works through, for the navigation.
	StaffAgencies []agencyChoice
	// Unread is the logged-in user's count of unread notifications when
	// the page was made, for the header's badge; -1 when unknown.
	Unread int
	// LT are the layout's texts in Lang.
	LT *layoutTexts
	// tz is the zone poll times are shown in.
	tz *time.Location
}

// Num formats n with the page language's digit grouping (20.100.646 in
// Vietnamese, 20,100,646 in English).
func (v *view) Num(n int64) string {
	tag := language.Vietnamese
	if v.Lang == i18n.EN {
		tag = language.English
	}
	return message.NewPrinter(tag).Sprintf("%d", n)
}

// T returns the text for key in the page's language.
func (v *view) T(key string, args ...any) string { return text(v.Lang, key, args...) }

// IsAdmin reports whether the user is an admin, who sees the admin menu.
func (v *view) IsAdmin() bool { return v.User != nil && v.User.Role == accounts.Admin }

// IsModerator reports whether the user moderates the forum (moderators
// and admins), who see the moderation menu and tools.
func (v *view) IsModerator() bool {
	return v.User != nil && (v.User.Role == accounts.Moderator || v.User.Role == accounts.Admin)
}

// RowError returns the error of field in the form of table row row, if that
// is the form that was posted.
func (v *view) RowError(row, field string) string {
	if v.Form == nil || v.Form.Row != row {
		return ""
	}
	return v.Form.Errors[field]
}

// RoleName returns the display name of a role.
func (v *view) RoleName(r accounts.Role) string { return v.T("role." + string(r)) }

// LangName returns a language's name in that language itself.
func (v *view) LangName(l i18n.Lang) string { return text(l, "lang.name") }

// Current reports whether the page is at prefix (exactly, for "/"), to mark
// the navigation link of the current section.
func (v *view) Current(prefix string) bool {
	p, _, _ := strings.Cut(v.Path, "?")
	if prefix == "/" {
		return p == "/"
	}
	return p == prefix || strings.HasPrefix(p, prefix+"/")
}

// LoginURL is the login link that brings the user back to this page.
func (v *view) LoginURL() string {
	if v.Current("/login") || v.Current("/register") {
		return "/login"
	}
	return loginURL(v.Path)
}

// Field describes one form input for the "field" template; hint is the key
// of a help text shown under the label, or "".
func (v *view) Field(name, typ, autocomplete, hint string) field {
	fl := field{ID: "f-" + name, Name: name, Type: typ, Autocomplete: autocomplete,
		Label: v.T("field." + name), ErrorLabel: v.T("form.error")}
	if hint != "" {
		fl.Hint = v.T(hint)
	}
	if v.Form != nil {
		fl.Value = v.Form.Value(name)
		fl.Error = v.Form.Errors[name]
	}
	return fl
}

// field is one labelled input with its hint and error.
type field struct {
	ID, Name, Type, Autocomplete          string
	Label, Hint, Error, ErrorLabel, Value string
}

// DescribedBy is the value of the input's aria-describedby.
func (fl field) DescribedBy() string {
	var ids []string
	if fl.Hint != "" {
		ids = append(ids, fl.ID+"-hint")
	}
	if fl.Error != "" {
		ids = append(ids, fl.ID+"-error")
	}
	return strings.Join(ids, " ")
}

// render writes page name with status. The page is rendered to a buffer
// first, so that a template error becomes a clean 500 page.
func (f *Frontend) render(w http.ResponseWriter, r *http.Request, status int, name string, v view) {
	f.renderIn(w, r, status, "layout", name, v)
}

// renderIn writes page name inside the layout template named layout:
// "layout" for the site's pages, "embed" for widgets without the site's
// header, navigation and footer.
func (f *Frontend) renderIn(w http.ResponseWriter, r *http.Request, status int, layout, name string, v view) {
	v.Lang = i18n.FromContext(r.Context())
	v.Langs = f.langs
	if v.LT = f.layoutTexts[v.Lang]; v.LT == nil {
		v.LT = newLayoutTexts(v.Lang)
	}
	v.User = accounts.UserFrom(r.Context())
	v.tz = f.opts.Timezone
	v.HasPolls = f.opts.Polls != nil
	v.HasForum = f.opts.Forum != nil
	v.HasQA = f.opts.QA != nil
	if v.HasQA && v.User != nil && layout == "layout" {
		v.StaffAgencies = f.staffAgencies(r.Context(), v.User, v.Lang)
	}
	v.Unread = -1
	if v.HasForum && v.User != nil && layout == "layout" {
		if n, err := f.opts.Forum.Store().UnreadCount(r.Context(), v.User.ID); err == nil {
			v.Unread = n
		} else {
			f.opts.Logger.Warn("unread notifications", "err", err)
		}
	}
	if v.Path == "" {
		v.Path = r.URL.RequestURI()
	}
	v.Notice = f.takeNotice(w, r, v.Lang)
	if f.opts.Online != nil && layout == "layout" {
		if o, err := f.opts.Online(r.Context()); err == nil {
			v.Online = &o
		} else {
			f.opts.Logger.Warn("online figures", "err", err)
		}
	}
	buf := pageBuffers.Get().(*bytes.Buffer)
	defer putPageBuffer(buf)
	if err := f.pages[name].ExecuteTemplate(buf, layout, &v); err != nil {
		f.opts.Logger.Error("render page", "page", name, "path", r.URL.Path, "err", err)
		if name == "error" {
			http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
			return
		}
		f.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// Pages show who is logged in; a shared or back-button copy must not.
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// pageBuffers hold rendered pages until they are written, so that a busy
// server does not grow a new buffer of some hundred kilobytes per page.
var pageBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBuffer is the largest buffer kept for reuse: the rare huge page
// should not pin its memory.
const maxPooledBuffer = 1 << 20

func putPageBuffer(b *bytes.Buffer) {
	if b.Cap() > maxPooledBuffer {
		return
	}
	b.Reset()
	pageBuffers.Put(b)
}

// errorPage is the data of the error page: message keys.
type errorPage struct {
	Heading, Message string
}

// fail shows the error page for err. Internal errors are logged and shown
// with a generic text; coded errors show their own message.
func (f *Frontend) fail(w http.ResponseWriter, r *http.Request, err error) {
	e := apperr.As(err)
	page := errorPage{Heading: "error.heading", Message: e.Key}
	switch e.Code {
	case apperr.Internal:
		if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
			// The client went away mid-request: nothing is wrong here, and
			// no one reads the page.
			f.opts.Logger.Debug("page abandoned", "method", r.Method, "path", r.URL.Path, "err", err)
			return
		}
		f.opts.Logger.Error("page failed", "method", r.Method, "path", r.URL.Path, "err", err)
		page = errorPage{Heading: "error.internal", Message: "internal"}
	case apperr.NotFound:
		page.Heading = "error.not_found"
	case apperr.Forbidden:
		page.Heading = "error.forbidden"
	}
	if e.Code != apperr.Internal {
		f.opts.Logger.Debug("page refused", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	f.render(w, r, statusOf(w, e), "error", view{Data: page})
}

// statusOf returns the HTTP status for e, and tells a rate-limited client
// when to try again.
func statusOf(w http.ResponseWriter, e *apperr.Error) int {
	if e.Code == apperr.RateLimited {
		w.Header().Set("Retry-After", web.RetryAfter(e))
	}
	return web.Status(e.Code)
}

// notFound is the HTML 404 page for any path no route matched.
func (f *Frontend) notFound(w http.ResponseWriter, r *http.Request) {
	f.render(w, r, http.StatusNotFound, "error", view{Data: errorPage{Heading: "error.not_found", Message: "error.not_found_text"}})
}

// redirect answers a form post with 303 See Other, so that reloading the
// next page does not post the form again.
func redirect(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, to, http.StatusSeeOther)
}
