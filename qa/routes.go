package qa

import (
	"log/slog"
	"net/http"
	"strconv"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/apperr"
	"github.com/civichub/civichub/web"
)

// Handler serves the Q&A API under /api/v1.
type Handler struct {
	svc    *Service
	logger *slog.Logger
}

// NewHandler returns the Q&A API handler.
func NewHandler(svc *Service, logger *slog.Logger) *Handler {
	return &Handler{svc: svc, logger: logger}
}

// Routes registers the Q&A API on mux.
func (h *Handler) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/v1/questions", h.ask)
	mux.HandleFunc("GET /api/v1/questions", h.list)
	mux.HandleFunc("GET /api/v1/questions/{id}", h.get)
	mux.HandleFunc("POST /api/v1/questions/{id}/answers", h.answer)
	mux.HandleFunc("POST /api/v1/questions/{id}/status", h.status)
	mux.HandleFunc("POST /api/v1/questions/{id}/forward", h.forward)
	mux.HandleFunc("GET /api/v1/questions/{id}/comments", h.comments)
	mux.HandleFunc("POST /api/v1/questions/{id}/comments", h.comment)
	mux.HandleFunc("PUT /api/v1/questions/{id}/upvote", h.upvote(true))
	mux.HandleFunc("DELETE /api/v1/questions/{id}/upvote", h.upvote(false))
	mux.HandleFunc("PUT /api/v1/questions/{id}/follow", h.follow(true))
	mux.HandleFunc("DELETE /api/v1/questions/{id}/follow", h.follow(false))
	mux.HandleFunc("POST /api/v1/answers/{id}/revisions", h.revise)
	mux.HandleFunc("GET /api/v1/agencies/{id}/scorecard", h.scorecard)
	mux.HandleFunc("GET /api/v1/agencies/{id}/qa-settings", h.settings)
	mux.HandleFunc("PUT /api/v1/agencies/{id}/qa-settings", h.putSettings)
	mux.HandleFunc("GET /api/v1/answers/feed", h.feed)
	mux.HandleFunc("POST /api/v1/mod/comments/{id}/hide", h.hideComment(true))
	mux.HandleFunc("POST /api/v1/mod/comments/{id}/restore", h.hideComment(false))
}

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	web.Error(w, r, h.logger, err)
}

func user(r *http.Request) *accounts.User { return accounts.UserFrom(r.Context()) }

func (h *Handler) ask(w http.ResponseWriter, r *http.Request) {
	var in NewQuestion
	if err := web.Decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	q, err := h.svc.Ask(r.Context(), user(r), in)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v, err := h.svc.Get(r.Context(), user(r), q.ID)
	if err == nil {
		w.Header().Set("Location", "/api/v1/questions/"+q.ID)
	}
	web.Respond(w, r, h.logger, http.StatusCreated, v, err)
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request) {
	var cur ListCursor
	limit, err := web.PageParams(r, &cur)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	qv := r.URL.Query()
	p := ListParams{AgencyID: qv.Get("agency"), Status: Status(qv.Get("status")), Mine: qv.Get("mine") == "true",
		Assignee: qv.Get("assignee"), Overdue: qv.Get("overdue") == "true", Sort: Sort(qv.Get("sort")), Limit: limit}
	if qv.Get("cursor") != "" {
		p.Cursor = &cur
	}
	items, next, err := h.svc.List(r.Context(), user(r), p)
	page := web.Page[Summary]{Items: items}
	if next != nil {
		page.NextCursor = web.EncodeCursor(next)
	}
	web.Respond(w, r, h.logger, http.StatusOK, page, err)
}

func (h *Handler) get(w http.ResponseWriter, r *http.Request) {
	v, err := h.svc.Get(r.Context(), user(r), r.PathValue("id"))
	web.Respond(w, r, h.logger, http.StatusOK, v, err)
}

func (h *Handler) answer(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Body string `json:"body"`
	}
	if err := web.Decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	a, _, err := h.svc.Answer(r.Context(), user(r), r.PathValue("id"), in.Body)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	av, err := h.svc.answerView(r.Context(), a)
	web.Respond(w, r, h.logger, http.StatusCreated, av, err)
}

func (h *Handler) revise(w http.ResponseWriter, r *http.Request) {
	var in NewRevision
	if err := web.Decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	a, err := h.svc.Revise(r.Context(), user(r), r.PathValue("id"), in)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	av, err := h.svc.answerView(r.Context(), a)
	web.Respond(w, r, h.logger, http.StatusCreated, av, err)
}

// questionAfter writes the question as the actor now sees it.
func (h *Handler) questionAfter(w http.ResponseWriter, r *http.Request, q *Question, err error) {
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v, err := h.svc.Get(r.Context(), user(r), q.ID)
	if err != nil && apperr.CodeOf(err) == apperr.NotFound {
		// The actor passed it on and may no longer read it.
		web.JSON(w, http.StatusOK, map[string]any{"id": q.ID, "status": q.Status, "agency_id": q.AgencyID})
		return
	}
	web.Respond(w, r, h.logger, http.StatusOK, v, err)
}

func (h *Handler) status(w http.ResponseWriter, r *http.Request) {
	var in StatusChange
	if err := web.Decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	q, err := h.svc.ChangeStatus(r.Context(), user(r), r.PathValue("id"), in)
	h.questionAfter(w, r, q, err)
}

func (h *Handler) forward(w http.ResponseWriter, r *http.Request) {
	var in Forward
	if err := web.Decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	q, err := h.svc.ForwardQuestion(r.Context(), user(r), r.PathValue("id"), in)
	h.questionAfter(w, r, q, err)
}

type idCursor struct {
	ID string `json:"i"`
}

func (h *Handler) comments(w http.ResponseWriter, r *http.Request) {
	var cur idCursor
	limit, err := web.PageParams(r, &cur)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	cs, err := h.svc.CommentsPage(r.Context(), user(r), r.PathValue("id"), cur.ID, limit)
	page := web.Page[CommentView]{Items: cs}
	if len(cs) == limit {
		page.NextCursor = web.EncodeCursor(idCursor{ID: cs[len(cs)-1].ID})
	}
	web.Respond(w, r, h.logger, http.StatusOK, page, err)
}

func (h *Handler) comment(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Body string `json:"body"`
	}
	if err := web.Decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	c, err := h.svc.AddComment(r.Context(), user(r), r.PathValue("id"), in.Body)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	cv, err := h.svc.commentViews(r.Context(), []*Comment{c}, user(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, cv[0])
}

func (h *Handler) upvote(on bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		n, err := h.svc.Upvote(r.Context(), user(r), r.PathValue("id"), on)
		web.Respond(w, r, h.logger, http.StatusOK, map[string]any{"upvotes": n, "upvoted": on}, err)
	}
}

func (h *Handler) follow(on bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		err := h.svc.Follow(r.Context(), user(r), r.PathValue("id"), on)
		web.Respond(w, r, h.logger, http.StatusOK, map[string]any{"following": on}, err)
	}
}

func (h *Handler) scorecard(w http.ResponseWriter, r *http.Request) {
	sc, err := h.svc.Scorecard(r.Context(), r.PathValue("id"))
	web.Respond(w, r, h.logger, http.StatusOK, sc, err)
}

func (h *Handler) settings(w http.ResponseWriter, r *http.Request) {
	n, err := h.svc.AnswerDays(r.Context(), r.PathValue("id"))
	web.Respond(w, r, h.logger, http.StatusOK, map[string]any{"answer_days": n}, err)
}

func (h *Handler) putSettings(w http.ResponseWriter, r *http.Request) {
	var in struct {
		AnswerDays int `json:"answer_days"`
	}
	if err := web.Decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	err := h.svc.SetAnswerDays(r.Context(), user(r), r.PathValue("id"), in.AnswerDays)
	web.Respond(w, r, h.logger, http.StatusOK, map[string]any{"answer_days": in.AnswerDays}, err)
}

func (h *Handler) feed(w http.ResponseWriter, r *http.Request) {
	limit := 10
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > web.MaxLimit {
			h.fail(w, r, apperr.Field("limit", "invalid_limit"))
			return
		}
		limit = n
	}
	items, err := h.svc.RecentAnswers(r.Context(), limit)
	web.Respond(w, r, h.logger, http.StatusOK, map[string]any{"items": items}, err)
}

func (h *Handler) hideComment(hidden bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Reason string `json:"reason"`
		}
		if r.ContentLength != 0 {
			if err := web.Decode(r, &in); err != nil {
				h.fail(w, r, err)
				return
			}
		}
		c, err := h.svc.SetCommentHidden(r.Context(), user(r), r.PathValue("id"), hidden, in.Reason)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		cv, err := h.svc.commentViews(r.Context(), []*Comment{c}, user(r))
		if err != nil {
			h.fail(w, r, err)
			return
		}
		web.JSON(w, http.StatusOK, cv[0])
	}
}
