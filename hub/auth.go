package hub

import (
	"context"
	"net/http"
	"strings"

	"github.com/civichub/civichub/accounts"
	"github.com/civichub/civichub/apperr"
	"github.com/civichub/civichub/visitors"
)

// Principal is who holds a socket, fixed when the socket is opened: the
// logged-in user (from the session cookie) and the visitor (from the visitor
// cookie). A change of rights does not update it; CloseUserSessions makes the
// browser reconnect with its current session instead.
type Principal struct {
	UserID    string        // "" for a guest
	Role      accounts.Role // "" for a guest
	VisitorID string        // "" when the visitor middleware skipped the request
}

// Guest reports whether p is not logged in.
func (p Principal) Guest() bool { return p.UserID == "" }

// principalFrom reads the principal the server's middleware put on the
// upgrade request's context. The visitor ID is copied: it is a slice of the
// request's Cookie header, which the socket would otherwise keep alive, with
// every other cookie in it, for as long as it is open.
func principalFrom(r *http.Request) Principal {
	var p Principal
	if u := accounts.UserFrom(r.Context()); u != nil {
		p.UserID, p.Role = u.ID, u.Role
	}
	p.VisitorID = strings.Clone(visitors.From(r.Context()).ID)
	return p
}

// Authorizer decides whether a principal may read a topic. Domains provide
// one per topic prefix (Hub.Authorize). It is called on every subscribe and
// again on Revalidate, from many goroutines at once, so it must be safe for
// concurrent use. It returns nil to allow, an *apperr.Error to refuse
// (forbidden, not_found, unauthorized: the client sees that code), or another
// error when it could not decide (the client sees internal, the log the
// cause). ctx carries the hub's deadline for one decision.
type Authorizer interface {
	Authorize(ctx context.Context, p Principal, topic string) error
}

// AuthorizerFunc adapts a function to Authorizer.
type AuthorizerFunc func(ctx context.Context, p Principal, topic string) error

// Authorize calls f.
func (f AuthorizerFunc) Authorize(ctx context.Context, p Principal, topic string) error {
	return f(ctx, p, topic)
}

// AllowAll is the Authorizer of public topics such as site:online and
// feed:answers.
var AllowAll Authorizer = AuthorizerFunc(func(context.Context, Principal, string) error { return nil })

// errNoAuthorizer refuses a topic no domain has claimed.
var errNoAuthorizer = apperr.New(apperr.NotFound, "topic_not_found")

// authorize runs the authorizer registered for topic's longest prefix. A
// topic no authorizer covers does not exist as far as clients can tell.
func (h *Hub) authorize(ctx context.Context, p Principal, topic string) error {
	h.regMu.RLock()
	a, ok := h.authorizers.lookup(topic)
	h.regMu.RUnlock()
	if !ok {
		return errNoAuthorizer
	}
	ctx, cancel := context.WithTimeout(ctx, h.opts.AuthTimeout)
	defer cancel()
	return a.Authorize(ctx, p, topic)
}
