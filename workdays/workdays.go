// Package workdays counts working days the way a Vietnamese agency does:
// Monday to Friday, except public holidays, plus make-up working days (a
// Saturday worked to bridge a holiday), all as calendar days in one time
// zone (CIVICHUB_TIMEZONE). The Q&A domain uses it for answer deadlines
// and for the scorecards' "answered on time".
package workdays

import (
	"fmt"
	"slices"
	"time"
)

// Calendar knows which days are working days. It is immutable and safe for
// concurrent use.
type Calendar struct {
	loc      *time.Location
	holidays map[date]bool
	makeup   map[date]bool
	// offWeekdays are the holidays that fall on Monday to Friday, and
	// onWeekends the make-up days on Saturday or Sunday, as sorted day
	// numbers, so that Between counts without walking the days.
	offWeekdays, onWeekends []int64
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
	for d := range c.holidays {
		if n := d.number(); weekday(n) {
			c.offWeekdays = append(c.offWeekdays, n)
		}
	}
	for d := range c.makeup {
		if n := d.number(); !weekday(n) {
			c.onWeekends = append(c.onWeekends, n)
		}
	}
	slices.Sort(c.offWeekdays)
	slices.Sort(c.onWeekends)
	return c, nil
}

// number is the day's count from 1970-01-01 (a Thursday), whatever the
// zone: civil dates, so no daylight saving time can shift it.
func (d date) number() int64 {
	return time.Date(d.y, d.m, d.d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// weekday reports whether day number n is Monday to Friday.
func weekday(n int64) bool {
	wd := (time.Thursday + time.Weekday(((n%7)+7)%7)) % 7
	return wd != time.Saturday && wd != time.Sunday
}

// weekdaysBefore counts the days Monday to Friday with a number below n.
// Day numbers are shifted by a multiple of 7 so that divisions stay on
// non-negative numbers for any date after the year 1.
func weekdaysBefore(n int64) int64 {
	const shift = 7 * 110_000
	n += shift
	full, rest := n/7, n%7
	count := full * 5
	for k := range rest { // the days of the last, partial week
		if weekday(k) {
			count++
		}
	}
	return count - shift/7*5
}

// countIn counts the sorted day numbers ns in (lo, hi].
func countIn(ns []int64, lo, hi int64) int64 {
	i, _ := slices.BinarySearch(ns, lo+1)
	j, _ := slices.BinarySearch(ns, hi+1)
	return int64(j - i)
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
// It counts in constant time plus a binary search of the holidays, as
// scorecards call it for every answered question of a year.
func (c *Calendar) Between(a, b time.Time) int {
	lo, hi := dayOf(a.In(c.loc)).number(), dayOf(b.In(c.loc)).number()
	if hi <= lo {
		return 0
	}
	n := weekdaysBefore(hi+1) - weekdaysBefore(lo+1)
	n -= countIn(c.offWeekdays, lo, hi)
	n += countIn(c.onWeekends, lo, hi)
	return int(n)
}
