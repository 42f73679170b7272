package hub

import (
	"time"

	"github.com/gorilla/websocket"
)

// Keepalive. Every socket is pinged once per PingInterval, and a socket
// that sends nothing, not even the pong, for PingInterval+pingLag+PongWait
// is closed by its read deadline.
//
// The sockets are cut into pingSlots slices (round-robin as they attach),
// and every PingInterval/pingSlots the pinger marks one slice's pings due.
// A due ping is not written at once: for pingLag the socket's next
// broadcast frame carries it, in the same write (withPingDue), so a socket
// that receives broadcasts costs no separate write, TCP segment and client
// wake-up for its keepalive. When a slice's lag has passed, the pinger
// queues the pings still due. Spreading the slices over the interval keeps
// the pings, and the pongs they bring back, from hitting every socket at
// once, where they would delay a broadcast.

// pingSlots is how many slices a ping interval is cut into.
const pingSlots = 50

// maxPiggyback is the largest broadcast frame a ping rides on; a ping
// after a larger one waits for the pinger.
const maxPiggyback = 1024

// pingFrame is a server's empty ping frame, the bytes gorilla writes for it.
var pingFrame = []byte{0x80 | websocket.PingMessage, 0}

// pingLag is how long a due ping waits for a broadcast to ride on.
func (o *Options) pingLag() time.Duration { return o.PingInterval / 10 }

// readTimeout is how long a socket may send nothing, not even a pong. The
// pointer receiver matters: readLoop calls it, and a copy of Options would
// grow every reader's stack past its 2 KiB.
func (o *Options) readTimeout() time.Duration { return o.PingInterval + o.pingLag() + o.PongWait }

// withPingDue returns frame, followed by a ping when c's ping is due and
// frame is small; the ping is then no longer due. The result is valid until
// the writer's next call.
func (w *writerState) withPingDue(c *conn, frame []byte) []byte {
	if len(frame) > maxPiggyback || !c.pingDue.Load() || !c.pingDue.Swap(false) {
		return frame
	}
	w.withPing = append(append(w.withPing[:0], frame...), pingFrame...)
	return w.withPing
}

// pingLoop marks one slice's pings due every PingInterval/pingSlots and
// queues the pings of the slice whose lag has passed that are still due. A
// socket that cannot take even a ping is a slow client and is cut.
func (h *Hub) pingLoop() {
	defer h.workers.Done()
	// Fewer slices for a very short interval (tests), so ticks stay >= 1 ms.
	n := max(1, min(pingSlots, int(h.opts.PingInterval/time.Millisecond)))
	t := time.NewTicker(h.opts.PingInterval / time.Duration(n))
	defer t.Stop()
	lag := n / 10 // in slices: pingLag
	for slot := 0; ; slot = (slot + 1) % n {
		select {
		case <-h.ctx.Done():
			return
		case <-t.C:
		}
		h.connMu.Lock()
		h.eachInSlice(slot, n, func(c *conn) { c.pingDue.Store(true) })
		h.eachInSlice((slot+n-lag)%n, n, func(c *conn) {
			if !c.pingDue.Swap(false) {
				return // a broadcast carried it
			}
			c.mu.Lock()
			if !c.closed {
				c.pushLocked(h.pingMsg)
			}
			c.mu.Unlock()
		})
		h.connMu.Unlock()
	}
}

// eachInSlice calls fn for every socket of slice slot out of n; h.connMu
// must be held.
func (h *Hub) eachInSlice(slot, n int, fn func(*conn)) {
	for k := slot; k < pingSlots; k += n {
		for c := range h.conns[k] {
			fn(c)
		}
	}
}
