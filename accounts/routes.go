package accounts

import (
	"log/slog"
	"net/http"

	"github.com/civichub/civichub/apperr"
	"github.com/civichub/civichub/id"
	"github.com/civichub/civichub/web"
)

// Handler serves the accounts API.
type Handler struct {
	svc     *Service
	cookies Cookies
	logger  *slog.Logger
}

// NewHandler returns the accounts API handler.
func NewHandler(svc *Service, cookies Cookies, logger *slog.Logger) *Handler {
	return &Handler{svc: svc, cookies: cookies, logger: logger}
}

// Routes registers the accounts API on mux.
func (h *Handler) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/v1/auth/register", h.register)
	mux.HandleFunc("POST /api/v1/auth/login", h.login)
	mux.HandleFunc("POST /api/v1/auth/logout", h.logout)
	mux.HandleFunc("GET /api/v1/me", h.me)
	mux.HandleFunc("GET /api/v1/users", h.listUsers)
	mux.HandleFunc("GET /api/v1/users/{id}", h.getUser)
	mux.HandleFunc("PATCH /api/v1/users/{id}", h.patchUser)
	mux.HandleFunc("GET /api/v1/agencies", h.listAgencies)
	mux.HandleFunc("POST /api/v1/agencies", h.createAgency)
	mux.HandleFunc("GET /api/v1/agencies/{id}", h.getAgency)
	mux.HandleFunc("POST /api/v1/agencies/{id}/staff", h.addStaff)
	mux.HandleFunc("DELETE /api/v1/agencies/{id}/staff/{user_id}", h.removeStaff)
}

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	web.Error(w, r, h.logger, err)
}

// Me is a user with its staff memberships, as GET /api/v1/me shows it.
type Me struct {
	*User
	Staff []StaffMembership `json:"staff"`
}

func (h *Handler) register(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
		Name     string `json:"name"`
	}
	if err := web.Decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	u, token, err := h.svc.Register(r.Context(), NewUser{Email: in.Email, Password: in.Password, Name: in.Name}, web.ClientIP(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.startSession(w, r, token)
	web.JSON(w, http.StatusCreated, Me{User: u, Staff: []StaffMembership{}})
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := web.Decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	u, token, err := h.svc.Login(r.Context(), in.Email, in.Password, web.ClientIP(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.startSession(w, r, token)
	h.writeMe(w, r, http.StatusOK, u)
}

// startSession sets the new session's cookie and ends the session the
// browser held before, if any: a session is never carried across a login.
func (h *Handler) startSession(w http.ResponseWriter, r *http.Request, token string) {
	if old := SessionToken(r.Context()); old != "" {
		if err := h.svc.Logout(r.Context(), old); err != nil {
			h.logger.Warn("end previous session", "err", err)
		}
	}
	h.cookies.Set(w, token)
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	if UserFrom(r.Context()) == nil {
		h.fail(w, r, ErrUnauthorized)
		return
	}
	if err := h.svc.Logout(r.Context(), SessionToken(r.Context())); err != nil {
		h.fail(w, r, err)
		return
	}
	h.cookies.Clear(w)
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) me(w http.ResponseWriter, r *http.Request) {
	u, err := RequireUser(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeMe(w, r, http.StatusOK, u)
}

func (h *Handler) writeMe(w http.ResponseWriter, r *http.Request, status int, u *User) {
	staff, err := h.svc.Memberships(r.Context(), u.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	web.JSON(w, status, Me{User: u, Staff: staff})
}

type idCursor struct {
	After string `json:"a"`
}

func (h *Handler) listUsers(w http.ResponseWriter, r *http.Request) {
	var cur idCursor
	limit, err := web.PageParams(r, &cur)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	users, err := h.svc.Users(r.Context(), UserFrom(r.Context()), ListParams{After: cur.After, Limit: limit + 1})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, page(users, limit, func(u *User) string { return u.ID }))
}

// page cuts a list fetched with limit+1 items into a Page with a cursor.
func page[T any](items []T, limit int, key func(T) string) web.Page[T] {
	p := web.Page[T]{Items: items}
	if len(items) > limit {
		p.Items = items[:limit]
		p.NextCursor = web.EncodeCursor(idCursor{After: key(items[limit-1])})
	}
	if p.Items == nil {
		p.Items = []T{}
	}
	return p
}

func (h *Handler) getUser(w http.ResponseWriter, r *http.Request) {
	uid := r.PathValue("id")
	if !id.Valid(uid) {
		h.fail(w, r, ErrUserNotFound)
		return
	}
	u, err := h.svc.User(r.Context(), UserFrom(r.Context()), uid)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeMe(w, r, http.StatusOK, u)
}

func (h *Handler) patchUser(w http.ResponseWriter, r *http.Request) {
	actor := UserFrom(r.Context())
	if err := requireRole(actor, Admin); err != nil {
		h.fail(w, r, err)
		return
	}
	var in struct {
		Role *Role `json:"role"`
	}
	if err := web.Decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	uid := r.PathValue("id")
	if !id.Valid(uid) {
		h.fail(w, r, ErrUserNotFound)
		return
	}
	if in.Role == nil {
		h.fail(w, r, apperr.Field("role", "required"))
		return
	}
	u, err := h.svc.SetRole(r.Context(), actor, uid, *in.Role)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeMe(w, r, http.StatusOK, u)
}

func (h *Handler) listAgencies(w http.ResponseWriter, r *http.Request) {
	var cur idCursor
	limit, err := web.PageParams(r, &cur)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	list, err := h.svc.Agencies(r.Context(), ListParams{After: cur.After, Limit: limit + 1})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, page(list, limit, func(a *Agency) string { return a.ID }))
}

func (h *Handler) createAgency(w http.ResponseWriter, r *http.Request) {
	if err := requireRole(UserFrom(r.Context()), Admin); err != nil {
		h.fail(w, r, err)
		return
	}
	var in NewAgency
	if err := web.Decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	a, err := h.svc.CreateAgency(r.Context(), UserFrom(r.Context()), in)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, a)
}

// AgencyWithStaff is an agency as GET /api/v1/agencies/{id} shows it.
type AgencyWithStaff struct {
	*Agency
	Staff []StaffMember `json:"staff"`
}

func (h *Handler) getAgency(w http.ResponseWriter, r *http.Request) {
	a, err := h.svc.Agency(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	staff, err := h.svc.Staff(r.Context(), a.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, AgencyWithStaff{Agency: a, Staff: staff})
}

func (h *Handler) addStaff(w http.ResponseWriter, r *http.Request) {
	if err := requireRole(UserFrom(r.Context()), Admin); err != nil {
		h.fail(w, r, err)
		return
	}
	var in struct {
		UserID string `json:"user_id"`
		Title  string `json:"title"`
	}
	if err := web.Decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	m, err := h.svc.AddStaff(r.Context(), UserFrom(r.Context()), r.PathValue("id"), in.UserID, in.Title)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, m)
}

func (h *Handler) removeStaff(w http.ResponseWriter, r *http.Request) {
	err := h.svc.RemoveStaff(r.Context(), UserFrom(r.Context()), r.PathValue("id"), r.PathValue("user_id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
