package frontend

import (
	"net/http"
	"net/url"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/forum"
	"github.com/civichub/civichub/i18n"
)

// The forum's forms for residents: a new thread, a reply, an edit of one's
// own post, following a thread and reporting a post. Each is an ordinary
// form post answered with 303 to the page to see next, or the form shown
// again with each error next to its field.

// requireUser lets logged-in users through to next and sends a guest to
// the login page, which returns to back (the page itself for a GET).
func (f *Frontend) requireUser(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if accounts.UserFrom(r.Context()) != nil {
			next(w, r)
			return
		}
		back := r.URL.RequestURI()
		if r.Method != http.MethodGet {
			back = r.Referer()
			if u, err := url.Parse(back); err == nil {
				back = u.RequestURI()
			}
		}
		redirect(w, r, loginURL(back))
	}
}

// newThreadPage is the data of the new thread form.
type newThreadPage struct {
	Category categoryRow
}

func (f *Frontend) newThreadForm(w http.ResponseWriter, r *http.Request) {
	f.showNewThread(w, r, http.StatusOK, nil)
}

func (f *Frontend) showNewThread(w http.ResponseWriter, r *http.Request, status int, fm *form) {
	ctx := r.Context()
	c, err := f.findCategory(ctx, r.PathValue("ref"))
	if err != nil {
		f.fail(w, r, err)
		return
	}
	p := newThreadPage{Category: f.categoryRow(ctx, c, i18n.FromContext(ctx))}
	f.render(w, r, status, "forum_new", view{Path: p.Category.URL() + "/new", Form: fm, Data: p})
}

// threadFields maps the service's field names to the new thread form's
// ("title" is the label of a staff member's job title).
var threadFields = map[string]string{"title": "subject"}

func (f *Frontend) createThread(w http.ResponseWriter, r *http.Request) {
	fm, ok := f.readForm(w, r, "subject", "body")
	if !ok {
		return
	}
	ctx := r.Context()
	c, err := f.findCategory(ctx, r.PathValue("ref"))
	if err != nil {
		f.fail(w, r, err)
		return
	}
	tv, err := f.opts.Forum.CreateThread(ctx, accounts.UserFrom(ctx), forum.NewThread{CategoryID: c.ID, Title: fm.Value("subject"), Body: fm.Value("body")})
	if err != nil {
		f.retry(w, r, fm, err, threadFields, f.showNewThread)
		return
	}
	f.notify(w, reviewNotice(tv.Posts, "notice.thread_created"))
	redirect(w, r, "/forum/t/"+tv.ID)
}

// reviewNotice is the notice after a post: notice, or that it waits for a
// moderator when a watched word sent it to review.
func reviewNotice(posts []*forum.PostView, notice string) string {
	for _, p := range posts {
		if p.Review == forum.ReviewPending {
			return "notice.post_review"
		}
	}
	return notice
}

// reply adds a post to the thread and goes to it on the thread's last page.
func (f *Frontend) reply(w http.ResponseWriter, r *http.Request) {
	fm, ok := f.readForm(w, r, "body")
	if !ok {
		return
	}
	fm.Row = "reply"
	ctx := r.Context()
	p, err := f.opts.Forum.Reply(ctx, accounts.UserFrom(ctx), r.PathValue("id"), fm.Value("body"))
	if err != nil {
		f.retry(w, r, fm, err, nil, f.showThread)
		return
	}
	f.notify(w, reviewNotice([]*forum.PostView{p}, "notice.replied"))
	redirect(w, r, postURL(p.ThreadID, p.Number, f.pageOfPost(p.Number)))
}

// follow follows or unfollows the thread and goes back to the page the
// button was on.
func (f *Frontend) follow(w http.ResponseWriter, r *http.Request) {
	fm, ok := f.readForm(w, r, "follow")
	if !ok {
		return
	}
	on := fm.Value("follow") == "on"
	threadID := r.PathValue("id")
	if err := f.opts.Forum.Follow(r.Context(), accounts.UserFrom(r.Context()), threadID, on); err != nil {
		f.fail(w, r, err)
		return
	}
	f.notify(w, map[bool]string{true: "notice.following", false: "notice.unfollowed"}[on])
	back := localPath(fm.Value("back"))
	if back == "/" {
		back = "/forum/t/" + url.PathEscape(threadID)
	}
	redirect(w, r, back)
}

// postPage is the data of the edit and report forms: the post they are
// about.
type postPage struct {
	Post   postItem
	Thread *forum.ThreadView
}

func (f *Frontend) editPostForm(w http.ResponseWriter, r *http.Request) {
	f.showEditPost(w, r, http.StatusOK, nil)
}

func (f *Frontend) showEditPost(w http.ResponseWriter, r *http.Request, status int, fm *form) {
	p, ok := f.loadPostPage(w, r)
	if !ok {
		return
	}
	if !p.Post.CanEdit {
		f.fail(w, r, forum.ErrForbidden)
		return
	}
	if fm == nil {
		fm = &form{fields: []string{"body"}, values: url.Values{"body": {p.Post.Body}}, Errors: map[string]string{}}
	}
	f.render(w, r, status, "forum_edit", view{Path: "/forum/p/" + p.Post.ID + "/edit", Form: fm, Data: p})
}

// loadPostPage reads the post of the path as the user sees it.
func (f *Frontend) loadPostPage(w http.ResponseWriter, r *http.Request) (postPage, bool) {
	ctx := r.Context()
	pv, tv, err := f.postView(ctx, accounts.UserFrom(ctx), r.PathValue("id"))
	if err != nil {
		f.fail(w, r, err)
		return postPage{}, false
	}
	return postPage{Post: f.newPostItem(ctx, pv, i18n.FromContext(ctx)), Thread: tv}, true
}

func (f *Frontend) editPost(w http.ResponseWriter, r *http.Request) {
	fm, ok := f.readForm(w, r, "body")
	if !ok {
		return
	}
	ctx := r.Context()
	p, err := f.opts.Forum.EditPost(ctx, accounts.UserFrom(ctx), r.PathValue("id"), fm.Value("body"))
	if err != nil {
		f.retry(w, r, fm, err, nil, f.showEditPost)
		return
	}
	f.notify(w, reviewNotice([]*forum.PostView{p}, "notice.post_saved"))
	redirect(w, r, postURL(p.ThreadID, p.Number, f.pageOfPost(p.Number)))
}

func (f *Frontend) flagForm(w http.ResponseWriter, r *http.Request) {
	f.showFlag(w, r, http.StatusOK, nil)
}

func (f *Frontend) showFlag(w http.ResponseWriter, r *http.Request, status int, fm *form) {
	p, ok := f.loadPostPage(w, r)
	if !ok {
		return
	}
	f.render(w, r, status, "forum_flag", view{Path: "/forum/p/" + p.Post.ID + "/flag", Form: fm, Data: p})
}

// flag reports the post and goes back to it with a thank-you notice.
func (f *Frontend) flag(w http.ResponseWriter, r *http.Request) {
	fm, ok := f.readForm(w, r, "reason", "note")
	if !ok {
		return
	}
	ctx, postID := r.Context(), r.PathValue("id")
	_, err := f.opts.Forum.Flag(ctx, accounts.UserFrom(ctx), postID, forum.ReasonCode(fm.Value("reason")), fm.Value("note"))
	if err != nil {
		f.retry(w, r, fm, err, nil, f.showFlag)
		return
	}
	f.notify(w, "notice.flagged")
	threadID, n, err := f.locatePost(ctx, accounts.UserFrom(ctx), postID)
	if err != nil {
		redirect(w, r, "/forum")
		return
	}
	redirect(w, r, postURL(threadID, n, f.pageOfPost(n)))
}
