package hub

import (
	"encoding/binary"
	"errors"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

// A broadcast reaches most subscribers without going through their send
// queues: handleMessage collects the sockets that have nothing queued and no
// writer (nearly all of them, nearly always) into a fanJob, marks each as
// being written, and hands the job to a few of the shared writers at once
// (one wake per writer, not one channel hand-off per socket). Those writers
// take the job's sockets one at a time from a shared cursor and write the
// prepared frame to each. Sockets that already have frames queued get the
// message through their queue as before, so a socket's frames keep their
// order, and a full queue still cuts a slow client.
//
// No socket can hold a broadcast back: every writer of a job takes the next
// socket from the same cursor, so a writer blocked on one socket leaves the
// rest to the others, and when a job makes no progress for a watchdog tick
// (every writer of it blocked), the watchdog hands it to one more writer.
// A write blocked for more than WriteTimeout is cut by the watchdog, which
// closes the socket (there is no per-write deadline; see writerState).

// fanoutMinPerWriter is the smallest share of a job worth waking another
// writer for.
const fanoutMinPerWriter = 512

// fanJob is one broadcast frame to write to conns, each of which is marked
// scheduled (it is this job's until written).
type fanJob struct {
	m     *outMsg
	conns []*conn
	next  atomic.Int64 // next index of conns to take

	// Watchdog only.
	lastNext int64
}

func (j *fanJob) exhausted() bool { return j.next.Load() >= int64(len(j.conns)) }

// dispatchFanout hands the job to the writers: one writer per
// fanoutMinPerWriter sockets, at most FanoutWriters.
func (h *Hub) dispatchFanout(m *outMsg, conns []*conn) {
	j := &fanJob{m: m, conns: conns, lastNext: -1}
	n := min(h.opts.FanoutWriters, (len(conns)+fanoutMinPerWriter-1)/fanoutMinPerWriter)
	h.jobMu.Lock()
	h.jobs = append(h.jobs, j)
	h.jobMu.Unlock()
	sent := 0
	for range n {
		select {
		case h.fanWork <- j:
			sent++
		default:
		}
	}
	if sent == 0 {
		// Every slot is taken by other jobs: the watchdog hands this one
		// to a writer on its next tick. Not reached in practice (the
		// channel holds several jobs per writer).
		h.logger.Warn("hub: fan-out backlog full", "sockets", len(conns))
	}
}

// runFanout writes j's frame to the sockets it takes from the job's cursor
// until none is left. It observes the delivery latency once, when its share
// is done (see the delivery_latency_seconds help).
func (h *Hub) runFanout(w *writerState, j *fanJob) {
	m := j.m
	delivered, failed := 0, 0
	for {
		i := j.next.Add(1) - 1
		if i >= int64(len(j.conns)) {
			break
		}
		c := j.conns[i]
		w.begin(c)
		var err error
		if c.raw != nil && m.frame != nil {
			err = w.writeRaw(c, w.withPingDue(c, m.frame))
		} else {
			err = c.ws.WritePreparedMessage(m.pm)
		}
		w.end()
		if err != nil {
			failed++
			c.mu.Lock()
			c.closed = true
			c.scheduled = false
			c.mu.Unlock()
			c.kill()
			continue
		}
		delivered++
		c.mu.Lock()
		if len(c.queue) == 0 || c.dead {
			c.scheduled = false
			c.mu.Unlock()
			continue
		}
		c.mu.Unlock()
		// Frames arrived while the broadcast was written: the socket goes
		// on in the queue's writers, still scheduled.
		select {
		case h.work <- c:
		default:
			c.kill()
		}
	}
	if failed > 0 {
		h.metrics.dropped.WithLabelValues("write_error").Add(float64(failed))
	}
	if delivered > 0 {
		h.metrics.delivered.Add(float64(delivered))
		if !m.published.IsZero() {
			h.metrics.deliveryLatency.Observe(time.Since(m.published).Seconds())
		}
	}
}

// writerState is what the watchdog sees of one writer: the socket it is
// writing to, if any, and a count of the writes it has begun. A write that
// the watchdog finds on the same socket and the same count for longer than
// WriteTimeout is stuck, and its socket is closed, which ends the write
// with an error. This replaces a write deadline per frame (a runtime timer
// update and a clock read for every delivery).
type writerState struct {
	cur   atomic.Pointer[conn]
	count atomic.Uint64

	// Watchdog only.
	seen      uint64
	seenSince time.Time

	// withPing holds a frame and a ping (ping.go).
	withPing []byte

	// writeRaw's state: its callback is made once per writer.
	rawConn *conn
	rawBuf  []byte
	rawErr  error
	rawFn   func(fd uintptr) bool
}

var errPeerClosed = errors.New("hub: client closed the socket")

// writeRaw writes a broadcast frame to c's socket with the send system
// call made directly, under the socket's write lock (syscall.RawConn), and
// without telling the Go scheduler about it. The call is short on a
// non-blocking socket, and a regular syscall.Syscall per delivery costs
// more than the write's own user-space work: entering and leaving the
// syscall state, and the runtime's monitor thread waking every 20 µs while
// the writers' processors sit in system calls, handing them off. When the
// socket cannot take the whole frame, the writer waits for it in the
// runtime's poller like any other write (the watchdog bounds the wait).
//
// send (sendto without an address), not write: write passes through the
// kernel's file layer (fdget_pos, vfs_write) before it reaches the socket,
// and in a profile of a 19,000-socket broadcast those two took 5.8 % of
// the server's CPU against 3.5 % for send's own entry (fdget,
// __sys_sendto). MSG_NOSIGNAL turns a closed peer into EPIPE without
// raising SIGPIPE.
//
// It bypasses gorilla, which is sound because the hub writes every frame
// of a socket from one writer at a time (c.scheduled), each frame in one
// call under the socket's write lock, so frames never interleave; gorilla
// negotiates no compression here, so the frame is the same bytes gorilla
// would write; and nothing is written after the close frame answering the
// client's (peerClosed), nor after the hub's own (c.closed is set when it
// is queued).
func (w *writerState) writeRaw(c *conn, frame []byte) error {
	if w.rawFn == nil {
		w.rawFn = w.rawWrite
	}
	w.rawConn, w.rawBuf, w.rawErr = c, frame, nil
	err := c.raw.Write(w.rawFn)
	if err == nil {
		err = w.rawErr
	}
	w.rawConn, w.rawBuf = nil, nil
	return err
}

// rawWrite is writeRaw's callback: it reports false to wait until the
// socket is writable again.
func (w *writerState) rawWrite(fd uintptr) bool {
	if w.rawConn.peerClosed.Load() {
		w.rawErr = errPeerClosed
		return true
	}
	for len(w.rawBuf) > 0 {
		n, _, e := syscall.RawSyscall6(syscall.SYS_SENDTO, fd, uintptr(unsafe.Pointer(&w.rawBuf[0])), uintptr(len(w.rawBuf)),
			syscall.MSG_NOSIGNAL, 0, 0)
		switch e {
		case 0:
			if n == 0 {
				return false
			}
			w.rawBuf = w.rawBuf[n:]
		case syscall.EINTR:
		case syscall.EAGAIN:
			return false
		default:
			w.rawErr = e
			return true
		}
	}
	return true
}

// serverTextFrame is payload as one unmasked, uncompressed, final text
// frame: what gorilla writes for it on a server connection.
func serverTextFrame(payload []byte) []byte {
	n := len(payload)
	var f []byte
	switch {
	case n <= 125:
		f = append(make([]byte, 0, 2+n), 0x81, byte(n))
	case n <= 0xffff:
		f = append(make([]byte, 0, 4+n), 0x81, 126, byte(n>>8), byte(n))
	default:
		f = append(make([]byte, 0, 10+n), 0x81, 127)
		f = binary.BigEndian.AppendUint64(f, uint64(n))
	}
	return append(f, payload...)
}

func (w *writerState) begin(c *conn) {
	w.count.Add(1)
	w.cur.Store(c)
}

func (w *writerState) end() { w.cur.Store(nil) }

// watchTick is how often the watchdog looks at the writers and jobs: a
// stuck write is cut between WriteTimeout and WriteTimeout+watchTick after
// it began, and a job whose every writer is blocked gets one more writer
// within about two ticks.
func (o Options) watchTick() time.Duration {
	return max(time.Millisecond, min(100*time.Millisecond, o.WriteTimeout/10))
}

// watchLoop is the writers' watchdog.
func (h *Hub) watchLoop() {
	defer h.workers.Done()
	t := time.NewTicker(h.opts.watchTick())
	defer t.Stop()
	for {
		select {
		case <-h.stopWork:
			return
		case now := <-t.C:
			h.watchWriters(now)
			h.watchJobs()
		}
	}
}

func (h *Hub) watchWriters(now time.Time) {
	for _, w := range h.writerStates {
		c := w.cur.Load()
		n := w.count.Load()
		if c == nil || n != w.seen {
			w.seen, w.seenSince = n, now
			continue
		}
		if now.Sub(w.seenSince) > h.opts.WriteTimeout {
			h.logger.Info("hub: write timed out", "ip", c.ip)
			c.mu.Lock()
			c.closed = true
			c.mu.Unlock()
			c.kill()
			w.seenSince = now
		}
	}
}

// watchJobs forgets finished jobs and gives a stalled one another writer.
func (h *Hub) watchJobs() {
	h.jobMu.Lock()
	defer h.jobMu.Unlock()
	live := h.jobs[:0]
	for _, j := range h.jobs {
		if j.exhausted() {
			continue
		}
		if next := j.next.Load(); next == j.lastNext {
			select {
			case h.fanWork <- j:
			default:
			}
		} else {
			j.lastNext = next
		}
		live = append(live, j)
	}
	clear(h.jobs[len(live):])
	h.jobs = live
}
