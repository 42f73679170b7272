package workdays

import (
	"testing"
	"time"
)

func hcm(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// 2026: National Day holidays Tue 1 and Wed 2 September, with Saturday 29
// August worked instead (a make-up working day).
func calendar(t *testing.T) *Calendar {
	t.Helper()
	c, err := New(hcm(t), []string{"2026-09-01", "2026-09-02", "2026-01-01"}, []string{"2026-08-29"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, hcm(t))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestDeadline(t *testing.T) {
	c := calendar(t)
	tests := []struct {
		name, from string
		n          int
		due        string // the day whose end is the deadline
	}{
		{"monday, five days", "2026-11-23 09:00", 5, "2026-11-30"},
		{"friday evening skips the weekend", "2026-11-27 21:00", 5, "2026-12-04"},
		{"saturday counts from monday", "2026-11-28 10:00", 1, "2026-11-30"},
		{"holidays are skipped", "2026-08-31 08:00", 2, "2026-09-04"},
		{"a make-up saturday is a working day", "2026-08-28 08:00", 1, "2026-08-29"},
		{"new year", "2025-12-31 16:00", 1, "2026-01-02"},
		{"zero counts as one", "2026-11-23 09:00", 0, "2026-11-24"},
	}
	for _, tc := range tests {
		got := c.Deadline(at(t, tc.from), tc.n)
		want := at(t, tc.due+" 00:00").AddDate(0, 0, 1)
		if !got.Equal(want) {
			t.Errorf("%s: Deadline(%s, %d) = %s, want the end of %s", tc.name, tc.from, tc.n, got, tc.due)
		}
		if n := c.Between(at(t, tc.from), got.Add(-time.Nanosecond)); n != max(tc.n, 1) {
			t.Errorf("%s: Between(from, just before the deadline) = %d, want %d", tc.name, n, max(tc.n, 1))
		}
		if n := c.Between(at(t, tc.from), got); n <= max(tc.n, 1) && c.IsWorkday(got) {
			t.Errorf("%s: at the deadline Between = %d, want more than %d", tc.name, n, tc.n)
		}
	}
}

func TestDaysAreLocal(t *testing.T) {
	c := calendar(t)
	// 18:00 UTC on Friday 27 November is 01:00 on Saturday in Hanoi.
	if c.IsWorkday(time.Date(2026, 11, 27, 18, 0, 0, 0, time.UTC)) {
		t.Error("a Saturday in Asia/Ho_Chi_Minh counted as a working day because it is Friday in UTC")
	}
	if !c.IsWorkday(time.Date(2026, 11, 27, 16, 0, 0, 0, time.UTC)) {
		t.Error("Friday 23:00 in Asia/Ho_Chi_Minh is a working day")
	}
}

func TestNewRejectsBadDays(t *testing.T) {
	for _, bad := range [][2][]string{
		{{"2026-13-01"}, nil},
		{nil, {"29/08/2026"}},
		{{"2026-09-02"}, {"2026-09-02"}},
	} {
		if _, err := New(hcm(t), bad[0], bad[1]); err == nil {
			t.Errorf("New(%v, %v) = nil error", bad[0], bad[1])
		}
	}
}

// TestBetweenCountsAsWalkingTheDays: Between equals counting working days
// one by one, for ranges over weekends, holidays, make-up days, year ends
// and a daylight saving zone.
func TestBetweenCountsAsWalkingTheDays(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []*Calendar{calendar(t), mustNew(t, berlin, []string{"2026-03-30", "2026-12-25", "2027-01-01"}, []string{"2026-03-28", "2026-12-27"})} {
		walk := func(a, b time.Time) int {
			n := 0
			end := c.startOfDay(b)
			for day := c.startOfDay(a).AddDate(0, 0, 1); !day.After(end); day = day.AddDate(0, 0, 1) {
				if c.IsWorkday(day) {
					n++
				}
			}
			return n
		}
		start := time.Date(2026, 1, 1, 13, 0, 0, 0, c.loc)
		for i := range 400 {
			a := start.Add(time.Duration(i*31) * time.Hour)
			for _, days := range []int{0, 1, 2, 6, 7, 8, 13, 40, 400} {
				b := a.Add(time.Duration(days)*24*time.Hour + time.Duration(i%23)*time.Hour)
				if got, want := c.Between(a, b), walk(a, b); got != want {
					t.Fatalf("Between(%v, %v) = %d, want %d", a, b, got, want)
				}
			}
			if got := c.Between(a, a.Add(-48*time.Hour)); got != 0 {
				t.Fatalf("Between backwards = %d, want 0", got)
			}
		}
	}
}

func mustNew(t *testing.T, loc *time.Location, holidays, makeup []string) *Calendar {
	t.Helper()
	c, err := New(loc, holidays, makeup)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
