package polls

import (
	"cmp"
	"slices"
	"time"
)

// Results are a poll's numbers as viewers see them: votes per option
// (baseline included), the total number of ballots (baseline included), and
// each option's whole-number percentage of all selections, adding up to 100.
// It is also the data of the poll:{id} snapshot.
type Results struct {
	PollID  string         `json:"poll_id"`
	Status  Status         `json:"status"`
	Total   int64          `json:"total"`
	Options []OptionResult `json:"options"`
	// Version rises with every stored ballot and every change of the
	// poll, so two results of one poll can be ordered.
	Version int64 `json:"version"`
}

// OptionResult is one option's line of Results.
type OptionResult struct {
	ID       string `json:"id"`
	Votes    int64  `json:"votes"`
	Baseline int64  `json:"baseline"`
	Percent  int    `json:"percent"`
}

// Count is what everyone who may see a poll sees of its numbers, also when
// its results are hidden from them: the data of the poll:{id}:count
// snapshot.
type Count struct {
	PollID  string `json:"poll_id"`
	Status  Status `json:"status"`
	Total   int64  `json:"total"`
	Version int64  `json:"version"`
}

// computeResults adds the baseline to the tally and rounds percentages.
func computeResults(p *Poll, t *Tally, now time.Time) *Results {
	r := &Results{
		PollID:  p.ID,
		Status:  p.StatusAt(now),
		Total:   p.BaselineBallots + t.Ballots,
		Options: make([]OptionResult, len(p.Options)),
		Version: version(p, t),
	}
	votes := make([]int64, len(p.Options))
	for i, o := range p.Options {
		votes[i] = o.Baseline + t.Votes[o.ID]
		r.Options[i] = OptionResult{ID: o.ID, Votes: votes[i], Baseline: o.Baseline}
	}
	for i, pc := range LargestRemainder(votes) {
		r.Options[i].Percent = pc
	}
	return r
}

func computeCount(p *Poll, t *Tally, now time.Time) *Count {
	return &Count{PollID: p.ID, Status: p.StatusAt(now), Total: p.BaselineBallots + t.Ballots, Version: version(p, t)}
}

// version orders the results of one poll: ballots are never removed and
// revisions only rise. A status reached by the clock alone (a scheduled
// opening or closing) is stored by the scheduler, which raises the revision.
func version(p *Poll, t *Tally) int64 { return p.Revision + t.Ballots }

// LargestRemainder returns each count's whole-number percentage of the sum,
// rounded by the largest remainder method so that they add up to exactly 100
// (or are all 0 when the sum is 0). Ties go to the earlier option, so the
// result is stable.
func LargestRemainder(counts []int64) []int {
	out := make([]int, len(counts))
	var sum int64
	for _, c := range counts {
		sum += c
	}
	if sum <= 0 {
		return out
	}
	type rem struct {
		i int
		r int64 // remainder of c*100 / sum, compared exactly
	}
	rems := make([]rem, len(counts))
	given := 0
	for i, c := range counts {
		out[i] = int(c * 100 / sum)
		given += out[i]
		rems[i] = rem{i, c * 100 % sum}
	}
	slices.SortStableFunc(rems, func(a, b rem) int { return cmp.Compare(b.r, a.r) })
	for k := 0; given < 100; k++ {
		out[rems[k].i]++
		given++
	}
	return out
}
