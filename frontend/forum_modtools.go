package frontend

import (
	"net/http"
	"net/url"
	"time"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/apperr"
	"github.com/civichub/civichub/forum"
	"github.com/civichub/civichub/i18n"
	"github.com/civichub/civichub/id"
)

// The moderators' other tools: suspending and banning a user, the watched
// words and the audit log.

// modUserPage is the data of a user's moderation page.
type modUserPage struct {
	Member *accounts.User
	// Until is the end of the user's suspension when they are suspended
	// now; Banned when that end is a ban's.
	Until  *time.Time
	Banned bool
	Zone   string
}

func (f *Frontend) modUser(w http.ResponseWriter, r *http.Request) {
	f.showModUser(w, r, http.StatusOK, nil)
}

func (f *Frontend) showModUser(w http.ResponseWriter, r *http.Request, status int, fm *form) {
	userID := r.PathValue("id")
	if !id.Valid(userID) {
		f.fail(w, r, accounts.ErrUserNotFound)
		return
	}
	u, err := f.opts.Accounts.Store().User(r.Context(), userID)
	if err != nil {
		f.fail(w, r, err)
		return
	}
	p := modUserPage{Member: u, Zone: f.opts.Timezone.String()}
	if u.SuspendedAt(time.Now()) {
		p.Until, p.Banned = u.SuspendedUntil, !u.SuspendedUntil.Before(accounts.BanEnd)
	}
	if fm == nil {
		fm = &form{values: url.Values{"mode": {"suspend"}}, Errors: map[string]string{}}
	}
	f.render(w, r, status, "mod_user", view{Path: "/mod/users/" + u.ID, Form: fm, Data: p})
}

// suspendFields are the suspension form's fields in page order.
var suspendFields = []string{"mode", "until", "reason"}

// suspend suspends the user until a time in the site's zone, bans them, or
// lifts their suspension.
func (f *Frontend) suspend(w http.ResponseWriter, r *http.Request) {
	fm, ok := f.readForm(w, r, suspendFields...)
	if !ok {
		return
	}
	in := forum.Suspension{Reason: fm.Value("reason")}
	notice := "notice.user_suspended"
	switch fm.Value("mode") {
	case "suspend":
		in.Until = pollForm{fm: fm, lang: i18n.FromContext(r.Context()), tz: f.opts.Timezone}.time("until")
		if in.Until == nil && !fm.HasErrors() {
			fm.Errors["until"] = text(i18n.FromContext(r.Context()), "required")
		}
	case "ban":
		in.Ban, notice = true, "notice.user_banned"
	case "lift":
		in.Lift, notice = true, "notice.user_reinstated"
	default:
		fm.Errors["mode"] = text(i18n.FromContext(r.Context()), "invalid_choice")
	}
	if fm.HasErrors() {
		f.showModUser(w, r, http.StatusBadRequest, fm)
		return
	}
	ctx, userID := r.Context(), r.PathValue("id")
	if _, err := f.opts.Forum.Suspend(ctx, accounts.UserFrom(ctx), userID, in); err != nil {
		f.retry(w, r, fm, err, nil, f.showModUser)
		return
	}
	f.notify(w, notice)
	redirect(w, r, "/mod/users/"+url.PathEscape(userID))
}

// wordActions are the watched word form's choices.
var wordActions = []string{string(forum.WordBlock), string(forum.WordReview), string(forum.WordReplace)}

// wordsPage is the data of the watched words page.
type wordsPage struct {
	Words   []*forum.WatchedWord
	Actions []string
}

func (f *Frontend) modWords(w http.ResponseWriter, r *http.Request) {
	f.showModWords(w, r, http.StatusOK, nil)
}

func (f *Frontend) showModWords(w http.ResponseWriter, r *http.Request, status int, fm *form) {
	ws, err := f.opts.Forum.Words(r.Context(), accounts.UserFrom(r.Context()))
	if err != nil {
		f.fail(w, r, err)
		return
	}
	if fm == nil {
		fm = &form{values: url.Values{"action": {string(forum.WordBlock)}}, Errors: map[string]string{}}
	}
	f.render(w, r, status, "mod_words", view{Path: "/mod/words", Form: fm, Data: wordsPage{Words: ws, Actions: wordActions}})
}

func (f *Frontend) putWord(w http.ResponseWriter, r *http.Request) {
	fm, ok := f.readForm(w, r, "word", "action", "replacement")
	if !ok {
		return
	}
	in := forum.WatchedWord{Word: fm.Value("word"), Action: forum.WordAction(fm.Value("action")), Replacement: fm.Value("replacement")}
	if _, err := f.opts.Forum.PutWord(r.Context(), accounts.UserFrom(r.Context()), in); err != nil {
		f.retry(w, r, fm, err, nil, f.showModWords)
		return
	}
	f.notify(w, "notice.word_saved")
	redirect(w, r, "/mod/words")
}

func (f *Frontend) deleteWord(w http.ResponseWriter, r *http.Request) {
	if err := f.opts.Forum.DeleteWord(r.Context(), accounts.UserFrom(r.Context()), r.PathValue("id")); err != nil {
		f.fail(w, r, err)
		return
	}
	f.notify(w, "notice.word_deleted")
	redirect(w, r, "/mod/words")
}

// auditPageSize is how many entries the audit log shows per page.
const auditPageSize = 50

// auditRow is an audit log entry with its actor's name and a link to its
// target.
type auditRow struct {
	*forum.AuditEntry
	Actor, TargetURL string
}

// modAudit shows the audit log, newest first, a page at a time (?after=
// the last entry of the previous page).
func (f *Frontend) modAudit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	after := r.URL.Query().Get("after")
	if after != "" && !id.Valid(after) {
		f.fail(w, r, apperr.Field("after", "invalid_cursor"))
		return
	}
	es, err := f.opts.Forum.Audit(ctx, accounts.UserFrom(ctx), after, auditPageSize+1)
	if err != nil {
		f.fail(w, r, err)
		return
	}
	p := listPage[auditRow]{Base: "/mod/audit", After: after}
	if len(es) > auditPageSize {
		es = es[:auditPageSize]
		p.Next = es[auditPageSize-1].ID
	}
	who := f.people(ctx)
	for _, e := range es {
		row := auditRow{AuditEntry: e, Actor: who.name(e.ActorID)}
		switch e.TargetType {
		case "post":
			row.TargetURL = "/mod/p/" + e.TargetID
		case "thread":
			row.TargetURL = "/forum/t/" + e.TargetID
		case "user":
			row.TargetURL = "/mod/users/" + e.TargetID
		}
		p.Items = append(p.Items, row)
	}
	f.render(w, r, http.StatusOK, "mod_audit", view{Path: p.URL(), Data: p})
}

// AuditAction returns the readable name of an audit log action.
func (v *view) AuditAction(action string) string {
	if key := "audit." + action; hasText(key) {
		return v.T(key)
	}
	return action
}

// AuditReason returns an entry's reason: a reason code's text for a hidden
// post, the moderator's own words otherwise.
func (v *view) AuditReason(e *forum.AuditEntry) string {
	if e.Action == "post.hide" {
		return v.Reason(forum.ReasonCode(e.Reason))
	}
	return e.Reason
}
