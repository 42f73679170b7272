package qa

import (
	"context"
	"math"
	"slices"
	"sync"
	"time"
)

// Scorecard is an agency's public record of answering, over several
// windows of days ending now.
type Scorecard struct {
	Agency     AgencyRef `json:"agency"`
	AnswerDays int       `json:"answer_days"`
	// Open and Overdue count the agency's questions waiting for an answer
	// now, and those of them past their deadline.
	Open    int       `json:"open"`
	Overdue int       `json:"overdue"`
	Windows []Window  `json:"windows"`
	At      time.Time `json:"at"`
}

// Window is a scorecard's figures over the last Days days. A question
// counts for the agency that answered it, and as forwarded for the one
// that passed it on.
type Window struct {
	Days int `json:"days"`
	// Received: questions that reached the agency (submitted or forwarded
	// to it) in the window.
	Received int `json:"received"`
	// Answered, Forwarded, Rejected: legs that ended so in the window.
	Answered  int `json:"answered"`
	Forwarded int `json:"forwarded"`
	Rejected  int `json:"rejected"`
	// AnsweredOnTime: answers published before their deadline;
	// OnTimeShare is their share of Answered (null without answers).
	AnsweredOnTime int      `json:"answered_on_time"`
	OnTimeShare    *float64 `json:"on_time_share"`
	// MedianHours is the median time from the agency's clock start
	// (acceptance, or the forward to it) to the answer, in hours (null
	// without answers); MedianWorkdays the same in working days.
	MedianHours    *float64 `json:"median_hours"`
	MedianWorkdays *float64 `json:"median_workdays"`
}

// ScorecardWindows are the windows every scorecard shows.
var ScorecardWindows = []int{30, 90, 365}

// scorecardTTL is how long a computed scorecard is served again. A busy
// agency's year is thousands of legs; its figures over 30 to 365 days do
// not need to be fresher than this, and a change made on this node drops
// the agency's card at once (forget).
const scorecardTTL = 30 * time.Second

// scorecards caches computed scorecards by agency.
type scorecards struct {
	mu    sync.Mutex
	cards map[string]*Scorecard
}

func (c *scorecards) get(agencyID string, now time.Time) *Scorecard {
	c.mu.Lock()
	defer c.mu.Unlock()
	sc := c.cards[agencyID]
	if sc == nil || now.Sub(sc.At) >= scorecardTTL || now.Before(sc.At) {
		return nil
	}
	return sc
}

func (c *scorecards) put(sc *Scorecard) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cards == nil || len(c.cards) > 10_000 {
		c.cards = map[string]*Scorecard{}
	}
	c.cards[sc.Agency.ID] = sc
}

// forget drops the cards of the agencies a question passed through.
func (c *scorecards) forget(q *Question) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, l := range q.Legs {
		delete(c.cards, l.AgencyID)
	}
	delete(c.cards, q.AgencyID)
}

// Scorecard returns an agency's scorecard, computed from its legs at most
// scorecardTTL ago.
func (s *Service) Scorecard(ctx context.Context, agencyID string) (*Scorecard, error) {
	ag, err := s.agencyOrNotFound(ctx, agencyID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if sc := s.cards.get(ag.ID, now); sc != nil {
		return sc, nil
	}
	longest := slices.Max(ScorecardWindows)
	legs, err := s.store.Legs(ctx, ag.ID, now.AddDate(0, 0, -longest))
	if err != nil {
		return nil, err
	}
	sc := &Scorecard{Agency: AgencyRef{ID: ag.ID, Name: ag.Name}, At: now, Windows: make([]Window, 0, len(ScorecardWindows))}
	if sc.AnswerDays, err = s.agencyDays(ctx, ag.ID); err != nil {
		return nil, err
	}
	open := Query{AgencyID: ag.ID, Statuses: []Status{Submitted, Accepted, Assigned}}
	if sc.Open, err = s.store.CountQuestions(ctx, open, 1_000_000); err != nil {
		return nil, err
	}
	open.Statuses, open.DueBefore = []Status{Accepted, Assigned}, now
	if sc.Overdue, err = s.store.CountQuestions(ctx, open, 1_000_000); err != nil {
		return nil, err
	}
	for _, days := range ScorecardWindows {
		sc.Windows = append(sc.Windows, s.window(legs, days, now))
	}
	s.cards.put(sc)
	return sc, nil
}

func (s *Service) window(legs []Leg, days int, now time.Time) Window {
	since := now.AddDate(0, 0, -days)
	w := Window{Days: days}
	var hours, workdays []float64
	for _, l := range legs {
		if !l.StartedAt.Before(since) {
			w.Received++
		}
		if l.Outcome == LegOpen || l.EndedAt.Before(since) {
			continue
		}
		switch l.Outcome {
		case LegForwarded:
			w.Forwarded++
		case LegRejected:
			w.Rejected++
		case LegAnswered:
			w.Answered++
			if !l.Deadline.IsZero() && l.EndedAt.Before(l.Deadline) {
				w.AnsweredOnTime++
			}
			start := l.ClockAt
			if start.IsZero() {
				start = l.StartedAt
			}
			hours = append(hours, l.EndedAt.Sub(start).Hours())
			workdays = append(workdays, float64(s.opts.Calendar.Between(start, l.EndedAt)))
		}
	}
	if w.Answered > 0 {
		share := round(float64(w.AnsweredOnTime)/float64(w.Answered), 3)
		w.OnTimeShare = &share
		h, d := round(median(hours), 1), median(workdays)
		w.MedianHours, w.MedianWorkdays = &h, &d
	}
	return w
}

func median(xs []float64) float64 {
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

func round(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}
