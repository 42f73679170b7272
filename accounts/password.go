package accounts

import (
	"context"
	"fmt"
	"sync"

	"github.com/alexedwards/argon2id"
)

// HashParams are the argon2id parameters of OWASP's password storage cheat
// sheet (m=19 MiB, t=2, p=1).
var HashParams = &argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// Hasher hashes and checks passwords with argon2id, at most `limit` at a time:
// each hash holds 19 MiB, so the cap is what bounds memory under a login storm.
// It is safe for concurrent use.
type Hasher struct {
	sem    chan struct{}
	params *argon2id.Params

	dummyOnce sync.Once
	dummy     string
}

// NewHasher returns a Hasher that runs at most limit hashes at once.
func NewHasher(limit int, params *argon2id.Params) *Hasher {
	if limit < 1 {
		limit = 1
	}
	return &Hasher{sem: make(chan struct{}, limit), params: params}
}

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("accounts: wait for hasher: %w", ctx.Err())
	}
}

// Hash returns the PHC-encoded argon2id hash of password.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer func() { <-h.sem }()
	s, err := argon2id.CreateHash(password, h.params)
	if err != nil {
		return "", fmt.Errorf("accounts: hash password: %w", err)
	}
	return s, nil
}

// Check reports whether password matches hash. An empty hash (no such user)
// is checked against a dummy hash, so that a login for an unknown email costs
// the same time as one for a known email.
func (h *Hasher) Check(ctx context.Context, password, hash string) (bool, error) {
	known := hash != ""
	if !known {
		h.dummyOnce.Do(func() { h.dummy, _ = argon2id.CreateHash("civichub dummy password", h.params) })
		hash = h.dummy
	}
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	defer func() { <-h.sem }()
	ok, err := argon2id.ComparePasswordAndHash(password, hash)
	if err != nil {
		return false, fmt.Errorf("accounts: check password: %w", err)
	}
	return ok && known, nil
}
