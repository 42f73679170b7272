// Package workdays counts working days the way a Vietnamese agency does:
// Monday to Friday, except public holidays, plus make-up working days (a
// Saturday worked to bridge a holiday), all as calendar days in one time
// zone (CIVICHUB_TIMEZONE). The Q&A domain uses it for answer deadlines
// and for the scorecards' "answered on time".
package workdays

import (
	"fmt"
	"time"
)

// Calendar knows which days are working days. It is immutable and safe for
// concurrent use.
type Calendar struct {
	loc      *time.Location
	holidays map[date]bool
	makeup   map[date]bool
}

// date is a calendar day.
type date struct {
	y int
	m time.Month
	d int
}

func dayOf(t time.Time) date {
	y, m, d := t.Date()
	return date{y, m, d}
}

// DateLayout is how holidays and make-up days are written: 2026-09-02.
const DateLayout = "2006-01-02"

// New returns a calendar in loc with the given public holidays and make-up
// working days (DateLayout). A day cannot be both.
func New(loc *time.Location, holidays, makeup []string) (*Calendar, error) {
	c := &Calendar{loc: loc, holidays: map[date]bool{}, makeup: map[date]bool{}}
	for _, s := range holidays {
		t, err := time.ParseInLocation(DateLayout, s, loc)
		if err != nil {
			return nil, fmt.Errorf("workdays: holiday %q: want YYYY-MM-DD", s)
		}
		c.holidays[dayOf(t)] = true
	}
	for _, s := range makeup {
		t, err := time.ParseInLocation(DateLayout, s, loc)
		if err != nil {
			return nil, fmt.Errorf("workdays: make-up working day %q: want YYYY-MM-DD", s)
		}
		if c.holidays[dayOf(t)] {
			return nil, fmt.Errorf("workdays: %s is both a holiday and a make-up working day", s)
		}
		c.makeup[dayOf(t)] = true
	}
	return c, nil
}

// IsWorkday reports whether the calendar day of t (in the calendar's zone)
// is a working day.
func (c *Calendar) IsWorkday(t time.Time) bool {
	d := dayOf(t.In(c.loc))
	if c.makeup[d] {
		return true
	}
	if c.holidays[d] {
		return false
	}
	wd := t.In(c.loc).Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// startOfDay is midnight of t's calendar day in the calendar's zone.
func (c *Calendar) startOfDay(t time.Time) time.Time {
	y, m, d := t.In(c.loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, c.loc)
}

// Deadline returns the end of the n-th working day after from's day: the
// instant the next calendar day begins. Day 1 is the first working day
// after the day of from, whatever hour from is, so a question accepted on
// Friday evening with n = 5 is due at the end of the next Friday (when no
// holiday falls between). n below 1 counts as 1.
func (c *Calendar) Deadline(from time.Time, n int) time.Time {
	n = max(n, 1)
	day := c.startOfDay(from)
	for n > 0 {
		day = day.AddDate(0, 0, 1)
		if c.IsWorkday(day) {
			n--
		}
	}
	return day.AddDate(0, 0, 1)
}

// Between returns how many working days lie after a's day up to and
// including b's day (0 when b is on a's day or before it), the counterpart
// of Deadline: Between(from, t) <= n exactly when t is before
// Deadline(from, n).
func (c *Calendar) Between(a, b time.Time) int {
	start, end := c.startOfDay(a), c.startOfDay(b)
	n := 0
	for day := start.AddDate(0, 0, 1); !day.After(end); day = day.AddDate(0, 0, 1) {
		if c.IsWorkday(day) {
			n++
		}
	}
	return n
}
