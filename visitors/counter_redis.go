package visitors

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis keys. The day key carries the date as a hash tag so that the restore
// script's temporary key lands in the same Redis Cluster slot.
const (
	totalKey    = "civichub:visits_total"
	lastKeyBase = "civichub:visit:last:"
	dayKeyBase  = "civichub:visitors:"
	// dayTTL keeps a day's HyperLogLog through the next day, then Redis
	// drops it.
	dayTTL = 48 * time.Hour
)

func dayKey(day string) string { return dayKeyBase + "{" + day + "}" }

// visitScript records a request: KEYS[1] is the visitor's last-seen key,
// ARGV its time in ms, its local date and the window in ms. The value is
// "ms date". It returns {new visit, first request on this date}. Comparing
// the stored time, rather than trusting the key's expiry alone, keeps the
// window exact whatever clock the caller passes.
var visitScript = redis.NewScript(`
local prev = redis.call('GET', KEYS[1])
local now, window = tonumber(ARGV[1]), tonumber(ARGV[3])
if prev then
  local sep = string.find(prev, ' ', 1, true)
  local t = sep and tonumber(string.sub(prev, 1, sep - 1))
  if t then
    local newday = (string.sub(prev, sep + 1) ~= ARGV[2]) and 1 or 0
    if t > now then
      redis.call('SET', KEYS[1], prev, 'PX', window)
      return {0, newday}
    end
    redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. ARGV[2], 'PX', window)
    return {(now - t >= window) and 1 or 0, newday}
  end
end
redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. ARGV[2], 'PX', window)
return {1, 1}`)

// incrScript adds one visit to KEYS[1], but never leaves it at or below
// ARGV[1], the highest total this node has seen: a Redis that lost its data
// continues from there rather than from zero.
var incrScript = redis.NewScript(`
local v = redis.call('INCR', KEYS[1])
local floor = tonumber(ARGV[1])
if v <= floor then
  v = floor + 1
  redis.call('SET', KEYS[1], string.format('%.0f', v))
end
return v`)

// raiseScript sets KEYS[1] to ARGV[1] when it is lower, and returns the value.
var raiseScript = redis.NewScript(`
local cur = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
local v = tonumber(ARGV[1])
if cur < v then
  redis.call('SET', KEYS[1], ARGV[1])
  return v
end
return cur`)

// mergeScript adds the visitors of a saved sketch (ARGV[1], Redis's own
// HyperLogLog encoding) to the day key KEYS[1] through the temporary KEYS[2].
var mergeScript = redis.NewScript(`
redis.call('SET', KEYS[2], ARGV[1], 'PX', 60000)
local res = redis.pcall('PFMERGE', KEYS[1], KEYS[2])
redis.call('DEL', KEYS[2])
if type(res) == 'table' and res.err then return res end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`)

// RedisCounter is the Counter shared by every node through Redis: a
// last-seen key per visitor expiring after the window, INCR for the total
// and PFADD/PFCOUNT for the distinct visitors of each day. It is safe for
// concurrent use. Methods return wrapped Redis errors when Redis fails.
//
// Each node remembers the highest total it has seen (its floor). Should
// Redis lose its data, the next visit or read on a node puts the total back
// to at least that floor at once, and the Persister's next flush to the
// durable store's value; the total shown never goes backwards.
type RedisCounter struct {
	client redis.UniversalClient
	loc    *time.Location
	window time.Duration
	floor  atomic.Int64
}

var _ Counter = (*RedisCounter)(nil)

// NewRedisCounter returns a counter on client whose days run midnight to
// midnight in loc (nil means UTC). Every node must use the same loc and
// Window. It does not contact Redis.
func NewRedisCounter(client redis.UniversalClient, loc *time.Location, opts Options) *RedisCounter {
	opts = opts.withDefaults()
	return &RedisCounter{client: client, loc: locOrUTC(loc), window: opts.Window}
}

// see raises the floor to v.
func (c *RedisCounter) see(v int64) {
	for {
		f := c.floor.Load()
		if v <= f || c.floor.CompareAndSwap(f, v) {
			return
		}
	}
}

// Visit implements Counter: one atomic script for the visitor's last-seen
// key, then, for a new visit, the total, and on the visitor's first request
// of the day, the day's HyperLogLog.
func (c *RedisCounter) Visit(ctx context.Context, visitorID string, now time.Time) (bool, error) {
	if visitorID == "" {
		return false, nil
	}
	day := c.day(now)
	res, err := visitScript.Run(ctx, c.client, []string{lastKeyBase + visitorID},
		now.UnixMilli(), day, c.window.Milliseconds()).Int64Slice()
	if err != nil {
		return false, fmt.Errorf("visitors: redis visit: %w", err)
	}
	if len(res) != 2 {
		return false, fmt.Errorf("visitors: redis visit: unexpected reply %v", res)
	}
	counted, newDay := res[0] == 1, res[1] == 1
	if counted {
		v, err := incrScript.Run(ctx, c.client, []string{totalKey}, c.floor.Load()).Int64()
		if err != nil {
			return false, fmt.Errorf("visitors: redis count visit: %w", err)
		}
		c.see(v)
	}
	if counted || newDay {
		_, err := c.client.Pipelined(ctx, func(p redis.Pipeliner) error {
			p.PFAdd(ctx, dayKey(day), visitorID)
			p.PExpire(ctx, dayKey(day), dayTTL)
			return nil
		})
		if err != nil {
			return counted, fmt.Errorf("visitors: redis add visitor: %w", err)
		}
	}
	return counted, nil
}

// Totals implements Counter.
func (c *RedisCounter) Totals(ctx context.Context, now time.Time) (int64, int64, error) {
	var total *redis.StringCmd
	var today *redis.IntCmd
	_, err := c.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		total = p.Get(ctx, totalKey)
		today = p.PFCount(ctx, dayKey(c.day(now)))
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return 0, 0, fmt.Errorf("visitors: redis totals: %w", err)
	}
	if err := today.Err(); err != nil {
		return 0, 0, fmt.Errorf("visitors: redis visitors today: %w", err)
	}
	v, err := c.repair(ctx, total)
	if err != nil {
		return 0, 0, err
	}
	return v, today.Val(), nil
}

// repair reads the total from cmd and, when it is below the floor (Redis
// lost data), raises Redis back to the floor.
func (c *RedisCounter) repair(ctx context.Context, cmd *redis.StringCmd) (int64, error) {
	v, err := cmd.Int64()
	if err != nil && !errors.Is(err, redis.Nil) {
		return 0, fmt.Errorf("visitors: redis total: %w", err)
	}
	if f := c.floor.Load(); v < f {
		return c.RaiseTotal(ctx, f)
	}
	c.see(v)
	return v, nil
}

// SetTotal implements Counter, on every node at once. A running node whose
// floor is higher puts a lowered total back up on its next visit; lower the
// total only while no node runs (see SetVisitsTotal).
func (c *RedisCounter) SetTotal(ctx context.Context, v int64) error {
	if err := c.client.Set(ctx, totalKey, v, 0).Err(); err != nil {
		return fmt.Errorf("visitors: redis set total: %w", err)
	}
	c.floor.Store(v)
	return nil
}

// RaiseTotal implements Counter with one atomic script.
func (c *RedisCounter) RaiseTotal(ctx context.Context, v int64) (int64, error) {
	got, err := raiseScript.Run(ctx, c.client, []string{totalKey}, v).Int64()
	if err != nil {
		return 0, fmt.Errorf("visitors: redis raise total: %w", err)
	}
	c.see(got)
	return got, nil
}

func (c *RedisCounter) kind() string             { return "redis" }
func (c *RedisCounter) day(now time.Time) string { return dayOf(now, c.loc) }

func (c *RedisCounter) total(ctx context.Context) (int64, error) {
	return c.repair(ctx, c.client.Get(ctx, totalKey))
}

// daySketch returns the day key's raw value: Redis's HyperLogLog encoding.
func (c *RedisCounter) daySketch(ctx context.Context, day string) ([]byte, error) {
	b, err := c.client.Get(ctx, dayKey(day)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("visitors: redis read sketch: %w", err)
	}
	return b, nil
}

func (c *RedisCounter) mergeDaySketch(ctx context.Context, day string, b []byte) error {
	k := dayKey(day)
	err := mergeScript.Run(ctx, c.client, []string{k, k + ":restore"}, b, dayTTL.Milliseconds()).Err()
	if redis.HasErrorPrefix(err, "WRONGTYPE") || redis.HasErrorPrefix(err, "INVALIDOBJ") {
		return fmt.Errorf("%w: %w", errDamagedSketch, err)
	} else if err != nil {
		return fmt.Errorf("visitors: redis merge sketch: %w", err)
	}
	return nil
}
