package frontend

import (
	"bytes"
	"context"
	"net/http"
	"net/url"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/apperr"
	"github.com/civichub/civichub/forum"
	"github.com/civichub/civichub/i18n"
	"github.com/civichub/civichub/id"
)

// The moderation dashboard: the review queue and the moderation of one
// post (hide, restore, delete, its flags and edit history), and the
// moderators' thread actions on the thread page. The forum service checks
// the role again on every read and change.

// queuePageSize is how many posts the review queue shows per page.
const queuePageSize = 50

// requireModerator lets moderators and admins through to next; a guest is
// sent to the login page and anyone else gets the 403 page.
func (f *Frontend) requireModerator(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		switch u := accounts.UserFrom(r.Context()); {
		case u == nil:
			back := "/mod"
			if r.Method == http.MethodGet {
				back = r.URL.RequestURI()
			}
			redirect(w, r, loginURL(back))
		case !isModerator(u):
			f.fail(w, r, accounts.ErrForbidden)
		default:
			next(w, r)
		}
	}
}

// people resolves user IDs to names once per request.
type people struct {
	ctx   context.Context
	store accounts.Store
	names map[string]string
}

func (f *Frontend) people(ctx context.Context) *people {
	return &people{ctx: ctx, store: f.opts.Accounts.Store(), names: map[string]string{}}
}

// name returns the user's name, or "" for an unknown user.
func (p *people) name(userID string) string {
	n, ok := p.names[userID]
	if !ok {
		if u, err := p.store.User(p.ctx, userID); err == nil {
			n = u.Name
		}
		p.names[userID] = n
	}
	return n
}

// queueItem is a post in the review queue, or on its moderation page,
// with its thread and flags.
type queueItem struct {
	Post   postItem
	Thread *forum.Thread
	Flags  []flagRow
}

// flagRow is a flag with its reporter's name.
type flagRow struct {
	*forum.Flag
	By string
}

// modItem builds the queue item of a post.
func (f *Frontend) modItem(ctx context.Context, pv *forum.PostView, flags []*forum.Flag, who *people) (queueItem, error) {
	t, err := f.opts.Forum.Store().Thread(ctx, pv.ThreadID)
	if err != nil {
		return queueItem{}, err
	}
	it := queueItem{Post: f.newPostItem(ctx, pv, i18n.FromContext(ctx)), Thread: t}
	for _, fl := range flags {
		it.Flags = append(it.Flags, flagRow{Flag: fl, By: who.name(fl.UserID)})
	}
	return it, nil
}

// modQueue is the dashboard: the posts waiting for review, oldest first.
func (f *Frontend) modQueue(w http.ResponseWriter, r *http.Request) {
	ctx, u := r.Context(), accounts.UserFrom(r.Context())
	after := r.URL.Query().Get("after")
	if after != "" && !id.Valid(after) {
		f.fail(w, r, apperr.Field("after", "invalid_cursor"))
		return
	}
	items, err := f.opts.Forum.Queue(ctx, u, after, queuePageSize+1)
	if err != nil {
		f.fail(w, r, err)
		return
	}
	p := listPage[queueItem]{Base: "/mod", After: after}
	if len(items) > queuePageSize {
		items = items[:queuePageSize]
		p.Next = items[queuePageSize-1].Post.ID
	}
	who := f.people(ctx)
	for _, qi := range items {
		it, err := f.modItem(ctx, qi.Post, qi.Flags, who)
		if err != nil {
			f.fail(w, r, err)
			return
		}
		p.Items = append(p.Items, it)
	}
	f.render(w, r, http.StatusOK, "mod_queue", view{Path: p.URL(), Data: p})
}

// loadModItem reads a post with its thread and flags, as moderator u sees
// it.
func (f *Frontend) loadModItem(ctx context.Context, u *accounts.User, postID string) (queueItem, error) {
	pv, _, err := f.postView(ctx, u, postID)
	if err != nil {
		return queueItem{}, err
	}
	flags, err := f.opts.Forum.Store().Flags(ctx, pv.ID)
	if err != nil {
		return queueItem{}, err
	}
	return f.modItem(ctx, pv, flags, f.people(ctx))
}

// queueItemPart is one item of the review queue as an HTML fragment, for
// the dashboard's script to add when mod:queue announces it. Only
// moderators ask for it, so it is fetched rather than carried in the
// event, which every moderator's page receives.
func (f *Frontend) queueItemPart(w http.ResponseWriter, r *http.Request) {
	ctx, u := r.Context(), accounts.UserFrom(r.Context())
	it, err := f.loadModItem(ctx, u, r.PathValue("id"))
	if err == nil && it.Post.Review != forum.ReviewPending {
		err = forum.ErrPostNotFound
	}
	if err != nil {
		e := apperr.As(err)
		http.Error(w, http.StatusText(statusOf(w, e)), statusOf(w, e))
		return
	}
	v := &view{Lang: i18n.FromContext(ctx), User: u, tz: f.opts.Timezone}
	var buf bytes.Buffer
	if err := f.pages["mod_queue"].ExecuteTemplate(&buf, "queueitem", v.Row(it)); err != nil {
		f.opts.Logger.Error("render queue item", "err", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = buf.WriteTo(w)
}

// modPostPage is the moderation page of one post.
type modPostPage struct {
	queueItem
	Edits []editRow
}

// editRow is an earlier version of a post with its editor's name.
type editRow struct {
	*forum.Edit
	Editor string
}

func (f *Frontend) modPost(w http.ResponseWriter, r *http.Request) {
	f.showModPost(w, r, http.StatusOK, nil)
}

func (f *Frontend) showModPost(w http.ResponseWriter, r *http.Request, status int, fm *form) {
	ctx, u := r.Context(), accounts.UserFrom(r.Context())
	it, err := f.loadModItem(ctx, u, r.PathValue("id"))
	if err != nil {
		f.fail(w, r, err)
		return
	}
	edits, err := f.opts.Forum.Edits(ctx, u, it.Post.ID)
	if err != nil {
		f.fail(w, r, err)
		return
	}
	p := modPostPage{queueItem: it}
	who := f.people(ctx)
	for _, e := range edits {
		p.Edits = append(p.Edits, editRow{Edit: e, Editor: who.name(e.EditorID)})
	}
	f.render(w, r, status, "mod_post", view{Path: "/mod/p/" + it.Post.ID, Form: fm, Data: p})
}

// postActionNotice is the notice after each moderator action on a post.
var postActionNotice = map[string]string{
	"hide":    "notice.post_hidden",
	"restore": "notice.post_restored",
	"delete":  "notice.post_deleted",
}

// moderatePost hides, restores or deletes a post (the {action} of the
// path) and goes back to the page the form was on: the queue or the post's
// moderation page.
func (f *Frontend) moderatePost(w http.ResponseWriter, r *http.Request) {
	fm, ok := f.readForm(w, r, "reason", "note")
	if !ok {
		return
	}
	action := r.PathValue("action")
	notice, ok := postActionNotice[action]
	if !ok {
		f.notFound(w, r)
		return
	}
	ctx, u, postID := r.Context(), accounts.UserFrom(r.Context()), r.PathValue("id")
	fm.Row = action
	var err error
	switch action {
	case "hide":
		_, err = f.opts.Forum.Hide(ctx, u, postID, forum.ReasonCode(fm.Value("reason")), fm.Value("note"))
	case "restore":
		_, err = f.opts.Forum.Restore(ctx, u, postID, fm.Value("note"))
	case "delete":
		err = f.opts.Forum.DeletePost(ctx, u, postID, fm.Value("note"))
	}
	if err != nil {
		f.retry(w, r, fm, err, nil, f.showModPost)
		return
	}
	f.notify(w, notice)
	back := localPath(fm.Value("back"))
	if back == "/" {
		back = "/mod/p/" + url.PathEscape(postID)
	}
	redirect(w, r, back)
}

// threadActions are the moderators' thread form's buttons: each sets one
// thing, noted in the audit log with the form's note, and has its notice.
var threadActions = map[string]struct {
	set    func(c *forum.ThreadChange, category string)
	notice string
}{
	"lock":     {func(c *forum.ThreadChange, _ string) { c.Locked = ptr(true) }, "notice.thread_locked"},
	"unlock":   {func(c *forum.ThreadChange, _ string) { c.Locked = ptr(false) }, "notice.thread_unlocked"},
	"pin":      {func(c *forum.ThreadChange, _ string) { c.Pinned = ptr(true) }, "notice.thread_pinned"},
	"unpin":    {func(c *forum.ThreadChange, _ string) { c.Pinned = ptr(false) }, "notice.thread_unpinned"},
	"delete":   {func(c *forum.ThreadChange, _ string) { c.Deleted = ptr(true) }, "notice.thread_deleted"},
	"undelete": {func(c *forum.ThreadChange, _ string) { c.Deleted = ptr(false) }, "notice.thread_undeleted"},
	"move":     {func(c *forum.ThreadChange, category string) { c.CategoryID = &category }, "notice.thread_moved"},
}

func ptr[T any](v T) *T { return &v }

// changeThread applies a moderator's thread action and goes back to the
// thread.
func (f *Frontend) changeThread(w http.ResponseWriter, r *http.Request) {
	fm, ok := f.readForm(w, r, "category_id", "note")
	if !ok {
		return
	}
	fm.Row = "thread"
	action := fm.Value("action")
	ta, ok := threadActions[action]
	if !ok {
		f.fail(w, r, errInvalid)
		return
	}
	ch := forum.ThreadChange{Note: fm.Value("note")}
	ta.set(&ch, fm.Value("category_id"))
	ctx, threadID := r.Context(), r.PathValue("id")
	if _, err := f.opts.Forum.ChangeThread(ctx, accounts.UserFrom(ctx), threadID, ch); err != nil {
		f.retry(w, r, fm, err, nil, f.showThread)
		return
	}
	f.notify(w, ta.notice)
	redirect(w, r, "/forum/t/"+url.PathEscape(threadID))
}
