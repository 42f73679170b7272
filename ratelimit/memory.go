package ratelimit

import (
	"context"
	"sync"
	"time"
)

// Memory is an in-process limiter using the generic cell rate algorithm: one
// timestamp per key. Keys whose state has fully decayed are swept, so memory
// stays bounded by the number of keys active within one period.
type Memory struct {
	mu    sync.Mutex
	tat   map[string]time.Time // theoretical arrival time per key
	now   func() time.Time
	swept time.Time
}

// NewMemory returns an empty in-process limiter.
func NewMemory() *Memory {
	return &Memory{tat: make(map[string]time.Time), now: time.Now}
}

// Allow implements Limiter.
func (m *Memory) Allow(_ context.Context, key string, rate Rate) (bool, time.Duration, error) {
	if rate.Off() {
		return true, 0, nil
	}
	interval := rate.Per / time.Duration(rate.N)
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.sweep(now)
	tat := m.tat[key]
	if tat.Before(now) {
		tat = now
	}
	allowAt := tat.Add(interval).Add(-rate.Per)
	if now.Before(allowAt) {
		return false, allowAt.Sub(now), nil
	}
	m.tat[key] = tat.Add(interval)
	return true, 0, nil
}

func (m *Memory) sweep(now time.Time) {
	if now.Sub(m.swept) < time.Minute {
		return
	}
	m.swept = now
	for k, t := range m.tat {
		if t.Before(now) {
			delete(m.tat, k)
		}
	}
}
