package frontend

import (
	"bytes"
	"context"
	"html/template"
	"net/http"
	"slices"
	"time"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/apperr"
	"github.com/civichub/civichub/i18n"
	"github.com/civichub/civichub/qa"
)

// questionPage is a question as one reader sees it, with the forms the
// service's ViewerRights allow that reader.
type questionPage struct {
	*qa.View
	// AgencyName is the addressed agency's name in the page's language.
	AgencyName string
	// AnswerBox is the official answer, or nil.
	AnswerBox *answerBox
	History   []historyRow
	// CommentRows are the follow-up comments.
	CommentRows []commentRow
	// Commentable is true while the question takes comments (not closed
	// or rejected), whoever reads it.
	Commentable bool
	// The status changes the reader may make.
	CanAccept, CanReject, CanAssign, CanClose bool
	// Assignees are the agency's staff, when the reader may assign;
	// Targets the agencies it may be forwarded to.
	Assignees, Targets []agencyChoice
	Moderator          bool
	URL                string
}

// StaffTools reports whether the reader has any of the agency's tools.
func (p *questionPage) StaffTools() bool {
	return p.CanAccept || p.CanReject || p.CanAssign || p.Viewer.CanForward || p.Viewer.CanAnswer || p.Viewer.CanRevise
}

// HTML is the question's sanitized body_html, the only text of the asker's
// that the page takes as HTML.
func (p *questionPage) HTML() template.HTML { return template.HTML(p.BodyHTML) }

// PartsURL is the address of the page's live parts.
func (p *questionPage) PartsURL() string { return p.URL + "/parts" }

// answerBox is the official answer: its current text, and when it was
// revised, every text it had with the reasons.
type answerBox struct {
	*qa.AnswerView
	Agency string
	HTML   template.HTML
	// Reason is the last revision's reason.
	Reason string
	// Versions are the first text and each revision, newest first, once
	// the answer was revised.
	Versions []versionRow
}

// versionRow is one text an answer had.
type versionRow struct {
	Number  int
	Author  qa.Person
	At      time.Time
	Reason  string
	HTML    template.HTML
	Current bool
}

// historyRow is one recorded step, in words.
type historyRow struct {
	At     time.Time
	Actor  string
	Text   string
	Reason string
}

// commentRow is a follow-up comment.
type commentRow struct {
	qa.CommentView
	Agency string
	HTML   template.HTML
}

// loadQuestion builds the question page of the path's question for the
// request's reader, or returns the service's error (not found for a
// question the reader may not read).
func (f *Frontend) loadQuestion(r *http.Request) (*questionPage, error) {
	ctx, u, lang := r.Context(), accounts.UserFrom(r.Context()), i18n.FromContext(r.Context())
	v, err := f.opts.QA.Get(ctx, u, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	p := &questionPage{View: v, AgencyName: v.Agency.Name.In(lang), Moderator: isModerator(u), URL: "/questions/" + v.ID,
		Commentable: v.Status != qa.Closed && v.Status != qa.Rejected}
	p.CanAccept = slices.Contains(v.Viewer.Transitions, qa.Accepted)
	p.CanReject = slices.Contains(v.Viewer.Transitions, qa.Rejected)
	p.CanAssign = slices.Contains(v.Viewer.Transitions, qa.Assigned)
	p.CanClose = slices.Contains(v.Viewer.Transitions, qa.Closed)
	if v.Answer != nil {
		p.AnswerBox = newAnswerBox(v.Answer, lang)
	}
	for _, ch := range v.History {
		p.History = append(p.History, historyRow{At: ch.At, Actor: ch.Actor.Name, Text: historyText(lang, ch), Reason: ch.Reason})
	}
	for _, c := range v.Comments {
		row := commentRow{CommentView: c, HTML: template.HTML(c.BodyHTML)} // sanitized by the service
		if c.Agency != nil {
			row.Agency = c.Agency.Name.In(lang)
		}
		p.CommentRows = append(p.CommentRows, row)
	}
	if p.CanAssign {
		if p.Assignees, err = f.assignees(ctx, v.Agency.ID); err != nil {
			return nil, err
		}
	}
	if v.Viewer.CanForward {
		all, err := f.agencyChoices(ctx, lang)
		if err != nil {
			return nil, err
		}
		p.Targets = slices.DeleteFunc(all, func(a agencyChoice) bool { return a.ID == v.Agency.ID })
	}
	return p, nil
}

// assignees are an agency's staff, named with their titles.
func (f *Frontend) assignees(ctx context.Context, agencyID string) ([]agencyChoice, error) {
	staff, err := f.opts.Accounts.Staff(ctx, agencyID)
	out := make([]agencyChoice, 0, len(staff))
	for _, s := range staff {
		name := s.Name
		if s.Title != "" {
			name += " – " + s.Title
		}
		out = append(out, agencyChoice{ID: s.UserID, Name: name})
	}
	return out, err
}

func newAnswerBox(a *qa.AnswerView, lang i18n.Lang) *answerBox {
	b := &answerBox{AnswerView: a, Agency: a.Agency.Name.In(lang), HTML: template.HTML(a.BodyHTML)} // sanitized by the service
	if n := len(a.Revisions); n > 0 && a.Original != nil {
		b.Reason = a.Revisions[n-1].Reason
		for i := n - 1; i >= 0; i-- {
			rv := a.Revisions[i]
			b.Versions = append(b.Versions, versionRow{Number: rv.Number, Author: rv.Author, At: rv.At, Reason: rv.Reason,
				HTML: template.HTML(rv.BodyHTML), Current: i == n-1})
		}
		o := a.Original
		b.Versions = append(b.Versions, versionRow{Number: 0, Author: o.Author, At: o.At, HTML: template.HTML(o.BodyHTML)})
	}
	return b
}

// historyText says what one recorded step did.
func historyText(lang i18n.Lang, ch qa.ChangeView) string {
	agency := func(a *qa.AgencyRef) string {
		if a == nil {
			return ""
		}
		return a.Name.In(lang)
	}
	switch ch.Action {
	case "submitted":
		return text(lang, "qa.history.submitted", agency(ch.ToAgency))
	case "forwarded":
		return text(lang, "qa.history.forwarded", agency(ch.FromAgency), agency(ch.ToAgency))
	case string(qa.Assigned):
		name := ""
		if ch.Assignee != nil {
			name = ch.Assignee.Name
		}
		return text(lang, "qa.history.assigned", name)
	case string(qa.Accepted), string(qa.Rejected), string(qa.Answered), string(qa.Closed), "revised", "reopened":
		return text(lang, "qa.history."+ch.Action)
	}
	return ch.Action
}

func (f *Frontend) question(w http.ResponseWriter, r *http.Request) {
	f.showQuestion(w, r, http.StatusOK, nil)
}

// showQuestion shows the question page; fm is a refused form of the page,
// shown again with its errors.
func (f *Frontend) showQuestion(w http.ResponseWriter, r *http.Request, status int, fm *form) {
	p, err := f.loadQuestion(r)
	if err != nil {
		f.fail(w, r, err)
		return
	}
	f.render(w, r, status, "question", view{Path: p.URL, Form: fm, Data: p})
}

// questionParts is the question page's live parts (state, answer, staff
// tools, history, comments) as an HTML fragment, for the page's script to
// put in place when question:{id} announces a change.
func (f *Frontend) questionParts(w http.ResponseWriter, r *http.Request) {
	p, err := f.loadQuestion(r)
	if err != nil {
		f.failPart(w, r, err)
		return
	}
	f.renderPart(w, r, "question", "qparts", view{Path: p.URL, Data: p})
}

// failPart answers a fragment's request with the error's status and no
// page: the script that asked knows what it means.
func (f *Frontend) failPart(w http.ResponseWriter, r *http.Request, err error) {
	e := apperr.As(err)
	if e.Code == apperr.Internal {
		f.opts.Logger.Error("part failed", "path", r.URL.Path, "err", err)
	}
	http.Error(w, http.StatusText(statusOf(w, e)), statusOf(w, e))
}

// renderPart writes the template name of page as a fragment, without the
// layout (and without taking the reader's pending notice).
func (f *Frontend) renderPart(w http.ResponseWriter, r *http.Request, page, name string, v view) {
	v.Lang = i18n.FromContext(r.Context())
	v.Langs = f.langs
	v.LT = f.layoutTexts[v.Lang]
	v.User = accounts.UserFrom(r.Context())
	v.tz = f.opts.Timezone
	var buf bytes.Buffer
	if err := f.pages[page].ExecuteTemplate(&buf, name, &v); err != nil {
		f.failPart(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = buf.WriteTo(w)
}

// Count formats n like Num.
func (v *view) Count(n int) string { return v.Num(int64(n)) }

// RowDefault is RowField with the value def unless the form shown is
// row's (a revision form starts with the answer's current text).
func (v *view) RowDefault(name, typ, row, hint, def string) field {
	fl := v.RowField(name, typ, row, hint)
	if v.Form == nil || v.Form.Row != row {
		fl.Value = def
	}
	return fl
}
