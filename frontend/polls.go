package frontend

import (
	"net/http"
	"net/url"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/apperr"
	"github.com/civichub/civichub/i18n"
	"github.com/civichub/civichub/id"
	"github.com/civichub/civichub/polls"
)

// pollsPageSize is how many polls the poll list shows per page.
const pollsPageSize = 20

type pollsPage struct {
	listPage[*polls.View]
	CanManage bool
}

// pollList lists open and closed polls, newest first. Each shows its status
// and total only, whatever its results visibility.
func (f *Frontend) pollList(w http.ResponseWriter, r *http.Request) {
	after := r.URL.Query().Get("after")
	if after != "" && !id.Valid(after) {
		f.fail(w, r, apperr.Field("after", "invalid_cursor"))
		return
	}
	items, err := f.opts.Polls.List(r.Context(), polls.ViewerFrom(r), polls.ListQuery{Before: after, Limit: pollsPageSize + 1})
	if err != nil {
		f.fail(w, r, err)
		return
	}
	p := pollsPage{listPage: listPage[*polls.View]{Items: items, Base: "/polls", After: after}}
	if len(items) > pollsPageSize {
		p.Items = items[:pollsPageSize]
		p.Next = items[pollsPageSize-1].ID
	}
	if p.CanManage, err = f.mayManagePolls(r); err != nil {
		f.fail(w, r, err)
		return
	}
	f.render(w, r, http.StatusOK, "polls", view{Path: p.URL(), Data: p})
}

type pollPage struct {
	Box    *pollBox
	Agency string
}

func (f *Frontend) poll(w http.ResponseWriter, r *http.Request) {
	f.showPoll(w, r, http.StatusOK, nil)
}

// showPoll shows the poll page; fm is a refused vote.
func (f *Frontend) showPoll(w http.ResponseWriter, r *http.Request, status int, fm *form) {
	pv, err := f.opts.Polls.Get(r.Context(), polls.ViewerFrom(r), r.PathValue("id"))
	if err != nil {
		f.fail(w, r, err)
		return
	}
	lang := i18n.FromContext(r.Context())
	page := pollPage{Box: newPollBox(pv, lang, accounts.UserFrom(r.Context()), fm, "/polls/"+pv.ID+"/vote")}
	if pv.AgencyID != "" {
		if a, err := f.opts.Accounts.Agency(r.Context(), pv.AgencyID); err == nil {
			page.Agency = a.Name.In(lang)
		}
	}
	f.render(w, r, status, "poll", view{Path: "/polls/" + pv.ID, Form: fm, Data: page})
}

// voteFields maps the service's field names to the vote form's.
var voteFields = map[string]string{"options": "option"}

// vote casts the ballot of the vote form on the poll page or the home page
// and goes back there with a notice, or shows that page again with the
// error next to the options.
func (f *Frontend) vote(w http.ResponseWriter, r *http.Request) {
	fm, ok := f.readForm(w, r, "option")
	if !ok {
		return
	}
	if fm.Value("from") == "home" {
		f.castVote(w, r, fm, f.showHome, "/")
		return
	}
	f.castVote(w, r, fm, f.showPoll, "/polls/"+url.PathEscape(r.PathValue("id")))
}

// castVote casts the ballot of the posted vote form fm with Service.Vote.
func (f *Frontend) castVote(w http.ResponseWriter, r *http.Request, fm *form, page show, back string) {
	fm.Row = r.PathValue("id")
	if _, err := f.opts.Polls.Vote(r.Context(), polls.ViewerFrom(r), fm.Row, fm.values["option"]); err != nil {
		f.retry(w, r, fm, err, voteFields, page)
		return
	}
	f.notify(w, "notice.voted")
	redirect(w, r, back)
}

// homePollScan is how many of the newest open polls the home page looks
// through for one that is open now (not scheduled, not past its end).
const homePollScan = 10

// homePoll returns the box of the newest poll that is open now, or nil.
// fm is a refused vote from the home page.
func (f *Frontend) homePoll(r *http.Request, fm *form) (*pollBox, error) {
	if f.opts.Polls == nil {
		return nil, nil
	}
	list, err := f.opts.Polls.List(r.Context(), polls.ViewerFrom(r), polls.ListQuery{Status: polls.Open, Limit: homePollScan})
	if err != nil {
		return nil, err
	}
	for _, pv := range list {
		if pv.Status == polls.Open {
			b := newPollBox(pv, i18n.FromContext(r.Context()), accounts.UserFrom(r.Context()), fm, "/polls/"+pv.ID+"/vote")
			b.From = "home"
			return b, nil
		}
	}
	return nil, nil
}

// mayManagePolls reports whether the user may create polls: an admin, or
// staff of an agency.
func (f *Frontend) mayManagePolls(r *http.Request) (bool, error) {
	u := accounts.UserFrom(r.Context())
	if u == nil {
		return false, nil
	}
	if u.Role == accounts.Admin {
		return true, nil
	}
	ms, err := f.opts.Accounts.Memberships(r.Context(), u.ID)
	return len(ms) > 0, err
}
