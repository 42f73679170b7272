package frontend

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/civichub/civichub/apperr"
	"github.com/civichub/civichub/i18n"
)

// form is a submitted form as it is shown again after an error: what the
// user typed (never a password) and the errors in the user's language.
type form struct {
	fields []string // in page order, for the error summary
	values url.Values
	// Row is the ID of the table row whose form was submitted, on pages
	// with one small form per row.
	Row string
	// Errors maps a field to its message.
	Errors map[string]string
	// Error is the message for the form as a whole, when no field is to
	// blame (wrong email or password, too many attempts).
	Error string
}

// errorField names the field to blame for service errors that carry no
// field, when the form has that field.
var errorField = map[string]string{
	"email_taken":         "email",
	"slug_taken":          "slug",
	"category_slug_taken": "slug",
	"user_not_found":      "email",
}

// readForm parses the posted form with the given fields. On a body it cannot
// read, it shows the error page and returns false.
func (f *Frontend) readForm(w http.ResponseWriter, r *http.Request, fields ...string) (*form, bool) {
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			f.fail(w, r, apperr.Wrap(apperr.TooLarge, "body_too_large", err))
		} else {
			f.fail(w, r, apperr.Wrap(apperr.Invalid, "invalid_input", err))
		}
		return nil, false
	}
	return &form{fields: fields, values: r.PostForm, Errors: map[string]string{}}, true
}

// Value returns what the user typed into field; passwords are never sent
// back to the browser.
func (fm *form) Value(field string) string {
	if fm == nil || field == "password" {
		return ""
	}
	return fm.values.Get(field)
}

// HasErrors reports whether the form is shown because of an error.
func (fm *form) HasErrors() bool { return fm != nil && (fm.Error != "" || len(fm.Errors) > 0) }

// problem is one entry of the error summary: a message and, when a field is
// to blame, the ID of its input.
type problem struct{ Target, Message string }

// Problems lists the form's errors in page order.
func (fm *form) Problems() []problem {
	if fm == nil {
		return nil
	}
	var ps []problem
	for _, name := range fm.fields {
		if msg, ok := fm.Errors[name]; ok {
			ps = append(ps, problem{Target: fm.inputID(name), Message: msg})
		}
	}
	if fm.Error != "" {
		ps = append(ps, problem{Message: fm.Error})
	}
	return ps
}

func (fm *form) inputID(name string) string {
	if fm.Row != "" {
		return name + "-" + fm.Row
	}
	return "f-" + name
}

// setError records e on the form. alias renames service fields to form
// fields where they differ.
func (fm *form) setError(lang i18n.Lang, e *apperr.Error, alias map[string]string) {
	for name, key := range e.Fields {
		if a, ok := alias[name]; ok {
			name = a
		}
		if slices.Contains(fm.fields, name) {
			fm.Errors[name] = text(lang, key)
		} else {
			fm.Error = text(lang, key)
		}
	}
	if name, ok := errorField[e.Key]; ok && len(e.Fields) == 0 && slices.Contains(fm.fields, name) {
		fm.Errors[name] = text(lang, e.Key)
	}
	if len(fm.Errors) == 0 && fm.Error == "" {
		fm.Error = text(lang, e.Key)
	}
}

// show renders a form page with status and the submitted form (nil for a
// fresh one). Every form page has one.
type show func(w http.ResponseWriter, r *http.Request, status int, fm *form)

// retry shows a form page again after the service refused it, with the
// errors next to their fields and the status that fits the error. An
// internal error shows the generic error page instead.
func (f *Frontend) retry(w http.ResponseWriter, r *http.Request, fm *form, err error, alias map[string]string, page show) {
	e := apperr.As(err)
	if e.Code == apperr.Internal {
		f.fail(w, r, err)
		return
	}
	f.opts.Logger.Debug("form refused", "path", r.URL.Path, "err", err)
	fm.setError(i18n.FromContext(r.Context()), e, alias)
	page(w, r, statusOf(w, e), fm)
}

// localPath returns next when it is a path on this site and "/" otherwise,
// so that a crafted ?next= cannot send anyone to another site. It refuses
// "//host" and "/\host" (which browsers read as another host), absolute URLs,
// and any space or control character (which browsers drop before reading).
func localPath(next string) string {
	if len(next) > 2048 || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return "/"
	}
	for i := range len(next) {
		if c := next[i]; c <= ' ' || c >= 0x7f || c == '\\' {
			return "/"
		}
	}
	if u, err := url.Parse(next); err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return next
}

// loginURL is the login page that returns to next afterwards.
func loginURL(next string) string {
	if next = localPath(next); next == "/" {
		return "/login"
	}
	return "/login?next=" + url.QueryEscape(next)
}
