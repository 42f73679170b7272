package hub

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisPresence is the Presence of a cluster. Each node keeps its distinct
// visitors in memory and, once per Interval, sends Redis what changed in one
// script call, which also serves as its heartbeat; no socket open or close
// waits for Redis. In Redis (all keys in the {civichub:p} slot):
//
//	:nodes     sorted set: node ID → heartbeat deadline (ms, Redis clock)
//	:n:<node>  set: the node's visitors ("g:<visitor>", "m:<user>")
//	:refs      hash: visitor → number of nodes holding it
//	:count     hash: g, m → distinct guests and members
//
// Every call also removes the nodes whose deadline has passed, with their
// visitors, so a node that dies without closing its sockets is gone within
// NodeTTL plus one Interval; and returns the counts, which the node caches
// for Online and compares, calling notify when they change. A node that
// finds itself unknown (Redis lost its data, or it was declared dead after a
// long pause) sends its whole set again. Safe for concurrent use.
type RedisPresence struct {
	client redis.UniversalClient
	opts   RedisPresenceOptions
	logger *slog.Logger

	mu sync.Mutex
	// local and changed hold Visitors, not their keys: the ID is the
	// string the hub holds already, and keys are built only to be sent.
	local    map[Visitor]struct{} // this node's visitors
	changed  map[Visitor]bool     // since the last flush: visitor → online
	full     bool                 // send the whole set next time
	guests   int64
	members  int64
	counted  time.Time // last successful flush
	notify   func()
	running  bool
	finished bool

	stop chan struct{}
	done chan struct{}
}

// RedisPresenceOptions are the settings of a RedisPresence; zero values
// mean the defaults.
type RedisPresenceOptions struct {
	// NodeID names this node (default: random). It must differ per node.
	NodeID string
	// Interval is how often the node writes its changes and reads the counts
	// (default 1 s).
	Interval time.Duration
	// NodeTTL is how long after its last heartbeat a silent node's visitors
	// are removed (default 15 s; with the default Interval a crashed node's
	// visitors are gone within 16 s).
	NodeTTL time.Duration
}

// NewRedisPresence returns a presence on client. It starts at Run.
func NewRedisPresence(client redis.UniversalClient, opts RedisPresenceOptions, logger *slog.Logger) *RedisPresence {
	if opts.NodeID == "" {
		var b [8]byte
		_, _ = rand.Read(b[:])
		opts.NodeID = hex.EncodeToString(b[:])
	}
	if opts.Interval <= 0 {
		opts.Interval = time.Second
	}
	if opts.NodeTTL <= 0 {
		opts.NodeTTL = 15 * time.Second
	}
	return &RedisPresence{client: client, opts: opts, logger: logger,
		local: make(map[Visitor]struct{}), changed: make(map[Visitor]bool), full: true,
		stop: make(chan struct{}), done: make(chan struct{})}
}

const presencePrefix = redisPrefix + "{p}:"

var presenceKeys = []string{presencePrefix + "nodes", presencePrefix + "refs", presencePrefix + "count"}

// presenceScript: ARGV[1] node, ARGV[2] TTL ms, ARGV[3] mode (delta, full,
// leave), ARGV[4] node set prefix, ARGV[5] number of additions, then the
// additions, then the removals. Returns {known, guests, members}; known is
// 0 when a delta was refused because the node is unknown.
var presenceScript = redis.NewScript(`
local function decr(v)
  if redis.call('HINCRBY', KEYS[2], v, -1) <= 0 then
    redis.call('HDEL', KEYS[2], v)
    redis.call('HINCRBY', KEYS[3], string.sub(v, 1, 1), -1)
  end
end
local function drop(n)
  local set = ARGV[4] .. n
  for _, v in ipairs(redis.call('SMEMBERS', set)) do decr(v) end
  redis.call('DEL', set)
  redis.call('ZREM', KEYS[1], n)
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for _, n in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)) do drop(n) end
local node, mode = ARGV[1], ARGV[3]
local known = redis.call('ZSCORE', KEYS[1], node)
local function counts(k)
  local c = redis.call('HMGET', KEYS[3], 'g', 'm')
  return {k, tonumber(c[1]) or 0, tonumber(c[2]) or 0}
end
if mode == 'delta' and not known then return counts(0) end
if mode ~= 'delta' then drop(node) end
if mode == 'leave' then return counts(1) end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), node)
local set = ARGV[4] .. node
local adds = tonumber(ARGV[5])
for i = 6, #ARGV do
  local v = ARGV[i]
  if i < 6 + adds then
    if redis.call('SADD', set, v) == 1 and redis.call('HINCRBY', KEYS[2], v, 1) == 1 then
      redis.call('HINCRBY', KEYS[3], string.sub(v, 1, 1), 1)
    end
  elseif redis.call('SREM', set, v) == 1 then
    decr(v)
  end
end
return counts(1)
`)

// Run implements Presence: it starts the goroutine that flushes every
// Interval, after a first flush so the counts are known at once when Redis
// is up. It fails if called twice or after Close.
func (p *RedisPresence) Run(notify func()) error {
	p.mu.Lock()
	if p.running || p.finished {
		p.mu.Unlock()
		return errors.New("hub: redis presence: Run called twice or after Close")
	}
	p.running, p.notify = true, notify
	p.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), p.opts.Interval)
	if err := p.flush(ctx); err != nil {
		p.logger.Warn("hub: redis presence", "err", err)
	}
	cancel()
	go p.loop()
	return nil
}

// Join implements Presence; it only records the change for the next flush.
func (p *RedisPresence) Join(v Visitor) { p.record(v, true) }

// Leave implements Presence; it only records the change for the next flush.
func (p *RedisPresence) Leave(v Visitor) { p.record(v, false) }

func (p *RedisPresence) record(v Visitor, online bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if online {
		p.local[v] = struct{}{}
	} else {
		delete(p.local, v)
	}
	p.changed[v] = online
}

// Online implements Presence: the counts of the last flush, at most one
// Interval old. It fails when no flush has worked for NodeTTL, since by then
// other nodes have dropped this one's visitors and the cached counts may be
// far off.
func (p *RedisPresence) Online(context.Context) (guests, members int64, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.counted) > p.opts.NodeTTL {
		return 0, 0, errors.New("hub: redis presence: counts unavailable")
	}
	return p.guests, p.members, nil
}

// Close implements Presence: it stops the flushing goroutine and withdraws
// this node's visitors from Redis.
func (p *RedisPresence) Close(ctx context.Context) error {
	if !p.halt() {
		return nil
	}
	if _, err := p.run(ctx, "leave", nil, nil); err != nil {
		return fmt.Errorf("hub: redis presence: leave: %w", err)
	}
	return nil
}

// halt stops the loop without touching Redis, as a crash would; it reports
// whether this call stopped it.
func (p *RedisPresence) halt() bool {
	p.mu.Lock()
	first := !p.finished
	running := p.running
	p.finished = true
	p.mu.Unlock()
	if !first {
		return false
	}
	close(p.stop)
	if running {
		<-p.done
	}
	return true
}

func (p *RedisPresence) loop() {
	defer close(p.done)
	t := time.NewTicker(p.opts.Interval)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), p.opts.Interval)
			if err := p.flush(ctx); err != nil {
				p.logger.Warn("hub: redis presence", "err", err)
			}
			cancel()
		}
	}
}

// flush sends what changed (or everything, when Redis needs it) and takes
// the counts.
func (p *RedisPresence) flush(ctx context.Context) error {
	p.mu.Lock()
	mode, adds, removes := "delta", []string(nil), []string(nil)
	if p.full {
		mode = "full"
		for v := range p.local {
			adds = append(adds, v.key())
		}
	} else {
		for v, on := range p.changed {
			if on {
				adds = append(adds, v.key())
			} else {
				removes = append(removes, v.key())
			}
		}
	}
	// A new map, not clear: a map keeps the table of its largest size,
	// and a crowd's arrival would leave one that size behind.
	p.changed = make(map[Visitor]bool)
	p.full = false
	p.mu.Unlock()
	known, err := p.run(ctx, mode, adds, removes)
	if err == nil && !known {
		return p.flush(ctx) // p.full is set: the whole set goes this time
	}
	return err
}

// run calls the script, caches the counts and notifies when they changed.
// A failure or an unknown node makes the next flush send the whole set.
func (p *RedisPresence) run(ctx context.Context, mode string, adds, removes []string) (bool, error) {
	args := make([]any, 0, 5+len(adds)+len(removes))
	args = append(args, p.opts.NodeID, p.opts.NodeTTL.Milliseconds(), mode, presencePrefix+"n:", len(adds))
	for _, k := range adds {
		args = append(args, k)
	}
	for _, k := range removes {
		args = append(args, k)
	}
	res, err := presenceScript.Run(ctx, p.client, presenceKeys, args...).Int64Slice()
	if err == nil && len(res) != 3 {
		err = errors.New("bad script reply: " + strconv.Itoa(len(res)) + " values")
	}
	p.mu.Lock()
	if err != nil || res[0] == 0 {
		p.full = true
		p.mu.Unlock()
		return false, err
	}
	g, m := max(res[1], 0), max(res[2], 0)
	moved := g != p.guests || m != p.members
	p.guests, p.members, p.counted = g, m, time.Now()
	notify := p.notify
	p.mu.Unlock()
	if moved && notify != nil && mode != "leave" {
		notify()
	}
	return true, nil
}
