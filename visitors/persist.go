package visitors

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// PersisterOptions tune a Persister. The zero value gives the defaults.
type PersisterOptions struct {
	// Interval is how often the counter is written through to the store.
	// It bounds what a crash can lose. Default 5 seconds.
	Interval time.Duration
	// FinalTimeout bounds the last flush when Run stops. Default 5 seconds.
	FinalTimeout time.Duration
	// Now tells the time, to find today's date; default time.Now.
	Now func() time.Time
}

// The defaults of PersisterOptions.
const (
	DefaultFlushInterval = 5 * time.Second
	DefaultFinalTimeout  = 5 * time.Second
)

// Persister writes a Counter through to a Store, so that the total visits
// never go backwards across restarts and today's distinct visitors survive
// them. Each flush:
//
//   - raises the store's VisitsTotal to the counter's total, and, when the
//     store holds more (a fresh process, a Redis that lost its data, or an
//     operator's SetVisitsTotal), raises the counter to the store's value;
//   - merges today's saved sketch into the counter on the first flush of
//     each day and after a detected loss, then saves the counter's sketch of
//     today when it changed;
//   - once a day, deletes sketches older than yesterday.
//
// The bound: a crash loses at most the visits of one Interval that no store
// write has seen yet (with Redis, only when Redis itself loses its data), and
// even then the total resumes from the stored value, never below it. With
// several nodes on one Redis every node runs a Persister; their flushes are
// idempotent.
//
// A Persister is safe for concurrent use; flushes are serialised.
type Persister struct {
	counter Counter
	store   Store
	logger  *slog.Logger
	opts    PersisterOptions

	mu         sync.Mutex
	mergedDay  string // the day whose saved sketch was merged into the counter
	writtenDay string
	written    []byte // the sketch last saved for writtenDay
	prunedDay  string
}

// NewPersister returns a Persister of counter to store. A nil logger
// discards.
func NewPersister(counter Counter, store Store, logger *slog.Logger, opts PersisterOptions) *Persister {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if opts.Interval <= 0 {
		opts.Interval = DefaultFlushInterval
	}
	if opts.FinalTimeout <= 0 {
		opts.FinalTimeout = DefaultFinalTimeout
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Persister{counter: counter, store: store, logger: logger, opts: opts}
}

// Flush writes the counter through to the store once, and restores the
// counter from it where it is behind. Call it once before serving, so that
// the first page already shows the durable total. It returns the first
// error of the store or counter, after which a later flush retries
// everything.
func (p *Persister) Flush(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, s := p.counter, p.store
	day := c.day(p.opts.Now())

	cur, err := c.total(ctx)
	if err != nil {
		return fmt.Errorf("visitors: flush: %w", err)
	}
	stored, err := s.RaiseCounter(ctx, VisitsTotal, cur)
	if err != nil {
		return fmt.Errorf("visitors: flush: %w", err)
	}
	if stored > cur {
		if _, err := c.RaiseTotal(ctx, stored); err != nil {
			return fmt.Errorf("visitors: flush: %w", err)
		}
		p.mergedDay = "" // the counter may have lost today's visitors too
	}

	if p.mergedDay != day {
		saved, err := s.DaySketch(ctx, c.kind(), day)
		if err != nil {
			return fmt.Errorf("visitors: flush: %w", err)
		}
		if saved != nil {
			err := c.mergeDaySketch(ctx, day, saved)
			if errors.Is(err, errDamagedSketch) {
				// A damaged sketch must not stop the flushes for the whole
				// day: the live one is saved over it.
				p.logger.Warn("saved visitors sketch dropped", "day", day, "err", err)
			} else if err != nil {
				return fmt.Errorf("visitors: flush: %w", err)
			}
		}
		p.mergedDay = day
	}
	live, err := c.daySketch(ctx, day)
	if err != nil {
		return fmt.Errorf("visitors: flush: %w", err)
	}
	if live != nil && (day != p.writtenDay || !bytes.Equal(live, p.written)) {
		if err := s.PutDaySketch(ctx, c.kind(), day, live); err != nil {
			return fmt.Errorf("visitors: flush: %w", err)
		}
		p.writtenDay, p.written = day, live
	}

	if p.prunedDay != day {
		if err := s.DeleteDaySketches(ctx, dayBefore(day)); err != nil {
			return fmt.Errorf("visitors: flush: %w", err)
		}
		p.prunedDay = day
	}
	return nil
}

// Run flushes at once and then every Interval until ctx is done, logging
// failed flushes (a later one retries). When ctx is done it flushes a last
// time, bounded by FinalTimeout, and returns that flush's error. Run blocks;
// the caller owns the goroutine it runs in and stops it with ctx, and should
// wait for Run to return before closing the store.
func (p *Persister) Run(ctx context.Context) error {
	t := time.NewTicker(p.opts.Interval)
	defer t.Stop()
	for {
		if err := p.Flush(ctx); err != nil && ctx.Err() == nil {
			p.logger.Warn("visit counter not saved", "err", err)
		}
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.opts.FinalTimeout)
			defer cancel()
			return p.Flush(fctx)
		case <-t.C:
		}
	}
}
