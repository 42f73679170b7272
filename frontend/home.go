package frontend

import (
	"net/http"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/i18n"
)

// homeAgencies is how many agencies the home page lists.
const homeAgencies = 100

type homePage struct {
	Agencies []*accounts.Agency
	// Poll is the newest open poll's box, or nil when no poll is open.
	Poll *pollBox
	// HasPolls is true when the poll pages exist, to link the list.
	HasPolls bool
	// Answers is the box of the newest official answers, nil without the
	// Q&A section.
	Answers *answerFeed
}

// home welcomes visitors, lists the agencies and shows the newest open
// poll and the newest official answers, like the portal's sidebar.
func (f *Frontend) home(w http.ResponseWriter, r *http.Request) {
	f.showHome(w, r, http.StatusOK, nil)
}

// showHome shows the home page; fm is a vote refused from its poll box.
func (f *Frontend) showHome(w http.ResponseWriter, r *http.Request, status int, fm *form) {
	list, err := f.opts.Accounts.Agencies(r.Context(), accounts.ListParams{Limit: homeAgencies})
	if err != nil {
		f.fail(w, r, err)
		return
	}
	poll, err := f.homePoll(r, fm)
	if err != nil {
		f.fail(w, r, err)
		return
	}
	answers, err := f.recentAnswers(r.Context(), i18n.FromContext(r.Context()), false)
	if err != nil {
		f.fail(w, r, err)
		return
	}
	f.render(w, r, status, "home", view{Path: "/", Form: fm, Data: homePage{Agencies: list, Poll: poll, HasPolls: f.opts.Polls != nil, Answers: answers}})
}
