package frontend

import (
	"html"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/apperr"
	"github.com/civichub/civichub/i18n"
	"github.com/civichub/civichub/id"
	"github.com/civichub/civichub/polls"
)

// requirePollManager lets admins and agency staff through to next; a guest
// is sent to the login page and anyone else gets the 403 page. The polls
// service checks again, poll by poll, on every read and change.
func (f *Frontend) requirePollManager(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if accounts.UserFrom(r.Context()) == nil {
			back := "/admin/polls"
			if r.Method == http.MethodGet {
				back = r.URL.RequestURI()
			}
			redirect(w, r, loginURL(back))
			return
		}
		ok, err := f.mayManagePolls(r)
		switch {
		case err != nil:
			f.fail(w, r, err)
		case !ok:
			f.fail(w, r, accounts.ErrForbidden)
		default:
			next(w, r)
		}
	}
}

// adminPollTabs are the admin poll list's tabs: stored statuses ("" is open
// and closed).
var adminPollTabs = []polls.Status{"", polls.Draft, polls.Archived}

type adminPollsPage struct {
	listPage[*polls.View]
	Tab  polls.Status
	Tabs []polls.Status
}

// TabURL is the address of a tab.
func (p adminPollsPage) TabURL(s polls.Status) string {
	if s == "" {
		return "/admin/polls"
	}
	return "/admin/polls?status=" + string(s)
}

// adminPolls lists the polls the user manages, by tab.
func (f *Frontend) adminPolls(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	tab, after := polls.Status(q.Get("status")), q.Get("after")
	if !slices.Contains(adminPollTabs, tab) {
		f.fail(w, r, apperr.Field("status", "invalid_choice"))
		return
	}
	if after != "" && !id.Valid(after) {
		f.fail(w, r, apperr.Field("after", "invalid_cursor"))
		return
	}
	items, err := f.opts.Polls.List(r.Context(), polls.ViewerFrom(r), polls.ListQuery{Status: tab, Before: after, Limit: adminPageSize + 1})
	if err != nil {
		f.fail(w, r, err)
		return
	}
	base := adminPollsPage{}.TabURL(tab)
	p := adminPollsPage{listPage: listPage[*polls.View]{Base: base, After: after}, Tab: tab, Tabs: adminPollTabs}
	if len(items) > adminPageSize {
		items = items[:adminPageSize]
		p.Next = items[adminPageSize-1].ID
	}
	// The list of open and closed polls holds every agency's; keep the
	// user's own.
	for _, pv := range items {
		if pv.CanManage {
			p.Items = append(p.Items, pv)
		}
	}
	f.render(w, r, http.StatusOK, "admin_polls", view{Path: withAfterQuery(base, after), Data: p})
}

// withAfterQuery adds the ?after= cursor to a path that may have a query.
func withAfterQuery(path, after string) string {
	if after == "" {
		return path
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + "after=" + url.QueryEscape(after)
}

// agencyChoice is one entry of the poll form's agency list.
type agencyChoice struct {
	ID, Name string
}

// pollFormPage is the data of the create and edit form.
type pollFormPage struct {
	// Poll is the poll being edited, nil on the create page.
	Poll *polls.View
	// Draft is true when every field may change (a new poll or a draft);
	// otherwise only the schedule and the results visibility.
	Draft    bool
	Agencies []agencyChoice
	// NoAgency offers "no agency" (admins only).
	NoAgency bool
	// AgencyName is the edited poll's agency, which cannot change.
	AgencyName string
	Zone       string
}

// Action is where the form posts.
func (p pollFormPage) Action() string {
	if p.Poll == nil {
		return "/admin/polls"
	}
	return "/admin/polls/" + p.Poll.ID
}

func (f *Frontend) newPollForm(w http.ResponseWriter, r *http.Request) {
	f.showPollForm(w, r, http.StatusOK, nil)
}

// showPollForm shows the create form (no {id} in the path) or the edit
// form; fm is a refused form.
func (f *Frontend) showPollForm(w http.ResponseWriter, r *http.Request, status int, fm *form) {
	ctx, u, lang := r.Context(), accounts.UserFrom(r.Context()), i18n.FromContext(r.Context())
	page := pollFormPage{Draft: true, Zone: f.opts.Timezone.String()}
	if pollID := r.PathValue("id"); pollID != "" {
		pv, err := f.managed(r, pollID)
		if err != nil {
			f.fail(w, r, err)
			return
		}
		if pv.Poll.Status == polls.Closed || pv.Poll.Status == polls.Archived {
			f.fail(w, r, polls.ErrTransition)
			return
		}
		page.Poll, page.Draft = pv, pv.Poll.Status == polls.Draft
		if pv.AgencyID != "" {
			if a, err := f.opts.Accounts.Agency(ctx, pv.AgencyID); err == nil {
				page.AgencyName = a.Name.In(lang)
			}
		}
		if fm == nil {
			fm = &form{fields: pollFields, values: pollValues(pv.Poll, f.opts.Timezone), Errors: map[string]string{}}
		}
	} else {
		var err error
		if page.Agencies, page.NoAgency, err = f.pollAgencies(r, u); err != nil {
			f.fail(w, r, err)
			return
		}
		if fm == nil {
			first := ""
			if !page.NoAgency && len(page.Agencies) > 0 {
				first = page.Agencies[0].ID
			}
			fm = &form{fields: pollFields, values: newPollValues(first), Errors: map[string]string{}}
		}
	}
	path := "/admin/polls/new"
	if page.Poll != nil {
		path = "/admin/polls/" + page.Poll.ID + "/edit"
	}
	f.render(w, r, status, "poll_form", view{Path: path, Form: fm, Data: page})
}

// pollAgencies lists the agencies u may create polls for: every agency (or
// none) for an admin, the agencies of a staff member.
func (f *Frontend) pollAgencies(r *http.Request, u *accounts.User) ([]agencyChoice, bool, error) {
	lang := i18n.FromContext(r.Context())
	var out []agencyChoice
	if u.Role == accounts.Admin {
		list, err := f.opts.Accounts.Agencies(r.Context(), accounts.ListParams{Limit: homeAgencies})
		for _, a := range list {
			out = append(out, agencyChoice{ID: a.ID, Name: a.Name.In(lang)})
		}
		return out, true, err
	}
	ms, err := f.opts.Accounts.Memberships(r.Context(), u.ID)
	for _, m := range ms {
		out = append(out, agencyChoice{ID: m.Agency.ID, Name: m.Agency.Name.In(lang)})
	}
	return out, false, err
}

func (f *Frontend) createPoll(w http.ResponseWriter, r *http.Request) {
	fm, ok := f.readForm(w, r, pollFields...)
	if !ok {
		return
	}
	pf := pollForm{fm: fm, lang: i18n.FromContext(r.Context()), tz: f.opts.Timezone}
	in := pf.newPoll()
	if fm.HasErrors() {
		f.showPollForm(w, r, http.StatusBadRequest, fm)
		return
	}
	pv, err := f.opts.Polls.Create(r.Context(), polls.ViewerFrom(r), in)
	if err != nil {
		f.retry(w, r, fm, err, pollFieldAlias, f.showPollForm)
		return
	}
	f.notify(w, "notice.poll_created")
	redirect(w, r, "/admin/polls/"+pv.ID)
}

func (f *Frontend) editPollForm(w http.ResponseWriter, r *http.Request) {
	f.showPollForm(w, r, http.StatusOK, nil)
}

func (f *Frontend) updatePoll(w http.ResponseWriter, r *http.Request) {
	fm, ok := f.readForm(w, r, pollFields...)
	if !ok {
		return
	}
	pv, err := f.managed(r, r.PathValue("id"))
	if err != nil {
		f.fail(w, r, err)
		return
	}
	pf := pollForm{fm: fm, lang: i18n.FromContext(r.Context()), tz: f.opts.Timezone}
	in := pf.patch(pv.Poll.Status == polls.Draft)
	if fm.HasErrors() {
		f.showPollForm(w, r, http.StatusBadRequest, fm)
		return
	}
	if _, err := f.opts.Polls.Update(r.Context(), polls.ViewerFrom(r), pv.ID, in); err != nil {
		f.retry(w, r, fm, err, pollFieldAlias, f.showPollForm)
		return
	}
	f.notify(w, "notice.poll_saved")
	redirect(w, r, "/admin/polls/"+pv.ID)
}

// managed returns the poll as its manager sees it; others get forbidden
// (or not found for a draft, as the service hides drafts from them).
func (f *Frontend) managed(r *http.Request, pollID string) (*polls.View, error) {
	pv, err := f.opts.Polls.Get(r.Context(), polls.ViewerFrom(r), pollID)
	if err != nil {
		return nil, err
	}
	if !pv.CanManage {
		return nil, accounts.ErrForbidden
	}
	return pv, nil
}

// adminPollPage is the data of a poll's management page.
type adminPollPage struct {
	Poll    *polls.View
	Box     *pollBox // the labels and results, for the results table
	Agency  string
	Embed   string // the widget's <iframe> code
	Origins []string
}

// Can reports whether the poll may move to status s from the page.
func (p adminPollPage) Can(s polls.Status) bool {
	switch stored := p.Poll.Poll.Status; s {
	case polls.Open:
		return stored == polls.Draft
	case polls.Closed:
		return stored == polls.Open
	case polls.Archived:
		return stored == polls.Draft || stored == polls.Closed
	}
	return false
}

// Editable reports whether the poll has an edit form (until it closes).
func (p adminPollPage) Editable() bool {
	return p.Poll.Poll.Status == polls.Draft || p.Poll.Poll.Status == polls.Open
}

func (f *Frontend) adminPoll(w http.ResponseWriter, r *http.Request) {
	f.showAdminPoll(w, r, http.StatusOK, nil)
}

func (f *Frontend) showAdminPoll(w http.ResponseWriter, r *http.Request, status int, fm *form) {
	pv, err := f.managed(r, r.PathValue("id"))
	if err != nil {
		f.fail(w, r, err)
		return
	}
	lang := i18n.FromContext(r.Context())
	page := adminPollPage{Poll: pv, Box: newPollBox(pv, lang, nil, nil, ""), Origins: f.opts.AllowedOrigins}
	if pv.AgencyID != "" {
		if a, err := f.opts.Accounts.Agency(r.Context(), pv.AgencyID); err == nil {
			page.Agency = a.Name.In(lang)
		}
	}
	page.Embed = `<iframe src="` + html.EscapeString(f.opts.Origin) + `/embed/poll/` + pv.ID + `" title="` + html.EscapeString(page.Box.Question) +
		`" width="100%" height="460" loading="lazy"></iframe>`
	f.render(w, r, status, "admin_poll", view{Path: "/admin/polls/" + pv.ID, Form: fm, Data: page})
}

// pollStatusNotice is the notice after each status change.
var pollStatusNotice = map[polls.Status]string{
	polls.Open:     "notice.poll_opened",
	polls.Closed:   "notice.poll_closed",
	polls.Archived: "notice.poll_archived",
}

// setPollStatus opens a draft, closes an open poll now, or archives it.
func (f *Frontend) setPollStatus(w http.ResponseWriter, r *http.Request) {
	fm, ok := f.readForm(w, r, "status")
	if !ok {
		return
	}
	st := polls.Status(fm.Value("status"))
	notice, ok := pollStatusNotice[st]
	if !ok {
		f.fail(w, r, errInvalid)
		return
	}
	ctx, v, pollID := r.Context(), polls.ViewerFrom(r), r.PathValue("id")
	var err error
	if st == polls.Closed {
		_, err = f.opts.Polls.Close(ctx, v, pollID)
	} else {
		_, err = f.opts.Polls.Update(ctx, v, pollID, polls.Patch{Status: &st})
	}
	if err != nil {
		f.retry(w, r, fm, err, nil, f.showAdminPoll)
		return
	}
	f.notify(w, notice)
	redirect(w, r, "/admin/polls/"+url.PathEscape(pollID))
}
