package polls

import (
	"log/slog"
	"net/http"

	"github.com/civichub/civichub/web"
)

// Handler serves the polls API under /api/v1/polls.
type Handler struct {
	svc    *Service
	logger *slog.Logger
}

// NewHandler returns the polls API handler.
func NewHandler(svc *Service, logger *slog.Logger) *Handler {
	return &Handler{svc: svc, logger: logger}
}

// Routes registers the polls API on mux.
func (h *Handler) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/polls", h.list)
	mux.HandleFunc("POST /api/v1/polls", h.create)
	mux.HandleFunc("GET /api/v1/polls/{id}", h.get)
	mux.HandleFunc("PATCH /api/v1/polls/{id}", h.patch)
	mux.HandleFunc("POST /api/v1/polls/{id}/votes", h.vote)
	mux.HandleFunc("POST /api/v1/polls/{id}/close", h.close)
	mux.HandleFunc("GET /api/v1/polls/{id}/results.json", h.resultsJSON)
	mux.HandleFunc("GET /api/v1/polls/{id}/results.csv", h.resultsCSV)
}

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	web.Error(w, r, h.logger, err)
}

type listCursor struct {
	Before string `json:"b"`
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request) {
	var cur listCursor
	limit, err := web.PageParams(r, &cur)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	q := ListQuery{Status: Status(r.URL.Query().Get("status")), AgencyID: r.URL.Query().Get("agency"), Before: cur.Before, Limit: limit}
	items, err := h.svc.List(r.Context(), ViewerFrom(r), q)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	page := web.Page[*View]{Items: items}
	if len(items) == limit {
		page.NextCursor = web.EncodeCursor(listCursor{Before: items[len(items)-1].ID})
	}
	web.JSON(w, http.StatusOK, page)
}

func (h *Handler) create(w http.ResponseWriter, r *http.Request) {
	var in NewPoll
	if err := web.Decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	v, err := h.svc.Create(r.Context(), ViewerFrom(r), in)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/polls/"+v.ID)
	web.JSON(w, http.StatusCreated, v)
}

func (h *Handler) get(w http.ResponseWriter, r *http.Request) {
	v, err := h.svc.Get(r.Context(), ViewerFrom(r), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, v)
}

func (h *Handler) patch(w http.ResponseWriter, r *http.Request) {
	var in Patch
	if err := web.Decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	v, err := h.svc.Update(r.Context(), ViewerFrom(r), r.PathValue("id"), in)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, v)
}

func (h *Handler) close(w http.ResponseWriter, r *http.Request) {
	v, err := h.svc.Close(r.Context(), ViewerFrom(r), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, v)
}

func (h *Handler) vote(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Options []string `json:"options"`
	}
	if err := web.Decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	rc, err := h.svc.Vote(r.Context(), ViewerFrom(r), r.PathValue("id"), in.Options)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, rc)
}

func (h *Handler) resultsJSON(w http.ResponseWriter, r *http.Request) {
	e, err := h.export(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, e)
}

func (h *Handler) resultsCSV(w http.ResponseWriter, r *http.Request) {
	e, err := h.export(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="poll-`+e.PollID+`-results.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	if err := e.WriteCSV(w); err != nil {
		h.logger.Warn("polls: write csv", "poll", e.PollID, "err", err)
	}
}

func (h *Handler) export(r *http.Request) (*Export, error) {
	p, res, err := h.svc.Results(r.Context(), ViewerFrom(r), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return NewExport(p, res, h.svc.now()), nil
}
