package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisHistory is the History of a cluster: each topic's last Size events
// in a Redis list (civichub:h:{topic}) beside a hash holding its epoch and
// last sequence number (civichub:hm:{topic}), both expiring TTL after the
// topic's last use. Sequence numbers are assigned in Redis by a script, so
// every node shares them. When the keys are lost (expired, evicted, a Redis
// restart without persistence) the topic starts a new epoch, and clients
// that resume from the old one are told to reload.
//
// RedisHistory is also an AppendPublisher: with a RedisBroker on the same
// Redis, one script appends the event and publishes it, so events of a topic
// reach every node in sequence order even when several nodes publish to it
// at once. Safe for concurrent use.
type RedisHistory struct {
	client  redis.UniversalClient
	sharded bool
	size    int
	ttl     time.Duration
}

// NewRedisHistory returns a history on client keeping size events per topic
// for ttl after each topic's last use. size and ttl must be positive.
func NewRedisHistory(client redis.UniversalClient, size int, ttl time.Duration) *RedisHistory {
	_, sharded := client.(*redis.ClusterClient)
	return &RedisHistory{client: client, sharded: sharded, size: size, ttl: ttl}
}

// AppendPublisher is a History that can append an event and publish it
// through the cluster's broker in one atomic step, which is what keeps events
// of one topic in sequence order across nodes. The hub uses it instead of
// Append followed by Broker.Publish when Carries(broker) is true.
type AppendPublisher interface {
	History
	// AppendPublish appends the event like Append and publishes it to the
	// topic's subscribers on every node. An error means it may not have
	// been stored nor published.
	AppendPublish(ctx context.Context, topic, eventType string, data json.RawMessage, published time.Time) (Position, error)
	// Carries reports whether AppendPublish reaches the nodes that b
	// delivers to.
	Carries(b Broker) bool
}

var _ AppendPublisher = (*RedisHistory)(nil)

func historyKeys(topic string) []string {
	return []string{redisPrefix + "hm:{" + topic + "}", redisPrefix + "h:{" + topic + "}"}
}

// streamPrelude loads or starts the topic's epoch (a new one wipes the old
// list) and refreshes both keys' TTL. ARGV[1] new epoch, ARGV[2] TTL in ms.
const streamPrelude = `
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then
  epoch = ARGV[1]
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'epoch', epoch, 'seq', 0)
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
`

// appendScript: ARGV[3] size, ARGV[4] type, ARGV[5] data, ARGV[6] channel
// (empty to publish nothing), ARGV[7] PUBLISH or SPUBLISH, ARGV[8] published
// µs, ARGV[9] topic. Returns {epoch, seq}.
var appendScript = redis.NewScript(streamPrelude + `
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
redis.call('RPUSH', KEYS[2], seq .. '\n' .. ARGV[4] .. '\n' .. ARGV[5])
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[3]), -1)
redis.call('PEXPIRE', KEYS[2], ARGV[2])
if ARGV[6] ~= '' then
  redis.call(ARGV[7], ARGV[6], 'd\n' .. ARGV[8] .. '\n' .. ARGV[9] .. '\n' .. epoch .. '\n' .. seq .. '\n' .. ARGV[4] .. '\n' .. ARGV[5])
end
return {epoch, seq}
`)

// sinceScript: ARGV[3] since epoch (empty for the position only), ARGV[4]
// since seq. Returns {epoch, seq, events after since...}, the events only
// when the list still holds all of them.
var sinceScript = redis.NewScript(streamPrelude + `
redis.call('PEXPIRE', KEYS[2], ARGV[2])
local seq = tonumber(redis.call('HGET', KEYS[1], 'seq'))
local out = {epoch, seq}
local n = seq - tonumber(ARGV[4])
if ARGV[3] ~= epoch or n <= 0 or n > redis.call('LLEN', KEYS[2]) then
  return out
end
for _, e in ipairs(redis.call('LRANGE', KEYS[2], -n, -1)) do
  out[#out + 1] = e
end
return out
`)

func (h *RedisHistory) ttlMillis() string { return strconv.FormatInt(h.ttl.Milliseconds(), 10) }

// Append implements History.
func (h *RedisHistory) Append(ctx context.Context, topic, eventType string, data json.RawMessage) (Position, error) {
	return h.appendPublish(ctx, topic, eventType, data, "", time.Time{})
}

// AppendPublish implements AppendPublisher.
func (h *RedisHistory) AppendPublish(ctx context.Context, topic, eventType string, data json.RawMessage, published time.Time) (Position, error) {
	return h.appendPublish(ctx, topic, eventType, data, topicChannel(topic), published)
}

// Carries implements AppendPublisher: true for a RedisBroker, which
// subscribes to the channels the script publishes to. Both must use the
// same Redis.
func (h *RedisHistory) Carries(b Broker) bool {
	rb, ok := b.(*RedisBroker)
	return ok && (rb.cluster != nil) == h.sharded
}

func (h *RedisHistory) appendPublish(ctx context.Context, topic, eventType string, data json.RawMessage, channel string, published time.Time) (Position, error) {
	cmd := "PUBLISH"
	if h.sharded {
		cmd = "SPUBLISH"
	}
	res, err := appendScript.Run(ctx, h.client, historyKeys(topic), newEpoch(), h.ttlMillis(),
		h.size, eventType, []byte(data), channel, cmd, published.UnixMicro(), topic).Slice()
	if err != nil {
		return Position{}, fmt.Errorf("hub: redis history append %q: %w", topic, err)
	}
	pos, err := positionOf(res)
	if err != nil {
		return Position{}, fmt.Errorf("hub: redis history append %q: %w", topic, err)
	}
	return pos, nil
}

// Since implements History. It starts the topic's epoch when the topic has
// none, so the position it returns is the one later events continue.
func (h *RedisHistory) Since(ctx context.Context, topic string, since Position) (Position, []Event, bool, error) {
	res, err := sinceScript.Run(ctx, h.client, historyKeys(topic), newEpoch(), h.ttlMillis(),
		since.Epoch, since.Seq).Slice()
	if err != nil {
		return Position{}, nil, false, fmt.Errorf("hub: redis history since %q: %w", topic, err)
	}
	cur, err := positionOf(res)
	if err != nil {
		return Position{}, nil, false, fmt.Errorf("hub: redis history since %q: %w", topic, err)
	}
	switch {
	case since.Epoch == "":
		return cur, nil, true, nil
	case since.Epoch != cur.Epoch || since.Seq > cur.Seq:
		return cur, nil, false, nil
	case since.Seq == cur.Seq:
		return cur, nil, true, nil
	}
	raw := res[2:]
	if uint64(len(raw)) != cur.Seq-since.Seq {
		return cur, nil, false, nil
	}
	events := make([]Event, 0, len(raw))
	for i, r := range raw {
		e, err := parseStoredEvent(r)
		if err != nil || e.Seq != since.Seq+uint64(i)+1 {
			return cur, nil, false, fmt.Errorf("hub: redis history since %q: bad entry", topic)
		}
		events = append(events, e)
	}
	return cur, events, true, nil
}

func positionOf(res []any) (Position, error) {
	if len(res) < 2 {
		return Position{}, errors.New("short script reply")
	}
	epoch, ok1 := res[0].(string)
	seq, ok2 := res[1].(int64)
	if !ok1 || !ok2 || epoch == "" || seq < 0 {
		return Position{}, errors.New("bad script reply")
	}
	return Position{Epoch: epoch, Seq: uint64(seq)}, nil
}

// parseStoredEvent reads a list entry: "seq \n type \n data".
func parseStoredEvent(v any) (Event, error) {
	s, ok := v.(string)
	if !ok {
		return Event{}, errors.New("not a string")
	}
	seqS, rest, ok1 := strings.Cut(s, "\n")
	typ, data, ok2 := strings.Cut(rest, "\n")
	seq, err := strconv.ParseUint(seqS, 10, 64)
	if !ok1 || !ok2 || err != nil {
		return Event{}, errors.New("malformed entry")
	}
	return Event{Seq: seq, Type: typ, Data: json.RawMessage(data)}, nil
}
