package visitors

// Visit counting, the "Tổng lượt truy cập" and visitors-today figures.
//
// Data flow: Middleware calls Counter.Visit for every page request of a
// person (bots and non-page requests are skipped). A visit is counted when
// the visitor arrives after Window (30 minutes) away; the visitor is added to
// the day's HyperLogLog the first time it is seen on a local day. The hub reads
// Counter.Totals for the site:online snapshot. A Persister owned by main writes
// the total and the day's sketch through to the durable Store every few
// seconds and raises the live counter back to the store's figures when it is
// behind (a restart, or a Redis that lost its data), so the total never goes
// backwards.

import (
	"context"
	"time"
)

// Counter counts visits and distinct visitors per local day. The two
// implementations, MemoryCounter (one node) and RedisCounter (shared by every
// node), are safe for concurrent use. The interface is sealed: a Persister
// relies on unexported methods that only this package's counters have.
type Counter interface {
	// Visit records a request of visitorID at now. It reports whether the
	// request started a new visit: the visitor's first request, or its first
	// after Window without requests. Any request refreshes the visitor's last
	// seen time. An empty visitorID is never counted. It returns an error,
	// and may then have counted nothing, when Redis fails.
	Visit(ctx context.Context, visitorID string, now time.Time) (counted bool, err error)
	// Totals returns the total visits and the number of distinct visitors
	// since midnight of now's day in the counter's time zone (a HyperLogLog
	// estimate, exact for small numbers, within about 1 % for large ones).
	Totals(ctx context.Context, now time.Time) (visitsTotal, visitorsToday int64, err error)
	// SetTotal sets the total visits to v, lower or higher: the operator's
	// override. See SetVisitsTotal for how it relates to the Store.
	SetTotal(ctx context.Context, v int64) error
	// RaiseTotal sets the total to v when it is lower and returns the total
	// afterwards. It never lowers the total.
	RaiseTotal(ctx context.Context, v int64) (int64, error)

	durable
}

// durable is what a Persister needs from a counter to write it through to a
// Store and restore it from one.
type durable interface {
	// kind names the encoding of the counter's day sketches in the Store.
	kind() string
	// day returns now's date in the counter's time zone.
	day(now time.Time) string
	// total returns the current total visits.
	total(ctx context.Context) (int64, error)
	// daySketch returns the encoded sketch of day's visitors, nil if none.
	daySketch(ctx context.Context, day string) ([]byte, error)
	// mergeDaySketch adds the visitors of an encoded sketch to day's.
	mergeDaySketch(ctx context.Context, day string, sketch []byte) error
}

// Options tune a counter. The zero value gives the defaults.
type Options struct {
	// Window is how long a visitor may go without a request and still be on
	// the same visit. Default 30 minutes.
	Window time.Duration
	// MaxTracked bounds how many visitors the in-process counter remembers
	// within a Window (default 200,000, about 20 MB). Past it, the oldest
	// are forgotten early and counted again should they come back within
	// Window. RedisCounter ignores it: Redis expires its entries itself.
	MaxTracked int
}

// The defaults of Options.
const (
	DefaultWindow     = 30 * time.Minute
	DefaultMaxTracked = 200_000
)

func (o Options) withDefaults() Options {
	if o.Window <= 0 {
		o.Window = DefaultWindow
	}
	if o.MaxTracked <= 0 {
		o.MaxTracked = DefaultMaxTracked
	}
	return o
}

// locOrUTC returns loc, or UTC for a nil loc.
func locOrUTC(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}
