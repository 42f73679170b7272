package ratelimit

import (
	"context"
	"fmt"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// Redis is a limiter shared by every node through Redis (GCRA in a Lua script,
// one key per limited key, expiring by itself).
type Redis struct {
	l *redis_rate.Limiter
}

// NewRedis returns a limiter using client.
func NewRedis(client redis.UniversalClient) *Redis {
	return &Redis{l: redis_rate.NewLimiter(client)}
}

// Allow implements Limiter.
func (r *Redis) Allow(ctx context.Context, key string, rate Rate) (bool, time.Duration, error) {
	if rate.Off() {
		return true, 0, nil
	}
	res, err := r.l.Allow(ctx, "civichub:rl:"+key, redis_rate.Limit{Rate: rate.N, Burst: rate.N, Period: rate.Per})
	if err != nil {
		return false, 0, fmt.Errorf("ratelimit: redis: %w", err)
	}
	return res.Allowed > 0, res.RetryAfter, nil
}
