package frontend

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/apperr"
	"github.com/civichub/civichub/i18n"
	"github.com/civichub/civichub/qa"
	"github.com/civichub/civichub/web"
)

// An agency's pages: the queue of questions its staff work through, the
// public scorecard, the public list of agencies, and the admins' setting
// of the agency's answer time.

// queuePerPage is how many questions a tab of the queue shows at once.
const queuePerPage = 30

// queueTabs are the queue's tabs: a status each, and the overdue ones.
var queueTabs = []string{"submitted", "accepted", "assigned", "answered", "overdue"}

// queuePage is one tab of an agency's queue.
type queuePage struct {
	Agency agencyChoice
	Tab    string
	Tabs   []string
	Counts map[string]int // questions per tab
	Items  []queueRow
	// Cursor is this page's ("" on the first), Next the following one's.
	Cursor, Next string
}

// queueRow is a question of the queue.
type queueRow struct {
	qa.Summary
	// Assignee is the assigned staff member's name; Mine is true when
	// that is the reader.
	Assignee string
	Mine     bool
}

// TabURL is the address of a tab's first page.
func (p queuePage) TabURL(tab string) string {
	return "/agencies/" + url.PathEscape(p.Agency.ID) + "/questions?tab=" + tab
}

// URL is this page's address.
func (p queuePage) URL() string {
	if p.Cursor == "" {
		return p.TabURL(p.Tab)
	}
	return p.TabURL(p.Tab) + "&cursor=" + url.QueryEscape(p.Cursor)
}

// NextURL is the following page's address.
func (p queuePage) NextURL() string { return p.TabURL(p.Tab) + "&cursor=" + url.QueryEscape(p.Next) }

// PartsURL is the address of the list alone, for the live page.
func (p queuePage) PartsURL() string {
	return "/agencies/" + url.PathEscape(p.Agency.ID) + "/questions/parts?tab=" + p.Tab
}

// TabName is the name of a queue tab.
func (v *view) TabName(tab string) string { return v.T("queue.tab." + tab) }

// staffAgency returns the path's agency when the reader is its staff, and
// the forbidden error otherwise.
func (f *Frontend) staffAgency(r *http.Request) (agencyChoice, error) {
	ctx, u := r.Context(), accounts.UserFrom(r.Context())
	if u == nil {
		return agencyChoice{}, qa.ErrUnauthorized
	}
	ms, err := f.opts.Accounts.Memberships(ctx, u.ID)
	if err != nil {
		return agencyChoice{}, err
	}
	for _, m := range ms {
		if m.Agency.ID == r.PathValue("id") {
			return agencyChoice{ID: m.Agency.ID, Name: m.Agency.Name.In(i18n.FromContext(ctx))}, nil
		}
	}
	return agencyChoice{}, qa.ErrNotStaff
}

// loadQueue reads the asked tab of the agency's queue, by deadline (the
// answered ones newest first).
func (f *Frontend) loadQueue(r *http.Request) (*queuePage, error) {
	ag, err := f.staffAgency(r)
	if err != nil {
		return nil, err
	}
	ctx, q, u := r.Context(), r.URL.Query(), accounts.UserFrom(r.Context())
	p := &queuePage{Agency: ag, Tab: q.Get("tab"), Tabs: queueTabs, Cursor: q.Get("cursor")}
	if p.Tab == "" {
		p.Tab = queueTabs[0]
	}
	if !slices.Contains(queueTabs, p.Tab) {
		return nil, apperr.Field("tab", "invalid_status")
	}
	lp := qa.ListParams{AgencyID: ag.ID, Sort: qa.ByDeadline, Limit: queuePerPage}
	switch p.Tab {
	case "overdue":
		lp.Overdue = true
	case "answered":
		lp.Status, lp.Sort = qa.Answered, qa.Newest
	default:
		lp.Status = qa.Status(p.Tab)
	}
	if p.Cursor != "" {
		lp.Cursor = &qa.ListCursor{}
		if err := web.DecodeCursor(p.Cursor, lp.Cursor); err != nil {
			return nil, apperr.Field("cursor", "invalid_cursor")
		}
	}
	items, next, err := f.opts.QA.List(ctx, u, lp)
	if err != nil {
		return nil, err
	}
	if p.Counts, err = f.opts.QA.QueueCounts(ctx, u, ag.ID); err != nil {
		return nil, err
	}
	if next != nil {
		p.Next = web.EncodeCursor(next)
	}
	staff, err := f.opts.Accounts.Staff(ctx, ag.ID)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		row := queueRow{Summary: it, Mine: it.AssigneeID == u.ID}
		for _, s := range staff {
			if s.UserID == it.AssigneeID {
				row.Assignee = s.Name
			}
		}
		p.Items = append(p.Items, row)
	}
	return p, nil
}

// staffAgencies lists the agencies u is staff of, for the navigation's
// links to their queues; nil when they cannot be read (the page still
// shows).
func (f *Frontend) staffAgencies(ctx context.Context, u *accounts.User, lang i18n.Lang) []agencyChoice {
	ms, err := f.opts.Accounts.Memberships(ctx, u.ID)
	if err != nil {
		f.opts.Logger.Warn("staff memberships", "err", err)
		return nil
	}
	out := make([]agencyChoice, 0, len(ms))
	for _, m := range ms {
		out = append(out, agencyChoice{ID: m.Agency.ID, Name: m.Agency.Name.In(lang)})
	}
	return out
}

// agencyQueue is the agency's queue of questions, for its staff only.
func (f *Frontend) agencyQueue(w http.ResponseWriter, r *http.Request) {
	p, err := f.loadQueue(r)
	if err != nil {
		f.fail(w, r, err)
		return
	}
	f.render(w, r, http.StatusOK, "agency_queue", view{Path: p.URL(), Data: p})
}

// agencyQueueParts is the queue's list alone, for the page's script to put
// in place when agency:{id} announces a change.
func (f *Frontend) agencyQueueParts(w http.ResponseWriter, r *http.Request) {
	p, err := f.loadQueue(r)
	if err != nil {
		f.failPart(w, r, err)
		return
	}
	f.renderPart(w, r, "agency_queue", "queueparts", view{Path: p.URL(), Data: p})
}

// scorecardPage is an agency's public record of answering.
type scorecardPage struct {
	*qa.Scorecard
	Name string
}

// scorecard shows how fast and how well an agency answers.
func (f *Frontend) scorecard(w http.ResponseWriter, r *http.Request) {
	sc, err := f.opts.QA.Scorecard(r.Context(), r.PathValue("id"))
	if err != nil {
		f.fail(w, r, err)
		return
	}
	p := scorecardPage{Scorecard: sc, Name: sc.Agency.Name.In(i18n.FromContext(r.Context()))}
	f.render(w, r, http.StatusOK, "scorecard", view{Data: p})
}

// Share formats a share (0 to 1) as a percentage, "–" when there is none.
func (v *view) Share(x *float64) string {
	if x == nil {
		return "–"
	}
	return v.T("qa.percent", v.Decimal(*x*100, 1))
}

// Decimal formats x with up to digits decimals and the page language's
// decimal separator.
func (v *view) Decimal(x float64, digits int) string {
	s := strconv.FormatFloat(x, 'f', digits, 64)
	if digits > 0 {
		for len(s) > 0 && s[len(s)-1] == '0' {
			s = s[:len(s)-1]
		}
		if s[len(s)-1] == '.' {
			s = s[:len(s)-1]
		}
	}
	if v.Lang != i18n.EN {
		b := []byte(s)
		for i, c := range b {
			if c == '.' {
				b[i] = ','
			}
		}
		s = string(b)
	}
	return s
}

// Median formats a window's median time to answer, in working days and
// hours, "–" without answers.
func (v *view) Median(w qa.Window) string {
	if w.MedianWorkdays == nil || w.MedianHours == nil {
		return "–"
	}
	return v.T("qa.median", v.Decimal(*w.MedianWorkdays, 1), v.Decimal(*w.MedianHours, 1))
}

// agencyDirectory lists the agencies, each with its scorecard, questions
// and ask form.
func (f *Frontend) agencyDirectory(w http.ResponseWriter, r *http.Request) {
	lang := i18n.FromContext(r.Context())
	p, err := pageOf(r, "/agencies", func(lp accounts.ListParams) ([]agencyChoice, error) {
		list, err := f.opts.Accounts.Agencies(r.Context(), lp)
		out := make([]agencyChoice, len(list))
		for i, a := range list {
			out[i] = agencyChoice{ID: a.ID, Name: a.Name.In(lang)}
		}
		return out, err
	}, func(a agencyChoice) string { return a.ID })
	if err != nil {
		f.fail(w, r, err)
		return
	}
	f.render(w, r, http.StatusOK, "agency_directory", view{Path: p.URL(), Data: p})
}

// setAnswerDays sets the agency's working days to answer (admins).
func (f *Frontend) setAnswerDays(w http.ResponseWriter, r *http.Request) {
	fm, ok := f.readForm(w, r, "answer_days")
	if !ok {
		return
	}
	agencyID := r.PathValue("id")
	days, err := strconv.Atoi(strings.TrimSpace(fm.Value("answer_days")))
	if err != nil {
		err = apperr.Field("answer_days", "out_of_range")
	} else {
		err = f.opts.QA.SetAnswerDays(r.Context(), accounts.UserFrom(r.Context()), agencyID, days)
	}
	if err != nil {
		f.retry(w, r, fm, err, nil, f.showAgency)
		return
	}
	f.notify(w, "notice.answer_days_saved")
	redirect(w, r, "/admin/agencies/"+url.PathEscape(agencyID))
}
