// Package ratelimit limits how often a key (an IP address, an account) may do
// something. The in-process limiter serves one node; the Redis limiter shares
// the limits across nodes.
package ratelimit

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Rate is N events per Per, with bursts of up to N.
type Rate struct {
	N   int
	Per time.Duration
}

// ParseRate reads "N/duration", for example "30/1m". "0" or "off" disables the
// limit.
func ParseRate(s string) (Rate, error) {
	if s == "0" || s == "off" {
		return Rate{}, nil
	}
	n, per, ok := strings.Cut(s, "/")
	if !ok {
		return Rate{}, fmt.Errorf("rate %q: want N/duration, for example 30/1m", s)
	}
	count, err := strconv.Atoi(n)
	if err != nil || count < 1 {
		return Rate{}, fmt.Errorf("rate %q: count must be a positive whole number", s)
	}
	d, err := time.ParseDuration(per)
	if err != nil || d <= 0 {
		return Rate{}, fmt.Errorf("rate %q: bad duration", s)
	}
	return Rate{N: count, Per: d}, nil
}

// Off reports whether the rate is disabled.
func (r Rate) Off() bool { return r.N == 0 }

func (r Rate) String() string {
	if r.Off() {
		return "off"
	}
	return fmt.Sprintf("%d/%s", r.N, r.Per)
}

// Limiter decides whether one more event for key is allowed under rate. When it
// is not, retry says how long until it would be. Implementations are safe for
// concurrent use.
type Limiter interface {
	Allow(ctx context.Context, key string, rate Rate) (ok bool, retry time.Duration, err error)
}
