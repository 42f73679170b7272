package polls

import (
	"context"
	"sync"
	"time"
)

// pollCacheTTL is how long a poll read from the store serves the vote path,
// the socket authorizer and snapshots without being read again. Changes
// made on this node drop it at once; a change made on another node (an
// early close, a new results visibility) reaches this node within the TTL.
// Scheduled openings and closings are exact everywhere: they are times in
// the poll, not changes to it.
const pollCacheTTL = time.Second

// pollCache keeps recently read polls. Cached polls are shared: callers
// must not modify them (Update reads its own copy from the store).
type pollCache struct {
	mu      sync.Mutex
	entries map[string]cached
}

type cached struct {
	p  *Poll
	at time.Time
}

// maxCached bounds the cache; past it, the cache starts over.
const maxCached = 10_000

func (c *pollCache) get(ctx context.Context, store Store, id string) (*Poll, error) {
	now := time.Now()
	c.mu.Lock()
	e, ok := c.entries[id]
	c.mu.Unlock()
	if ok && now.Sub(e.at) < pollCacheTTL {
		return e.p, nil
	}
	p, err := store.Poll(ctx, id)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.entries == nil || len(c.entries) >= maxCached {
		c.entries = map[string]cached{}
	}
	c.entries[id] = cached{p: p, at: now}
	c.mu.Unlock()
	return p, nil
}

func (c *pollCache) forget(id string) {
	c.mu.Lock()
	delete(c.entries, id)
	c.mu.Unlock()
}
