package frontend

import (
	"net/http"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/apperr"
	"github.com/civichub/civichub/forum"
	"github.com/civichub/civichub/id"
)

// notificationsPageSize is how many notifications the page shows at once.
const notificationsPageSize = 30

// notificationRow is a notification with the names it mentions.
type notificationRow struct {
	*forum.Notification
	Actor, Thread string
}

// notificationsPage is the data of the notifications page.
type notificationsPage struct {
	listPage[notificationRow]
	Unread int
}

// notifications lists the user's notifications, newest first, a page at a
// time (?after= the last one of the previous page).
func (f *Frontend) notifications(w http.ResponseWriter, r *http.Request) {
	ctx, u := r.Context(), accounts.UserFrom(r.Context())
	after := r.URL.Query().Get("after")
	if after != "" && !id.Valid(after) {
		f.fail(w, r, apperr.Field("after", "invalid_cursor"))
		return
	}
	ns, unread, err := f.opts.Forum.Notifications(ctx, u, after, notificationsPageSize+1)
	if err != nil {
		f.fail(w, r, err)
		return
	}
	p := notificationsPage{listPage: listPage[notificationRow]{Base: "/notifications", After: after}, Unread: unread}
	if len(ns) > notificationsPageSize {
		ns = ns[:notificationsPageSize]
		p.Next = ns[notificationsPageSize-1].ID
	}
	who, st := f.people(ctx), f.opts.Forum.Store()
	titles := map[string]string{}
	for _, n := range ns {
		title, ok := titles[n.ThreadID]
		if !ok {
			// A thread deleted since keeps its notification, without
			// its title.
			if t, err := st.Thread(ctx, n.ThreadID); err == nil && (!t.Deleted || isModerator(u)) {
				title = t.Title
			}
			titles[n.ThreadID] = title
		}
		p.Items = append(p.Items, notificationRow{Notification: n, Actor: who.name(n.ActorID), Thread: title})
	}
	f.render(w, r, http.StatusOK, "notifications", view{Path: p.URL(), Data: p})
}

// markRead marks all the user's notifications read.
func (f *Frontend) markRead(w http.ResponseWriter, r *http.Request) {
	if _, err := f.opts.Forum.MarkRead(r.Context(), accounts.UserFrom(r.Context()), ""); err != nil {
		f.fail(w, r, err)
		return
	}
	f.notify(w, "notice.marked_read")
	redirect(w, r, "/notifications")
}
