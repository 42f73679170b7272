package accounts

import (
	"context"
	"time"
)

// revocationOverlap is how far back each poll of the revocation log reaches
// before the previous one. Entries are stamped by the clock of the process
// that wrote them (any node, or civichub admin), and a write may land just
// after a poll that started later; the overlap covers both, and entries seen
// before are skipped by ID.
const revocationOverlap = 10 * time.Second

// revocationKeep is how long entries stay in the log.
const revocationKeep = time.Hour

// WatchRevocations polls the revocation log every interval until ctx ends and
// calls closeUser once for each user whose sessions changed since the watch
// began, on whichever node or process the change was made. The hub's
// CloseUserSessions is what main passes, so sockets of a logged-out or
// re-roled user close within about interval. It also prunes old entries.
func (s *Service) WatchRevocations(ctx context.Context, interval time.Duration, closeUser func(ctx context.Context, userID string)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	since := s.now()
	seen := map[string]time.Time{}
	lastPrune := s.now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := s.now()
		list, err := s.store.Revocations(ctx, since.Add(-revocationOverlap))
		if err != nil {
			s.logger.Warn("read revocation log", "err", err)
			continue
		}
		for _, r := range list {
			if _, ok := seen[r.ID]; ok {
				continue
			}
			seen[r.ID] = r.At
			closeUser(ctx, r.UserID)
		}
		since = now
		for id, at := range seen {
			if at.Before(now.Add(-2 * revocationOverlap)) {
				delete(seen, id)
			}
		}
		if now.Sub(lastPrune) > revocationKeep/4 {
			lastPrune = now
			if err := s.store.DeleteRevocations(ctx, now.Add(-revocationKeep)); err != nil {
				s.logger.Warn("prune revocation log", "err", err)
			}
		}
	}
}
