package ratelimit_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/civichub/civichub/internal/redistest"
	"github.com/civichub/civichub/ratelimit"
)

func TestParseRate(t *testing.T) {
	tests := []struct {
		in      string
		want    ratelimit.Rate
		wantErr bool
	}{
		{"30/1m", ratelimit.Rate{N: 30, Per: time.Minute}, false},
		{"off", ratelimit.Rate{}, false},
		{"0", ratelimit.Rate{}, false},
		{"30", ratelimit.Rate{}, true},
		{"x/1m", ratelimit.Rate{}, true},
		{"-1/1m", ratelimit.Rate{}, true},
		{"5/0s", ratelimit.Rate{}, true},
		{"5/soon", ratelimit.Rate{}, true},
	}
	for _, tc := range tests {
		got, err := ratelimit.ParseRate(tc.in)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("ParseRate(%q) = %v, %v, want %v, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

// testLimiter checks the behaviour every limiter shares: a burst of N is
// allowed, the next is refused with a retry time, keys are independent, and
// "off" never refuses.
func testLimiter(t *testing.T, l ratelimit.Limiter) {
	ctx := context.Background()
	rate := ratelimit.Rate{N: 3, Per: time.Hour}
	for i := range 3 {
		if ok, _, err := l.Allow(ctx, "a", rate); !ok || err != nil {
			t.Fatalf("Allow #%d = %v, %v, want allowed", i+1, ok, err)
		}
	}
	ok, retry, err := l.Allow(ctx, "a", rate)
	if ok || err != nil || retry <= 0 {
		t.Errorf("Allow #4 = %v, retry %v, %v, want refused with a retry time", ok, retry, err)
	}
	if ok, _, _ := l.Allow(ctx, "b", rate); !ok {
		t.Errorf("Allow(other key) refused, want allowed")
	}
	for range 10 {
		if ok, _, _ := l.Allow(ctx, "a", ratelimit.Rate{}); !ok {
			t.Fatalf("Allow(off) refused")
		}
	}
}

func TestMemory(t *testing.T) { testLimiter(t, ratelimit.NewMemory()) }

func TestRedis(t *testing.T) {
	srv := redistest.Start(t)
	c := redis.NewClient(&redis.Options{Addr: srv.Addr})
	defer c.Close()
	testLimiter(t, ratelimit.NewRedis(c))
}
