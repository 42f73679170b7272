// Package pollstest is the conformance suite every polls.Store
// implementation must pass. Store packages call Run from their tests with a
// constructor that returns a fresh, empty store.
package pollstest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/civichub/civichub/i18n"
	"github.com/civichub/civichub/id"
	"github.com/civichub/civichub/polls"
)

// Run runs the suite. newStore must return an empty store for each call.
func Run(t *testing.T, newStore func(t *testing.T) polls.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s polls.Store)
	}{
		{"CreateAndRead", testCreateAndRead},
		{"UpdateRevision", testUpdateRevision},
		{"ListNewestFirst", testList},
		{"PollsWithStatus", testPollsWithStatus},
		{"CastAndTally", testCastAndTally},
		{"DuplicateInsideBatch", testDuplicateInBatch},
		{"ConcurrentSameVoter", testConcurrentSameVoter},
		{"ConcurrentManyVoters", testConcurrentManyVoters},
		{"RebuildTally", testRebuildTally},
		{"BallotsOfOtherPolls", testOtherPolls},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newStore(t)) })
	}
}

var ctx = context.Background()

func at(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

// NewPoll returns a valid open poll with n options (baselines 1180, 107,
// 57, ... as in the portal's legacy poll) that has not been stored.
func NewPoll(n int) *polls.Poll {
	now := at(time.Now())
	closes := now.Add(24 * time.Hour)
	p := &polls.Poll{ID: id.New(), Question: i18n.Text{VI: "Ý kiến về Trang thông tin điện tử?", EN: "Your opinion of the portal?"},
		MaxChoices: 1, Audience: polls.Everyone, Results: polls.Always, Status: polls.Open,
		OpensAt: &now, ClosesAt: &closes, AgencyID: id.New(), CreatedBy: id.New(), CreatedAt: now, UpdatedAt: now}
	for i := range n {
		p.Options = append(p.Options, polls.Option{ID: id.New(), Text: i18n.Text{VI: fmt.Sprintf("Lựa chọn %d", i+1), EN: fmt.Sprintf("Choice %d", i+1)}})
	}
	return p
}

func mustCreate(t *testing.T, s polls.Store, p *polls.Poll) *polls.Poll {
	t.Helper()
	if err := s.CreatePoll(ctx, p); err != nil {
		t.Fatalf("CreatePoll = %v", err)
	}
	return p
}

func ballot(p *polls.Poll, voter string, options ...int) *polls.Ballot {
	b := &polls.Ballot{PollID: p.ID, Voter: voter, CreatedAt: at(time.Now())}
	for _, i := range options {
		b.Options = append(b.Options, p.Options[i].ID)
	}
	return b
}

func cast(t *testing.T, s polls.Store, bs ...*polls.Ballot) []polls.CastResult {
	t.Helper()
	res, err := s.CastBallots(ctx, bs)
	if err != nil {
		t.Fatalf("CastBallots = %v", err)
	}
	if len(res) != len(bs) {
		t.Fatalf("CastBallots returned %d results for %d ballots", len(res), len(bs))
	}
	return res
}

func tally(t *testing.T, s polls.Store, p *polls.Poll) *polls.Tally {
	t.Helper()
	tl, err := s.Tally(ctx, p.ID)
	if err != nil {
		t.Fatalf("Tally = %v", err)
	}
	return tl
}

func testCreateAndRead(t *testing.T, s polls.Store) {
	p := NewPoll(3)
	p.Options[0].Baseline, p.Options[1].Baseline, p.Options[2].Baseline = 1180, 107, 57
	p.BaselineBallots = 1344
	p.Multiple, p.MaxChoices = true, 2
	mustCreate(t, s, p)
	got, err := s.Poll(ctx, p.ID)
	if err != nil {
		t.Fatalf("Poll = %v", err)
	}
	if got.Revision != 1 {
		t.Errorf("revision = %d, want 1", got.Revision)
	}
	p.Revision = 1
	if !equalPolls(got, p) {
		t.Errorf("read back\n%+v\nwant\n%+v", got, p)
	}
	if _, err := s.Poll(ctx, id.New()); !errors.Is(err, polls.ErrPollNotFound) {
		t.Errorf("Poll(unknown) = %v, want ErrPollNotFound", err)
	}
	empty := tally(t, s, p)
	if empty.Ballots != 0 || len(empty.Votes) != 0 && empty.Votes[p.Options[0].ID] != 0 {
		t.Errorf("tally of a new poll = %+v", empty)
	}
	// A poll without times or agency reads back the same.
	q := NewPoll(2)
	q.OpensAt, q.ClosesAt, q.AgencyID = nil, nil, ""
	mustCreate(t, s, q)
	got, err = s.Poll(ctx, q.ID)
	if err != nil || got.OpensAt != nil || got.ClosesAt != nil || got.AgencyID != "" {
		t.Errorf("Poll without times = %+v, %v", got, err)
	}
}

func equalPolls(a, b *polls.Poll) bool {
	eqt := func(x, y *time.Time) bool {
		if x == nil || y == nil {
			return x == y
		}
		return x.Equal(*y)
	}
	return a.ID == b.ID && a.Question == b.Question && slices.Equal(a.Options, b.Options) &&
		a.Multiple == b.Multiple && a.MaxChoices == b.MaxChoices && a.Audience == b.Audience &&
		a.Results == b.Results && a.Status == b.Status && eqt(a.OpensAt, b.OpensAt) && eqt(a.ClosesAt, b.ClosesAt) &&
		a.AgencyID == b.AgencyID && a.BaselineBallots == b.BaselineBallots && a.CreatedBy == b.CreatedBy &&
		a.CreatedAt.Equal(b.CreatedAt) && a.UpdatedAt.Equal(b.UpdatedAt) && a.Revision == b.Revision
}

func testUpdateRevision(t *testing.T, s polls.Store) {
	p := mustCreate(t, s, NewPoll(2))
	a, _ := s.Poll(ctx, p.ID)
	b, _ := s.Poll(ctx, p.ID)
	a.Status = polls.Closed
	a.Results = polls.AfterClose
	if err := s.UpdatePoll(ctx, a); err != nil {
		t.Fatalf("UpdatePoll = %v", err)
	}
	if a.Revision != 2 {
		t.Errorf("revision after update = %d, want 2", a.Revision)
	}
	b.Status = polls.Archived
	if err := s.UpdatePoll(ctx, b); !errors.Is(err, polls.ErrStale) {
		t.Errorf("UpdatePoll with an old revision = %v, want ErrStale", err)
	}
	got, _ := s.Poll(ctx, p.ID)
	if got.Status != polls.Closed || got.Results != polls.AfterClose || got.Revision != 2 {
		t.Errorf("after a stale update: %+v", got)
	}
	ghost := NewPoll(2)
	ghost.Revision = 1
	if err := s.UpdatePoll(ctx, ghost); !errors.Is(err, polls.ErrPollNotFound) && !errors.Is(err, polls.ErrStale) {
		t.Errorf("UpdatePoll(unknown) = %v", err)
	}
}

func testList(t *testing.T, s polls.Store) {
	agency := id.New()
	var made []*polls.Poll
	for i := range 7 {
		p := NewPoll(2)
		if i%2 == 0 {
			p.AgencyID = agency
		}
		if i == 3 {
			p.Status = polls.Draft
		}
		made = append(made, mustCreate(t, s, p))
	}
	var got []string
	f := polls.Filter{Statuses: []polls.Status{polls.Open}, Limit: 2}
	for {
		page, err := s.Polls(ctx, f)
		if err != nil {
			t.Fatalf("Polls = %v", err)
		}
		for _, p := range page {
			got = append(got, p.ID)
		}
		if len(page) < f.Limit {
			break
		}
		f.Before = page[len(page)-1].ID
	}
	var want []string
	for i := len(made) - 1; i >= 0; i-- {
		if i != 3 {
			want = append(want, made[i].ID)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("open polls newest first = %v, want %v", got, want)
	}
	page, err := s.Polls(ctx, polls.Filter{Statuses: []polls.Status{polls.Open, polls.Draft}, AgencyIDs: []string{agency}, Limit: 10})
	if err != nil || len(page) != 4 {
		t.Fatalf("polls of one agency = %d, %v; want 4", len(page), err)
	}
	for _, p := range page {
		if p.AgencyID != agency {
			t.Errorf("poll of agency %q in the list of %q", p.AgencyID, agency)
		}
	}
	page, err = s.Polls(ctx, polls.Filter{Statuses: []polls.Status{polls.Draft}, AgencyIDs: []string{}, Limit: 10})
	if err != nil || len(page) != 0 {
		t.Errorf("drafts of no agency = %d, %v; want none", len(page), err)
	}
}

func testPollsWithStatus(t *testing.T, s polls.Store) {
	open := mustCreate(t, s, NewPoll(2))
	d := NewPoll(2)
	d.Status = polls.Draft
	mustCreate(t, s, d)
	c := NewPoll(2)
	c.Status = polls.Closed
	mustCreate(t, s, c)
	got, err := s.PollsWithStatus(ctx, polls.Open)
	if err != nil || len(got) != 1 || got[0].ID != open.ID {
		t.Errorf("PollsWithStatus(open) = %v, %v", got, err)
	}
	got, err = s.PollsWithStatus(ctx, polls.Open, polls.Closed)
	if err != nil || len(got) != 2 {
		t.Errorf("PollsWithStatus(open, closed) = %d polls, %v", len(got), err)
	}
}

func testCastAndTally(t *testing.T, s polls.Store) {
	p := NewPoll(3)
	p.Multiple, p.MaxChoices = true, 2
	mustCreate(t, s, p)
	res := cast(t, s, ballot(p, "v:a", 0), ballot(p, "v:b", 0, 1), ballot(p, "u:c", 2))
	for i, r := range res {
		if r.Err != nil {
			t.Fatalf("ballot %d: %v", i, r.Err)
		}
	}
	if res[2].Ballots != 3 {
		t.Errorf("ballots after the third = %d, want 3", res[2].Ballots)
	}
	res = cast(t, s, ballot(p, "v:a", 1), ballot(p, "v:d", 1))
	if !errors.Is(res[0].Err, polls.ErrAlreadyVoted) {
		t.Errorf("second ballot of v:a = %v, want ErrAlreadyVoted", res[0].Err)
	}
	if res[1].Err != nil || res[1].Ballots != 4 {
		t.Errorf("ballot of v:d = %+v, want stored as the 4th", res[1])
	}
	tl := tally(t, s, p)
	want := map[string]int64{p.Options[0].ID: 2, p.Options[1].ID: 2, p.Options[2].ID: 1}
	if tl.Ballots != 4 || !sameVotes(tl.Votes, want) {
		t.Errorf("tally = %+v, want 4 ballots and %v", tl, want)
	}
	for voter, want := range map[string]bool{"v:a": true, "u:c": true, "v:zz": false, "u:a": false} {
		if got, err := s.HasVoted(ctx, p.ID, voter); err != nil || got != want {
			t.Errorf("HasVoted(%q) = %v, %v; want %v", voter, got, err, want)
		}
	}
}

func sameVotes(got, want map[string]int64) bool {
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	for k, v := range got {
		if v != 0 && want[k] != v {
			return false
		}
	}
	return true
}

func testDuplicateInBatch(t *testing.T, s polls.Store) {
	p := mustCreate(t, s, NewPoll(2))
	res := cast(t, s, ballot(p, "v:x", 0), ballot(p, "v:y", 1), ballot(p, "v:x", 1), ballot(p, "v:z", 1))
	if res[0].Err != nil || res[1].Err != nil || res[3].Err != nil {
		t.Errorf("distinct voters in the batch failed: %+v", res)
	}
	if !errors.Is(res[2].Err, polls.ErrAlreadyVoted) {
		t.Errorf("duplicate inside the batch = %v, want ErrAlreadyVoted", res[2].Err)
	}
	tl := tally(t, s, p)
	if tl.Ballots != 3 || tl.Votes[p.Options[0].ID] != 1 || tl.Votes[p.Options[1].ID] != 2 {
		t.Errorf("tally = %+v, want 3 ballots: 1 and 2", tl)
	}
}

func testConcurrentSameVoter(t *testing.T, s polls.Store) {
	p := mustCreate(t, s, NewPoll(2))
	const n = 50
	var wg sync.WaitGroup
	var mu sync.Mutex
	stored, dup := 0, 0
	for i := range n {
		wg.Go(func() {
			res, err := s.CastBallots(ctx, []*polls.Ballot{ballot(p, "u:same", i%2)})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				t.Errorf("CastBallots = %v", err)
			case res[0].Err == nil:
				stored++
			case errors.Is(res[0].Err, polls.ErrAlreadyVoted):
				dup++
			default:
				t.Errorf("ballot = %v", res[0].Err)
			}
		})
	}
	wg.Wait()
	if stored != 1 || dup != n-1 {
		t.Errorf("%d concurrent ballots of one voter: %d stored, %d already voted; want 1 and %d", n, stored, dup, n-1)
	}
	if tl := tally(t, s, p); tl.Ballots != 1 {
		t.Errorf("tally has %d ballots, want 1", tl.Ballots)
	}
}

func testConcurrentManyVoters(t *testing.T, s polls.Store) {
	p := mustCreate(t, s, NewPoll(3))
	const workers, each = 8, 25
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				bs := []*polls.Ballot{ballot(p, fmt.Sprintf("v:%d-%d", w, i), (w+i)%3)}
				if res, err := s.CastBallots(ctx, bs); err != nil || res[0].Err != nil {
					t.Errorf("CastBallots = %v, %+v", err, res)
				}
			}
		})
	}
	wg.Wait()
	tl := tally(t, s, p)
	var sum int64
	for _, v := range tl.Votes {
		sum += v
	}
	if tl.Ballots != workers*each || sum != workers*each {
		t.Errorf("tally = %d ballots, %d selections; want %d", tl.Ballots, sum, workers*each)
	}
	rebuilt, err := s.RebuildTally(ctx, p.ID)
	if err != nil || rebuilt.Ballots != tl.Ballots || !sameVotes(rebuilt.Votes, tl.Votes) {
		t.Errorf("rebuilt tally %+v (%v) differs from the kept %+v", rebuilt, err, tl)
	}
}

func testRebuildTally(t *testing.T, s polls.Store) {
	p := NewPoll(2)
	p.Multiple, p.MaxChoices = true, 2
	mustCreate(t, s, p)
	cast(t, s, ballot(p, "v:1", 0, 1), ballot(p, "v:2", 1))
	tl, err := s.RebuildTally(ctx, p.ID)
	if err != nil {
		t.Fatalf("RebuildTally = %v", err)
	}
	want := map[string]int64{p.Options[0].ID: 1, p.Options[1].ID: 2}
	if tl.Ballots != 2 || !sameVotes(tl.Votes, want) {
		t.Errorf("rebuilt = %+v, want 2 ballots %v", tl, want)
	}
	if got := tally(t, s, p); got.Ballots != 2 || !sameVotes(got.Votes, want) {
		t.Errorf("tally after rebuild = %+v", got)
	}
	res := cast(t, s, ballot(p, "v:3", 0))
	if res[0].Err != nil || res[0].Ballots != 3 {
		t.Errorf("ballot after a rebuild = %+v, want the 3rd", res[0])
	}
	empty := mustCreate(t, s, NewPoll(2))
	if tl, err := s.RebuildTally(ctx, empty.ID); err != nil || tl.Ballots != 0 {
		t.Errorf("RebuildTally of a poll without ballots = %+v, %v", tl, err)
	}
}

func testOtherPolls(t *testing.T, s polls.Store) {
	a := mustCreate(t, s, NewPoll(2))
	b := mustCreate(t, s, NewPoll(2))
	res := cast(t, s, ballot(a, "v:same", 0), ballot(b, "v:same", 1))
	if res[0].Err != nil || res[1].Err != nil {
		t.Fatalf("one voter in two polls: %+v", res)
	}
	if res[1].Ballots != 1 {
		t.Errorf("ballots of poll b = %d, want 1", res[1].Ballots)
	}
	if ta, tb := tally(t, s, a), tally(t, s, b); ta.Ballots != 1 || tb.Ballots != 1 ||
		ta.Votes[a.Options[0].ID] != 1 || tb.Votes[b.Options[1].ID] != 1 {
		t.Errorf("tallies mixed between polls: %+v %+v", ta, tb)
	}
}
