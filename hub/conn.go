package hub

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"

	"github.com/civichub/civichub/apperr"
	"github.com/civichub/civichub/i18n"
)

// conn is one socket. Its reader goroutine (readLoop) owns reading, the
// rate limiter and teardown; writes happen in the hub's shared writers
// (queue.go). mu guards the fields below it.
//
// There is one per socket, so its size counts: the fields are ordered to
// pack (small ones together) and it fits the allocator's 224-byte class.
type conn struct {
	hub *Hub
	ws  *websocket.Conn
	br  *bufio.Reader // ws reads through it; readLoop peeks at it
	// raw writes the socket below gorilla (fanout.go); nil when the
	// connection is not a plain TCP socket.
	raw       syscall.RawConn
	ip        netip.Addr
	principal Principal
	lang      i18n.Lang

	// Reader goroutine only.
	refill  time.Duration // when the rate limiter last refilled (Hub.clock)
	tokens  float32
	refused int32 // frames dropped in a row by the rate limiter
	closing bool  // the reader asked for a close and only waits for it

	pingSlot uint8 // the pinger's slice this socket is in; set by attach

	// closeSent is set once a close frame is on its way, so the reader
	// stops extending its deadline and waits at most CloseGrace.
	closeSent atomic.Bool
	// peerClosed is set before the close frame answering the client's goes
	// out; the fan-out writes nothing to the socket after that.
	peerClosed atomic.Bool
	// pingDue is set when the socket's ping is due and cleared by whoever
	// writes it: the fan-out, with a broadcast frame, or else the pinger
	// (ping.go).
	pingDue atomic.Bool

	mu        sync.Mutex
	subs      []*sub
	queue     []*outMsg
	scheduled bool // in hub.work or being written
	closed    bool // accepts no more frames
	dead      bool // torn down
}

func newConn(h *Hub, ws *websocket.Conn, br *bufio.Reader, ip netip.Addr, p Principal, lang i18n.Lang) *conn {
	c := &conn{hub: h, ws: ws, br: br, ip: ip, principal: p, lang: lang,
		tokens: float32(h.opts.MessageBurst), refill: h.clock()}
	nc := ws.NetConn()
	if dc, ok := nc.(*deadlineConn); ok {
		nc = dc.Conn
	}
	if tc, ok := nc.(*net.TCPConn); ok {
		c.raw, _ = tc.SyscallConn()
	}
	return c
}

// readLoop owns the socket's reading until it fails or closes, then tears
// the connection down. It lives as long as the socket, so it only ever
// blocks in a shallow Peek on the connection's small read buffer: its stack
// stays at the runtime's 2 KiB minimum. When bytes arrive, a short-lived
// goroutine (readFrames) runs gorilla's deep frame parsing and the frame's
// handling, and ends once the buffer is empty.
func (c *conn) readLoop() {
	h := c.hub
	defer h.readers.Done()
	c.ws.SetReadLimit(h.opts.ReadLimit)
	c.ws.SetPongHandler(c.onPong)
	c.ws.SetCloseHandler(c.onClose)
	c.extendDeadline()
	var err error
	for err == nil {
		if _, err = c.br.Peek(1); err != nil {
			break
		}
		done := make(chan error, 1)
		go c.readFrames(done)
		err = <-done
	}
	c.teardown(err)
}

// readFrames reads and handles the frames in the read buffer, and returns
// (through done) once it is empty, between two messages, or reading failed.
func (c *conn) readFrames(done chan<- error) {
	var err error
	for err == nil && c.br.Buffered() > 0 {
		var handled bool
		if handled, err = c.readControl(); !handled && err == nil {
			err = c.readMessage()
		}
	}
	done <- err
}

// readControl handles a well-formed ping or pong at the head of the read
// buffer itself, as gorilla would (a ping is answered with a pong carrying
// its payload, a pong extends the read deadline). gorilla's NextReader would
// handle it too, but then go on to block for the next frame deep in its
// stack; handled false leaves every other frame to NextReader.
func (c *conn) readControl() (handled bool, err error) {
	b, err := c.br.Peek(2)
	if err != nil {
		return true, err
	}
	op := b[0] &^ 0x80
	if b[0]&0x80 == 0 || op != websocket.PingMessage && op != websocket.PongMessage ||
		b[1]&0x80 == 0 || b[1]&0x7f > 125 {
		return false, nil // data, close or malformed: gorilla's to judge
	}
	n := 6 + int(b[1]&0x7f)
	if b, err = c.br.Peek(n); err != nil {
		return true, err
	}
	payload := make([]byte, n-6)
	for i := range payload {
		payload[i] = b[6+i] ^ b[2+i%4]
	}
	_, _ = c.br.Discard(n)
	c.extendDeadline()
	if op == websocket.PingMessage {
		// Through the send queue, so the writers (and their watchdog)
		// write it, after what is queued.
		c.mu.Lock()
		c.pushLocked(&outMsg{kind: outPong, raw: payload})
		c.mu.Unlock()
	}
	return true, nil
}

// readMessage reads one client message with gorilla and handles it.
func (c *conn) readMessage() error {
	h := c.hub
	mt, r, err := c.ws.NextReader()
	if err != nil {
		return err
	}
	if c.closing {
		// Closing: discard until the client's close frame.
		_, err = io.Copy(io.Discard, r)
		return err
	}
	c.extendDeadline()
	if !c.allow() {
		if c.refused++; c.refused == 1 {
			c.sendError("", apperr.New(apperr.RateLimited, "rate_limited"))
		} else if int(c.refused) > h.opts.MessageBurst {
			c.closeAfterQueue(websocket.ClosePolicyViolation, "rate limit")
		}
		// Drain the message so the buffer's head is a frame boundary.
		_, err = io.Copy(io.Discard, r)
		return err
	}
	c.refused = 0
	data, err := io.ReadAll(r)
	if err != nil {
		return err // over ReadLimit: gorilla has sent close 1009
	}
	if mt != websocket.TextMessage {
		c.sendError("", apperr.New(apperr.Invalid, "text_only"))
		return nil
	}
	c.handle(data)
	return nil
}

// onClose answers the client's close frame as gorilla would, after marking
// the socket so that the fan-out writes nothing after the answer (it writes
// below gorilla, fanout.go).
func (c *conn) onClose(code int, _ string) error {
	c.peerClosed.Store(true)
	msg := []byte{}
	if code != websocket.CloseNoStatusReceived {
		msg = websocket.FormatCloseMessage(code, "")
	}
	_ = c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(c.hub.opts.WriteTimeout))
	return nil
}

func (c *conn) onPong(string) error {
	c.extendDeadline()
	return nil
}

// allow takes a token from the connection's bucket.
func (c *conn) allow() bool {
	now := c.hub.clock()
	o := &c.hub.opts
	c.tokens = min(float32(o.MessageBurst), c.tokens+float32((now-c.refill).Seconds()*o.MessageRate))
	c.refill = now
	if c.tokens < 1 {
		return false
	}
	c.tokens--
	return true
}

func (c *conn) extendDeadline() {
	if !c.closing && !c.closeSent.Load() {
		_ = c.ws.SetReadDeadline(time.Now().Add(c.hub.opts.readTimeout()))
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
	c.subs, c.queue = nil, nil
	c.mu.Unlock()
	for _, s := range subs {
		if s.joined {
			h.leave(s)
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
