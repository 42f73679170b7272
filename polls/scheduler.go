package polls

import (
	"context"
	"errors"
	"time"
)

// Run writes votes and keeps the schedule until ctx ends: at a poll's
// opening or closing time its viewers get the new status without any
// request, on every node.
func (s *Service) Run(ctx context.Context) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.batch.run(ctx, s.opts.Writers)
	}()
	s.schedule(ctx)
	<-done
}

// schedulePoll is how often the scheduler rereads the open polls, so that
// polls opened or rescheduled on other nodes are seen. A change on this
// node wakes it at once (rescheduled).
const schedulePoll = 5 * time.Second

// schedule watches the open polls' clock-driven statuses. When one changes
// (scheduled to open, open to closed), it stores the change, which raises
// the poll's revision (a closing also stores the Closed status), and marks
// the poll's topics changed. Every node does this; the store's revision
// check lets one write win and the others see ErrStale, which is fine.
func (s *Service) schedule(ctx context.Context) {
	seen := map[string]Status{}
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-s.poke:
			timer.Stop()
		}
		next := s.scheduleOnce(ctx, seen)
		timer.Reset(next)
	}
}

// scheduleOnce handles every due change and returns how long to sleep.
func (s *Service) scheduleOnce(ctx context.Context, seen map[string]Status) time.Duration {
	polls, err := s.store.PollsWithStatus(ctx, Open)
	if err != nil {
		if ctx.Err() == nil {
			s.logger.Warn("polls: scheduler cannot read open polls", "err", err)
		}
		return schedulePoll
	}
	now := s.now()
	wake := now.Add(schedulePoll)
	live := make(map[string]bool, len(polls))
	for _, p := range polls {
		live[p.ID] = true
		st := p.StatusAt(now)
		if prev, ok := seen[p.ID]; (ok && prev != st) || (!ok && st == Closed) {
			s.reached(ctx, p, st)
		}
		seen[p.ID] = st
		if t := nextChange(p, now); !t.IsZero() && t.Before(wake) {
			wake = t
		}
	}
	for id := range seen {
		if !live[id] {
			delete(seen, id)
		}
	}
	return max(wake.Sub(s.now())+time.Millisecond, time.Millisecond)
}

// reached stores that p reached st by the clock and tells its viewers.
func (s *Service) reached(ctx context.Context, p *Poll, st Status) {
	if st == Closed {
		p.Status = Closed
	}
	p.UpdatedAt = s.now()
	err := s.store.UpdatePoll(ctx, p)
	s.cache.forget(p.ID)
	if err != nil && !errors.Is(err, ErrStale) {
		s.logger.Warn("polls: scheduler cannot store a status change", "poll", p.ID, "status", st, "err", err)
	}
	if err == nil {
		s.logger.Info("poll status changed by schedule", "poll", p.ID, "status", st)
	}
	s.published(ctx, p, true)
}

// rescheduled wakes the scheduler to reread the open polls after a poll was
// created or changed on this node, so that its schedule is kept to the
// millisecond rather than from the next reread.
func (s *Service) rescheduled() {
	select {
	case s.poke <- struct{}{}:
	default:
	}
}
