package hub

import (
	"context"
	"sync/atomic"
)

// MemoryPresence is the Presence of a single node: its own distinct
// visitors are everyone online. Safe for concurrent use.
type MemoryPresence struct {
	guests, members atomic.Int64
}

// NewMemoryPresence returns an in-process Presence.
func NewMemoryPresence() *MemoryPresence { return &MemoryPresence{} }

// Run implements Presence. Nothing changes behind the node's back, so
// notify is never called.
func (p *MemoryPresence) Run(func()) error { return nil }

// Join implements Presence.
func (p *MemoryPresence) Join(v Visitor) { p.counter(v).Add(1) }

// Leave implements Presence.
func (p *MemoryPresence) Leave(v Visitor) { p.counter(v).Add(-1) }

func (p *MemoryPresence) counter(v Visitor) *atomic.Int64 {
	if v.Member {
		return &p.members
	}
	return &p.guests
}

// Online implements Presence. It never fails.
func (p *MemoryPresence) Online(context.Context) (guests, members int64, err error) {
	return p.guests.Load(), p.members.Load(), nil
}

// Close implements Presence.
func (p *MemoryPresence) Close(context.Context) error { return nil }
