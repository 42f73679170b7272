package hub

import (
	"bufio"
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/gorilla/websocket"

	"github.com/civichub/civichub/apperr"
	"github.com/civichub/civichub/i18n"
	"github.com/civichub/civichub/web"
)

// ServeHTTP upgrades GET /ws to a WebSocket. It refuses, with a JSON error
// and before upgrading: a request that is not a WebSocket handshake (400), an
// Origin missing or not on the allowlist (403), a client address over its
// connection limit (429) and a node that is full or shutting down (503).
//
// After the upgrade it starts the connection's reader goroutine and returns,
// so the HTTP server's goroutine and buffers are released: a connection then
// costs one small goroutine and its buffers (see doc.go).
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		web.Error(w, r, h.logger, apperr.New(apperr.MethodNotAllowed, "method_not_allowed"))
		return
	}
	if !websocket.IsWebSocketUpgrade(r) {
		h.metrics.refused.WithLabelValues("not_websocket").Inc()
		web.Error(w, r, h.logger, apperr.New(apperr.Invalid, "invalid_input"))
		return
	}
	if !h.originAllowed(r) {
		h.metrics.refused.WithLabelValues("origin").Inc()
		web.Error(w, r, h.logger, apperr.New(apperr.Forbidden, "cross_origin"))
		return
	}
	ip := web.ClientIP(r)
	revoked, err := h.reserve(ip)
	if err != nil {
		h.metrics.refused.WithLabelValues(string(apperr.CodeOf(err))).Inc()
		if apperr.CodeOf(err) == apperr.RateLimited {
			w.Header().Set("Retry-After", "10")
		}
		web.Error(w, r, h.logger, err)
		return
	}
	hw := &hijacker{ResponseWriter: w}
	ws, err := h.upgrader.Upgrade(hw, r, nil)
	if err != nil {
		// The upgrader has answered the request.
		h.release(ip)
		return
	}
	c := newConn(h, ws, hw.br, ip, principalFrom(r), i18n.FromContext(r.Context()))
	ok, stale := h.attach(c, revoked)
	if !ok {
		_ = ws.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(websocket.CloseGoingAway, "shutdown"), time.Now().Add(h.opts.CloseGrace))
		_ = ws.Close()
		h.release(ip)
		return
	}
	if stale {
		// CloseUserSessions ran for this user while the socket was being
		// opened, too early to find it: close it as it would have.
		c.closeWith(CloseSessionRevoked, "session_revoked")
	}
	go c.readLoop()
}

// readBufferSize is a socket's read buffer: client frames are short JSON
// objects, and gorilla adopts a hijacked reader only when it is larger than
// 256 bytes (288 fills the allocator's size class).
const readBufferSize = 288

// hijacker hands gorilla a small read buffer of the hub's own instead of
// the HTTP server's 4 KiB one, so readLoop can wait on it with a shallow
// Peek, and a small write buffer, which gorilla only uses for the handshake
// response.
type hijacker struct {
	http.ResponseWriter
	br *bufio.Reader
}

func (w *hijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	nc, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil || brw.Reader.Buffered() > 0 {
		return nc, brw, err // gorilla refuses data sent before the handshake
	}
	dc := &deadlineConn{Conn: nc}
	w.br = bufio.NewReaderSize(dc, readBufferSize)
	return dc, bufio.NewReadWriter(w.br, bufio.NewWriterSize(dc, 256)), nil
}

// deadlineConn saves the runtime timer update that gorilla makes before
// every frame it writes: the hub gives data frames no write deadline (the
// writers' watchdog cuts a stalled write, fanout.go), so gorilla asks for
// the zero deadline before each of them, and only a change reaches the
// socket (after a control frame, which carries a deadline). gorilla calls
// SetWriteDeadline only under its write lock, which guards armed. armed is
// the deadline in Unix nanoseconds (0: none), 8 bytes where a time.Time
// takes 24, so the wrapper fits the allocator's 24-byte class.
type deadlineConn struct {
	net.Conn
	armed int64
}

func (c *deadlineConn) SetWriteDeadline(t time.Time) error {
	var at int64
	if !t.IsZero() {
		at = t.UnixNano()
	}
	if at == c.armed {
		return nil
	}
	c.armed = at
	return c.Conn.SetWriteDeadline(t)
}

// originAllowed implements the strict Origin check: the header must be
// present and name an allowed origin exactly (scheme, host and port).
func (h *Hub) originAllowed(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return false
	}
	n, err := normalizeOrigin(o)
	return err == nil && h.origins[n]
}

var (
	errTooManyFromIP = apperr.New(apperr.RateLimited, "rate_limited")
	errFull          = apperr.New(apperr.Unavailable, "unavailable")
)

// reserve counts a connection for ip before the upgrade, so a flood of
// handshakes from one address is refused without upgrading. It returns the
// number of session revocations handled so far, for attach.
func (h *Hub) reserve(ip netip.Addr) (uint64, error) {
	h.connMu.Lock()
	defer h.connMu.Unlock()
	switch {
	case h.closing || h.reserved >= h.opts.MaxConnections:
		return 0, errFull
	case h.perIP[ip] >= h.opts.MaxConnectionsPerIP:
		return 0, errTooManyFromIP
	}
	h.perIP[ip]++
	h.reserved++
	return h.revoked.seq, nil
}

func (h *Hub) release(ip netip.Addr) {
	h.connMu.Lock()
	defer h.connMu.Unlock()
	h.releaseLocked(ip)
}

func (h *Hub) releaseLocked(ip netip.Addr) {
	h.reserved--
	if n := h.perIP[ip]; n > 1 {
		h.perIP[ip] = n - 1
	} else {
		delete(h.perIP, ip)
	}
}

// attach registers an upgraded connection and counts its visitor; ok false
// means the hub is closing. revoked is what reserve returned: stale reports
// that the user's sessions were revoked since, so the socket must close.
func (h *Hub) attach(c *conn, revoked uint64) (ok, stale bool) {
	h.connMu.Lock()
	ok, stale, joined := h.attachLocked(c, revoked)
	h.connMu.Unlock()
	if joined {
		h.onlineChanged()
	}
	return ok, stale
}

func (h *Hub) attachLocked(c *conn, revoked uint64) (ok, stale, joined bool) {
	if h.closing {
		return false, false, false
	}
	c.pingSlot = h.nextPingSlot
	h.nextPingSlot = (h.nextPingSlot + 1) % pingSlots
	h.conns[c.pingSlot][c] = struct{}{}
	h.nconns++
	if u := c.principal.UserID; u != "" {
		if h.byUser[u] == nil {
			h.byUser[u] = make(map[*conn]struct{})
		}
		h.byUser[u][c] = struct{}{}
	}
	h.readers.Add(1)
	h.metrics.connections.Inc()
	return true, h.revoked.since(c.principal.UserID, revoked), h.visitors.open(c.principal)
}

// detach forgets a connection whose reader has finished.
func (h *Hub) detach(c *conn) {
	h.connMu.Lock()
	left := h.visitors.close(c.principal)
	h.detachLocked(c)
	h.connMu.Unlock()
	if left {
		h.onlineChanged()
	}
}

func (h *Hub) detachLocked(c *conn) {
	delete(h.conns[c.pingSlot], c)
	h.nconns--
	if u := c.principal.UserID; u != "" {
		delete(h.byUser[u], c)
		if len(h.byUser[u]) == 0 {
			delete(h.byUser, u)
		}
	}
	h.releaseLocked(c.ip)
	h.metrics.connections.Dec()
}
