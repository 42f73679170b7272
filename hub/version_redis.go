package hub

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisVersions is the VersionSource of a cluster: one counter in Redis
// (civichub:v) shared by every node and topic. Like MemoryVersions it never
// falls behind the clock in microseconds (the larger of the caller's clock
// and Redis's), so versions keep rising when Redis loses the counter. Safe
// for concurrent use.
type RedisVersions struct {
	client redis.UniversalClient
	now    func() time.Time
}

// NewRedisVersions returns a VersionSource on client.
func NewRedisVersions(client redis.UniversalClient) *RedisVersions {
	return &RedisVersions{client: client, now: time.Now}
}

// versionScript: INCR, raised to the clock floor. ARGV[1] the caller's clock
// in µs. Lua numbers are doubles, exact up to 2^53 µs (year 2255).
var versionScript = redis.NewScript(`
local v = redis.call('INCR', KEYS[1])
local t = redis.call('TIME')
local floor = math.max(tonumber(ARGV[1]), tonumber(t[1]) * 1000000 + tonumber(t[2]))
if v < floor then
  v = floor
  redis.call('SET', KEYS[1], string.format('%d', v))
end
return v
`)

// Next implements VersionSource. It fails when Redis does.
func (v *RedisVersions) Next(ctx context.Context, _ string) (uint64, error) {
	n, err := versionScript.Run(ctx, v.client, []string{redisPrefix + "v"}, v.now().UnixMicro()).Int64()
	if err != nil {
		return 0, fmt.Errorf("hub: redis version: %w", err)
	}
	return uint64(n), nil
}
