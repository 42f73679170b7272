package hub

import (
	"errors"
	"io"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/civichub/civichub/apperr"
	"github.com/civichub/civichub/i18n"
)

// conn is one socket. Its reader goroutine (readLoop) owns reading, the
// rate limiter and teardown; writes happen in the hub's shared writers
// (queue.go). mu guards the fields below it.
type conn struct {
	hub       *Hub
	ws        *websocket.Conn
	ip        netip.Addr
	principal Principal
	lang      i18n.Lang

	// Reader goroutine only.
	closing bool // the reader asked for a close and only waits for it
	tokens  float64
	refill  time.Time
	refused int // frames dropped in a row by the rate limiter

	// closeSent is set once a close frame is on its way, so the reader
	// stops extending its deadline and waits at most CloseGrace.
	closeSent atomic.Bool

	mu        sync.Mutex
	subs      []*sub
	queue     []*outMsg
	spare     []*outMsg
	scheduled bool // in hub.work or being written
	closed    bool // accepts no more frames
	dead      bool // torn down
}

func newConn(h *Hub, ws *websocket.Conn, ip netip.Addr, p Principal, lang i18n.Lang) *conn {
	return &conn{hub: h, ws: ws, ip: ip, principal: p, lang: lang,
		tokens: float64(h.opts.MessageBurst), refill: time.Now()}
}

// readLoop reads client frames until the socket fails or closes, then tears
// the connection down. It is kept shallow on purpose: frames are handled in
// a short-lived goroutine (handle), so this goroutine's stack, which lives as
// long as the socket, stays at the few KiB a blocking read needs.
func (c *conn) readLoop() {
	h := c.hub
	defer h.readers.Done()
	var err error
	defer func() { c.teardown(err) }()
	c.ws.SetReadLimit(h.opts.ReadLimit)
	c.extendDeadline()
	c.ws.SetPongHandler(func(string) error { c.extendDeadline(); return nil })
	for {
		var (
			mt int
			r  io.Reader
		)
		mt, r, err = c.ws.NextReader()
		if err != nil {
			return
		}
		if c.closing {
			continue // closing: discard until the client's close frame
		}
		c.extendDeadline()
		if !c.allow() {
			if c.refused++; c.refused == 1 {
				c.sendError("", apperr.New(apperr.RateLimited, "rate_limited"))
			} else if c.refused > h.opts.MessageBurst {
				c.closeAfterQueue(websocket.ClosePolicyViolation, "rate limit")
			}
			continue // NextReader discards the rest of the frame
		}
		c.refused = 0
		var data []byte
		if data, err = io.ReadAll(r); err != nil {
			return // over ReadLimit: gorilla has sent close 1009
		}
		if mt != websocket.TextMessage {
			c.sendError("", apperr.New(apperr.Invalid, "text_only"))
			continue
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			c.handle(data)
		}()
		<-done
	}
}

// allow takes a token from the connection's bucket.
func (c *conn) allow() bool {
	now := time.Now()
	o := c.hub.opts
	c.tokens = min(float64(o.MessageBurst), c.tokens+now.Sub(c.refill).Seconds()*o.MessageRate)
	c.refill = now
	if c.tokens < 1 {
		return false
	}
	c.tokens--
	return true
}

func (c *conn) extendDeadline() {
	if !c.closing && !c.closeSent.Load() {
		o := c.hub.opts
		_ = c.ws.SetReadDeadline(time.Now().Add(o.PingInterval + o.PongWait))
	}
}

// handle runs one client frame.
func (c *conn) handle(data []byte) {
	f, err := decodeClientFrame(data)
	if err != nil {
		var fe *errFrame
		if errors.As(err, &fe) {
			c.sendError(fe.topic, fe.err)
		}
		return
	}
	switch f.Op {
	case opSubscribe:
		c.subscribe(f)
	case opUnsubscribe:
		c.unsubscribe(f.Topic)
	}
}

// sendError queues an error frame for this socket alone.
func (c *conn) sendError(topic string, err error) {
	if apperr.CodeOf(err) == apperr.Internal {
		c.hub.logger.Error("hub: subscription failed", "topic", topic, "err", err)
	}
	c.mu.Lock()
	c.pushLocked(rawMsg(errorFrameFor(c.lang, topic, err)))
	c.mu.Unlock()
}

// closeAfterQueue closes the socket from the reader goroutine: the close
// frame goes out after what is queued (an error frame telling why), and the
// reader then only discards frames until the client answers or the grace
// ends.
func (c *conn) closeAfterQueue(code int, text string) {
	c.closing = true
	c.closeWith(code, text)
	o := c.hub.opts
	_ = c.ws.SetReadDeadline(time.Now().Add(o.WriteTimeout + o.CloseGrace))
}

// closeWith queues a close frame after whatever is already queued; the
// socket accepts nothing more, and its reader ends when the client answers
// or after CloseGrace.
func (c *conn) closeWith(code int, text string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	c.pushLocked(&outMsg{kind: outClose, closeCode: code, closeText: text})
	c.closed = true
}

// kill cuts the socket; the reader sees an error and tears down.
func (c *conn) kill() {
	_ = c.ws.NetConn().Close()
}

// teardown runs once, in the reader goroutine, when reading has ended: it
// ends every subscription, waits briefly for a client that was sent a close
// frame, and releases the connection.
func (c *conn) teardown(err error) {
	h := c.hub
	c.mu.Lock()
	c.closed, c.dead = true, true
	subs := c.subs
	c.subs, c.queue, c.spare = nil, nil, nil
	c.mu.Unlock()
	for _, s := range subs {
		if s.joined {
			h.leave(s.topic, c)
			h.metrics.subscriptions.Dec()
		}
	}
	if errors.Is(err, websocket.ErrReadLimit) {
		// gorilla has sent close 1009 with the frame still unread: read and
		// discard until the client closes its side or the grace ends, so
		// the close frame is not lost to a reset caused by unread data.
		nc := c.ws.NetConn()
		_ = nc.SetReadDeadline(time.Now().Add(h.opts.CloseGrace))
		_, _ = io.Copy(io.Discard, io.LimitReader(nc, 1<<20))
	}
	_ = c.ws.Close()
	h.detach(c)
	h.logger.Debug("hub: socket closed", "ip", c.ip, "err", err)
}
