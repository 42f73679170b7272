package accounts

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"
)

// Cookies names and flags the session cookie. When the site is served over
// https the cookie is Secure and __Host- prefixed.
type Cookies struct {
	Secure bool
	TTL    time.Duration
}

// Name returns the session cookie's name.
func (c Cookies) Name() string {
	if c.Secure {
		return "__Host-civichub_session"
	}
	return "civichub_session"
}

// Set writes the session cookie with token.
func (c Cookies) Set(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{
		Name: c.Name(), Value: token, Path: "/", MaxAge: int(c.TTL.Seconds()),
		HttpOnly: true, Secure: c.Secure, SameSite: http.SameSiteLaxMode,
	})
}

// Clear removes the session cookie.
func (c Cookies) Clear(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name: c.Name(), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: c.Secure, SameSite: http.SameSiteLaxMode,
	})
}

// Token returns the session token the request carries, or "".
func (c Cookies) Token(r *http.Request) string {
	if k, err := r.Cookie(c.Name()); err == nil {
		return k.Value
	}
	return ""
}

type userKey struct{}

type tokenKey struct{}

// SessionToken returns the token of the request's session as the middleware
// left it (the new one when it rotated the session), or "".
func SessionToken(ctx context.Context) string {
	t, _ := ctx.Value(tokenKey{}).(string)
	return t
}

// WithUser returns ctx carrying the logged-in user.
func WithUser(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, userKey{}, u)
}

// UserFrom returns the logged-in user, or nil for a guest.
func UserFrom(ctx context.Context) *User {
	u, _ := ctx.Value(userKey{}).(*User)
	return u
}

// Middleware resolves the session cookie to a user on every request. A
// missing, forged, expired or revoked session makes the request a guest's
// (and clears the cookie); a rotated session gets its new cookie here.
func Middleware(svc *Service, cookies Cookies, logger *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			token := cookies.Token(r)
			if token == "" {
				next.ServeHTTP(w, r)
				return
			}
			u, rotated, err := svc.Authenticate(r.Context(), token)
			switch {
			case err == nil:
				if rotated != "" {
					cookies.Set(w, rotated)
					token = rotated
				}
				r = r.WithContext(context.WithValue(WithUser(r.Context(), u), tokenKey{}, token))
			case errors.Is(err, ErrSessionExpired):
				cookies.Clear(w)
			default:
				// The store failed: answer as a guest rather than fail every
				// page, and say so in the log.
				logger.Error("authenticate session", "err", err)
			}
			next.ServeHTTP(w, r)
		})
	}
}

// RequireUser returns the logged-in user or ErrUnauthorized.
func RequireUser(ctx context.Context) (*User, error) {
	if u := UserFrom(ctx); u != nil {
		return u, nil
	}
	return nil, ErrUnauthorized
}
