package qatest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/civichub/civichub/id"
	"github.com/civichub/civichub/qa"
)

// leg returns a leg of agency from start to end (zero: still open).
func leg(agency string, start, end time.Time, outcome qa.Outcome) qa.Leg {
	l := qa.Leg{AgencyID: agency, StartedAt: at(start), ClockAt: at(start.Add(time.Hour)), Deadline: at(start.Add(7 * day))}
	if !end.IsZero() {
		l.EndedAt, l.Outcome = at(end), outcome
	}
	return l
}

// withLegs stores a question whose legs are legs, the last one's agency its
// agency.
func withLegs(t *testing.T, s qa.Store, legs ...qa.Leg) *qa.Question {
	t.Helper()
	q := NewQuestion(legs[len(legs)-1].AgencyID, legs[0].StartedAt)
	q.Legs = legs
	return mustCreate(t, s, q)
}

// legsOf returns the legs of q at the indexes, with their QuestionID.
func legsOf(q *qa.Question, idx ...int) []qa.Leg {
	var out []qa.Leg
	for _, i := range idx {
		l := q.Legs[i]
		l.QuestionID = q.ID
		out = append(out, l)
	}
	return out
}

func sortLegs(ls []qa.Leg) {
	slices.SortFunc(ls, func(a, b qa.Leg) int {
		if c := strings.Compare(a.QuestionID, b.QuestionID); c != 0 {
			return c
		}
		return a.StartedAt.Compare(b.StartedAt)
	})
}

func checkLegs(t *testing.T, s qa.Store, agency string, since time.Time, want []qa.Leg) {
	t.Helper()
	got, err := s.Legs(ctx, agency, since)
	if err != nil {
		t.Fatalf("Legs = %v", err)
	}
	sortLegs(got)
	sortLegs(want)
	if !slices.EqualFunc(got, want, func(a, b qa.Leg) bool { return equalLegs(a, b, true) }) {
		t.Errorf("Legs(since %v) =\n%s\nwant\n%s", since, show(got), show(want))
	}
	for _, l := range got {
		if l.StartedAt.Location() != time.UTC {
			t.Errorf("StartedAt in %v, want UTC", l.StartedAt.Location())
		}
	}
}

func testLegs(t *testing.T, s qa.Store) {
	a, b := id.New(), id.New()
	since := at(base.Add(100 * day))
	open := time.Time{}
	forwarded := withLegs(t, s, leg(a, since.Add(-10*day), since.Add(day), qa.LegForwarded), leg(b, since.Add(day), open, ""))
	answered := withLegs(t, s, leg(a, since.Add(2*day), since.Add(5*day), qa.LegAnswered))
	old := withLegs(t, s, leg(a, since.Add(-30*day), since.Add(-20*day), qa.LegAnswered))
	waiting := withLegs(t, s, leg(a, since.Add(-50*day), open, "")) // open: it has not ended
	onlyB := withLegs(t, s, leg(b, since.Add(3*day), since.Add(4*day), qa.LegRejected))
	back := withLegs(t, s, leg(a, since.Add(3*day), since.Add(4*day), qa.LegForwarded),
		leg(b, since.Add(4*day), since.Add(6*day), qa.LegForwarded), leg(a, since.Add(6*day), open, ""))
	startsAtSince := withLegs(t, s, leg(a, since, since.Add(time.Hour), qa.LegAnswered))
	endsAtSince := withLegs(t, s, leg(a, since.Add(-day), since, qa.LegRejected))
	endsBefore := withLegs(t, s, leg(a, since.Add(-day), since.Add(-time.Millisecond), qa.LegRejected))
	noClock := withLegs(t, s, qa.Leg{AgencyID: a, StartedAt: since.Add(day)}) // submitted, not yet accepted

	var wantA []qa.Leg
	for _, l := range [][]qa.Leg{legsOf(forwarded, 0), legsOf(answered, 0), legsOf(waiting, 0), legsOf(back, 0, 2),
		legsOf(startsAtSince, 0), legsOf(endsAtSince, 0), legsOf(noClock, 0)} {
		wantA = append(wantA, l...)
	}
	checkLegs(t, s, a, since, wantA)
	wantB := append(append(legsOf(forwarded, 1), legsOf(onlyB, 0)...), legsOf(back, 1)...)
	checkLegs(t, s, b, since, wantB)
	allA := append(slices.Clone(wantA), append(legsOf(old, 0), legsOf(endsBefore, 0)...)...)
	checkLegs(t, s, a, time.Time{}, allA)
	checkLegs(t, s, a, since.Add(365*day), append(append(legsOf(waiting, 0), legsOf(back, 2)...), legsOf(noClock, 0)...))
	checkLegs(t, s, id.New(), time.Time{}, nil)
}

// testLegsFollowUpdates forwards a question and then corrects its legs with
// UpdateQuestion: Legs returns the legs as last stored.
func testLegsFollowUpdates(t *testing.T, s qa.Store) {
	a, b := id.New(), id.New()
	since := at(base)
	q := withLegs(t, s, leg(a, since.Add(day), time.Time{}, ""))
	checkLegs(t, s, a, since, legsOf(q, 0))
	fwd := since.Add(2 * day)
	q.Legs[0].Outcome, q.Legs[0].EndedAt = qa.LegForwarded, fwd
	q.Legs = append(q.Legs, leg(b, fwd, time.Time{}, ""))
	q.AgencyID = b
	mustUpdate(t, s, q)
	checkLegs(t, s, a, since, legsOf(q, 0))
	checkLegs(t, s, b, since, legsOf(q, 1))
	q.Legs = q.Legs[:1]
	q.Legs[0].Outcome, q.Legs[0].EndedAt = qa.LegAnswered, fwd.Add(time.Hour)
	q.AgencyID = a
	mustUpdate(t, s, q)
	checkLegs(t, s, a, since, legsOf(q, 0))
	checkLegs(t, s, b, since, nil)
	if got := mustGet(t, s, q.ID); !equalQuestions(got, q) {
		t.Errorf("Question after the legs changed =\n%s\nwant\n%s", show(got), show(q))
	}
}
