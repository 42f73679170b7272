package frontend

import (
	"fmt"
	"slices"
	"time"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/i18n"
	"github.com/civichub/civichub/polls"
)

// pollBox is a poll as the "pollbox" template shows it to one viewer: the
// poll page, the home page's box and the embeddable widget. Results holds
// numbers only when the viewer may see them; otherwise the box shows the
// total and a line that says when the results are published, and nothing
// else of the tally reaches the HTML.
type pollBox struct {
	*polls.View
	Question string
	Options  []pollOption
	// Action is where the vote form posts; From tells the vote handler
	// which page to show again after an error ("home"; "" for the page
	// the action belongs to).
	Action, From string
	// Form says what the vote form shows: "vote" (open, or scheduled and
	// disabled until it opens), "voted", "login" (members only, guest),
	// or "" (no form: closed, archived, draft).
	Form string
	// Error is the refused vote's message, when this box's form was posted.
	Error string
	// Embedded makes links open outside the frame.
	Embedded bool
	// LoginURL returns to the poll after logging in.
	LoginURL string
}

// pollOption is one option's line: its label in the page's language, its
// position, whether the refused form had it checked, and its votes and
// percentage (zero when the results are hidden).
type pollOption struct {
	ID, Label string
	N         int
	Checked   bool
	Votes     int64
	Percent   int
}

// newPollBox builds the box of pv in lang. fm is the refused vote form, or
// nil.
func newPollBox(pv *polls.View, lang i18n.Lang, user *accounts.User, fm *form, action string) *pollBox {
	b := &pollBox{View: pv, Question: pv.Question.In(lang), Action: action, LoginURL: loginURL("/polls/" + pv.ID)}
	var checked []string
	if fm != nil && fm.Row == pv.ID {
		checked = fm.values["option"]
		b.Error = fm.Errors["option"]
		if b.Error == "" {
			b.Error = fm.Error
		}
	}
	for i, o := range pv.Options {
		opt := pollOption{ID: o.ID, Label: o.In(lang), N: i + 1, Checked: slices.Contains(checked, o.ID)}
		if pv.Results != nil && i < len(pv.Results.Options) {
			opt.Votes, opt.Percent = pv.Results.Options[i].Votes, pv.Results.Options[i].Percent
		}
		b.Options = append(b.Options, opt)
	}
	switch {
	case pv.Voted:
		b.Form = "voted"
	case pv.Status != polls.Open && pv.Status != polls.Scheduled:
	case pv.Audience == polls.Members && user == nil:
		b.Form = "login"
	default:
		b.Form = "vote"
	}
	return b
}

// Visibility is who may see the results; View.Results shadows the poll's
// field of that name.
func (b *pollBox) Visibility() polls.Visibility { return b.Poll.Results }

// Disabled reports whether the vote form is shown but cannot be sent yet
// (the poll opens later); the page's script enables it when it opens.
func (b *pollBox) Disabled() bool { return b.Status != polls.Open }

// InputID is the id of the vote form's input for option i. The first one is
// the target of the error summary's link (see form.inputID).
func (b *pollBox) InputID(i int) string {
	if i == 0 {
		return "option-" + b.ID
	}
	return "option-" + b.ID + "-" + b.Options[i].ID
}

// Topic is the live topic the box starts with: the full results when the
// viewer sees them, else the status and total only.
func (b *pollBox) Topic() string {
	if b.Results != nil {
		return polls.Topic(b.ID)
	}
	return polls.CountTopic(b.ID)
}

// HiddenNote is the key of the line shown instead of hidden results.
func (b *pollBox) HiddenNote() string { return "poll.hidden." + string(b.Poll.Results) }

// StatusName returns the display name of a poll status.
func (v *view) StatusName(s polls.Status) string { return v.T("poll.status." + string(s)) }

// Choice returns the display name of a value of one of the poll form's
// choices (audience, results, status).
func (v *view) Choice(name string, value any) string {
	return v.T("choice." + name + "." + fmt.Sprint(value))
}

// VoteUnit is "vote" or "votes" after n in the page's language.
func (v *view) VoteUnit(n int64) string {
	if n == 1 {
		return v.T("poll.vote_one")
	}
	return v.T("poll.vote_other")
}

// When formats t in the site's time zone for the page's language, or ""
// for nil.
func (v *view) When(t *time.Time) string {
	if t == nil {
		return ""
	}
	tz := v.tz
	if tz == nil {
		tz = time.UTC
	}
	lt := t.In(tz)
	if v.Lang == i18n.EN {
		return lt.Format("2 Jan 2006, 15:04")
	}
	return lt.Format("15:04 02/01/2006")
}

// boxData is what the "pollbox" template gets: the page's view, for its
// texts and numbers, and the box.
type boxData struct {
	*view
	Box *pollBox
}

// PollBox hands b to the "pollbox" template.
func (v *view) PollBox(b *pollBox) boxData { return boxData{view: v, Box: b} }
