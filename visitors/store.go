package visitors

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// VisitsTotal is the name of the durable counter that holds the site's total
// visits, the "Tổng lượt truy cập" of the online box.
const VisitsTotal = "visits_total"

// Store keeps visit figures durably, so that they survive restarts of the
// process and losses of Redis. Implementations (sqlitestore, mongostore) are
// safe for concurrent use, also from several processes sharing one database,
// and are checked by the visitorstest conformance suite. Errors are the
// store's own, wrapped; none of the methods returns a sentinel error.
type Store interface {
	// Counter returns the value of the named counter, or 0 when it has never
	// been set.
	Counter(ctx context.Context, name string) (int64, error)
	// RaiseCounter sets the named counter to v when v is greater than its
	// value (an absent counter counts as 0) and returns the value stored
	// afterwards, which is never less than v unless a concurrent SetCounter
	// lowered it. It never lowers a counter: of concurrent calls, the
	// greatest v wins, whatever their order.
	RaiseCounter(ctx context.Context, name string, v int64) (int64, error)
	// SetCounter sets the named counter to v, lower or higher than before:
	// the operator's override.
	SetCounter(ctx context.Context, name string, v int64) error

	// DaySketch returns the saved sketch of the distinct visitors of day (a
	// "2006-01-02" date) in the given kind of encoding, or nil and no error
	// when none was saved. The store treats the sketch as opaque bytes.
	DaySketch(ctx context.Context, kind, day string) ([]byte, error)
	// PutDaySketch saves the sketch of day in kind, replacing an earlier one.
	PutDaySketch(ctx context.Context, kind, day string, sketch []byte) error
	// DeleteDaySketches removes the sketches of every kind for the days
	// before day.
	DeleteDaySketches(ctx context.Context, before string) error
}

// SetVisitsTotal is the operator's override behind `civichub admin
// set-visits`, for example to continue from a legacy portal's counter. It
// sets the durable total to v and, when live is not nil (the Redis counter of
// a deployment with CIVICHUB_REDIS_URL), the live total too.
//
// Raising the total takes effect on running nodes within one flush interval
// (their Persister raises the live counter to the store's value). Lowering it
// is only reliable while no node runs: a running node writes its own, higher
// total back on its next flush. It returns an error if v is negative or a
// write fails; it is safe for concurrent use.
func SetVisitsTotal(ctx context.Context, store Store, live Counter, v int64) error {
	if v < 0 {
		return errors.New("visitors: set total: negative value")
	}
	if err := store.SetCounter(ctx, VisitsTotal, v); err != nil {
		return fmt.Errorf("visitors: set total: %w", err)
	}
	if live != nil {
		if err := live.SetTotal(ctx, v); err != nil {
			return fmt.Errorf("visitors: set total: %w", err)
		}
	}
	return nil
}

// errDamagedSketch is returned by a counter's mergeDaySketch for a saved
// sketch it cannot decode.
var errDamagedSketch = errors.New("visitors: damaged visitors sketch")

// dayOf returns now's date in loc, the key of its visitors-today figure.
func dayOf(now time.Time, loc *time.Location) string {
	return now.In(loc).Format(time.DateOnly)
}

// dayBefore returns the date before day, or day itself when it does not parse.
func dayBefore(day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return t.AddDate(0, 0, -1).Format(time.DateOnly)
}
