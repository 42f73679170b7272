package hub

import "time"

// revocations closes a race between CloseUserSessions and a socket being
// opened: the close_user instruction can arrive while the socket's upgrade
// is under way, after its principal was read but before the socket is in the
// hub's index of user sockets, where the instruction looks. ServeHTTP notes
// how many instructions the node had handled before upgrading; once the
// socket is indexed, a revocation of its user handled since then closes it.
// Fields are guarded by the hub's connMu.
type revocations struct {
	seq    uint64 // close_user instructions handled so far
	byUser map[string]revocation
	// forgot is the highest seq dropped by pruning: an upgrade that began
	// before it cannot be checked, and is treated as revoked.
	forgot uint64
}

type revocation struct {
	seq uint64
	at  time.Time
}

// revocationMemory is how long a revocation is remembered, far longer than
// any upgrade takes; the map is pruned only beyond revocationPrune entries.
const (
	revocationMemory = time.Minute
	revocationPrune  = 1024
)

func (r *revocations) init() { r.byUser = make(map[string]revocation) }

// mark records that userID's sockets were revoked.
func (r *revocations) mark(userID string, now time.Time) {
	r.seq++
	r.byUser[userID] = revocation{seq: r.seq, at: now}
	if len(r.byUser) <= revocationPrune {
		return
	}
	for u, rv := range r.byUser {
		if now.Sub(rv.at) > revocationMemory {
			delete(r.byUser, u)
			r.forgot = max(r.forgot, rv.seq)
		}
	}
}

// since reports whether userID was revoked after the node had handled from
// instructions.
func (r *revocations) since(userID string, from uint64) bool {
	if userID == "" {
		return false
	}
	if from < r.forgot {
		return true
	}
	rv, ok := r.byUser[userID]
	return ok && rv.seq > from
}

// revokeUser records a close_user instruction and returns the user's open
// sockets, to be closed.
func (h *Hub) revokeUser(userID string) []*conn {
	h.connMu.Lock()
	defer h.connMu.Unlock()
	h.revoked.mark(userID, time.Now())
	return h.userConnsLocked(userID)
}
