package frontend

import (
	"context"
	"net/http"
	"net/url"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/apperr"
	"github.com/civichub/civichub/i18n"
	"github.com/civichub/civichub/qa"
	"github.com/civichub/civichub/web"
)

// The Q&A section's pages (issue 6): the list of questions, the ask form,
// a question with its official answer and the agency's tools, each
// agency's queue for its staff, the public scorecards, the home page's
// box of recent answers and its embeddable widget. Every rule is the qa
// service's; these pages only show what it returns to the reader.

// questionsPerPage is how many questions the list shows at once.
const questionsPerPage = 20

// listedStatuses are the statuses a listed question can have: the public
// list's filter offers these; "my questions" offers every status.
var listedStatuses = []qa.Status{qa.Accepted, qa.Assigned, qa.Answered, qa.Closed}

// QStatus is the display name of a question's status.
func (v *view) QStatus(s qa.Status) string { return v.T("qa.status." + string(s)) }

// agencyChoices lists the agencies in lang, for the select lists.
func (f *Frontend) agencyChoices(ctx context.Context, lang i18n.Lang) ([]agencyChoice, error) {
	list, err := f.opts.Accounts.Agencies(ctx, accounts.ListParams{Limit: homeAgencies})
	out := make([]agencyChoice, 0, len(list))
	for _, a := range list {
		out = append(out, agencyChoice{ID: a.ID, Name: a.Name.In(lang)})
	}
	return out, err
}

// Select describes a select list for field name, of the form of row (""
// for a page's only form, as in RowField). prompt is the key of an empty
// first entry ("" for none); def is the value chosen when the form shown
// is not this one.
func (v *view) Select(name, row, hint, prompt, def string, options []agencyChoice) radios {
	var rs radios
	if row == "" {
		rs = radios{field: v.Field(name, "select", "off", hint)}
		if v.Form == nil {
			rs.Value = def
		}
	} else {
		rs = radios{field: v.RowField(name, "select", row, hint)}
		if v.Form == nil || v.Form.Row != row {
			rs.Value = def
		}
	}
	if prompt != "" {
		rs.Choices = append(rs.Choices, choice{Label: v.T(prompt), Checked: rs.Value == ""})
	}
	for _, o := range options {
		rs.Choices = append(rs.Choices, choice{Value: o.ID, Label: o.Name, Checked: rs.Value == o.ID})
	}
	return rs
}

// Labelled is the select list with another label, for a field whose
// name's label belongs to another form.
func (rs radios) Labelled(label string) radios {
	rs.Label = label
	return rs
}

// StatusChoices are the statuses as select list options.
func (v *view) StatusChoices(ss []qa.Status) []agencyChoice {
	out := make([]agencyChoice, len(ss))
	for i, s := range ss {
		out[i] = agencyChoice{ID: string(s), Name: v.QStatus(s)}
	}
	return out
}

// questionsPage is one page of the question list.
type questionsPage struct {
	Items    []qa.Summary
	Agencies []agencyChoice
	Statuses []qa.Status
	// The filters: an agency's ID, a status, and the reader's own
	// questions only.
	Agency, Status string
	Mine           bool
	// Cursor is this page's ("" on the first), Next the following one's.
	Cursor, Next string
}

// ListURL is the list's address with its filters, the reader's own
// questions only or not, and cursor.
func (p questionsPage) ListURL(mine bool, cursor string) string {
	q := url.Values{}
	if p.Agency != "" {
		q.Set("agency", p.Agency)
	}
	if p.Status != "" {
		q.Set("status", p.Status)
	}
	if mine {
		q.Set("mine", "true")
	}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	if len(q) == 0 {
		return "/questions"
	}
	return "/questions?" + q.Encode()
}

// URL is this page's address.
func (p questionsPage) URL() string { return p.ListURL(p.Mine, p.Cursor) }

// FirstURL and NextURL are the pager's addresses.
func (p questionsPage) FirstURL() string { return p.ListURL(p.Mine, "") }
func (p questionsPage) NextURL() string  { return p.ListURL(p.Mine, p.Next) }

// questionList lists questions newest first: the listed ones for everyone,
// or the reader's own (?mine=true), private and waiting ones included. It
// is a GET form: a filtered list's address can be kept and shared.
func (f *Frontend) questionList(w http.ResponseWriter, r *http.Request) {
	ctx, q := r.Context(), r.URL.Query()
	u := accounts.UserFrom(ctx)
	p := questionsPage{Agency: q.Get("agency"), Status: q.Get("status"), Mine: q.Get("mine") == "true", Cursor: q.Get("cursor"), Statuses: listedStatuses}
	if p.Mine && u == nil {
		redirect(w, r, loginURL(r.URL.RequestURI()))
		return
	}
	if p.Mine {
		p.Statuses = qa.Statuses
	}
	fm := &form{fields: []string{"agency", "status"}, values: url.Values{"agency": {p.Agency}, "status": {p.Status}}, Errors: map[string]string{}}
	var err error
	if p.Agencies, err = f.agencyChoices(ctx, i18n.FromContext(ctx)); err != nil {
		f.fail(w, r, err)
		return
	}
	lp := qa.ListParams{AgencyID: p.Agency, Status: qa.Status(p.Status), Mine: p.Mine, Sort: qa.Newest, Limit: questionsPerPage}
	if p.Cursor != "" {
		lp.Cursor = &qa.ListCursor{}
		if err := web.DecodeCursor(p.Cursor, lp.Cursor); err != nil {
			f.retry(w, r, fm, apperr.Field("cursor", "invalid_cursor"), nil, f.showQuestions(p))
			return
		}
	}
	items, next, err := f.opts.QA.List(ctx, u, lp)
	if err != nil {
		f.retry(w, r, fm, err, nil, f.showQuestions(p))
		return
	}
	p.Items = items
	if next != nil {
		p.Next = web.EncodeCursor(next)
	}
	f.showQuestions(p)(w, r, http.StatusOK, fm)
}

// showQuestions shows the question list p.
func (f *Frontend) showQuestions(p questionsPage) show {
	return func(w http.ResponseWriter, r *http.Request, status int, fm *form) {
		f.render(w, r, status, "questions", view{Path: p.URL(), Form: fm, Data: p})
	}
}
