// Package id makes civichub's object IDs: lowercase ULIDs (26 characters,
// time-ordered, 80 random bits). Both stores use the same IDs, so URLs and topic
// names do not depend on the store.
package id

import (
	"crypto/rand"
	"strings"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"
)

// entropy makes IDs from one process strictly increasing, even within one
// millisecond, so that ordering by ID is ordering by creation. It is the
// package's only state, guarded by mu, like crypto/rand's reader.
var (
	mu      sync.Mutex
	entropy = ulid.Monotonic(rand.Reader, 0)
)

// New returns a new ID. It is safe for concurrent use.
func New() string {
	mu.Lock()
	u := ulid.MustNew(ulid.Timestamp(time.Now()), entropy)
	mu.Unlock()
	return strings.ToLower(u.String())
}

// Valid reports whether s has the form of an ID, so that a malformed ID in a
// URL is answered not_found without a store lookup.
func Valid(s string) bool {
	if len(s) != ulid.EncodedSize || strings.ToLower(s) != s {
		return false
	}
	_, err := ulid.ParseStrict(s)
	return err == nil
}
