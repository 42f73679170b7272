package mongostore_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/civichub/civichub/id"
	"github.com/civichub/civichub/polls"
	"github.com/civichub/civichub/polls/pollstest"
)

func TestPollsStore(t *testing.T) {
	pollstest.Run(t, func(t *testing.T) polls.Store {
		db, _ := openDB(t)
		return db.Polls()
	})
}

// The tests below check what the conformance suite cannot see: the stored
// documents and indexes, and behaviour particular to this store.

func TestPollDocument(t *testing.T) {
	db, name := openDB(t)
	ctx := context.Background()
	p := pollstest.NewPoll(2)
	p.Options[0].Baseline = 1180
	p.Options[1].EN = ""
	if err := db.Polls().CreatePoll(ctx, p); err != nil {
		t.Fatalf("CreatePoll = %v", err)
	}
	if p.Revision != 1 {
		t.Errorf("CreatePoll set Revision %d, want 1", p.Revision)
	}
	raw, err := admin.Database(name).Collection("polls").FindOne(ctx, bson.D{{Key: "_id", Value: p.ID}}).Raw()
	if err != nil {
		t.Fatalf("FindOne(raw) = %v", err)
	}
	for field, want := range map[string]bson.Type{"opens_at": bson.TypeDateTime, "closes_at": bson.TypeDateTime,
		"created_at": bson.TypeDateTime, "revision": bson.TypeInt64, "baseline_ballots": bson.TypeInt64,
		"options.0.baseline": bson.TypeInt64, "options.0.id": bson.TypeString, "options.0.vi": bson.TypeString} {
		if got := raw.Lookup(strings.Split(field, ".")...).Type; got != want {
			t.Errorf("%s has BSON type %v, want %v", field, got, want)
		}
	}
	if _, err := raw.LookupErr("options", "1", "en"); err == nil {
		t.Errorf("an option without English stores en")
	}

	q := pollstest.NewPoll(2)
	q.OpensAt, q.ClosesAt, q.AgencyID = nil, nil, ""
	if err := db.Polls().CreatePoll(ctx, q); err != nil {
		t.Fatalf("CreatePoll = %v", err)
	}
	raw, err = admin.Database(name).Collection("polls").FindOne(ctx, bson.D{{Key: "_id", Value: q.ID}}).Raw()
	if err != nil {
		t.Fatalf("FindOne(raw) = %v", err)
	}
	if _, err := raw.LookupErr("agency_id"); err == nil {
		t.Errorf("a poll without agency stores agency_id")
	}
	if got := raw.Lookup("opens_at").Type; got != bson.TypeNull {
		t.Errorf("opens_at of a poll without times has BSON type %v, want null", got)
	}
}

func TestBallotDocument(t *testing.T) {
	db, name := openDB(t)
	ctx := context.Background()
	p := pollstest.NewPoll(2)
	if err := db.Polls().CreatePoll(ctx, p); err != nil {
		t.Fatal(err)
	}
	b := &polls.Ballot{PollID: p.ID, Voter: "u:" + id.New(), Options: []string{p.Options[1].ID}, CreatedAt: time.Now()}
	if _, err := db.Polls().CastBallots(ctx, []*polls.Ballot{b}); err != nil {
		t.Fatal(err)
	}
	var got struct {
		PollID    string    `bson:"poll_id"`
		Voter     string    `bson:"voter"`
		Options   []string  `bson:"options"`
		CreatedAt time.Time `bson:"created_at"`
	}
	err := admin.Database(name).Collection("poll_ballots").FindOne(ctx, bson.D{{Key: "_id", Value: p.ID + "|" + b.Voter}}).Decode(&got)
	if err != nil {
		t.Fatalf("FindOne(ballot %s|%s) = %v", p.ID, b.Voter, err)
	}
	if got.PollID != p.ID || got.Voter != b.Voter || !slices.Equal(got.Options, b.Options) ||
		!got.CreatedAt.Equal(b.CreatedAt.Truncate(time.Millisecond)) {
		t.Errorf("stored ballot = %+v, want %+v", got, b)
	}
}

func TestPollsIndexes(t *testing.T) {
	_, name := openDB(t)
	ctx := context.Background()
	want := map[string][]string{
		"polls":        {"{_id:1}", "{status:1,_id:1}"},
		"poll_ballots": {"{_id:1}", "{poll_id:1,options:1}"},
	}
	for coll, wantIdx := range want {
		specs, err := admin.Database(name).Collection(coll).Indexes().ListSpecifications(ctx)
		if err != nil {
			t.Fatalf("ListSpecifications(%s) = %v", coll, err)
		}
		var got []string
		for _, s := range specs {
			elems, err := s.KeysDocument.Elements()
			if err != nil {
				t.Fatal(err)
			}
			desc := "{"
			for i, e := range elems {
				if i > 0 {
					desc += ","
				}
				desc += fmt.Sprintf("%s:%d", e.Key(), e.Value().AsInt64())
			}
			got = append(got, desc+"}")
		}
		slices.Sort(got)
		if !slices.Equal(got, wantIdx) {
			t.Errorf("indexes on %s = %q, want %q", coll, got, wantIdx)
		}
	}
}

func TestPollsListing(t *testing.T) {
	db, _ := openDB(t)
	s := db.Polls()
	ctx := context.Background()
	var ids []string
	for _, st := range []polls.Status{polls.Open, polls.Draft, polls.Closed, polls.Archived} {
		p := pollstest.NewPoll(2)
		p.Status = st
		if err := s.CreatePoll(ctx, p); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	tests := []struct {
		name string
		f    polls.Filter
		want []string
	}{
		{"no statuses means all but drafts", polls.Filter{}, []string{ids[3], ids[2], ids[0]}},
		{"limit", polls.Filter{Limit: 1}, []string{ids[3]}},
		{"before", polls.Filter{Before: ids[2]}, []string{ids[0]}},
		{"drafts", polls.Filter{Statuses: []polls.Status{polls.Draft}}, []string{ids[1]}},
		{"unknown agency", polls.Filter{AgencyIDs: []string{id.New()}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			page, err := s.Polls(ctx, tc.f)
			var got []string
			for _, p := range page {
				got = append(got, p.ID)
			}
			if err != nil || !slices.Equal(got, tc.want) {
				t.Errorf("Polls(%+v) = %v, %v; want %v", tc.f, got, err, tc.want)
			}
		})
	}
	if got, err := s.PollsWithStatus(ctx); err != nil || len(got) != 0 {
		t.Errorf("PollsWithStatus() = %d polls, %v; want none", len(got), err)
	}
}

func TestUpdateUnknownPoll(t *testing.T) {
	db, _ := openDB(t)
	p := pollstest.NewPoll(2)
	p.Revision = 1
	if err := db.Polls().UpdatePoll(context.Background(), p); !errors.Is(err, polls.ErrPollNotFound) {
		t.Errorf("UpdatePoll(unknown) = %v, want ErrPollNotFound", err)
	}
	if p.Revision != 1 {
		t.Errorf("a failed UpdatePoll changed Revision to %d", p.Revision)
	}
}

// TestCastBallotsSeveralPolls casts one batch over two polls with a ballot
// stored before and a duplicate inside the batch: each result stays at its
// index and each poll's count is its own.
func TestCastBallotsSeveralPolls(t *testing.T) {
	db, _ := openDB(t)
	s := db.Polls()
	ctx := context.Background()
	a, b := pollstest.NewPoll(2), pollstest.NewPoll(2)
	for _, p := range []*polls.Poll{a, b} {
		if err := s.CreatePoll(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	ballot := func(p *polls.Poll, voter string) *polls.Ballot {
		return &polls.Ballot{PollID: p.ID, Voter: voter, Options: []string{p.Options[0].ID}, CreatedAt: time.Now()}
	}
	if _, err := s.CastBallots(ctx, []*polls.Ballot{ballot(a, "v:old")}); err != nil {
		t.Fatal(err)
	}
	res, err := s.CastBallots(ctx, []*polls.Ballot{ballot(a, "v:1"), ballot(b, "v:old"), ballot(a, "v:old"),
		ballot(b, "v:2"), ballot(b, "v:old"), ballot(a, "v:3")})
	if err != nil {
		t.Fatalf("CastBallots = %v", err)
	}
	want := []polls.CastResult{{Ballots: 3}, {Ballots: 2}, {Err: polls.ErrAlreadyVoted}, {Ballots: 2},
		{Err: polls.ErrAlreadyVoted}, {Ballots: 3}}
	for i := range want {
		if !errors.Is(res[i].Err, want[i].Err) || (want[i].Err == nil && res[i].Ballots != want[i].Ballots) {
			t.Errorf("result %d = %+v, want %+v", i, res[i], want[i])
		}
	}
}

func TestCastBallotsStoreDown(t *testing.T) {
	db, _ := openDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	b := &polls.Ballot{PollID: id.New(), Voter: "v:x", Options: []string{id.New()}, CreatedAt: time.Now()}
	if res, err := db.Polls().CastBallots(ctx, []*polls.Ballot{b}); err == nil {
		t.Errorf("CastBallots(canceled) = %+v, nil; want an error", res)
	}
}

// TestConcurrentCastBallots casts 200 ballots of distinct voters in 200
// concurrent calls: the tally counts every one of them, and the Ballots
// the calls return are positions the tally had reached, so that sorted the
// i-th is at least i.
func TestConcurrentCastBallots(t *testing.T) {
	db, _ := openDB(t)
	s := db.Polls()
	ctx := context.Background()
	p := pollstest.NewPoll(3)
	if err := s.CreatePoll(ctx, p); err != nil {
		t.Fatal(err)
	}
	const n = 200
	got := make([]int64, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			b := &polls.Ballot{PollID: p.ID, Voter: fmt.Sprintf("v:%d", i), Options: []string{p.Options[i%3].ID}, CreatedAt: time.Now()}
			res, err := s.CastBallots(ctx, []*polls.Ballot{b})
			if err != nil || res[0].Err != nil {
				t.Errorf("CastBallots(voter %d) = %+v, %v", i, res, err)
				return
			}
			got[i] = res[0].Ballots
		})
	}
	wg.Wait()
	tl, err := s.Tally(ctx, p.ID)
	if err != nil {
		t.Fatalf("Tally = %v", err)
	}
	want := map[string]int64{p.Options[0].ID: 67, p.Options[1].ID: 67, p.Options[2].ID: 66}
	if tl.Ballots != n || !maps.Equal(tl.Votes, want) {
		t.Errorf("tally = %+v, want %d ballots and %v", tl, n, want)
	}
	slices.Sort(got)
	for i, b := range got {
		if b < int64(i+1) || b > n {
			t.Errorf("%d-th smallest returned Ballots = %d, want %d to %d", i+1, b, i+1, n)
		}
	}
}
