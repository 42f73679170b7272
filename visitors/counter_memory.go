package visitors

import (
	"context"
	"encoding/binary"
	"fmt"
	"sync"
	"time"

	"github.com/axiomhq/hyperloglog"
)

// MemoryCounter is the in-process Counter for a single node. It is safe for
// concurrent use; its methods never return an error except mergeDaySketch on
// a damaged sketch. Its figures live in memory only: a Persister writes them
// through to a Store and restores them at start.
type MemoryCounter struct {
	loc    *time.Location
	window time.Duration
	max    int

	mu     sync.Mutex
	visits int64
	// Last-seen times (Unix nanoseconds) in two generations, each spanning
	// at least one window: a visitor seen since curStart is in cur, one seen
	// in the generation before in prev. Rotating drops prev whole, so
	// forgetting visitors gone for a window costs nothing per entry.
	cur, prev map[string]int64
	curStart  time.Time
	// days holds the distinct visitors of the two latest days seen: today
	// and yesterday.
	days [2]dayHLL
}

type dayHLL struct {
	day    string
	sketch *hyperloglog.Sketch
}

var _ Counter = (*MemoryCounter)(nil)

// NewMemoryCounter returns a counter whose days run midnight to midnight in
// loc (nil means UTC), starting from zero.
func NewMemoryCounter(loc *time.Location, opts Options) *MemoryCounter {
	opts = opts.withDefaults()
	return &MemoryCounter{loc: locOrUTC(loc), window: opts.Window, max: opts.MaxTracked,
		cur: make(map[string]int64), prev: make(map[string]int64)}
}

// Visit implements Counter. It never returns an error.
func (c *MemoryCounter) Visit(ctx context.Context, visitorID string, now time.Time) (bool, error) {
	if visitorID == "" {
		return false, nil
	}
	day := c.day(now)
	t := now.UnixNano()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rotate(now)
	last, seen := c.cur[visitorID]
	if !seen {
		last, seen = c.prev[visitorID]
		delete(c.prev, visitorID)
	}
	counted := !seen || t-last >= int64(c.window)
	c.cur[visitorID] = max(t, last)
	if counted {
		c.visits++
	}
	if sk := c.sketch(day, true); sk != nil {
		sk.Insert([]byte(visitorID))
	}
	return counted, nil
}

// rotate starts a new generation of last-seen times once the current one
// spans a window, or early when it holds half of MaxTracked: the table never
// exceeds MaxTracked and always remembers the latest half.
func (c *MemoryCounter) rotate(now time.Time) {
	if len(c.cur) < max(1, c.max/2) && now.Sub(c.curStart) < c.window {
		return
	}
	c.prev, c.cur, c.curStart = c.cur, make(map[string]int64), now
}

// sketch returns day's sketch, making it when create is set and day is not
// older than both kept days; nil otherwise.
func (c *MemoryCounter) sketch(day string, create bool) *hyperloglog.Sketch {
	oldest := 0
	for i := range c.days {
		if c.days[i].day == day {
			return c.days[i].sketch
		}
		if c.days[i].day < c.days[oldest].day {
			oldest = i
		}
	}
	if !create || day < c.days[oldest].day {
		return nil
	}
	c.days[oldest] = dayHLL{day: day, sketch: hyperloglog.New()}
	return c.days[oldest].sketch
}

// Totals implements Counter. It never returns an error.
func (c *MemoryCounter) Totals(ctx context.Context, now time.Time) (int64, int64, error) {
	day := c.day(now)
	c.mu.Lock()
	defer c.mu.Unlock()
	var today int64
	if sk := c.sketch(day, false); sk != nil {
		today = int64(sk.Estimate())
	}
	return c.visits, today, nil
}

// SetTotal implements Counter. It never returns an error.
func (c *MemoryCounter) SetTotal(ctx context.Context, v int64) error {
	c.mu.Lock()
	c.visits = v
	c.mu.Unlock()
	return nil
}

// RaiseTotal implements Counter. It never returns an error.
func (c *MemoryCounter) RaiseTotal(ctx context.Context, v int64) (int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.visits = max(c.visits, v)
	return c.visits, nil
}

func (c *MemoryCounter) kind() string             { return "memory" }
func (c *MemoryCounter) day(now time.Time) string { return dayOf(now, c.loc) }

func (c *MemoryCounter) total(ctx context.Context) (int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.visits, nil
}

func (c *MemoryCounter) daySketch(ctx context.Context, day string) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	sk := c.sketch(day, false)
	if sk == nil {
		return nil, nil
	}
	b, err := sk.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("visitors: encode sketch: %w", err)
	}
	return b, nil
}

func (c *MemoryCounter) mergeDaySketch(ctx context.Context, day string, b []byte) error {
	other, err := decodeSketch(b)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	sk := c.sketch(day, true)
	if sk == nil {
		return nil // a day older than the two kept: nobody asks for it
	}
	if err := sk.Merge(other); err != nil {
		return fmt.Errorf("%w: %w", errDamagedSketch, err)
	}
	return nil
}

// decodeSketch decodes a sketch from the store. The library trusts its
// input: damaged bytes could make it allocate gigabytes or index out of
// range. So the layout is checked first, and the sketch is then merged into
// a dense probe, which visits every entry; a panic there becomes an error.
func decodeSketch(b []byte) (sk *hyperloglog.Sketch, err error) {
	if !validSketch(b) {
		return nil, fmt.Errorf("%w: bad layout (%d bytes)", errDamagedSketch, len(b))
	}
	defer func() {
		if r := recover(); r != nil {
			sk, err = nil, fmt.Errorf("%w: %v", errDamagedSketch, r)
		}
	}()
	sk = hyperloglog.New()
	if err := sk.UnmarshalBinary(b); err != nil {
		return nil, fmt.Errorf("%w: %w", errDamagedSketch, err)
	}
	if err := hyperloglog.NewNoSparse().Merge(sk.Clone()); err != nil {
		return nil, fmt.Errorf("%w: %w", errDamagedSketch, err)
	}
	return sk, nil
}

// sketchPrecision is the precision of hyperloglog.New, the only one this
// package writes.
const sketchPrecision = 14

// validSketch reports whether b has the layout of a version 2 encoding of a
// precision 14 sketch, every length matching the bytes that follow it:
//
//	version, precision, 0, sparse flag, then either
//	dense:  register count (2^14) and one byte per register, or
//	sparse: set size n, n uint32 keys, list count, last key, list size m
//	        and m bytes of list,
//
// with all numbers big-endian uint32.
func validSketch(b []byte) bool {
	if len(b) < 8 || b[0] != 2 || b[1] != sketchPrecision || b[2] != 0 {
		return false
	}
	n := uint64(binary.BigEndian.Uint32(b[4:8]))
	switch b[3] {
	case 0:
		return n == 1<<sketchPrecision && uint64(len(b)) == 8+n
	case 1:
		off := 8 + 4*n
		if uint64(len(b)) < off+12 {
			return false
		}
		m := uint64(binary.BigEndian.Uint32(b[off+8 : off+12]))
		return uint64(len(b)) == off+12+m
	}
	return false
}
