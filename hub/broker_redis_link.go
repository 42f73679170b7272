package hub

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisLink is one pub/sub connection of a RedisBroker and the goroutine
// that reads it. go-redis reconnects a failed connection on the next read
// and subscribes it to every channel again; the link notices the failure,
// backs off while Redis is away, and tells the hub once reading works again.
type redisLink struct {
	b  *RedisBroker
	ps *redis.PubSub

	// writeMu orders SUBSCRIBE and UNSUBSCRIBE as the broker's reference
	// counts changed.
	writeMu sync.Mutex

	// waiters are Subscribe calls waiting for Redis to confirm a channel,
	// oldest first.
	waitMu  sync.Mutex
	waiters map[string][]chan struct{}
}

func (l *redisLink) subscribe(ctx context.Context, ch string) error {
	if l.b.cluster != nil {
		return l.ps.SSubscribe(ctx, ch)
	}
	return l.ps.Subscribe(ctx, ch)
}

func (l *redisLink) unsubscribe(ctx context.Context, ch string) error {
	if l.b.cluster != nil {
		return l.ps.SUnsubscribe(ctx, ch)
	}
	return l.ps.Unsubscribe(ctx, ch)
}

// expect registers a wait for ch's next confirmation. Register before
// sending SUBSCRIBE so the confirmation cannot be missed.
func (l *redisLink) expect(ch string) chan struct{} {
	w := make(chan struct{})
	l.waitMu.Lock()
	l.waiters[ch] = append(l.waiters[ch], w)
	l.waitMu.Unlock()
	return w
}

// await waits for w, giving up after redisSubscribeTimeout or when ctx or
// the broker ends.
func (l *redisLink) await(ctx context.Context, ch string, w chan struct{}) error {
	t := time.NewTimer(redisSubscribeTimeout)
	defer t.Stop()
	var err error
	select {
	case <-w:
		return nil
	case <-t.C:
		err = errors.New("subscription not confirmed in time")
	case <-ctx.Done():
		err = ctx.Err()
	case <-l.b.ctx.Done():
		err = ErrBrokerClosed
	}
	l.waitMu.Lock()
	ws := l.waiters[ch]
	for i, x := range ws {
		if x == w {
			l.waiters[ch] = append(ws[:i:i], ws[i+1:]...)
			break
		}
	}
	if len(l.waiters[ch]) == 0 {
		delete(l.waiters, ch)
	}
	l.waitMu.Unlock()
	return err
}

// confirm releases the oldest wait for ch.
func (l *redisLink) confirm(ch string) {
	l.waitMu.Lock()
	defer l.waitMu.Unlock()
	ws := l.waiters[ch]
	if len(ws) == 0 {
		return
	}
	close(ws[0])
	if len(ws) == 1 {
		delete(l.waiters, ch)
	} else {
		l.waiters[ch] = ws[1:]
	}
}

// receiveLoop reads the connection until the broker closes. A read that
// fails marks the connection lost; the first read that works afterwards is
// on a new connection that go-redis has subscribed to every channel again
// (Redis answers in order, so every SUBSCRIBE before it is in effect), and
// the hub is told to bring its subscribers up to date.
func (l *redisLink) receiveLoop() {
	b := l.b
	defer b.wg.Done()
	lost := false
	backoff := redisBackoffMin
	for {
		msg, err := l.ps.ReceiveTimeout(b.ctx, redisPingInterval)
		if b.stopped.Load() {
			return
		}
		if err != nil {
			if isTimeout(err) && !lost {
				if err := l.ps.Ping(b.ctx); err == nil {
					continue
				}
			}
			if !lost {
				b.logger.Warn("hub: redis pub/sub connection lost", "err", err)
				lost = true
			}
			select {
			case <-time.After(backoff):
			case <-b.ctx.Done():
				return
			}
			backoff = min(2*backoff, redisBackoffMax)
			continue
		}
		if lost {
			lost, backoff = false, redisBackoffMin
			b.logger.Info("hub: redis pub/sub reconnected")
			b.events.HandleResubscribed()
		}
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind == "subscribe" || m.Kind == "ssubscribe" {
				l.confirm(m.Channel)
			}
		case *redis.Message:
			b.deliver(m.Payload)
		}
	}
}
