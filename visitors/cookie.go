// Package visitors identifies guests: every browser gets a signed visitor
// cookie on its first response, so later features can count guests online and
// let a guest vote once. A forged or damaged cookie is never trusted: the
// visitor gets a fresh identity instead.
package visitors

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
	"time"
)

// Signer signs and verifies visitor IDs with a site-wide key. It is safe for
// concurrent use.
type Signer struct {
	key    []byte
	secure bool
}

// NewSigner returns a Signer with key (at least 32 bytes, shared by every
// node). secure makes the cookie Secure and __Host- prefixed.
func NewSigner(key []byte, secure bool) *Signer {
	return &Signer{key: key, secure: secure}
}

// NewKey returns a fresh random key.
func NewKey() []byte {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return b
}

// CookieName returns the visitor cookie's name.
func (s *Signer) CookieName() string {
	if s.secure {
		return "__Host-civichub_visitor"
	}
	return "civichub_visitor"
}

const idLen = 22 // 16 random bytes, base64url

func (s *Signer) sign(id string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// Issue returns a new visitor ID and its cookie value.
func (s *Signer) Issue() (id, value string) {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	id = base64.RawURLEncoding.EncodeToString(b)
	return id, id + "." + s.sign(id)
}

// Verify returns the visitor ID in a cookie value, and false when the value
// is malformed or its signature is wrong.
func (s *Signer) Verify(value string) (string, bool) {
	id, sig, ok := strings.Cut(value, ".")
	if !ok || len(id) != idLen {
		return "", false
	}
	if !hmac.Equal([]byte(sig), []byte(s.sign(id))) {
		return "", false
	}
	return id, true
}

// Visitor is the request's visitor identity.
type Visitor struct {
	ID string
	// New is true when this request had no valid cookie and was just given
	// one.
	New bool
	// Forged is true when the request carried a cookie that failed
	// verification.
	Forged bool
}

type ctxKey struct{}

// From returns the request's visitor, or the zero Visitor for requests that
// the middleware skipped.
func From(ctx context.Context) Visitor {
	v, _ := ctx.Value(ctxKey{}).(Visitor)
	return v
}

// WithVisitor returns ctx carrying v.
func WithVisitor(ctx context.Context, v Visitor) context.Context {
	return context.WithValue(ctx, ctxKey{}, v)
}

// maxAge is the longest cookie lifetime browsers honour (400 days).
const maxAge = 400 * 24 * time.Hour

// PartitionedCookieName is the visitor cookie that identifies a visitor
// inside a cross-site frame (an embedded widget on the portal's pages),
// where browsers send no SameSite=Lax cookie: SameSite=None, Secure and
// Partitioned (CHIPS), so it is kept per top-level site and cannot track a
// visitor across sites. It exists only over https, which Partitioned needs.
const PartitionedCookieName = "__Host-civichub_visitor_frame"

// Middleware identifies the visitor of every request except those skip
// reports true for (static files, probes), setting the cookie when it is
// missing or not valid. Over https a new visitor also gets the partitioned
// cookie, read when the first-party one is absent (inside a frame).
func (s *Signer) Middleware(skip func(*http.Request) bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if skip(r) {
				next.ServeHTTP(w, r)
				return
			}
			v := s.read(r, s.CookieName())
			if v.ID == "" && !v.Forged && s.secure {
				v = s.read(r, PartitionedCookieName)
			}
			if v.ID == "" {
				id, value := s.Issue()
				v.ID, v.New = id, true
				http.SetCookie(w, &http.Cookie{
					Name: s.CookieName(), Value: value, Path: "/", MaxAge: int(maxAge.Seconds()),
					HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
				})
				if s.secure {
					http.SetCookie(w, &http.Cookie{
						Name: PartitionedCookieName, Value: value, Path: "/", MaxAge: int(maxAge.Seconds()),
						HttpOnly: true, Secure: true, SameSite: http.SameSiteNoneMode, Partitioned: true,
					})
				}
			}
			next.ServeHTTP(w, r.WithContext(WithVisitor(r.Context(), v)))
		})
	}
}

// read returns the visitor of the named cookie: none when it is absent,
// Forged when it does not verify.
func (s *Signer) read(r *http.Request, name string) Visitor {
	c, err := r.Cookie(name)
	if err != nil {
		return Visitor{}
	}
	id, ok := s.Verify(c.Value)
	return Visitor{ID: id, Forged: !ok}
}
