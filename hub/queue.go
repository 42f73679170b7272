package hub

import (
	"time"

	"github.com/gorilla/websocket"
)

// outKind is what a queued item asks the writer to do.
type outKind uint8

const (
	outData outKind = iota
	outPing
	outPong // raw carries the payload
	outClose
)

// outMsg is one item of a socket's send queue. A broadcast outMsg is shared
// by every subscriber on the node and never modified after it is queued; pm
// holds its frame encoded once for all of them.
type outMsg struct {
	kind  outKind
	pm    *websocket.PreparedMessage // broadcast frame
	frame []byte                     // pm's frame as the server writes it (fanout.go)
	raw   []byte                     // frame for one socket

	topic     string
	msgKind   MessageKind
	pos       Position // KindEvent
	version   uint64   // KindSnapshot
	published time.Time

	closeCode int
	closeText string
}

func rawMsg(frame []byte) *outMsg { return &outMsg{kind: outData, raw: frame} }

// pushLocked queues m for the socket; c.mu must be held. It never blocks: a
// full queue marks a slow client, which is cut at once so that it delays no
// one, and whose reader then tears it down.
func (c *conn) pushLocked(m *outMsg) bool {
	h := c.hub
	if c.closed && m.kind != outClose {
		h.metrics.dropped.WithLabelValues("closed").Inc()
		return false
	}
	if len(c.queue) >= h.opts.SendQueue {
		c.closed = true
		h.metrics.dropped.WithLabelValues("queue_full").Inc()
		h.metrics.slowDisconnects.Inc()
		h.logger.Info("hub: slow client dropped", "ip", c.ip, "queued", len(c.queue))
		c.kill()
		return false
	}
	c.queue = append(c.queue, m)
	if !c.scheduled {
		c.scheduled = true
		select {
		case h.work <- c:
		default:
			// Cannot happen while each connection is queued at most once
			// and work holds twice MaxConnections; cut rather than block.
			c.closed = true
			c.kill()
		}
	}
	return true
}

// writeLoop is one of the shared writers: it writes the queued frames of
// one socket at a time, or its share of a broadcast (fanout.go). Shutdown
// stops it after every reader has ended.
func (h *Hub) writeLoop(w *writerState) {
	defer h.workers.Done()
	for {
		select {
		case <-h.stopWork:
			return
		case c := <-h.work:
			h.flush(w, c)
		case j := <-h.fanWork:
			h.runFanout(w, j)
		}
	}
}

// maxKeptQueue is the largest queue array a socket keeps between bursts.
const maxKeptQueue = 16

// flush writes what c has queued, then gives the writer to the next socket;
// c goes to the back of the line if more arrived meanwhile.
func (h *Hub) flush(w *writerState, c *conn) {
	c.mu.Lock()
	batch := c.queue
	c.queue = nil
	dead := c.dead
	c.mu.Unlock()
	if !dead && len(batch) > 0 {
		c.writeBatch(w, batch)
	}
	clear(batch)
	c.mu.Lock()
	if c.queue == nil && cap(batch) <= maxKeptQueue && !c.dead {
		c.queue = batch[:0] // kept for the next frames
	}
	if len(c.queue) == 0 || c.dead {
		c.scheduled = false
		c.mu.Unlock()
		return
	}
	c.mu.Unlock()
	select {
	case h.work <- c:
	default:
		c.kill()
	}
}

// writeBatch writes batch to the socket. A failed write cuts the socket;
// the watchdog cuts a write blocked for more than WriteTimeout. Pings and
// pongs carry no deadline either (a deadline left on the socket would fail
// the fan-out's later writes); a close frame carries one, as nothing is
// written after it.
func (c *conn) writeBatch(w *writerState, batch []*outMsg) {
	h := c.hub
	delivered := 0
	for i, m := range batch {
		var err error
		w.begin(c)
		switch {
		case m.kind == outPing && c.raw != nil:
			err = w.writeRaw(c, pingFrame)
		case m.kind == outPing:
			err = c.ws.WriteControl(websocket.PingMessage, nil, time.Time{})
		case m.kind == outPong:
			err = c.ws.WriteControl(websocket.PongMessage, m.raw, time.Time{})
		case m.kind == outClose:
			c.closeSent.Store(true)
			err = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(m.closeCode, m.closeText), time.Now().Add(h.opts.WriteTimeout))
			_ = c.ws.SetReadDeadline(time.Now().Add(h.opts.CloseGrace))
		case m.frame != nil && c.raw != nil:
			// A broadcast queued behind other frames carries a due ping
			// just as one the fan-out writes does.
			err = w.writeRaw(c, w.withPingDue(c, m.frame))
		case m.pm != nil:
			err = c.ws.WritePreparedMessage(m.pm)
		default:
			err = c.ws.WriteMessage(websocket.TextMessage, m.raw)
		}
		w.end()
		if err != nil {
			h.metrics.dropped.WithLabelValues("write_error").Add(float64(len(batch) - i))
			c.mu.Lock()
			c.closed = true
			c.mu.Unlock()
			c.kill()
			break
		}
		if m.kind == outData {
			delivered++
			if !m.published.IsZero() {
				h.metrics.deliveryLatency.Observe(time.Since(m.published).Seconds())
			}
		}
	}
	h.metrics.delivered.Add(float64(delivered))
}
