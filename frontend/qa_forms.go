package frontend

import (
	"net/http"
	"net/url"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/apperr"
	"github.com/civichub/civichub/i18n"
	"github.com/civichub/civichub/qa"
)

// The Q&A section's forms: asking, and on a question's page the resident's
// (comment, upvote, follow, close) and the agency's (accept, reject,
// assign, forward, answer, revise). Each is an ordinary form post answered
// with 303 to the page to see next, or the page shown again with each
// error next to its field.

// askFields are the ask form's fields in page order.
var askFields = []string{"agency", "topic", "subject", "body", "private", "contact_name", "contact_phone", "contact_email", "contact_address"}

// askAlias maps the service's field names to the ask form's.
var askAlias = map[string]string{
	"agency_id": "agency", "field": "topic", "title": "subject",
	"contact.name": "contact_name", "contact.phone": "contact_phone", "contact.email": "contact_email", "contact.address": "contact_address",
}

// askPage is the data of the ask form.
type askPage struct {
	Agencies []agencyChoice
}

func (f *Frontend) askForm(w http.ResponseWriter, r *http.Request) {
	var fm *form
	if a := r.URL.Query().Get("agency"); a != "" {
		fm = &form{fields: askFields, values: url.Values{"agency": {a}}, Errors: map[string]string{}}
	}
	f.showAsk(w, r, http.StatusOK, fm)
}

func (f *Frontend) showAsk(w http.ResponseWriter, r *http.Request, status int, fm *form) {
	list, err := f.agencyChoices(r.Context(), i18n.FromContext(r.Context()))
	if err != nil {
		f.fail(w, r, err)
		return
	}
	f.render(w, r, status, "question_new", view{Path: "/questions/new", Form: fm, Data: askPage{Agencies: list}})
}

// ask sends the question and goes to its page.
func (f *Frontend) ask(w http.ResponseWriter, r *http.Request) {
	fm, ok := f.readForm(w, r, askFields...)
	if !ok {
		return
	}
	in := qa.NewQuestion{AgencyID: fm.Value("agency"), Field: fm.Value("topic"), Title: fm.Value("subject"),
		Body: fm.Value("body"), Private: fm.Value("private") == "on"}
	c := qa.Contact{Name: fm.Value("contact_name"), Phone: fm.Value("contact_phone"), Email: fm.Value("contact_email"), Address: fm.Value("contact_address")}
	if !c.Empty() {
		in.Contact = &c
	}
	q, err := f.opts.QA.Ask(r.Context(), accounts.UserFrom(r.Context()), in)
	if err != nil {
		f.retry(w, r, fm, err, askAlias, f.showAsk)
		return
	}
	f.notify(w, "notice.question_sent")
	redirect(w, r, "/questions/"+q.ID)
}

// questionURL is the page of the path's question, at anchor ("" for none).
func questionURL(r *http.Request, anchor string) string {
	u := "/questions/" + url.PathEscape(r.PathValue("id"))
	if anchor != "" {
		u += "#" + anchor
	}
	return u
}

// back is where a form posted from another page (the agency's queue)
// returns: its "back" value when that is a path on this site, else def.
func back(fm *form, def string) string {
	if b := localPath(fm.Value("back")); b != "/" {
		return b
	}
	return def
}

// statusRows names the question page's form that each status change comes
// from, for the errors.
var statusRows = map[qa.Status]string{qa.Rejected: "reject", qa.Assigned: "assign"}

// statusNotices are the notices after each status change.
var statusNotices = map[qa.Status]string{
	qa.Accepted: "notice.question_accepted", qa.Rejected: "notice.question_rejected",
	qa.Assigned: "notice.question_assigned", qa.Closed: "notice.question_closed",
}

// changeStatus accepts, rejects, assigns or closes the question.
func (f *Frontend) changeStatus(w http.ResponseWriter, r *http.Request) {
	fm, ok := f.readForm(w, r, "reason", "assignee_id")
	if !ok {
		return
	}
	st := qa.Status(fm.Value("status"))
	fm.Row = statusRows[st]
	in := qa.StatusChange{Status: st, Reason: fm.Value("reason"), AssigneeID: fm.Value("assignee_id")}
	if _, err := f.opts.QA.ChangeStatus(r.Context(), accounts.UserFrom(r.Context()), r.PathValue("id"), in); err != nil {
		f.retry(w, r, fm, err, nil, f.showQuestion)
		return
	}
	f.notify(w, statusNotices[st])
	redirect(w, r, back(fm, questionURL(r, "")))
}

// forwardAlias maps the service's field names to the forward form's.
var forwardAlias = map[string]string{"agency_id": "agency"}

// forwardQuestion passes the question to another agency. Staff who may no
// longer read it afterwards (a private question) go back to their queue.
func (f *Frontend) forwardQuestion(w http.ResponseWriter, r *http.Request) {
	fm, ok := f.readForm(w, r, "agency", "reason")
	if !ok {
		return
	}
	fm.Row = "forward"
	ctx, u := r.Context(), accounts.UserFrom(r.Context())
	in := qa.Forward{AgencyID: fm.Value("agency"), Reason: fm.Value("reason")}
	q, err := f.opts.QA.ForwardQuestion(ctx, u, r.PathValue("id"), in)
	if err != nil {
		f.retry(w, r, fm, err, forwardAlias, f.showQuestion)
		return
	}
	f.notify(w, "notice.question_forwarded")
	if _, err := f.opts.QA.Get(ctx, u, q.ID); err != nil {
		redirect(w, r, back(fm, "/questions"))
		return
	}
	redirect(w, r, questionURL(r, ""))
}

// answer publishes the official answer.
func (f *Frontend) answer(w http.ResponseWriter, r *http.Request) {
	fm, ok := f.readForm(w, r, "body")
	if !ok {
		return
	}
	fm.Row = "answer"
	if _, _, err := f.opts.QA.Answer(r.Context(), accounts.UserFrom(r.Context()), r.PathValue("id"), fm.Value("body")); err != nil {
		f.retry(w, r, fm, err, nil, f.showQuestion)
		return
	}
	f.notify(w, "notice.answer_published")
	redirect(w, r, questionURL(r, "answer"))
}

// revise publishes a revision of the question's answer.
func (f *Frontend) revise(w http.ResponseWriter, r *http.Request) {
	fm, ok := f.readForm(w, r, "body", "reason")
	if !ok {
		return
	}
	fm.Row = "revise"
	ctx, u := r.Context(), accounts.UserFrom(r.Context())
	v, err := f.opts.QA.Get(ctx, u, r.PathValue("id"))
	if err != nil {
		f.fail(w, r, err)
		return
	}
	if v.Answer == nil {
		f.retry(w, r, fm, qa.ErrAnswerNotFound, nil, f.showQuestion)
		return
	}
	if _, err := f.opts.QA.Revise(ctx, u, v.Answer.ID, qa.NewRevision{Body: fm.Value("body"), Reason: fm.Value("reason")}); err != nil {
		f.retry(w, r, fm, err, nil, f.showQuestion)
		return
	}
	f.notify(w, "notice.answer_revised")
	redirect(w, r, questionURL(r, "answer"))
}

// comment adds a follow-up comment.
func (f *Frontend) comment(w http.ResponseWriter, r *http.Request) {
	fm, ok := f.readForm(w, r, "body")
	if !ok {
		return
	}
	fm.Row = "comment"
	c, err := f.opts.QA.AddComment(r.Context(), accounts.UserFrom(r.Context()), r.PathValue("id"), fm.Value("body"))
	if err != nil {
		f.retry(w, r, fm, err, nil, f.showQuestion)
		return
	}
	notice := "notice.comment_added"
	if c.Hidden {
		notice = "notice.post_review"
	}
	f.notify(w, notice)
	redirect(w, r, questionURL(r, "comment-"+c.ID))
}

// hideComment hides or restores a comment (moderators).
func (f *Frontend) hideComment(w http.ResponseWriter, r *http.Request) {
	fm, ok := f.readForm(w, r, "hidden", "reason")
	if !ok {
		return
	}
	hidden := fm.Value("hidden") == "on"
	c, err := f.opts.QA.SetCommentHidden(r.Context(), accounts.UserFrom(r.Context()), r.PathValue("cid"), hidden, fm.Value("reason"))
	if err == nil && c.QuestionID != r.PathValue("id") {
		err = qa.ErrCommentNotFound
	}
	if err != nil {
		f.fail(w, r, err)
		return
	}
	f.notify(w, map[bool]string{true: "notice.comment_hidden", false: "notice.comment_restored"}[hidden])
	redirect(w, r, questionURL(r, "comment-"+c.ID))
}

// upvote records that the reader has the question too, or no longer.
func (f *Frontend) upvote(w http.ResponseWriter, r *http.Request) {
	fm, ok := f.readForm(w, r, "upvote")
	if !ok {
		return
	}
	on := fm.Value("upvote") == "on"
	if _, err := f.opts.QA.Upvote(r.Context(), accounts.UserFrom(r.Context()), r.PathValue("id"), on); err != nil {
		f.retryQuestion(w, r, fm, err)
		return
	}
	f.notify(w, map[bool]string{true: "notice.upvoted", false: "notice.unvoted"}[on])
	redirect(w, r, questionURL(r, ""))
}

// followQuestion follows or unfollows the question.
func (f *Frontend) followQuestion(w http.ResponseWriter, r *http.Request) {
	fm, ok := f.readForm(w, r, "follow")
	if !ok {
		return
	}
	on := fm.Value("follow") == "on"
	if err := f.opts.QA.Follow(r.Context(), accounts.UserFrom(r.Context()), r.PathValue("id"), on); err != nil {
		f.retryQuestion(w, r, fm, err)
		return
	}
	f.notify(w, map[bool]string{true: "notice.question_following", false: "notice.question_unfollowed"}[on])
	redirect(w, r, questionURL(r, ""))
}

// retryQuestion shows the question page again with a refused button's
// error, or the error page when the question itself is out of reach.
func (f *Frontend) retryQuestion(w http.ResponseWriter, r *http.Request, fm *form, err error) {
	if c := apperr.As(err).Code; c == apperr.NotFound || c == apperr.Unauthorized {
		f.fail(w, r, err)
		return
	}
	f.retry(w, r, fm, err, nil, f.showQuestion)
}
