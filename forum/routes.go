package forum

import (
	"log/slog"
	"net/http"
	"strconv"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/apperr"
	"github.com/civichub/civichub/web"
)

// Handler serves the forum API under /api/v1.
type Handler struct {
	svc    *Service
	logger *slog.Logger
}

// NewHandler returns the forum API handler.
func NewHandler(svc *Service, logger *slog.Logger) *Handler {
	return &Handler{svc: svc, logger: logger}
}

// Routes registers the forum API on mux.
func (h *Handler) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/categories", h.categories)
	mux.HandleFunc("POST /api/v1/categories", h.createCategory)
	mux.HandleFunc("GET /api/v1/categories/{id}", h.category)
	mux.HandleFunc("GET /api/v1/threads", h.threads)
	mux.HandleFunc("POST /api/v1/threads", h.createThread)
	mux.HandleFunc("GET /api/v1/threads/{id}", h.thread)
	mux.HandleFunc("POST /api/v1/threads/{id}/posts", h.reply)
	mux.HandleFunc("PUT /api/v1/threads/{id}/follow", h.follow(true))
	mux.HandleFunc("DELETE /api/v1/threads/{id}/follow", h.follow(false))
	mux.HandleFunc("PATCH /api/v1/posts/{id}", h.editPost)
	mux.HandleFunc("GET /api/v1/posts/{id}/edits", h.edits)
	mux.HandleFunc("POST /api/v1/flags", h.flag)
	mux.HandleFunc("GET /api/v1/search", h.search)
	mux.HandleFunc("GET /api/v1/notifications", h.notifications)
	mux.HandleFunc("POST /api/v1/notifications/read", h.markRead)

	mux.HandleFunc("GET /api/v1/mod/queue", h.queue)
	mux.HandleFunc("POST /api/v1/mod/posts/{id}/hide", h.hide)
	mux.HandleFunc("POST /api/v1/mod/posts/{id}/restore", h.restore)
	mux.HandleFunc("POST /api/v1/mod/posts/{id}/delete", h.deletePost)
	mux.HandleFunc("PATCH /api/v1/mod/threads/{id}", h.changeThread)
	mux.HandleFunc("POST /api/v1/mod/users/{id}/suspension", h.suspend)
	mux.HandleFunc("GET /api/v1/mod/words", h.words)
	mux.HandleFunc("POST /api/v1/mod/words", h.putWord)
	mux.HandleFunc("DELETE /api/v1/mod/words/{id}", h.deleteWord)
	mux.HandleFunc("GET /api/v1/mod/audit", h.audit)
}

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	web.Error(w, r, h.logger, err)
}

func user(r *http.Request) *accounts.User { return accounts.UserFrom(r.Context()) }

func (h *Handler) categories(w http.ResponseWriter, r *http.Request) {
	cs, err := h.svc.Categories(r.Context())
	if cs == nil {
		cs = []*Category{}
	}
	web.Respond(w, r, h.logger, http.StatusOK, map[string]any{"items": cs}, err)
}

func (h *Handler) createCategory(w http.ResponseWriter, r *http.Request) {
	var in NewCategory
	if err := web.Decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	c, err := h.svc.CreateCategory(r.Context(), user(r), in)
	web.Respond(w, r, h.logger, http.StatusCreated, c, err)
}

func (h *Handler) category(w http.ResponseWriter, r *http.Request) {
	c, err := h.svc.Category(r.Context(), r.PathValue("id"))
	web.Respond(w, r, h.logger, http.StatusOK, c, err)
}

func (h *Handler) threads(w http.ResponseWriter, r *http.Request) {
	var cur ThreadCursor
	limit, err := web.PageParams(r, &cur)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var curp *ThreadCursor
	if r.URL.Query().Get("cursor") != "" {
		curp = &cur
	}
	category := r.URL.Query().Get("category")
	if category == "" {
		h.fail(w, r, apperr.Field("category", "required"))
		return
	}
	list, err := h.svc.Threads(r.Context(), user(r), category, curp, r.URL.Query().Get("page") == "last", limit)
	web.Respond(w, r, h.logger, http.StatusOK, list, err)
}

func (h *Handler) createThread(w http.ResponseWriter, r *http.Request) {
	var in NewThread
	if err := web.Decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	t, err := h.svc.CreateThread(r.Context(), user(r), in)
	if err == nil {
		w.Header().Set("Location", "/api/v1/threads/"+t.ID)
	}
	web.Respond(w, r, h.logger, http.StatusCreated, t, err)
}

func (h *Handler) thread(w http.ResponseWriter, r *http.Request) {
	page := 1
	switch p := r.URL.Query().Get("page"); p {
	case "":
	case "last":
		page = 0
	default:
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 1_000_000 {
			h.fail(w, r, apperr.Field("page", "invalid_input"))
			return
		}
		page = n
	}
	t, err := h.svc.Thread(r.Context(), user(r), r.PathValue("id"), page)
	web.Respond(w, r, h.logger, http.StatusOK, t, err)
}

type bodyInput struct {
	Body string `json:"body"`
}

func (h *Handler) reply(w http.ResponseWriter, r *http.Request) {
	var in bodyInput
	if err := web.Decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	p, err := h.svc.Reply(r.Context(), user(r), r.PathValue("id"), in.Body)
	web.Respond(w, r, h.logger, http.StatusCreated, p, err)
}

func (h *Handler) follow(on bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		err := h.svc.Follow(r.Context(), user(r), r.PathValue("id"), on)
		web.Respond(w, r, h.logger, http.StatusOK, map[string]bool{"following": on}, err)
	}
}

func (h *Handler) editPost(w http.ResponseWriter, r *http.Request) {
	var in bodyInput
	if err := web.Decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	p, err := h.svc.EditPost(r.Context(), user(r), r.PathValue("id"), in.Body)
	web.Respond(w, r, h.logger, http.StatusOK, p, err)
}

func (h *Handler) edits(w http.ResponseWriter, r *http.Request) {
	es, err := h.svc.Edits(r.Context(), user(r), r.PathValue("id"))
	web.Respond(w, r, h.logger, http.StatusOK, map[string]any{"items": es}, err)
}

func (h *Handler) flag(w http.ResponseWriter, r *http.Request) {
	var in struct {
		PostID string     `json:"post_id"`
		Reason ReasonCode `json:"reason"`
		Note   string     `json:"note"`
	}
	if err := web.Decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	n, err := h.svc.Flag(r.Context(), user(r), in.PostID, in.Reason, in.Note)
	web.Respond(w, r, h.logger, http.StatusCreated, map[string]any{"post_id": in.PostID, "flags": n}, err)
}

func (h *Handler) search(w http.ResponseWriter, r *http.Request) {
	var cur SearchCursor
	limit, err := web.PageParams(r, &cur)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var curp *SearchCursor
	if r.URL.Query().Get("cursor") != "" {
		curp = &cur
	}
	hits, next, err := h.svc.Search(r.Context(), r.URL.Query().Get("q"), curp, limit)
	page := web.Page[*SearchHit]{Items: hits}
	if next != nil {
		page.NextCursor = web.EncodeCursor(next)
	}
	web.Respond(w, r, h.logger, http.StatusOK, page, err)
}

type idCursor struct {
	ID string `json:"i"`
}

func (h *Handler) notifications(w http.ResponseWriter, r *http.Request) {
	var cur idCursor
	limit, err := web.PageParams(r, &cur)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ns, unread, err := h.svc.Notifications(r.Context(), user(r), cur.ID, limit)
	if ns == nil {
		ns = []*Notification{}
	}
	out := map[string]any{"items": ns, "unread": unread, "next_cursor": ""}
	if len(ns) == limit {
		out["next_cursor"] = web.EncodeCursor(idCursor{ID: ns[len(ns)-1].ID})
	}
	web.Respond(w, r, h.logger, http.StatusOK, out, err)
}

func (h *Handler) markRead(w http.ResponseWriter, r *http.Request) {
	var in struct {
		UpTo string `json:"up_to"`
	}
	if err := web.Decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	n, err := h.svc.MarkRead(r.Context(), user(r), in.UpTo)
	web.Respond(w, r, h.logger, http.StatusOK, map[string]int{"unread": n}, err)
}

func (h *Handler) queue(w http.ResponseWriter, r *http.Request) {
	var cur idCursor
	limit, err := web.PageParams(r, &cur)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	items, err := h.svc.Queue(r.Context(), user(r), cur.ID, limit)
	page := web.Page[*QueueItem]{Items: items}
	if len(items) == limit {
		page.NextCursor = web.EncodeCursor(idCursor{ID: items[len(items)-1].Post.ID})
	}
	web.Respond(w, r, h.logger, http.StatusOK, page, err)
}

type modInput struct {
	Reason ReasonCode `json:"reason"`
	Note   string     `json:"note"`
}

func (h *Handler) hide(w http.ResponseWriter, r *http.Request) {
	var in modInput
	if err := web.Decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	p, err := h.svc.Hide(r.Context(), user(r), r.PathValue("id"), in.Reason, in.Note)
	web.Respond(w, r, h.logger, http.StatusOK, p, err)
}

func (h *Handler) restore(w http.ResponseWriter, r *http.Request) {
	var in modInput
	if err := web.Decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	p, err := h.svc.Restore(r.Context(), user(r), r.PathValue("id"), in.Note)
	web.Respond(w, r, h.logger, http.StatusOK, p, err)
}

func (h *Handler) deletePost(w http.ResponseWriter, r *http.Request) {
	var in modInput
	if err := web.Decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	err := h.svc.DeletePost(r.Context(), user(r), r.PathValue("id"), in.Note)
	web.Respond(w, r, h.logger, http.StatusOK, map[string]bool{"deleted": true}, err)
}

func (h *Handler) changeThread(w http.ResponseWriter, r *http.Request) {
	var in ThreadChange
	if err := web.Decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	t, err := h.svc.ChangeThread(r.Context(), user(r), r.PathValue("id"), in)
	web.Respond(w, r, h.logger, http.StatusOK, t, err)
}

func (h *Handler) suspend(w http.ResponseWriter, r *http.Request) {
	var in Suspension
	if err := web.Decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	u, err := h.svc.Suspend(r.Context(), user(r), r.PathValue("id"), in)
	web.Respond(w, r, h.logger, http.StatusOK, u, err)
}

func (h *Handler) words(w http.ResponseWriter, r *http.Request) {
	ws, err := h.svc.Words(r.Context(), user(r))
	web.Respond(w, r, h.logger, http.StatusOK, map[string]any{"items": ws}, err)
}

func (h *Handler) putWord(w http.ResponseWriter, r *http.Request) {
	var in WatchedWord
	if err := web.Decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	out, err := h.svc.PutWord(r.Context(), user(r), in)
	web.Respond(w, r, h.logger, http.StatusCreated, out, err)
}

func (h *Handler) deleteWord(w http.ResponseWriter, r *http.Request) {
	err := h.svc.DeleteWord(r.Context(), user(r), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) audit(w http.ResponseWriter, r *http.Request) {
	var cur idCursor
	limit, err := web.PageParams(r, &cur)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	es, err := h.svc.Audit(r.Context(), user(r), cur.ID, limit)
	page := web.Page[*AuditEntry]{Items: es}
	if len(es) == limit {
		page.NextCursor = web.EncodeCursor(idCursor{ID: es[len(es)-1].ID})
	}
	web.Respond(w, r, h.logger, http.StatusOK, page, err)
}
